import { type Kysely, PostgresAdapter, sql } from 'kysely';

/**
 * What every module that touches the store needs to be dialect-neutral: which engine a Kysely runs on, and a
 * transaction that joins the caller's. Reads and writes go through Kysely (`store.db`, or a transaction handed
 * down); the engine is read from Kysely's adapter, so a function takes a `Kysely<Database>` and works on both.
 */

// biome-ignore lint/suspicious/noExplicitAny: works on any schema (the migrations' own, which must not move with Database).
type AnyDb = Kysely<any>;

/** True when this Kysely runs on PostgreSQL (false: SQLite). */
export function isPostgres(db: AnyDb): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * Runs `fn` in a transaction: the caller's own when `db` is already one (the work then commits or rolls back with
 * it), else a new one. On SQLite, never await anything but queries on `trx` inside `fn` (no Lever, no LLM): the
 * store has one connection, so other requests wait for the transaction to end.
 */
export function withTransaction<D extends AnyDb, T>(db: D, fn: (trx: D) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db);
  return db.transaction().execute((trx) => fn(trx as unknown as D));
}

/**
 * Takes a transaction-scoped lock on PostgreSQL (`pg_advisory_xact_lock`), released at commit or rollback, so
 * writers that read-then-write one sequence (the audit chain head) take turns across processes. A no-op on
 * SQLite, where a write transaction already excludes every other writer. The lock is named like the other advisory
 * locks (coord/single-runner.ts): `hashtext(name)`.
 */
export async function lockForTransaction(trx: AnyDb, name: string): Promise<void> {
  if (!trx.isTransaction) throw new Error('lockForTransaction needs a transaction');
  if (!isPostgres(trx)) return;
  await sql`select pg_advisory_xact_lock(hashtext(${name})::bigint)`.execute(trx);
}
