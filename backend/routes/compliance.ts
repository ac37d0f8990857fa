import { Hono } from 'hono';
import { z } from 'zod';
import { ErrorCodes, OpportunityIdSchema } from '../../utils/contracts/api.ts';
import {
  type AuditPack,
  AuditPackQuerySchema,
  AuditPackSchema,
  ComplianceSettingsSchema,
  ConfirmCriterionRequestSchema,
  CriteriaCheckRequestSchema,
  CriteriaCheckResponseSchema,
  ExplanationSchema,
  JurisdictionIdSchema,
  NoticeSchema,
  NoticeTemplateListSchema,
  NoticeTemplateSchema,
  OptOutRequestSchema,
  OptOutStatusSchema,
  PostingCriteriaCheckSchema,
  PutNoticeTemplateSchema,
  RetentionReportSchema,
} from '../../utils/contracts/compliance.ts';
import { opportunityNotFound, postingNotFound } from '../access/lever-access.ts';
import type { AppServices } from '../app.ts';
import { loadCandidate, toPostingInput } from '../candidates/load-candidate.ts';
import { auditPackToCsv } from '../compliance/audit-pack.ts';
import { buildExplanation, latestMatch } from '../compliance/explanation.ts';
import { explanationPdf } from '../compliance/explanation-pdf.ts';
import { AuditPackPermissionError, AuditPackQueryError, loadAuditPack } from '../compliance/load-audit-pack.ts';
import { buildNotice, listTemplates, saveTemplate } from '../compliance/notice.ts';
import { PLACEHOLDERS } from '../compliance/notice-templates.ts';
import { optOutStatusOf, recordOptOut, withdrawOptOut } from '../compliance/opt-out.ts';
import { checkCriteria, checkCriterion, setConfirmation } from '../compliance/proxy-check.ts';
import { requestErasure, retentionPlan, retentionReport } from '../compliance/retention-policy.ts';
import {
  configuredJurisdictions,
  parseJurisdictionList,
  readComplianceSettings,
  writeComplianceSettings,
} from '../compliance/settings.ts';
import { readGovernance } from '../governance/settings.ts';
import type { AuthEnv } from '../http/auth.ts';
import { badRequest, conflict, forbidden, HttpError } from '../http/errors.ts';
import { zodJson, zodParam, zodQuery } from '../http/validate.ts';
import { LeverNotFoundError, type Opportunity, type Posting } from '../lever/index.ts';

const PostingParam = z.object({ postingId: z.string().uuid('posting ids are UUIDs') });
const OpportunityParam = z.object({ opportunityId: OpportunityIdSchema });
const JurisdictionParam = z.object({ jurisdiction: JurisdictionIdSchema });
const ErasureRequestSchema = z.object({ opportunityId: OpportunityIdSchema });
const ExplanationQuery = z.object({ format: z.enum(['json', 'text', 'pdf']).default('json') });

/*
 * The compliance kit over HTTP, one route group per URL prefix: the candidate notice and criteria check of a posting
 * (/api/postings), the criteria check before saving (/api/compliance), a candidate's opt-out of automated assessment
 * and the explanation of it (/api/candidates), settings, audit pack, retention and notice templates (/api/admin).
 * Every route declares its access rule (backend/access/route-rules.ts).
 */
/** A posting's requirements and nice-to-haves through the proxy check, with the admin confirmations. */
async function postingCriteria(s: AppServices, posting: Posting) {
  const input = toPostingInput(posting);
  return {
    posting: { id: posting.id, title: posting.text },
    criteria: await checkCriteria(s.store.db, posting.id, [...input.requirements, ...input.niceToHave]),
  };
}

const postingReader =
  (s: AppServices) =>
  (id: string): Promise<Posting> =>
    s.lever.getPosting(id).catch((e: unknown) => {
      if (e instanceof LeverNotFoundError) throw postingNotFound(id);
      throw e;
    });

