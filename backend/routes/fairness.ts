import { Hono } from 'hono';
import { z } from 'zod';
import type { Provenance } from '../../utils/contracts/ai.ts';
import { ErrorCodes, ProposalSchema } from '../../utils/contracts/api.ts';
import {
  type BiasTestReport,
  BiasTestReportSchema,
  BiasTestRequestSchema,
  FunnelQuerySchema,
  FunnelReportSchema,
  type JdCheckResponse,
  JdCheckResponseSchema,
} from '../../utils/contracts/fairness.ts';
import { postingNotFound } from '../access/lever-access.ts';
import { DEFAULT_MODEL } from '../ai/engine.ts';
import { OpenAiProvider } from '../ai/openai-provider.ts';
import { hashInput } from '../ai/provenance.ts';
import type { AppServices } from '../app.ts';
import { loadCandidate, toPostingInput } from '../candidates/load-candidate.ts';
import { BiasTestInputError, type BiasTestResume, runBiasTest, ScorerOutputError } from '../fairness/bias-test.ts';
import { auditEeoView } from '../fairness/eeo-view-audit.ts';
import { engineScorer } from '../fairness/engine-scorer.ts';
import { funnelToCsv } from '../fairness/funnel-csv.ts';
import { checkJobDescription, postingToCheckInput } from '../fairness/jd-check.ts';
import { LLM_REWRITE_PROMPT_VERSION, llmRewriteDescription } from '../fairness/llm-rewrite.ts';
import { FunnelPermissionError, FunnelQueryError, loadFunnel } from '../fairness/load-funnel.ts';
import { htmlToText } from '../fairness/posting-text.ts';
import { rewriteDescription } from '../fairness/rewrite-posting.ts';
import type { AuthEnv } from '../http/auth.ts';
import { badRequest, conflict, HttpError } from '../http/errors.ts';
import { zodJson, zodParam, zodQuery } from '../http/validate.ts';
import { LeverNotFoundError, type Posting } from '../lever/index.ts';

const PostingParam = z.object({ postingId: z.string().uuid('posting ids are UUIDs') });
const DAY_MS = 24 * 60 * 60 * 1000;
/** Opportunities looked at to find resumes for the bias test: bounds the Lever reads when most have no resume. */
const BIAS_TEST_SCAN_LIMIT = 60;

const postingOf = (s: AppServices, id: string): Promise<Posting> =>
  s.lever.getPosting(id).catch((e: unknown) => {
    if (e instanceof LeverNotFoundError) {
      throw postingNotFound(id);
    }
    throw e;
  });

/**
 * The job-description check (whoever may see the posting) and its rewrite proposal (the posting's owner or hiring
 * manager, or a Lever admin), under /api/postings.
 */
