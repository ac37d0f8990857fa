import type { SyncProgress } from '../../utils/contracts/rediscovery.ts';
import { collect, LeverApiError, type LeverClient, LeverNotFoundError, type Opportunity } from '../lever/index.ts';
import { type DetailOptions, fetchDetails } from './fetch-details.ts';
import type { IndexItem } from './index-store.ts';
import type { RefData } from './normalize.ts';
import { saveRefData } from './ref-store.ts';
import { readSyncState, type StateRow, type SyncStorage, syncStorageFor } from './sync-storage.ts';
import { type IndexStore, talentIndexFor } from './talent-index.ts';

/**
 * Talent-pool sync from Lever, resumable after a crash.
 *
 * Two phases, both checkpointed in rd_sync_state:
 * 1. listing: every opportunity (archived and active) updated since the high-water mark, 100 per request with
 *    applications expanded; each page is stored with the ids seen in this run, so a restarted run re-lists cheaply
 *    and skips what it already stored. Opportunities new or changed since their last read are marked pending.
 * 2. details: resume, notes and feedback of each pending opportunity (3-4 requests each). Pending is a column, so
 *    a restart continues exactly where it stopped, and the total is known, which gives the progress an ETA.
 * Lever's own cursor is not stored: the client's paginator does not expose it, and re-listing costs one request
 * per 100 opportunities. Requests go through the client's token bucket; 429s are counted, never stormed.
 */

export type SyncDeps = {
  store: IndexStore;
  lever: LeverClient;
  now?: () => number;
  /** Also sync confidential opportunities and postings (needs a key with confidential access). */
  confidentialityAll?: boolean;
  details?: DetailOptions;
  /** Parallel detail reads; the token bucket decides the pace, this only hides latency. */
  concurrency?: number;
  /** Stop the details phase after this many opportunities (the rest stay pending for the next run). */
  maxDetails?: number;
  onProgress?: (p: SyncProgress) => void;
  signal?: AbortSignal;
};

export { STALE_AFTER_MS, SyncBusyError } from './sync-storage.ts';

/** Overlap subtracted from the run's start when it becomes the next high-water mark (clock skew with Lever). */
export const HIGH_WATER_OVERLAP_MS = 5 * 60_000;
const DETAIL_BATCH = 20;

/** What GET /api/rediscovery/sync answers and the CLI prints. */
export async function getSyncProgress(store: IndexStore): Promise<SyncProgress> {
  const [s, counts] = await Promise.all([readSyncState(store.db), talentIndexFor(store).counts()]);
  if (!s) {
    return {
      status: 'never',
      phase: 'idle',
      mode: null,
      runId: null,
      startedAt: null,
      finishedAt: null,
      listed: 0,
      detailsDone: 0,
      detailsTotal: null,
      requests: 0,
      rateLimited: 0,
      highWaterMark: null,
      ...counts,
      error: null,
    };
  }
  return {
    status: s.status === 'running' || s.status === 'failed' || s.status === 'idle' ? s.status : 'idle',
    phase:
      s.phase === 'listing' || s.phase === 'details' || s.phase === 'done' || s.phase === 'failed' ? s.phase : 'idle',
    mode: s.mode === 'full' || s.mode === 'incremental' ? s.mode : null,
    runId: s.run_id,
    startedAt: s.started_at,
    finishedAt: s.finished_at,
    listed: s.listed,
    detailsDone: s.details_done,
    detailsTotal: s.details_total,
    requests: s.requests,
    rateLimited: s.rate_limited,
    highWaterMark: s.high_water_mark,
    ...counts,
    error: s.error,
  };
}

async function loadRef(lever: LeverClient, confidentialityAll: boolean): Promise<RefData> {
  const [stages, archiveReasons, postings] = await Promise.all([
    lever.listStages(),
    lever.listArchiveReasons(),
    collect(lever.listPostings(confidentialityAll ? { confidentiality: 'all' } : {})),
  ]);
  return { stages, archiveReasons, postingTitles: new Map(postings.map((p) => [p.id, p.text])) };
}

