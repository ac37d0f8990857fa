import { Hono } from 'hono';
import { z } from 'zod';
import {
  badRequest,
  type EmulatorContext,
  INVALID_OFFSET,
  listPage,
  msParam,
  multi,
  opportunityCursor,
  parseLimit,
  parseOpportunityCursor,
} from '../context.ts';
import type { EmuOpportunity } from '../model.ts';
import { serializeOpportunity } from '../serialize.ts';
import { body, oppJson, performAs, touch, ui, withOpp } from './shared.ts';

/**
 * Opportunities: the list (with its filters and cursor), deleted ones, one by id, and the writes on one (tags,
 * links, sources, stage, archive state).
 */
export function opportunitiesRoutes(ctx: EmulatorContext): Hono {
  const app = new Hono();
  const { store, dispatcher } = ctx;

  app.get('/opportunities', (c) => {
    const limit = parseLimit(c);
    const f = {
      tags: new Set(multi(c, 'tag')),
      stages: new Set(multi(c, 'stage_id')),
      postings: new Set(multi(c, 'posting_id')),
      email: c.req.query('email')?.toLowerCase(),
      contact: c.req.query('contact_id'),
      origin: c.req.query('origin'),
      archived: c.req.query('archived'),
      reason: c.req.query('archive_reason_id'),
      confidentiality: c.req.query('confidentiality') ?? 'non-confidential',
      updStart: msParam(c, 'updated_at_start'),
      updEnd: msParam(c, 'updated_at_end'),
      crStart: msParam(c, 'created_at_start'),
      crEnd: msParam(c, 'created_at_end'),
    };
    if ([f.updStart, f.updEnd, f.crStart, f.crEnd].some((v) => Number.isNaN(v))) {
      return badRequest(c, 'Time filters must be epoch milliseconds');
    }
    const match = (o: EmuOpportunity): boolean => {
      if (o.deletedAt !== undefined) return false;
      if (f.confidentiality !== 'all' && o.confidentiality !== f.confidentiality) return false;
      if (f.tags.size && !o.tags.some((t) => f.tags.has(t))) return false;
      if (f.stages.size && !f.stages.has(o.stage)) return false;
      if (f.postings.size && !f.postings.has(o.postingId)) return false;
      if (f.email && !o.emails.some((e) => e.toLowerCase() === f.email)) return false;
      if (f.contact && o.contact !== f.contact) return false;
      if (f.origin && o.origin !== f.origin) return false;
      if (f.archived === 'true' && !o.archived) return false;
      if (f.archived === 'false' && o.archived) return false;
      if (f.reason && o.archived?.reason !== f.reason) return false;
      if (f.updStart !== undefined && o.updatedAt < f.updStart) return false;
      if (f.updEnd !== undefined && o.updatedAt > f.updEnd) return false;
      if (f.crStart !== undefined && o.createdAt < f.crStart) return false;
      if (f.crEnd !== undefined && o.createdAt > f.crEnd) return false;
      return true;
    };
    let start = 0;
    const offset = c.req.query('offset');
    if (offset) {
      const cur = parseOpportunityCursor(offset);
      const pos = cur ? store.positionOf(cur.id) : undefined;
      if (
        !cur ||
        cur.epoch !== store.epoch ||
        pos === undefined ||
        store.opportunities[pos]?.createdAt !== cur.createdAt
      ) {
        return badRequest(c, INVALID_OFFSET);
      }
      start = pos + 1;
    }
    const page: EmuOpportunity[] = [];
    let i = start;
    const all = store.opportunities;
    for (; i < all.length && page.length < limit; i++) {
      const o = all[i] as EmuOpportunity;
      if (match(o)) page.push(o);
    }
    let hasNext = false;
    for (; i < all.length; i++) {
      if (match(all[i] as EmuOpportunity)) {
        hasNext = true;
        break;
      }
    }
    const expand = new Set(multi(c, 'expand'));
    const include = new Set(multi(c, 'include'));
    const last = page.at(-1);
    return c.json({
      data: page.map((o) => serializeOpportunity(o, store, ui(c), expand, include)),
      hasNext,
      ...(hasNext && last ? { next: opportunityCursor(store.epoch, last.createdAt, last.id) } : {}),
    });
  });

  app.get('/opportunities/deleted', (c) => {
    const from = msParam(c, 'deleted_at_start') ?? 0;
    const to = msParam(c, 'deleted_at_end') ?? Number.MAX_SAFE_INTEGER;
    const items = store.deleted.filter((d) => d.deletedAt >= from && d.deletedAt <= to);
    return listPage(
      c,
      ctx,
      items,
      (d) => d.id,
      (d) => d,
    );
  });

  app.get('/opportunities/:id', (c) => {
    const o = withOpp(c, store);
    const data = serializeOpportunity(o, store, ui(c), new Set(multi(c, 'expand')), new Set(multi(c, 'include')));
    return c.json({ data });
  });

  const stringsBody = (field: string) => z.object({ [field]: z.array(z.string().min(1)).min(1) });
  const setOp = (path: string, field: 'tags' | 'links' | 'sources', add: boolean) => {
    app.post(`/opportunities/:id/${path}`, async (c) => {
      const o = withOpp(c, store);
      const _user = performAs(c, store, false);
      const b = await body(c, stringsBody(field));
      const values = b[field] as string[];
      const current = o[field];
      o[field] = add
        ? [...current, ...values.filter((v) => !current.includes(v))]
        : current.filter((v) => !values.includes(v));
      touch(o);
      return oppJson(c, store, o);
    });
  };
  setOp('addTags', 'tags', true);
  setOp('removeTags', 'tags', false);
  setOp('addLinks', 'links', true);
  setOp('removeLinks', 'links', false);
  setOp('addSources', 'sources', true);
  setOp('removeSources', 'sources', false);

  app.put('/opportunities/:id/stage', async (c) => {
    const o = withOpp(c, store);
    const user = performAs(c, store, false);
    const b = await body(c, z.object({ stage: z.string().min(1) }));
    const index = store.seed.stages.findIndex((s) => s.id === b.stage);
    if (index < 0) return badRequest(c, `Stage ${b.stage} does not exist`);
    const from = o.stage;
    if (from !== b.stage) {
      o.stage = b.stage;
      o.lastAdvancedAt = Date.now();
      o.stageChanges.push({
        toStageId: b.stage,
        toStageIndex: index,
        userId: user ?? o.owner,
        updatedAt: o.lastAdvancedAt,
      });
      touch(o);
      dispatcher.emit(
        'candidateStageChange',
        { opportunityId: o.id, candidateId: o.id, contactId: o.contact, fromStageId: from, toStageId: b.stage },
        o.origin,
      );
    }
    return oppJson(c, store, o);
  });

  app.put('/opportunities/:id/archived', async (c) => {
    const o = withOpp(c, store);
    const _user = performAs(c, store, false);
    const b = await body(
      c,
      z.object({
        reason: z.string().min(1).nullable(),
        cleanInterviews: z.boolean().optional(),
        requisitionId: z.string().optional(),
      }),
    );
    const reason = b.reason === null ? null : store.seed.archiveReasons.find((r) => r.id === b.reason);
    if (reason === undefined) return badRequest(c, `Archive reason ${b.reason} does not exist`);
    const from = o.archived;
    if (from?.reason === reason?.id) return oppJson(c, store, o);
    o.archived = reason ? { reason: reason.id, archivedAt: Date.now() } : null;
    touch(o);
    const data = {
      opportunityId: o.id,
      candidateId: o.id,
      contactId: o.contact,
      fromArchived: from,
      toArchived: o.archived,
    };
    dispatcher.emit('candidateArchiveChange', data, o.origin);
    if (reason?.type === 'hired') {
      dispatcher.emit('candidateHired', { opportunityId: o.id, candidateId: o.id, contactId: o.contact }, o.origin);
    }
    return oppJson(c, store, o);
  });
  return app;
}
