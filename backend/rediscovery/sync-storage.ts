import { randomUUID } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import { type Kysely, sql } from 'kysely';
import type { Opportunity } from '../lever/index.ts';
import { isPostgres, lockForTransaction, withTransaction } from '../store/dialect.ts';
import type { Database } from '../store/schema.ts';
import {
  type IndexItem,
  indexOpportunities,
  loadOpportunity,
  removeOpportunity,
  type SyncedOpportunity,
  SyncedOpportunitySchema,
  storedOpportunity,
} from './index-store.ts';
import {
  indexOpportunitiesPostgres,
  loadOpportunityPostgres,
  removeOpportunityPostgres,
  storedOpportunitiesPostgres,
} from './index-store-postgres.ts';
import { normalizeOpportunity, type RefData } from './normalize.ts';
import type { IndexStore } from './talent-index.ts';

/**
 * The sync's storage, one method per step of sync.ts (a listed page, a batch of details, the checkpoint), so the
 * sync's control flow is written once and awaits once per page or batch, never once per row:
 * - SQLite: the synchronous better-sqlite3 statements the sync always used, each step in one `sqlite.transaction`;
 * - PostgreSQL: Kysely, each step in one transaction, the index written by index-store-postgres.ts a batch at a time.
 * The checkpoint (rd_sync_state) is written in the same transaction as the page or batch it records.
 */

export class SyncBusyError extends Error {
  override readonly name = 'SyncBusyError';
}

/** A running sync whose heartbeat is older than this is treated as crashed and may be resumed. */
export const STALE_AFTER_MS = 2 * 60_000;