/** A posting's candidate notice and the proxy check of its criteria (whoever may see the posting), under /api/postings. */
export function compliancePostingRoutes(s: AppServices) {
  const getPosting = postingReader(s);
  return new Hono<AuthEnv>()
    .get('/:postingId/notice', zodParam(PostingParam), s.guards.posting('see'), async (c) => {
      const posting = await getPosting(c.req.valid('param').postingId);
      const { settings } = await readComplianceSettings(s.store.db);
      const { governance } = await readGovernance(s.store.db);
      const install = configuredJurisdictions(settings, parseJurisdictionList(s.config.COMPLIANCE_JURISDICTIONS));
      // What the tool does not score is not what the notice says it assesses.
      const unscored = new Set(
        (await checkCriteria(s.store.db, posting.id, toPostingInput(posting).requirements))
          .filter((r) => r.ignoredInScoring)
          .map((r) => r.text),
      );
      const notice = await buildNotice(s.store.db, posting, {
        retentionDays: governance.retentionDays,
        installJurisdictions: install.jurisdictions,
        excludeCriteria: (text) => unscored.has(text),
      });
      return c.json(NoticeSchema.parse(notice));
    })
    .get('/:postingId/criteria-check', zodParam(PostingParam), s.guards.posting('see'), async (c) => {
      const posting = await getPosting(c.req.valid('param').postingId);
      return c.json(PostingCriteriaCheckSchema.parse(await postingCriteria(s, posting)));
    });
}

/** The proxy check of criteria before they are saved, under /api/compliance. */
export function complianceRoutes(s: AppServices) {
  return (
    new Hono<AuthEnv>()
      // Before a rubric line or requirement is saved: which words stand for a protected trait, why, what to write.
      .post('/criteria-check', s.guards.signedIn(), zodJson(CriteriaCheckRequestSchema), async (c) =>
        c.json(
          CriteriaCheckResponseSchema.parse({
            criteria: await checkCriteria(s.store.db, null, c.req.valid('json').criteria),
          }),
        ),
      )
  );
}