export function fairnessPostingRoutes(s: AppServices) {
  // The LLM rewrite is used only when an OpenAI-compatible endpoint is configured; the local rewrite always works.
  const llm = s.config.AI_BASE_URL
    ? new OpenAiProvider({
        baseUrl: s.config.AI_BASE_URL,
        ...(s.config.AI_API_KEY ? { apiKey: s.config.AI_API_KEY } : {}),
        model: s.config.AI_MODEL ?? DEFAULT_MODEL,
        timeoutMs: s.config.AI_TIMEOUT_MS,
      })
    : null;

  /** The LLM's rewrite when configured and usable, else the deterministic one; provenance says which. */
  const rewrite = async (source: string): Promise<{ description: string; reason: string; provenance: Provenance }> => {
    const started = performance.now();
    const local = rewriteDescription(source);
    const base = { latencyMs: 0, createdAt: s.nowDate().toISOString(), cached: false };
    let fallback: Provenance['fallback'];
    if (llm) {
      const text = htmlToText(source);
      const { findings } = checkJobDescription({ text });
      try {
        const r = await llmRewriteDescription(llm, text, findings);
        return {
          description: r.description,
          reason: `rewritten by ${llm.model} from the job-description check (${findings.length} findings)`,
          provenance: {
            ...base,
            provider: 'openai',
            model: llm.model,
            version: 'openai-compatible',
            promptVersion: LLM_REWRITE_PROMPT_VERSION,
            inputHash: r.inputHash,
            latencyMs: Math.round(performance.now() - started),
            ...(r.usage ? { usage: r.usage } : {}),
          },
        };
      } catch (e) {
        // Falls back to the deterministic rewrite; the provenance records why.
        s.logger.warn({ err: { name: (e as Error).name, code: (e as { code?: string }).code } }, 'llm rewrite failed');
        fallback = { from: 'openai', reason: e instanceof Error ? e.message.slice(0, 200) : 'failed' };
      }
    }
    const changes = local.replacements.map((r) => `"${r.from}" → "${r.to}"`).join(', ');
    return {
      description: local.description,
      reason: `from the job-description check: ${changes}`,
      provenance: {
        ...base,
        provider: 'local',
        model: 'fulcrum-jd-check',
        version: '1',
        promptVersion: 'posting-rewrite@1',
        inputHash: hashInput(source),
        ...(fallback ? { fallback } : {}),
      },
    };
  };

  return new Hono<AuthEnv>()
    .get('/:postingId/jd-check', zodParam(PostingParam), s.guards.posting('see'), async (c) => {
      // Re-read from Lever: the panel only tells us which posting it is looking at.
      const posting = await postingOf(s, c.req.valid('param').postingId);
      const input = postingToCheckInput(posting);
      const body: JdCheckResponse = {
        ...checkJobDescription(input),
        posting: { id: posting.id, title: posting.text },
        text: input.text,
      };
      return c.json(JdCheckResponseSchema.parse(body));
    })
    .post('/:postingId/rewrite', zodParam(PostingParam), s.guards.posting('manage'), async (c) => {
      const posting = await postingOf(s, c.req.valid('param').postingId);
      const source = posting.content?.description || posting.content?.descriptionHtml || '';
      if (!source.trim()) throw conflict('This posting has no description to rewrite.');
      const { description, reason, provenance } = await rewrite(source);
      if (description === htmlToText(source)) {
        throw conflict(
          'The check found nothing in the description that has a word-for-word replacement; edit it in Lever using the findings.',
        );
      }
      const created = await s.proposals.create(c.get('recruiter'), {
        // Posting proposals target the posting: its id goes where a candidate proposal keeps the opportunity id.
        opportunityId: posting.id,
        kind: 'posting-rewrite',
        payload: { posting: { description } },
        reason: `Rewrite of "${posting.text}" ${reason}`.slice(0, 500),
        sourceCapability: 'jd-check',
        provenance,
      });
      return c.json(ProposalSchema.parse(s.proposals.wire(created, c.get('recruiter'))), 201);
    });
}

/**
 * The diversity funnel and the scorer bias self-test (Fulcrum admins who are Lever admins too), under /api/admin.
 * EEO responses are counted inside loadFunnel and never reach the AI engine.
 */
