import { type Context, Hono } from 'hono';
import { z } from 'zod';
import {
  ApproveOfferRequestSchema,
  CreateOfferTemplateRequestSchema,
  DraftOfferRequestSchema,
  OfferChainListSchema,
  OfferChainSchema,
  OfferHolidayListSchema,
  OfferTemplateListSchema,
  OfferTemplateSummarySchema,
  OfferViewResponseSchema,
  OfferViewSchema,
  OverrideOfferCheckRequestSchema,
  PutOfferChainRequestSchema,
  PutOfferHolidaysRequestSchema,
  ReviseOfferRequestSchema,
} from '../../utils/contracts/offers.ts';
import type { AppServices } from '../app.ts';
import { appendAudit } from '../audit/audit-log.ts';
import type { AuthEnv, Principal } from '../http/auth.ts';
import { badRequest, forbidden, notFound } from '../http/errors.ts';
import { zodJson, zodParam, zodQuery } from '../http/validate.ts';
import { changeHolidays, HolidayDateSchema, holidaysOf, listHolidays } from '../offers/holidays.ts';
import { createParagraphWriter } from '../offers/paragraphs.ts';
import { OfferService } from '../offers/service.ts';
import { TemplateError } from '../offers/template.ts';
import { OfferTemplates, type StoredTemplate } from '../offers/templates-repo.ts';
import { withTransaction } from '../store/dialect.ts';

const LetterParam = z.object({ letterId: z.string().uuid('offer letter ids are UUIDs') });
const TeamParam = z.object({ team: z.string().min(1).max(200) });

export type OfferServices = { offers: OfferService; templates: OfferTemplates };

/** The offers service over the app's store, Lever client, audit and proposals (one per app). */
export function createOfferServices(s: AppServices): OfferServices {
  const templates = new OfferTemplates(s.store, s.clock);
  const c = s.config;
  const writer = createParagraphWriter({
    baseUrl: c.AI_BASE_URL,
    apiKey: c.AI_API_KEY,
    model: c.AI_MODEL,
    timeoutMs: c.AI_TIMEOUT_MS,
    now: s.nowDate,
  });
  const offers = new OfferService({
    store: s.store,
    lever: s.lever,
    writer,
    templates,
    audit: s.audit,
    proposals: s.proposals,
    now: s.clock,
    holidays: holidaysOf(c),
  });
  return { offers, templates };
}

const summary = (t: StoredTemplate) =>
  OfferTemplateSummarySchema.parse({
    id: t.id,
    name: t.name,
    builtIn: t.builtIn,
    fields: t.template.placeholders,
    currency: t.template.currency,
    interval: t.template.interval,
  });

/**
 * Offer letters (issue 20), under /api/offers. Every route declares its access rule (backend/access/route-rules.ts):
 * a letter is visible to whoever may see its opportunity in Lever, and changed (drafted, revised, approved) by whoever
 * may act on it; overriding a failed check and configuring templates and chains are for Fulcrum admins.
 */
