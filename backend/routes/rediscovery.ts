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
import type { AppServices } from '../app.ts';
import { toPostingInput } from '../candidates/load-candidate.ts';
import { type AuthEnv, requireRole } from '../http/auth.ts';
import { badRequest, conflict, notFound } from '../http/errors.ts';
import { zodJson, zodParam, zodQuery } from '../http/validate.ts';
import { ActError, draftReengagement, listOutreach, markOutreachSent } from '../rediscovery/act.ts';
import { embeddingProgress } from '../rediscovery/embed-people.ts';
import { SYNC_JOB } from '../rediscovery/jobs.ts';
import { cacheResults, storedPosting } from '../rediscovery/poll-postings.ts';
import { RediscoveryError } from '../rediscovery/rediscover.ts';
import { rediscoverRanked } from '../rediscovery/rediscover-hybrid.ts';
import { loadStages, saveStages } from '../rediscovery/ref-store.ts';
import { getSyncProgress } from '../rediscovery/sync.ts';

/**
 * Rediscovery API, mounted by the app at /api (behind requireRecruiter):
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

export function rediscoveryRoutes(s: AppServices) {
  // Lever is re-read by id: the extension's copy of a posting is never trusted. The poller's copy is fresh enough.
  const postingInput = async (postingId: string) => {
    const stored = storedPosting(s.store.sqlite, postingId);
    return toPostingInput(stored ?? (await s.lever.getPosting(postingId)));
  };
  // Stages are read from Lever (a new stage shows up at once) and kept, so the mark-sent check agrees with the list.
  const freshStages = async () => {
    const stages = (await s.lever.listStages()).map((x) => ({ id: x.id, text: x.text }));
    saveStages(s.store.sqlite, stages);
    return stages;
  };
  const progress = () => ({
    ...getSyncProgress(s.store),
    embeddings: s.hybrid ? embeddingProgress(s.store.sqlite, s.hybrid.embedder.key) : null,
  });
  return new Hono<AuthEnv>()
    .get('/rediscovery/sync', (c) => c.json(SyncProgressSchema.parse(progress())))
    .post('/rediscovery/sync', requireRole('admin'), zodJson(StartSyncRequestSchema), async (c) => {
      const { full } = c.req.valid('json');
      const job = await s.queue.enqueue({ type: SYNC_JOB, payload: { full }, dedupeKey: `${SYNC_JOB}:manual` });
      return c.json({ jobId: job.id, created: job.created, progress: SyncProgressSchema.parse(progress()) }, 202);
    })
    .post('/postings/:postingId/rediscover', zodParam(PostingParam), zodJson(RediscoverRequestSchema), async (c) => {
      const body = c.req.valid('json');
      const posting = await postingInput(c.req.valid('param').postingId);
      try {
        const res = await rediscoverRanked(
          s.store,
          posting,
          {
            limit: body.limit,
            filters: body.filters,
            excludeContactedWithinDays: body.excludeContactedWithinDays,
            now: s.nowDate(),
          },
          s.hybrid,
        );
        cacheResults(s.store.sqlite, res, s.clock());
        return c.json(RediscoverResponseSchema.parse(res));
      } catch (e) {
        mapError(e);
      }
    })
    .post('/rediscovery/act', zodJson(ActRequestSchema), async (c) => {
      const body = c.req.valid('json');
      const posting = await postingInput(body.postingId);
      try {
        const res = await draftReengagement(
          { store: s.store, ai: s.ai, proposals: s.proposals, now: s.clock },
          c.get('recruiter'),
          posting,
          body.contactIds,
          body.tone,
        );
        return c.json(ActResponseSchema.parse(res), 201);
      } catch (e) {
        mapError(e);
      }
    })
    .get('/rediscovery/stages', async (c) => {
      let body: PipelineStages;
      try {
        body = { stages: await freshStages(), source: 'lever' };
      } catch (e) {
        const synced = loadStages(s.store.sqlite);
        if (synced.length === 0) throw e;
        body = { stages: synced.map((x) => ({ id: x.id, text: x.text })), source: 'synced' };
      }
      return c.json(PipelineStagesSchema.parse(body));
    })
    .get('/rediscovery/outreach', zodQuery(PostingParam), (c) =>
      c.json(OutreachListSchema.parse({ outreach: listOutreach(s.store.sqlite, c.req.valid('query').postingId) })),
    )
    .post('/rediscovery/outreach/:id/sent', zodParam(OutreachParam), zodJson(MarkSentRequestSchema), async (c) => {
      const { stageId } = c.req.valid('json');
      const known = (stages: Array<{ id: string; text: string }>) => stages.find((x) => x.id === stageId);
      const stage = known(loadStages(s.store.sqlite)) ?? known(await freshStages());
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
    });
}