export function fairnessAdminRoutes(s: AppServices) {
  const funnel = async (query: z.infer<typeof FunnelQuerySchema>) => {
    const toDate = query.to ? Date.parse(`${query.to}T00:00:00Z`) + DAY_MS - 1 : s.clock();
    const fromDate = query.from ? Date.parse(`${query.from}T00:00:00Z`) : toDate - 90 * DAY_MS;
    try {
      return FunnelReportSchema.parse(
        await loadFunnel(s.lever, {
          fromDate,
          toDate,
          ...(query.postingId ? { postingIds: [query.postingId] } : {}),
          ...(query.team ? { team: query.team } : {}),
          ...(query.minCount === undefined ? {} : { minCount: query.minCount }),
        }),
      );
    } catch (e) {
      if (e instanceof FunnelQueryError) throw badRequest(`Invalid request: ${e.message}.`);
      // Like every Lever 403: the Lever credential lacks a permission (a 502 with code lever_permission).
      if (e instanceof FunnelPermissionError) throw new HttpError(502, ErrorCodes.leverPermission, e.message);
      throw e;
    }
  };

  /** Audits a funnel view (who, when, which filters; none of the EEO data): fairness/eeo-view-audit.ts. */
  const eeoViewed = (actor: string, view: 'funnel' | 'funnel.csv', q: z.infer<typeof FunnelQuerySchema>) =>
    auditEeoView(s.store, {
      actor,
      view,
      filter: {
        ...(q.postingId ? { postingIds: [q.postingId] } : {}),
        ...(q.team ? { team: q.team } : {}),
        ...(q.from ? { from: q.from } : {}),
        ...(q.to ? { to: q.to } : {}),
        ...(q.minCount === undefined ? {} : { minCount: q.minCount }),
      },
    });

  return new Hono<AuthEnv>()
    .get('/funnel', s.guards.fulcrumAndLeverAdmin(), zodQuery(FunnelQuerySchema), async (c) => {
      const query = c.req.valid('query');
      const report = await funnel(query);
      await eeoViewed(c.get('recruiter').email, 'funnel', query);
      return c.json(report);
    })
    .get('/funnel.csv', s.guards.fulcrumAndLeverAdmin(), zodQuery(FunnelQuerySchema), async (c) => {
      const query = c.req.valid('query');
      const csv = funnelToCsv(await funnel(query));
      await eeoViewed(c.get('recruiter').email, 'funnel.csv', query);
      c.header('content-disposition', 'attachment; filename="diversity-funnel.csv"');
      c.header('cache-control', 'no-store');
      return c.body(csv, 200, { 'content-type': 'text/csv; charset=utf-8' });
    })
    .post('/bias-test', s.guards.fulcrumAndLeverAdmin(), zodJson(BiasTestRequestSchema), async (c) => {
      const body = c.req.valid('json');
      const posting = await postingOf(s, body.postingId);
      const postingInput = toPostingInput(posting);
      const resumes: BiasTestResume[] = [];
      let scanned = 0;
      for await (const opp of s.lever.listOpportunities({ postingId: posting.id, limit: 50 })) {
        if (resumes.length >= body.resumes || scanned >= BIAS_TEST_SCAN_LIMIT) break;
        scanned++;
        const { candidate } = await loadCandidate(s.lever, opp.id);
        if (!candidate.resumeText.trim()) continue;
        resumes.push({ id: opp.id, text: candidate.resumeText, ...(candidate.name ? { name: candidate.name } : {}) });
      }
      if (resumes.length === 0) {
        throw conflict('No candidate applied to this posting has a resume in Lever, so there is nothing to test with.');
      }
      const info = s.ai.info();
      let report: BiasTestReport;
      try {
        report = await runBiasTest({
          posting: { id: posting.id, title: postingInput.title, text: postingInput.text },
          resumes,
          score: engineScorer(s.ai, postingInput),
          provider: { name: info.provider, model: info.model },
          ...(body.threshold === undefined ? {} : { threshold: body.threshold }),
        });
      } catch (e) {
        if (e instanceof BiasTestInputError) throw badRequest(`Invalid request: ${e.message}.`);
        if (e instanceof ScorerOutputError) throw new HttpError(502, 'ai_unavailable', e.message);
        throw e;
      }
      await s.audit({
        actor: c.get('recruiter').email,
        opportunityId: null,
        capability: 'bias-test',
        action: 'fairness.bias-test',
        provenance: {
          provider: info.provider,
          model: info.model,
          version: info.model,
          promptVersion: 'bias-test@1',
          inputHash: hashInput({ posting: posting.id, resumes: resumes.map((r) => r.id), threshold: body.threshold }),
          latencyMs: 0,
          createdAt: s.nowDate().toISOString(),
          cached: false,
        },
        output: report,
        decision: null,
        leverIds: [posting.id, ...resumes.map((r) => r.id)],
      });
      return c.json(BiasTestReportSchema.parse(report));
    });
}