export type StateRow = {
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

export interface SyncStorage {
  readState(): Promise<StateRow | null>;
  /** Starts a run, or resumes the one a crash left behind. Refuses (SyncBusyError) while another live run syncs. */
  beginRun(full: boolean, now: number): Promise<StateRow>;
  writeState(patch: Partial<StateRow>): Promise<void>;
  /**
   * Stores one listed page: the opportunities not yet seen in this run, those that changed stored without
   * rebuilding people, all marked seen, and the checkpoint `checkpoint(fresh)` returns; one transaction.
   */
  storePage(
    runId: string,
    page: Opportunity[],
    ref: RefData,
    forceDetails: boolean,
    now: number,
    checkpoint: (fresh: Opportunity[]) => Partial<StateRow>,
  ): Promise<void>;
  /** After a complete listing: removes what this run did not see (gone from Lever, or no longer visible). */
  removeUnseen(runId: string, now: number): Promise<void>;
  removeOpportunity(opportunityId: string, now: number): Promise<boolean>;
  pendingCount(): Promise<number>;
  /** The ids of up to `limit` opportunities waiting for their details, most recently updated first. */
  nextPending(limit: number): Promise<string[]>;
  loadOpportunity(id: string): Promise<SyncedOpportunity | null>;
  /** Stores a batch of details (people rebuilt), removes the 404s and writes the checkpoint, in one transaction. */
  storeDetails(items: IndexItem[], removed: string[], now: number, patch: Partial<StateRow>): Promise<void>;
  /** The run finished: the last checkpoint, and this run's seen ids dropped. */
  finish(runId: string, patch: Partial<StateRow>): Promise<void>;
  /** A listed opportunity normalized with its stored feedback and notes (null when unchanged and not forced). */
  listedItem(o: Opportunity, ref: RefData, forceDetails: boolean): Promise<IndexItem | null>;
  index(items: IndexItem[], now: number): Promise<void>;
}

type Stored = { updatedAt: number | null; needsDetails: boolean; record: () => SyncedOpportunity | null } | null;

/**
 * Normalizes a listed opportunity, keeping the feedback and notes of its last detail read. Null when Lever's
 * updatedAt says nothing changed since the stored copy (and a full re-read was not asked for).
 */
function listedItemOf(o: Opportunity, ref: RefData, forceDetails: boolean, stored: Stored): IndexItem | null {
  if (stored && !forceDetails && !stored.needsDetails && stored.updatedAt === (o.updatedAt ?? null)) return null;
  const rec = normalizeOpportunity(o, ref);
  const prev = stored ? stored.record() : null;
  if (prev) {
    rec.feedback = prev.feedback;
    rec.notes = prev.notes;
  }
  const needsDetails = forceDetails || !stored || stored.needsDetails || stored.updatedAt !== rec.updatedAt;
  return { opportunity: rec, needsDetails };
}

/** The row a new run starts from (`s`: the previous run's checkpoint). */
function newRun(s: StateRow | null, full: boolean, now: number): StateRow {
  const mode = full || s?.high_water_mark == null ? 'full' : 'incremental';
  return {
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
}

/** The run in progress may be resumed (its process died), or a live one is running (throws). Null: start anew. */
function resumable(s: StateRow | null, now: number): StateRow | null {
  if (s?.status !== 'running') return null;
  if (s.heartbeat_at !== null && now - s.heartbeat_at < STALE_AFTER_MS) {
    throw new SyncBusyError('A talent-pool sync is already running; watch its progress instead of starting another.');
  }
  return { ...s, heartbeat_at: now, error: null };
}

const DETAIL_ORDER = 'ORDER BY updated_at DESC';

class SqliteSyncStorage implements SyncStorage {
  private readonly st;
  constructor(private readonly sqlite: BetterSqlite3.Database) {
    this.st = {
      read: sqlite.prepare('SELECT * FROM rd_sync_state WHERE id = 1'),
      seen: sqlite.prepare('SELECT 1 FROM rd_sync_seen WHERE run_id = ? AND opportunity_id = ?'),
      markSeen: sqlite.prepare('INSERT OR IGNORE INTO rd_sync_seen (run_id, opportunity_id) VALUES (?, ?)'),
      pending: sqlite.prepare('SELECT count(*) AS n FROM rd_opportunity WHERE needs_details = 1'),
    };
  }
  private read(): StateRow | null {
    return (this.st.read.get() as StateRow | undefined) ?? null;
  }
  private write(patch: Partial<StateRow>): void {
    const keys = Object.keys(patch) as Array<keyof StateRow>;
    if (keys.length === 0) return;
    this.sqlite
      .prepare(`UPDATE rd_sync_state SET ${keys.map((k) => `${k} = @${k}`).join(', ')} WHERE id = 1`)
      .run(patch);
  }
  private listed(o: Opportunity, ref: RefData, forceDetails: boolean): IndexItem | null {
    const stored = storedOpportunity(this.sqlite, o.id);
    return listedItemOf(
      o,
      ref,
      forceDetails,
      stored && { ...stored, record: () => loadOpportunity(this.sqlite, o.id) },
    );
  }
  async readState() {
    return this.read();
  }
  async beginRun(full: boolean, now: number) {
    const { sqlite } = this;
    return sqlite.transaction(() => {
      const s = this.read();
      const resumed = resumable(s, now);
      if (resumed) {
        this.write({ heartbeat_at: now, error: null });
        return resumed;
      }
      const row = newRun(s, full, now);
      if (s) this.write(row);
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
  async writeState(patch: Partial<StateRow>) {
    this.write(patch);
  }
  async storePage(
    runId: string,
    page: Opportunity[],
    ref: RefData,
    forceDetails: boolean,
    now: number,
    checkpoint: (fresh: Opportunity[]) => Partial<StateRow>,
  ) {
    const fresh = page.filter((o) => !this.st.seen.get(runId, o.id));
    this.sqlite.transaction(() => {
      const changed = fresh.map((o) => this.listed(o, ref, forceDetails)).filter((x) => x !== null);
      indexOpportunities(this.sqlite, changed, now, { rebuild: false });
      for (const o of fresh) this.st.markSeen.run(runId, o.id);
      this.write(checkpoint(fresh));
    })();
  }
  async removeUnseen(runId: string, now: number) {
    const gone = this.sqlite
      .prepare(
        'SELECT opportunity_id AS id FROM rd_opportunity WHERE opportunity_id NOT IN (SELECT opportunity_id FROM rd_sync_seen WHERE run_id = ?)',
      )
      .all(runId) as Array<{ id: string }>;
    for (const g of gone) removeOpportunity(this.sqlite, g.id, now);
  }
  async removeOpportunity(opportunityId: string, now: number) {
    return removeOpportunity(this.sqlite, opportunityId, now);
  }
  async pendingCount() {
    return (this.st.pending.get() as { n: number }).n;
  }
  async nextPending(limit: number) {
    const rows = this.sqlite
      .prepare(`SELECT opportunity_id AS id FROM rd_opportunity WHERE needs_details = 1 ${DETAIL_ORDER} LIMIT ?`)
      .all(limit) as Array<{ id: string }>;
    return rows.map((r) => r.id);
  }
  async loadOpportunity(id: string) {
    return loadOpportunity(this.sqlite, id);
  }
  async storeDetails(items: IndexItem[], removed: string[], now: number, patch: Partial<StateRow>) {
    this.sqlite.transaction(() => {
      indexOpportunities(this.sqlite, items, now);
      for (const id of removed) removeOpportunity(this.sqlite, id, now);
      this.write(patch);
    })();
  }
  async finish(runId: string, patch: Partial<StateRow>) {
    this.write(patch);
    this.sqlite.prepare('DELETE FROM rd_sync_seen WHERE run_id = ?').run(runId);
  }
  async listedItem(o: Opportunity, ref: RefData, forceDetails: boolean) {
    return this.listed(o, ref, forceDetails);
  }
  async index(items: IndexItem[], now: number) {
    indexOpportunities(this.sqlite, items, now);
  }
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

/** An rd_sync_state row as either engine returns it, numbers as numbers. */
export function stateOf(row: Record<string, unknown> | undefined): StateRow | null {
  if (!row) return null;
  const out = { ...row };
  for (const k of NUMERIC) out[k] = out[k] == null ? null : Number(out[k]);
  return out as StateRow;
}

export async function readSyncState(db: Kysely<Database>): Promise<StateRow | null> {
  return stateOf((await sql<Record<string, unknown>>`SELECT * FROM rd_sync_state WHERE id = 1`.execute(db)).rows[0]);
}

type Db = Kysely<Database>;

async function writeStateDb(db: Db, patch: Partial<StateRow>): Promise<void> {
  const entries = Object.entries(patch);
  if (entries.length === 0) return;
  const set = entries.map(([k, v]) => sql`${sql.ref(k)} = ${v}`);
  await sql`UPDATE rd_sync_state SET ${sql.join(set)} WHERE id = 1`.execute(db);
}

class PostgresSyncStorage implements SyncStorage {
  constructor(private readonly db: Db) {}
  private async listed(db: Db, o: Opportunity, ref: RefData, force: boolean): Promise<IndexItem | null> {
    const stored = (await storedOpportunitiesPostgres(db, [o.id])).get(o.id);
    return listedItemOf(o, ref, force, stored ? { ...stored, record: () => parseRecord(stored.data) } : null);
  }
  readState() {
    return readSyncState(this.db);
  }
  beginRun(full: boolean, now: number) {
    return withTransaction(this.db, async (trx) => {
      // Two instances starting a sync at once take turns here: the second sees the first one running.
      await lockForTransaction(trx, 'rediscovery.sync');
      const s = await readSyncState(trx);
      const resumed = resumable(s, now);
      if (resumed) {
        await writeStateDb(trx, { heartbeat_at: now, error: null });
        return resumed;
      }
      const row = newRun(s, full, now);
      if (s) await writeStateDb(trx, row);
      else {
        const cols = Object.keys(row);
        await sql`INSERT INTO rd_sync_state (id, ${sql.join(cols.map((c) => sql.ref(c)))})
          VALUES (1, ${sql.join(Object.values(row).map((v) => sql`${v}`))})`.execute(trx);
      }
      await sql`DELETE FROM rd_sync_seen WHERE run_id <> ${row.run_id}`.execute(trx);
      return row;
    });
  }
  writeState(patch: Partial<StateRow>) {
    return writeStateDb(this.db, patch);
  }
  async storePage(
    runId: string,
    page: Opportunity[],
    ref: RefData,
    forceDetails: boolean,
    now: number,
    checkpoint: (fresh: Opportunity[]) => Partial<StateRow>,
  ) {
    await withTransaction(this.db, async (trx) => {
      const ids = page.map((o) => o.id);
      const seen = new Set(
        (
          await sql<{ id: string }>`SELECT opportunity_id AS id FROM rd_sync_seen
            WHERE run_id = ${runId} AND opportunity_id = ANY(${ids}::text[])`.execute(trx)
        ).rows.map((r) => r.id),
      );
      const fresh = page.filter((o) => !seen.has(o.id));
      const stored = await storedOpportunitiesPostgres(
        trx,
        fresh.map((o) => o.id),
      );
      const changed = fresh
        .map((o) => {
          const s = stored.get(o.id);
          return listedItemOf(o, ref, forceDetails, s ? { ...s, record: () => parseRecord(s.data) } : null);
        })
        .filter((x) => x !== null);
      await indexOpportunitiesPostgres(trx, changed, now, { rebuild: false });
      if (fresh.length) {
        await sql`INSERT INTO rd_sync_seen (run_id, opportunity_id)
          SELECT ${runId}, unnest(${fresh.map((o) => o.id)}::text[]) ON CONFLICT DO NOTHING`.execute(trx);
      }
      await writeStateDb(trx, checkpoint(fresh));
    });
  }
  async removeUnseen(runId: string, now: number) {
    const { rows } = await sql<{ id: string }>`SELECT opportunity_id AS id FROM rd_opportunity o
      WHERE NOT EXISTS (SELECT 1 FROM rd_sync_seen s WHERE s.run_id = ${runId} AND s.opportunity_id = o.opportunity_id)`.execute(
      this.db,
    );
    for (const g of rows) await removeOpportunityPostgres(this.db, g.id, now);
  }
  removeOpportunity(opportunityId: string, now: number) {
    return removeOpportunityPostgres(this.db, opportunityId, now);
  }
  async pendingCount() {
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::integer AS n FROM rd_opportunity WHERE needs_details = 1`.execute(this.db);
    return Number(rows[0]?.n ?? 0);
  }
  async nextPending(limit: number) {
    const { rows } = await sql<{ id: string }>`SELECT opportunity_id AS id FROM rd_opportunity
      WHERE needs_details = 1 ORDER BY updated_at DESC NULLS LAST LIMIT ${limit}`.execute(this.db);
    return rows.map((r) => r.id);
  }
  loadOpportunity(id: string) {
    return loadOpportunityPostgres(this.db, id);
  }
  async storeDetails(items: IndexItem[], removed: string[], now: number, patch: Partial<StateRow>) {
    await withTransaction(this.db, async (trx) => {
      await indexOpportunitiesPostgres(trx, items, now);
      for (const id of removed) await removeOpportunityPostgres(trx, id, now);
      await writeStateDb(trx, patch);
    });
  }
  async finish(runId: string, patch: Partial<StateRow>) {
    await withTransaction(this.db, async (trx) => {
      await writeStateDb(trx, patch);
      await sql`DELETE FROM rd_sync_seen WHERE run_id = ${runId}`.execute(trx);
    });
  }
  listedItem(o: Opportunity, ref: RefData, forceDetails: boolean) {
    return this.listed(this.db, o, ref, forceDetails);
  }
  index(items: IndexItem[], now: number) {
    return indexOpportunitiesPostgres(this.db, items, now);
  }
}

const parseRecord = (data: string): SyncedOpportunity => SyncedOpportunitySchema.parse(JSON.parse(data));

const storages = new WeakMap<Kysely<Database>, SyncStorage>();

/** The store's sync storage, by engine (one per store, so the SQLite statements are prepared once). */
export function syncStorageFor(store: IndexStore): SyncStorage {
  let s = storages.get(store.db);
  if (!s) {
    s = isPostgres(store.db) ? new PostgresSyncStorage(store.db) : new SqliteSyncStorage(store.sqlite);
    storages.set(store.db, s);
  }
  return s;
}