export function offerRoutes(s: AppServices, o: OfferServices = createOfferServices(s)) {
  const g = s.guards;
  // The caller with their Lever user id as the access policy resolved it (the token row may not have it cached yet):
  // chain steps for "the owner" and "the hiring manager" are matched on it.
  const actor = async (c: Context<AuthEnv>): Promise<Principal> => {
    const p = c.get('recruiter');
    return { ...p, leverUserId: p.leverUserId ?? (await g.viewer(c)).leverUserId };
  };
  // The letter's opportunity decides access; a letter that does not exist answers like one the caller may not see.
  const letterRule = (need: 'see' | 'act', adminOnly = false) =>
    g.custom(`${adminOnly ? 'Fulcrum admin who may ' : 'may '}${need} the letter's opportunity`, async (c, v) => {
      const id = c.req.param('letterId') ?? '';
      const opp = await o.offers.opportunityOf(id);
      if (!opp) throw notFound(`No offer letter with id "${id}".`);
      await s.access.requireOpportunity(v, opp, need).catch(() => {
        throw notFound(`No offer letter with id "${id}".`);
      });
      if (adminOnly && c.get('recruiter').role !== 'admin') {
        throw forbidden('Only Fulcrum admins can override a failed offer check.');
      }
    });

  // Rules that do not depend on the body come before its validation (all but the draft's, which reads the body's
  // opportunity id): a caller who may not do this is told so whatever they sent. /holidays: the non-working days of
  // the start-date check, OFFER_HOLIDAYS plus the admins' list, which PUT replaces (audited).
  return new Hono<AuthEnv>()
    .get('/templates', g.leverUser(), async (c) =>
      c.json(OfferTemplateListSchema.parse({ templates: (await o.templates.list()).map(summary) })),
    )
    .post('/templates', g.fulcrumAdmin(), zodJson(CreateOfferTemplateRequestSchema), async (c) => {
      const body = c.req.valid('json');
      try {
        const t = await o.templates.add(body, c.get('recruiter').email);
        await s.audit({
          actor: c.get('recruiter').email,
          opportunityId: null,
          capability: 'offer',
          action: 'offer.template.add',
          provenance: null,
          output: { id: t.id, name: t.name, fields: t.template.placeholders },
          decision: 'added',
          leverIds: [],
        });
        return c.json(summary(t), 201);
      } catch (e) {
        if (e instanceof TemplateError) throw badRequest(e.message);
        throw e;
      }
    })
    .get('/chains', g.leverUser(), async (c) => c.json(OfferChainListSchema.parse({ chains: await o.offers.chains() })))
    .put('/chains/:team', zodParam(TeamParam), g.fulcrumAdmin(), zodJson(PutOfferChainRequestSchema), async (c) => {
      const chain = await o.offers.setChain(c.get('recruiter'), c.req.valid('param').team, c.req.valid('json').steps);
      return c.json(OfferChainSchema.parse(chain));
    })
    .get('/holidays', g.leverUser(), async (c) =>
      c.json(OfferHolidayListSchema.parse({ holidays: await listHolidays(s.store.db, holidaysOf(s.config)) })),
    )
    .put('/holidays', g.fulcrumAdmin(), zodJson(PutOfferHolidaysRequestSchema), async (c) => {
      const { holidays } = c.req.valid('json');
      const bad = holidays.find((h) => !HolidayDateSchema.safeParse(h.date).success);
      if (bad) throw badRequest(`"${bad.date}" is not a calendar date (YYYY-MM-DD).`);
      const actor = c.get('recruiter').email;
      const now = s.clock();
      // The change and its audit entry commit together, or neither does.
      await withTransaction(s.store.db, async (trx) => {
        const changed = await changeHolidays(
          trx,
          { replace: true, add: holidays.map((h) => ({ date: h.date, label: h.label ?? null })) },
          actor,
          now,
        );
        await appendAudit(
          trx,
          {
            actor,
            opportunityId: null,
            capability: 'offer',
            action: 'offer.holidays.set',
            output: changed,
            decision: 'configured',
          },
          now,
        );
      });
      return c.json(OfferHolidayListSchema.parse({ holidays: await listHolidays(s.store.db, holidaysOf(s.config)) }));
    })
    .get(
      '/',
      zodQuery(z.object({ opportunityId: z.string().uuid('opportunity ids are UUIDs') })),
      g.opportunity('see', 'query:opportunityId'),
      async (c) => {
        const letter = await o.offers.latestFor(c.req.valid('query').opportunityId, await actor(c));
        return c.json(OfferViewResponseSchema.parse({ letter }));
      },
    )
    .post('/draft', zodJson(DraftOfferRequestSchema), g.opportunity('act', 'json:opportunityId'), async (c) => {
      const view = await o.offers.draft(await actor(c), c.req.valid('json'));
      return c.json(OfferViewSchema.parse(view), 201);
    })
    .post(
      '/:letterId/versions',
      zodParam(LetterParam),
      letterRule('act'),
      zodJson(ReviseOfferRequestSchema),
      async (c) =>
        c.json(
          OfferViewSchema.parse(
            await o.offers.revise(await actor(c), c.req.valid('param').letterId, c.req.valid('json')),
          ),
        ),
    )
    .post(
      '/:letterId/approve',
      zodParam(LetterParam),
      letterRule('act'),
      zodJson(ApproveOfferRequestSchema),
      async (c) =>
        c.json(
          OfferViewSchema.parse(
            await o.offers.approve(await actor(c), c.req.valid('param').letterId, c.req.valid('json')),
          ),
        ),
    )
    .post(
      '/:letterId/overrides',
      zodParam(LetterParam),
      letterRule('see', true),
      zodJson(OverrideOfferCheckRequestSchema),
      async (c) =>
        c.json(
          OfferViewSchema.parse(
            await o.offers.override(await actor(c), c.req.valid('param').letterId, c.req.valid('json')),
          ),
        ),
    );
}
