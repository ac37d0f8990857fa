import { Hono } from 'hono';
import { z } from 'zod';
import {
  ActRequestSchema,
  ActResponseSchema,
  MarkSentRequestSchema,
  OutreachListSchema,
  OutreachRecordSchema,
  type PipelineStages,
  PipelineStagesSchema,
  RediscoverRequestSchema,
  RediscoverResponseSchema,
  StartSyncRequestSchema,
  SyncProgressSchema,
} from '../../utils/contracts/rediscovery.ts';
import { isLeverAdmin } from '../access/policy.ts';
import { contactsInScope, visibleResults } from '../access/talent-pool.ts';
import type { AppServices } from '../app.ts';
import { toPostingInput } from '../candidates/load-candidate.ts';
import { guardPosting } from '../compliance/proxy-check.ts';
import type { AuthEnv } from '../http/auth.ts';
import { badRequest, conflict, forbidden, notFound } from '../http/errors.ts';
import { zodJson, zodParam, zodQuery } from '../http/validate.ts';
import {
  ActError,
  draftReengagement,
  getOutreach,
  listOutreach,
  markOutreachSent,
  NOT_IN_POOL,
} from '../rediscovery/act.ts';
import { embeddingProgress } from '../rediscovery/embed-people.ts';
import { SYNC_JOB, SyncJob } from '../rediscovery/jobs.ts';
import { cacheResults, storedPosting } from '../rediscovery/poll-postings.ts';
import { RediscoveryError } from '../rediscovery/rediscover.ts';
import { rediscoverRanked } from '../rediscovery/rediscover-hybrid.ts';
import { loadStages, saveStages } from '../rediscovery/ref-store.ts';
import { getSyncProgress } from '../rediscovery/sync.ts';
import { talentIndexFor } from '../rediscovery/talent-index.ts';

/**
 * Rediscovery API, mounted by the app at /api/rediscovery and /api/postings (behind requireRecruiter). Results, drafts and the people a draft
 * may be made for are limited to what the caller's Lever role may see (access/talent-pool.ts):
 * - GET  /api/rediscovery/sync                       → SyncProgress (with the vector index's, when configured)
 * - POST /api/rediscovery/sync {full}                (admin) queues a sync → 202 {jobId, created, progress}
 * - POST /api/postings/:postingId/rediscover         RediscoverRequest → RediscoverResponse (hybrid when configured)
 * - POST /api/rediscovery/act {postingId, contactIds, tone} → ActResponse (proposals created, nothing written)
 * - GET  /api/rediscovery/stages                     → PipelineStages (Lever's, in pipeline order)
 * - POST /api/rediscovery/outreach/:id/sent {stageId} → OutreachRecord (stage-move proposal created)
 */

const PostingParam = z.object({ postingId: z.string().min(1).max(100) });
const OutreachParam = z.object({ id: z.string().uuid() });

function mapError(e: unknown): never {
  if (e instanceof RediscoveryError) throw e.code === 'posting_not_found' ? notFound(e.message) : badRequest(e.message);
  if (e instanceof ActError) throw e.code === 'not_found' ? notFound(e.message) : conflict(e.message);
  throw e;
}

// Lever is re-read by id: the extension's copy of a posting is never trusted. The poller's copy is fresh enough.
async function postingInput(s: AppServices, postingId: string) {
  const stored = await storedPosting(s.store.db, postingId);
  // Criteria the proxy check flags are not scored unless an admin confirmed them (compliance kit).
  return guardPosting(s.store.db, toPostingInput(stored ?? (await s.pipeline.postings.fresh(postingId))));
}

