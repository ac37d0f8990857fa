import { randomUUID } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import { type Kysely, sql } from 'kysely';
import type { SyncProgress } from '../../utils/contracts/rediscovery.ts';
import { collect, LeverApiError, type LeverClient, LeverNotFoundError, type Opportunity } from '../lever/index.ts';
import type { Database } from '../store/schema.ts';
import { type DetailOptions, fetchDetails } from './fetch-details.ts';
import {
  type IndexItem,
  indexOpportunities,
  loadOpportunity,
  removeOpportunity,
  storedOpportunity,
} from './index-store.ts';
import { normalizeOpportunity, type RefData } from './normalize.ts';
import { saveRefData } from './ref-store.ts';
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

export class SyncBusyError extends Error {
  override readonly name = 'SyncBusyError';
}

/** Overlap subtracted from the run's start when it becomes the next high-water mark (clock skew with Lever). */
export const HIGH_WATER_OVERLAP_MS = 5 * 60_000;
/** A running sync whose heartbeat is older than this is treated as crashed and may be resumed. */
export const STALE_AFTER_MS = 2 * 60_000;
const DETAIL_BATCH = 20;

type StateRow = {
  status: string;
  phase: string;
  mode: string | null;
  run_id: string | null;
  since: number | null;
  started_at: number | null;
  finished_at: number | null;
  listed: number;
  details_done: number;
  details_total: number | null;
  requests: number;
  rate_limited: number;
  high_water_mark: number | null;
  run_max_updated_at: number | null;
  heartbeat_at: number | null;
  detail_errors: number;
  error: string | null;
};

function readState(sqlite: BetterSqlite3.Database): StateRow | null {
  return (sqlite.prepare('SELECT * FROM rd_sync_state WHERE id = 1').get() as StateRow | undefined) ?? null;
}

function writeState(sqlite: BetterSqlite3.Database, patch: Partial<StateRow>): void {
  const keys = Object.keys(patch) as Array<keyof StateRow>;
  if (keys.length === 0) return;
  sqlite.prepare(`UPDATE rd_sync_state SET ${keys.map((k) => `${k} = @${k}`).join(', ')} WHERE id = 1`).run(patch);
}

/** rd_sync_state's numeric columns: PostgreSQL returns its bigint columns as strings. */
const NUMERIC: Array<keyof StateRow> = [
  'since',
  'started_at',
  'finished_at',
  'listed',
  'details_done',
  'details_total',
  'requests',
  'rate_limited',
  'high_water_mark',
  'run_max_updated_at',
  'heartbeat_at',
  'detail_errors',
];
function stateOf(row: Record<string, unknown> | undefined): StateRow | null {
  if (!row) return null;
  const out = { ...row } as Record<string, unknown>;
  for (const k of NUMERIC) out[k] = out[k] == null ? null : Number(out[k]);
  return out as StateRow;
}

async function readStateDb(db: Kysely<Database>): Promise<StateRow | null> {
  return stateOf((await sql<Record<string, unknown>>`SELECT * FROM rd_sync_state WHERE id = 1`.execute(db)).rows[0]);
}

