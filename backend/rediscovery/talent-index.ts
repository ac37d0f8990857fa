import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { RediscoverResponse } from '../../utils/contracts/rediscovery.ts';
import type { PostingInput } from '../ai/types.ts';
import { isPostgres } from '../store/dialect.ts';
import type { Database } from '../store/schema.ts';
import { type IndexedPerson, indexCounts, loadPersonByContact } from './index-store.ts';
import { indexCountsPostgres, loadPersonByContactPostgres, opportunityHintsPostgres } from './index-store-postgres.ts';
import { type RediscoverOptions, rediscover } from './rediscover.ts';
import { rediscoverPostgres } from './rediscover-postgres.ts';

/**
 * The talent-pool index behind one interface, chosen by the store's engine:
 * - SQLite: index-store.ts / rediscover.ts as they were (FTS5, synchronous better-sqlite3 statements prepared once
 *   per connection); each method runs its synchronous work in one go, so the seam costs one resolved promise per
 *   call, never one per row.
 * - PostgreSQL: index-store-postgres.ts / rediscover-postgres.ts (tsvector/GIN, batched `unnest` writes).
 * Callers (routes, jobs, sync, act) take the store and ask `talentIndexFor(store)`; nothing outside the two
 * implementations touches rd_person / rd_skill / rd_fts.
 */

export type OpportunityHint = { confidential: boolean; postingId: string | null };

export interface TalentIndex {
  readonly engine: 'sqlite' | 'postgres';
  /** Keyword + skills (+ semantic when `opts.semantic` is given) retrieval and the shared ranking. */
  search(posting: PostingInput, opts?: RediscoverOptions): Promise<RediscoverResponse>;
  personByContact(contactId: string): Promise<IndexedPerson | null>;
  /** What the last sync recorded about these opportunities (ids not synced are absent). */
  hints(ids: string[]): Promise<Map<string, OpportunityHint>>;
  counts(): Promise<{ people: number; opportunities: number }>;
}

/** The store as the index needs it: on PostgreSQL `sqlite` is never read. */
export type IndexStore = { db: Kysely<Database>; readonly sqlite: BetterSqlite3.Database };

class SqliteTalentIndex implements TalentIndex {
  readonly engine = 'sqlite' as const;
  private hintStmt: BetterSqlite3.Statement | undefined;
  constructor(private readonly sqlite: BetterSqlite3.Database) {}
  async search(posting: PostingInput, opts: RediscoverOptions = {}) {
    return rediscover({ sqlite: this.sqlite }, posting, opts);
  }
  async personByContact(contactId: string) {
    return loadPersonByContact(this.sqlite, contactId);
  }
  async hints(ids: string[]) {
    this.hintStmt ??= this.sqlite.prepare(
      `SELECT json_extract(data, '$.confidential') AS confidential, json_extract(data, '$.postingId') AS posting_id
       FROM rd_opportunity WHERE opportunity_id = ?`,
    );
    const out = new Map<string, OpportunityHint>();
    for (const id of new Set(ids)) {
      const row = this.hintStmt.get(id) as { confidential: number | null; posting_id: string | null } | undefined;
      if (row) out.set(id, { confidential: row.confidential === 1, postingId: row.posting_id });
    }
    return out;
  }
  async counts() {
    return indexCounts(this.sqlite);
  }
}

class PostgresTalentIndex implements TalentIndex {
  readonly engine = 'postgres' as const;
  constructor(private readonly db: Kysely<Database>) {}
  search(posting: PostingInput, opts: RediscoverOptions = {}) {
    return rediscoverPostgres(this.db, posting, opts);
  }
  personByContact(contactId: string) {
    return loadPersonByContactPostgres(this.db, contactId);
  }
  hints(ids: string[]) {
    return opportunityHintsPostgres(this.db, ids);
  }
  counts() {
    return indexCountsPostgres(this.db);
  }
}

const indexes = new WeakMap<Kysely<Database>, TalentIndex>();

/** The store's talent index (one per store, so the SQLite statements are prepared once). */
export function talentIndexFor(store: IndexStore): TalentIndex {
  let index = indexes.get(store.db);
  if (!index) {
    index = isPostgres(store.db) ? new PostgresTalentIndex(store.db) : new SqliteTalentIndex(store.sqlite);
    indexes.set(store.db, index);
  }
  return index;
}