export async function runSync(deps: SyncDeps, opts: { full?: boolean } = {}): Promise<SyncProgress> {
  const storage = syncStorageFor(deps.store);
  const now = deps.now ?? Date.now;
  const state = await storage.beginRun(opts.full ?? false, now());
  const runId = state.run_id as string;
  const base = deps.lever.stats;
  const counters = () => {
    const s = deps.lever.stats;
    return {
      requests: state.requests + (s.requests - base.requests),
      rate_limited: state.rate_limited + (s.rateLimited - base.rateLimited),
    };
  };
  const report = async () => {
    if (deps.onProgress) deps.onProgress(await getSyncProgress(deps.store));
  };
  const check = () => {
    if (deps.signal?.aborted) throw deps.signal.reason ?? new Error('sync aborted');
  };
  try {
    const ref = await loadRef(deps.lever, deps.confidentialityAll ?? false);
    await saveRefData(deps.store.db, ref);

    if (state.phase === 'listing') {
      let page: Opportunity[] = [];
      let listed = state.listed;
      let maxUpdated = state.run_max_updated_at;
      const flush = async () => {
        await storage.storePage(runId, page, ref, state.mode === 'full', now(), (fresh) => {
          for (const o of fresh) {
            if (o.updatedAt != null && (maxUpdated === null || o.updatedAt > maxUpdated)) maxUpdated = o.updatedAt;
          }
          listed += fresh.length;
          return { listed, run_max_updated_at: maxUpdated, heartbeat_at: now(), ...counters() };
        });
        page = [];
        await report();
      };
      for await (const o of deps.lever.listOpportunities({
        limit: 100,
        expand: ['applications'],
        ...(state.since !== null ? { updatedAtStart: state.since } : {}),
        ...(deps.confidentialityAll ? { confidentiality: 'all' as const } : {}),
      })) {
        page.push(o);
        if (page.length >= 100) {
          await flush();
          check();
        }
      }
      if (page.length) await flush();

      if (state.mode === 'full') {
        // Whatever a complete listing did not return no longer exists in Lever (or is no longer visible to us).
        await storage.removeUnseen(runId, now());
      } else if (state.since !== null) {
        for await (const d of deps.lever.listDeletedOpportunities({ deletedAtStart: state.since }))
          await storage.removeOpportunity(d.id, now());
      }
      const pending = await storage.pendingCount();
      const total = deps.maxDetails !== undefined ? Math.min(pending, deps.maxDetails) : pending;
      await storage.writeState({
        phase: 'details',
        details_total: total,
        details_done: 0,
        heartbeat_at: now(),
        ...counters(),
      });
      state.phase = 'details';
      state.details_total = total;
      state.details_done = 0;
      await report();
    }

    await detailsPhase(deps, storage, state, counters, report, check);

    const finishedAt = now();
    await storage.finish(runId, {
      status: 'idle',
      phase: 'done',
      finished_at: finishedAt,
      high_water_mark: (state.started_at ?? finishedAt) - HIGH_WATER_OVERLAP_MS,
      heartbeat_at: finishedAt,
      ...counters(),
    });
    await report();
    return getSyncProgress(deps.store);
  } catch (e) {
    // The checkpoint stays 'running' so the next call resumes; the error is kept for the progress view.
    await storage.writeState({ error: e instanceof Error ? e.message : String(e), heartbeat_at: null, ...counters() });
    await report();
    throw e;
  }
}

async function detailsPhase(
  deps: SyncDeps,
  storage: SyncStorage,
  state: StateRow,
  counters: () => { requests: number; rate_limited: number },
  report: () => Promise<void>,
  check: () => void,
): Promise<void> {
  const now = deps.now ?? Date.now;
  const total = state.details_total ?? Number.POSITIVE_INFINITY;
  let done = state.details_done;
  let errors = state.detail_errors;
  while (done < total) {
    check();
    const ids = (await storage.nextPending(DETAIL_BATCH)).slice(0, Math.max(0, total - done));
    if (ids.length === 0) break;
    const items: IndexItem[] = [];
    const removed: string[] = [];
    const queue = [...ids];
    await Promise.all(
      Array.from({ length: Math.min(deps.concurrency ?? 4, queue.length) }, async () => {
        for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
          const rec = await storage.loadOpportunity(id);
          if (!rec) continue;
          try {
            const d = await fetchDetails(deps.lever, id, deps.details);
            items.push({
              opportunity: { ...rec, feedback: d.feedback ?? rec.feedback, notes: d.notes ?? rec.notes },
              resumeText: d.resumeText,
              needsDetails: false,
            });
          } catch (e) {
            if (e instanceof LeverNotFoundError) removed.push(id);
            else if (e instanceof LeverApiError && !e.retryable) {
              // A permanent refusal (403 on one record, unparseable data) must not block the sync forever.
              errors++;
              items.push({ opportunity: rec, needsDetails: false });
            } else throw e;
          }
        }
      }),
    );
    done += items.length + removed.length;
    await storage.storeDetails(items, removed, now(), {
      details_done: done,
      detail_errors: errors,
      heartbeat_at: now(),
      ...counters(),
    });
    await report();
  }
}

/**
 * Re-reads one opportunity (webhook: applicationCreated, candidateArchiveChange, candidateStageChange) and
 * re-indexes its person. A 404 means Lever deleted it: it is removed like candidateDeleted.
 */
export async function refreshOpportunity(
  deps: Pick<SyncDeps, 'store' | 'lever' | 'now' | 'details'>,
  opportunityId: string,
  ref: RefData,
): Promise<'indexed' | 'removed'> {
  const storage = syncStorageFor(deps.store);
  const now = deps.now ?? Date.now;
  try {
    const o = await deps.lever.getOpportunity(opportunityId, { expand: ['applications'] });
    const d = await fetchDetails(deps.lever, opportunityId, deps.details);
    const item = (await storage.listedItem(o, ref, true)) as IndexItem;
    item.opportunity.feedback = d.feedback ?? item.opportunity.feedback;
    item.opportunity.notes = d.notes ?? item.opportunity.notes;
    await storage.index([{ opportunity: item.opportunity, resumeText: d.resumeText, needsDetails: false }], now());
    return 'indexed';
  } catch (e) {
    if (e instanceof LeverNotFoundError) {
      await storage.removeOpportunity(opportunityId, now());
      return 'removed';
    }
    throw e;
  }
}