/** What GET /api/rediscovery/sync answers and the CLI prints. */
export async function getSyncProgress(store: IndexStore): Promise<SyncProgress> {
  const [s, counts] = await Promise.all([readStateDb(store.db), talentIndexFor(store).counts()]);
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

/** Starts a run, or resumes the one a crash left behind. Refuses while another live process is syncing. */
function beginRun(sqlite: BetterSqlite3.Database, full: boolean, now: number): StateRow {
  return sqlite.transaction(() => {
    const s = readState(sqlite);
    if (s?.status === 'running') {
      if (s.heartbeat_at !== null && now - s.heartbeat_at < STALE_AFTER_MS) {
        throw new SyncBusyError(
          'A talent-pool sync is already running; watch its progress instead of starting another.',
        );
      }
      writeState(sqlite, { heartbeat_at: now, error: null });
      return { ...s, heartbeat_at: now };
    }
    const mode = full || s?.high_water_mark == null ? 'full' : 'incremental';
    const row: StateRow = {
      status: 'running',
      phase: 'listing',
      mode,
      run_id: randomUUID(),
      since: mode === 'full' ? null : (s?.high_water_mark ?? null),
      started_at: now,
      finished_at: null,
      listed: 0,
      details_done: 0,
      details_total: null,
      requests: 0,
      rate_limited: 0,
      high_water_mark: s?.high_water_mark ?? null,
      run_max_updated_at: null,
      heartbeat_at: now,
      detail_errors: 0,
      error: null,
    };
    if (s) writeState(sqlite, row);
    else
      sqlite
        .prepare(
          `INSERT INTO rd_sync_state (id, ${Object.keys(row).join(', ')}) VALUES (1, ${Object.keys(row)
            .map((k) => `@${k}`)
            .join(', ')})`,
        )
        .run(row);
    sqlite.prepare('DELETE FROM rd_sync_seen WHERE run_id <> ?').run(row.run_id);
    return row;
  })();
}

async function loadRef(lever: LeverClient, confidentialityAll: boolean): Promise<RefData> {
  const [stages, archiveReasons, postings] = await Promise.all([
    lever.listStages(),
    lever.listArchiveReasons(),
    collect(lever.listPostings(confidentialityAll ? { confidentiality: 'all' } : {})),
  ]);
  return { stages, archiveReasons, postingTitles: new Map(postings.map((p) => [p.id, p.text])) };
}

/**
 * Normalizes a listed opportunity, keeping the feedback and notes of its last detail read. Null when Lever's
 * updatedAt says nothing changed since the stored copy (and a full re-read was not asked for).
 */
export function listedItem(
  sqlite: BetterSqlite3.Database,
  o: Opportunity,
  ref: RefData,
  forceDetails: boolean,
): IndexItem | null {
  const stored = storedOpportunity(sqlite, o.id);
  if (stored && !forceDetails && !stored.needsDetails && stored.updatedAt === (o.updatedAt ?? null)) return null;
  const rec = normalizeOpportunity(o, ref);
  const prev = stored ? loadOpportunity(sqlite, o.id) : null;
  if (prev) {
    rec.feedback = prev.feedback;
    rec.notes = prev.notes;
  }
  const needsDetails = forceDetails || !stored || stored.needsDetails || stored.updatedAt !== rec.updatedAt;
  return { opportunity: rec, needsDetails };
}

export async function runSync(deps: SyncDeps, opts: { full?: boolean } = {}): Promise<SyncProgress> {
  const { sqlite } = deps.store;
  const now = deps.now ?? Date.now;
  const state = beginRun(sqlite, opts.full ?? false, now());
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
      const seen = sqlite.prepare('SELECT 1 FROM rd_sync_seen WHERE run_id = ? AND opportunity_id = ?');
      const markSeen = sqlite.prepare('INSERT OR IGNORE INTO rd_sync_seen (run_id, opportunity_id) VALUES (?, ?)');
      let page: Opportunity[] = [];
      let listed = state.listed;
      let maxUpdated = state.run_max_updated_at;
      const flush = async () => {
        const fresh = page.filter((o) => !seen.get(runId, o.id));
        sqlite.transaction(() => {
          const changed = fresh.map((o) => listedItem(sqlite, o, ref, state.mode === 'full')).filter((x) => x !== null);
          indexOpportunities(sqlite, changed, now(), { rebuild: false });
          for (const o of fresh) {
            markSeen.run(runId, o.id);
            if (o.updatedAt != null && (maxUpdated === null || o.updatedAt > maxUpdated)) maxUpdated = o.updatedAt;
          }
          listed += fresh.length;
          writeState(sqlite, { listed, run_max_updated_at: maxUpdated, heartbeat_at: now(), ...counters() });
        })();
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
        const gone = sqlite
          .prepare(
            'SELECT opportunity_id AS id FROM rd_opportunity WHERE opportunity_id NOT IN (SELECT opportunity_id FROM rd_sync_seen WHERE run_id = ?)',
          )
          .all(runId) as Array<{ id: string }>;
        for (const g of gone) removeOpportunity(sqlite, g.id, now());
      } else if (state.since !== null) {
        for await (const d of deps.lever.listDeletedOpportunities({ deletedAtStart: state.since }))
          removeOpportunity(sqlite, d.id, now());
      }
      const pending = (
        sqlite.prepare('SELECT count(*) AS n FROM rd_opportunity WHERE needs_details = 1').get() as { n: number }
      ).n;
      const total = deps.maxDetails !== undefined ? Math.min(pending, deps.maxDetails) : pending;
      writeState(sqlite, {
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

    await detailsPhase(deps, state, counters, report, check);

    const finishedAt = now();
    writeState(sqlite, {
      status: 'idle',
      phase: 'done',
      finished_at: finishedAt,
      high_water_mark: (state.started_at ?? finishedAt) - HIGH_WATER_OVERLAP_MS,
      heartbeat_at: finishedAt,
      ...counters(),
    });
    sqlite.prepare('DELETE FROM rd_sync_seen WHERE run_id = ?').run(runId);
    await report();
    return getSyncProgress(deps.store);
  } catch (e) {
    // The checkpoint stays 'running' so the next call resumes; the error is kept for the progress view.
    writeState(sqlite, { error: e instanceof Error ? e.message : String(e), heartbeat_at: null, ...counters() });
    await report();
    throw e;
  }
}

async function detailsPhase(
  deps: SyncDeps,
  state: StateRow,
  counters: () => { requests: number; rate_limited: number },
  report: () => Promise<void>,
  check: () => void,
): Promise<void> {
  const { sqlite } = deps.store;
  const now = deps.now ?? Date.now;
  const total = state.details_total ?? Number.POSITIVE_INFINITY;
  let done = state.details_done;
  let errors = state.detail_errors;
  const next = sqlite.prepare(
    `SELECT opportunity_id AS id FROM rd_opportunity WHERE needs_details = 1 ORDER BY updated_at DESC LIMIT ${DETAIL_BATCH}`,
  );
  while (done < total) {
    check();
    const ids = (next.all() as Array<{ id: string }>).map((r) => r.id).slice(0, Math.max(0, total - done));
    if (ids.length === 0) break;
    const items: IndexItem[] = [];
    const removed: string[] = [];
    const queue = [...ids];
    await Promise.all(
      Array.from({ length: Math.min(deps.concurrency ?? 4, queue.length) }, async () => {
        for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
          const rec = loadOpportunity(sqlite, id);
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
    sqlite.transaction(() => {
      indexOpportunities(sqlite, items, now());
      for (const id of removed) removeOpportunity(sqlite, id, now());
      done += items.length + removed.length;
      writeState(sqlite, { details_done: done, detail_errors: errors, heartbeat_at: now(), ...counters() });
    })();
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
  const { sqlite } = deps.store;
  const now = deps.now ?? Date.now;
  try {
    const o = await deps.lever.getOpportunity(opportunityId, { expand: ['applications'] });
    const d = await fetchDetails(deps.lever, opportunityId, deps.details);
    const item = listedItem(sqlite, o, ref, true) as IndexItem;
    item.opportunity.feedback = d.feedback ?? item.opportunity.feedback;
    item.opportunity.notes = d.notes ?? item.opportunity.notes;
    indexOpportunities(
      sqlite,
      [{ opportunity: item.opportunity, resumeText: d.resumeText, needsDetails: false }],
      now(),
    );
    return 'indexed';
  } catch (e) {
    if (e instanceof LeverNotFoundError) {
      removeOpportunity(sqlite, opportunityId, now());
      return 'removed';
    }
    throw e;
  }
}