/** A candidate's opt-out (read and record) and the explanation of their assessment, under /api/candidates. */
export function complianceCandidateRoutes(s: AppServices) {
  const getOpportunity = (id: string): Promise<Opportunity> =>
    s.lever.getOpportunity(id).catch((e: unknown) => {
      if (e instanceof LeverNotFoundError) throw opportunityNotFound(id);
      throw e;
    });

  return (
    new Hono<AuthEnv>()
      .get('/:opportunityId/opt-out', zodParam(OpportunityParam), s.guards.opportunity('see'), async (c) => {
        const opp = await getOpportunity(c.req.valid('param').opportunityId);
        return c.json(OptOutStatusSchema.parse(await optOutStatusOf(s.store.db, opp, s.clock())));
      })
      // An explanation the recruiter can send on request: of the assessment Fulcrum recorded, audited.
      .get(
        '/:opportunityId/explanation',
        zodParam(OpportunityParam),
        zodQuery(ExplanationQuery),
        s.guards.opportunity('see'),
        async (c) => {
          const { opportunityId } = c.req.valid('param');
          const { format } = c.req.valid('query');
          const match = await latestMatch(s.store.db, opportunityId);
          if (!match) {
            throw conflict(
              'Fulcrum has no recorded automated assessment of this candidate, so there is nothing to explain.',
            );
          }
          const cand = await loadCandidate(s.lever, opportunityId).catch((e: unknown) => {
            if (e instanceof LeverNotFoundError) throw opportunityNotFound(opportunityId);
            throw e;
          });
          const posting = cand.posting ? { id: cand.posting.id, title: cand.posting.title } : { id: '', title: '' };
          const explanation = ExplanationSchema.parse(
            buildExplanation({
              opportunityId,
              posting,
              match,
              sources: { resume: cand.candidate.resumeText, application: cand.candidate.applicationText ?? '' },
              settings: (await readComplianceSettings(s.store.db)).settings,
              now: s.nowDate(),
            }),
          );
          await s.audit({
            actor: c.get('recruiter').email,
            opportunityId,
            capability: 'compliance',
            action: 'compliance.explanation',
            provenance: null,
            output: {
              format,
              postingId: posting.id,
              assessedAt: explanation.assessedAt,
              inputHash: match.result.provenance.inputHash,
              criteria: explanation.criteria.length,
              scoreShown: explanation.score !== null,
            },
            decision: null,
            leverIds: [opportunityId],
          });
          c.header('cache-control', 'no-store');
          if (format === 'text') return c.text(explanation.text.replace(/^#{1,2} /gm, ''));
          if (format === 'pdf') {
            const pdf = await explanationPdf(explanation.text, {
              title: `Explanation: ${posting.title}`,
              at: s.nowDate(),
            });
            c.header('content-disposition', `attachment; filename="explanation-${opportunityId}.pdf"`);
            return c.body(pdf as Uint8Array<ArrayBuffer>, 200, { 'content-type': 'application/pdf' });
          }
          return c.json(explanation);
        },
      )
      // Recording a candidate's request to opt out protects them, so anyone who may act on the candidate can do it;
      // withdrawing an opt-out is for Fulcrum admins. Both are audited (compliance/opt-out.ts).
      .put(
        '/:opportunityId/opt-out',
        zodParam(OpportunityParam),
        zodJson(OptOutRequestSchema),
        s.guards.opportunity('act'),
        async (c) => {
          const { opportunityId } = c.req.valid('param');
          const body = c.req.valid('json');
          const actor = c.get('recruiter');
          const opp = await getOpportunity(opportunityId);
          const contactId = typeof opp.contact === 'string' ? opp.contact : (opp.contact?.id ?? null);
          if (body.optedOut) {
            await recordOptOut(s.store.db, {
              opportunityId,
              contactId,
              source: 'admin',
              ...(body.reason ? { reason: body.reason } : {}),
              by: actor.email,
              now: s.clock(),
            });
          } else {
            if (actor.role !== 'admin') throw forbidden('Only Fulcrum admins can withdraw an opt-out.');
            await withdrawOptOut(s.store.db, {
              opportunityId,
              by: actor.email,
              now: s.clock(),
              ...(body.reason ? { reason: body.reason } : {}),
            });
          }
          return c.json(OptOutStatusSchema.parse(await optOutStatusOf(s.store.db, opp, s.clock())));
        },
      )
  );
}

/** Compliance settings and notice templates, for Fulcrum admins (mounted at /api/admin/compliance). */
export function complianceAdminRoutes(s: AppServices) {
  const getPosting = postingReader(s);
  const settingsResponse = async () => {
    const { settings, updatedAt } = await readComplianceSettings(s.store.db);
    return { settings, updatedAt: updatedAt === null ? null : new Date(updatedAt).toISOString() };
  };
  return (
    new Hono<AuthEnv>()
      .get('/settings', s.guards.fulcrumAdmin(), async (c) => c.json(await settingsResponse()))
      .put('/settings', s.guards.fulcrumAdmin(), zodJson(ComplianceSettingsSchema), async (c) => {
        const before = (await readComplianceSettings(s.store.db)).settings;
        const after = await writeComplianceSettings(
          s.store.db,
          c.req.valid('json'),
          c.get('recruiter').email,
          s.clock(),
        );
        await s.audit({
          actor: c.get('recruiter').email,
          opportunityId: null,
          capability: 'compliance',
          action: 'compliance.settings.update',
          provenance: null,
          output: { before, after },
          decision: null,
          leverIds: [],
        });
        return c.json(await settingsResponse());
      })
      // Spans every candidate and joins EEO self-reports: Fulcrum admin and Lever admin both.
      .get('/audit-pack', s.guards.fulcrumAndLeverAdmin(), zodQuery(AuditPackQuerySchema), async (c) => {
        const q = c.req.valid('query');
        let pack: AuditPack;
        try {
          pack = AuditPackSchema.parse(
            await loadAuditPack(
              { store: s.store, lever: s.lever, now: s.nowDate() },
              {
                from: q.from,
                to: q.to,
                ...(q.postingId ? { postingId: q.postingId } : {}),
                ...(q.minCell === undefined ? {} : { minCell: q.minCell }),
              },
            ),
          );
        } catch (e) {
          if (e instanceof AuditPackQueryError) throw badRequest(`Invalid request: ${e.message}.`);
          if (e instanceof AuditPackPermissionError) throw new HttpError(502, ErrorCodes.leverPermission, e.message);
          throw e;
        }
        await s.audit({
          actor: c.get('recruiter').email,
          opportunityId: null,
          capability: 'compliance',
          action: 'compliance.audit-pack',
          provenance: null,
          // What was produced, not the EEO data it came from.
          output: {
            from: q.from,
            to: q.to,
            postingId: q.postingId ?? null,
            format: q.format,
            state: pack.state,
            sample: pack.sample,
          },
          decision: null,
          leverIds: q.postingId ? [q.postingId] : [],
        });
        c.header('cache-control', 'no-store');
        if (q.format === 'csv') {
          c.header('content-disposition', `attachment; filename="bias-audit-${q.from}-${q.to}.csv"`);
          return c.body(auditPackToCsv(pack), 200, { 'content-type': 'text/csv; charset=utf-8' });
        }
        return c.json(pack);
      })
      // An admin confirms (or withdraws) that a flagged criterion may be scored for this posting; audited.
      .put(
        '/postings/:postingId/criteria',
        zodParam(PostingParam),
        zodJson(ConfirmCriterionRequestSchema),
        s.guards.custom('Fulcrum admin who may see the posting', async (c, v) => {
          if (c.get('recruiter').role !== 'admin')
            throw forbidden('Only Fulcrum admins can confirm a flagged criterion.');
          await s.access.requirePosting(v, c.req.param('postingId') ?? '', 'see');
        }),
        async (c) => {
          const { postingId } = c.req.valid('param');
          const body = c.req.valid('json');
          const posting = await getPosting(postingId);
          const flags = checkCriterion(body.text);
          if (flags.length === 0) {
            throw badRequest('The proxy check flags nothing in this criterion, so there is nothing to confirm.');
          }
          const by = c.get('recruiter').email;
          await setConfirmation(s.store.db, {
            postingId,
            text: body.text,
            confirmed: body.confirmed,
            by,
            now: s.clock(),
          });
          await s.audit({
            actor: by,
            opportunityId: null,
            capability: 'compliance',
            action: body.confirmed ? 'compliance.criterion.confirm' : 'compliance.criterion.unconfirm',
            provenance: null,
            output: { postingId, text: body.text, flags: flags.map((f) => ({ kind: f.kind, quote: f.quote })) },
            decision: body.confirmed ? 'confirmed' : 'withdrawn',
            leverIds: [postingId],
          });
          return c.json(PostingCriteriaCheckSchema.parse(await postingCriteria(s, posting)));
        },
      )
      // What is kept and why (legal minimums per configured jurisdiction), and what must go.
      .get('/retention', s.guards.fulcrumAdmin(), async (c) => {
        const { governance } = await readGovernance(s.store.db);
        const env = parseJurisdictionList(s.config.COMPLIANCE_JURISDICTIONS);
        const plan = await retentionPlan(s.store.db, governance.retentionDays, env, s.clock());
        return c.json(RetentionReportSchema.parse(await retentionReport(s.store.db, plan, s.clock())));
      })
      // A person asked to be erased: the next retention run erases them as `forget` does (governance/erase-person.ts),
      // keeping only the audit tombstone of what a law requires kept (audited).
      .post(
        '/erasure-requests',
        zodJson(ErasureRequestSchema),
        // Deleting a person's records: a Fulcrum admin who may see them in Lever (404 otherwise, as for a missing one).
        s.guards.custom('Fulcrum admin who may see the opportunity', async (c, v) => {
          if (c.get('recruiter').role !== 'admin') throw forbidden('Only Fulcrum admins can request an erasure.');
          const body = (c.req.valid as (t: 'json') => { opportunityId: string })('json');
          await s.access.requireOpportunity(v, body.opportunityId, 'see');
        }),
        async (c) => {
          const id = await requestErasure(
            s.store.db,
            c.req.valid('json').opportunityId,
            c.get('recruiter').email,
            s.clock(),
          );
          return c.json({ id }, 201);
        },
      )
      .get('/notice-templates', s.guards.fulcrumAdmin(), async (c) =>
        c.json(
          NoticeTemplateListSchema.parse({ templates: await listTemplates(s.store.db), placeholders: PLACEHOLDERS }),
        ),
      )
      .put(
        '/notice-templates/:jurisdiction',
        s.guards.fulcrumAdmin(),
        zodParam(JurisdictionParam),
        zodJson(PutNoticeTemplateSchema),
        async (c) => {
          const { jurisdiction } = c.req.valid('param');
          const body = c.req.valid('json');
          const text = 'body' in body ? body.body : null;
          const saved = await saveTemplate(s.store.db, jurisdiction, text, c.get('recruiter').email, s.clock());
          await s.audit({
            actor: c.get('recruiter').email,
            opportunityId: null,
            capability: 'compliance',
            action: text === null ? 'compliance.notice-template.reset' : 'compliance.notice-template.update',
            provenance: null,
            output: { jurisdiction, body: text },
            decision: null,
            leverIds: [],
          });
          return c.json(NoticeTemplateSchema.parse(saved));
        },
      )
  );
}