export function rediscoveryRoutes(s: AppServices) {
  // Stages are read from Lever (a new stage shows up at once) and kept, so the mark-sent check agrees with the list.
  const freshStages = async () => {
    const stages = (await s.lever.listStages()).map((x) => ({ id: x.id, text: x.text }));
    await saveStages(s.store.db, stages);
    return stages;
  };
  /** The drafts' tag proposals as the policy needs them (absent when retention removed one). */
  const refsOf = async (proposalIds: string[]) => {
    if (proposalIds.length === 0) return new Map<string, { kind: string; opportunityId: string; createdBy: string }>();
    const rows = await s.store.db
      .selectFrom('proposals')
      .select(['id', 'kind', 'opportunity_id', 'created_by'])
      .where('id', 'in', [...new Set(proposalIds)])
      .execute();
    return new Map(rows.map((r) => [r.id, { kind: r.kind, opportunityId: r.opportunity_id, createdBy: r.created_by }]));
  };
  const refOf = async (proposalId: string) => (await refsOf([proposalId])).get(proposalId) ?? null;
  const index = talentIndexFor(s.store);
  const progress = async () => ({
    ...(await getSyncProgress(s.store)),
    embeddings: s.hybrid ? await embeddingProgress(s.store.db, s.hybrid.embedder.key) : null,
  });
  return new Hono<AuthEnv>()
    .get('/sync', s.guards.leverUser(), async (c) => c.json(SyncProgressSchema.parse(await progress())))
    .post('/sync', s.guards.fulcrumAdmin(), zodJson(StartSyncRequestSchema), async (c) => {
      const { full } = c.req.valid('json');
      const job = await s.queue.enqueue({ type: SyncJob, payload: { full }, dedupeKey: `${SYNC_JOB}:manual` });
      return c.json({ jobId: job.id, created: job.created, progress: SyncProgressSchema.parse(await progress()) }, 202);
    })
    .post('/act', zodJson(ActRequestSchema), s.guards.posting('see', 'json:postingId'), async (c) => {
      const body = c.req.valid('json');
      const posting = await postingInput(s, body.postingId);
      // People the caller may not see are reported exactly like people missing from the pool.
      const scope = await contactsInScope(s.access, await s.guards.viewer(c), index, body.contactIds);
      try {
        const res =
          scope.allowed.length > 0
            ? await draftReengagement(
                { store: s.store, ai: s.ai, proposals: s.proposals, now: s.clock },
                c.get('recruiter'),
                posting,
                scope.allowed,
                body.tone,
              )
            : { outreach: [], skipped: [] };
        const skipped = [...res.skipped, ...scope.hidden.map((contactId) => ({ contactId, reason: NOT_IN_POOL }))];
        return c.json(ActResponseSchema.parse({ ...res, skipped }), 201);
      } catch (e) {
        mapError(e);
      }
    })
    .get('/stages', s.guards.leverUser(), async (c) => {
      let body: PipelineStages;
      try {
        body = { stages: await freshStages(), source: 'lever' };
      } catch (e) {
        const synced = await loadStages(s.store.db);
        if (synced.length === 0) throw e;
        body = { stages: synced.map((x) => ({ id: x.id, text: x.text })), source: 'synced' };
      }
      return c.json(PipelineStagesSchema.parse(body));
    })
    .get('/outreach', zodQuery(PostingParam), s.guards.posting('see', 'query:postingId'), async (c) => {
      // Only drafts whose proposal the caller may see (their own, or on candidates they own or follow).
      const all = await listOutreach(s.store.db, c.req.valid('query').postingId);
      const byId = await refsOf(all.map((o) => o.tagProposalId));
      const refs = all.flatMap((o) => {
        const ref = byId.get(o.tagProposalId);
        return ref ? [{ ...ref, outreach: o }] : [];
      });
      const shown = await s.access.filterProposals(await s.guards.viewer(c), refs);
      return c.json(OutreachListSchema.parse({ outreach: shown.map((r) => r.outreach) }));
    })
    .post(
      '/outreach/:id/sent',
      zodParam(OutreachParam),
      s.guards.custom("may approve the draft's proposal", async (c, viewer) => {
        const id = c.req.param('id') ?? '';
        const draft = await getOutreach(s.store.db, id);
        const ref = draft ? await refOf(draft.tagProposalId) : null;
        const rights = ref ? await s.access.proposalRights(viewer, ref) : null;
        // Missing and out of scope answer alike; seen but not the caller's to act on is a 403.
        if (!rights?.see) throw notFound(`No re-engagement draft with id "${id}".`);
        if (!rights.approve) throw forbidden('Your Lever role does not let you move this candidate in Lever.');
      }),
      zodJson(MarkSentRequestSchema),
      async (c) => {
        const { stageId } = c.req.valid('json');
        const known = (stages: Array<{ id: string; text: string }>) => stages.find((x) => x.id === stageId);
        const stage = known(await loadStages(s.store.db)) ?? known(await freshStages());
        if (!stage) throw badRequest(`Stage "${stageId}" is not one of the pipeline stages in Lever.`);
        try {
          const rec = await markOutreachSent(
            { store: s.store, ai: s.ai, proposals: s.proposals, now: s.clock },
            c.get('recruiter'),
            c.req.valid('param').id,
            stageId,
            stage.text,
          );
          return c.json(OutreachRecordSchema.parse(rec));
        } catch (e) {
          mapError(e);
        }
      },
    );
}

/** Rediscovery of a posting's past candidates (whoever may see the posting), under /api/postings. */
export function rediscoveryPostingRoutes(s: AppServices) {
  return new Hono<AuthEnv>().post(
    '/:postingId/rediscover',
    zodParam(PostingParam),
    s.guards.posting('see'),
    zodJson(RediscoverRequestSchema),
    async (c) => {
      const body = c.req.valid('json');
      const posting = await postingInput(s, c.req.valid('param').postingId);
      const viewer = await s.guards.viewer(c);
      // Ask for more than the caller wants when some may be left out, so filtering does not leave the list short.
      const admin = isLeverAdmin(viewer);
      try {
        const res = await rediscoverRanked(
          s.store,
          posting,
          {
            limit: admin ? body.limit : Math.min(200, body.limit * 2),
            filters: body.filters,
            excludeContactedWithinDays: body.excludeContactedWithinDays,
            now: s.nowDate(),
          },
          s.hybrid,
        );
        const shown = admin ? res : await visibleResults(s.access, viewer, talentIndexFor(s.store), res, body.limit);
        await cacheResults(s.store.db, res, s.clock());
        return c.json(RediscoverResponseSchema.parse(shown));
      } catch (e) {
        mapError(e);
      }
    },
  );
}
