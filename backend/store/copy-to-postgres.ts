import { type Kysely, sql } from 'kysely';
import { z } from 'zod';
import { openStore, type Store } from './db.ts';
import { lockForTransaction } from './dialect.ts';

/**
 * Copies a SQLite store into a migrated PostgreSQL store (`npm run cli -- migrate-to-postgres`): every table of the
 * schema, parents before the tables that reference them, in batches in primary-key order with the ids as they are.
 * Each batch commits in one PostgreSQL transaction together with the step's progress row (store_copy_progress,
 * migration 0012), so a copy interrupted anywhere (Ctrl-C, kill -9) resumes after its last committed batch and never
 * writes a row twice; two runs at once take turns batch by batch (an advisory lock) instead of racing.
 *
 * The source is read in one SQLite read transaction: a snapshot, so a row written by a server still running
 * meanwhile cannot make a child row arrive without its parent. Rows written between two runs are not picked up by a
 * finished table: the final count comparison reports them (stop the backend before copying).
 */

// biome-ignore lint/suspicious/noExplicitAny: the copy walks every table of the schema by name, including the ones Database does not type.
type AnyDb = Kysely<any>;

type ProgressTable = {
  step: string;
  source: string;
  after_key: string | null;
  copied: number;
  done: number;
  updated_at: number;
};
type ProgressDb = { store_copy_progress: ProgressTable };

/** The lock every batch of every copy takes on the target, so two runs never copy the same batch. */
const COPY_LOCK = 'fulcrum.copy-to-postgres';
/** PostgreSQL's limit on bound parameters in one statement, with room to spare. */
const MAX_PARAMS = 60_000;
/** Kysely's migration bookkeeping: the target has its own, written by its migrations. */
const OWN_BOOKKEEPING = /^kysely_migration/;

export class CopyRefusedError extends Error {
  override name = 'CopyRefusedError';
}

export type SourceTable = {
  name: string;
  columns: string[];
  /** Primary-key columns in key order; empty when the table has none (the batches then follow rowid). */
  key: string[];
  parents: string[];
};

/**
 * The source's tables to copy, parents first (ties by name): the ordinary tables of the main schema, without
 * SQLite's own (sqlite_*), Kysely's migration bookkeeping, and the FTS5 index (a virtual table and its shadow
 * tables): on PostgreSQL rd_person's doc_tsv is a generated column that fills itself.
 */
export async function sourceTables(db: AnyDb): Promise<SourceTable[]> {
  const listed = await sql<{ name: string; type: string; schema: string }>`
    SELECT name, type, schema FROM pragma_table_list`.execute(db);
  const names = listed.rows
    .filter((t) => t.schema === 'main' && t.type === 'table')
    .map((t) => t.name)
    .filter((n) => !n.startsWith('sqlite_') && !OWN_BOOKKEEPING.test(n))
    .sort();
  const tables: SourceTable[] = [];
  for (const name of names) {
    const cols = await sql<{ name: string; pk: number }>`SELECT name, pk FROM pragma_table_info(${name})`.execute(db);
    const fks = await sql<{ table: string }>`SELECT "table" FROM pragma_foreign_key_list(${name})`.execute(db);
    tables.push({
      name,
      columns: cols.rows.map((c) => c.name),
      key: cols.rows
        .filter((c) => c.pk > 0)
        .sort((a, b) => a.pk - b.pk)
        .map((c) => c.name),
      parents: [...new Set(fks.rows.map((f) => f.table))].filter((t) => t !== name),
    });
  }
  return parentsFirst(tables);
}

function parentsFirst(tables: SourceTable[]): SourceTable[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const ordered: SourceTable[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (t: SourceTable, path: string[]) => {
    if (state.get(t.name) === 'done') return;
    if (state.get(t.name) === 'visiting') {
      throw new CopyRefusedError(`Foreign keys form a cycle (${[...path, t.name].join(' -> ')}): no order to copy in`);
    }
    state.set(t.name, 'visiting');
    for (const p of t.parents) {
      const parent = byName.get(p);
      if (parent) visit(parent, [...path, t.name]);
    }
    state.set(t.name, 'done');
    ordered.push(t);
  };
  for (const t of tables) visit(t, []);
  return ordered;
}

/**
 * What identifies a deployment across runs: the hash of its first audit entry (the chain's root, never deleted or
 * rewritten: erasure keeps the row), else its first recruiter's id (a random UUID). A store with neither has nothing
 * to tell it apart.
 */
export async function deploymentFingerprint(db: AnyDb): Promise<string> {
  const root = await db.selectFrom('audit_log').select('hash').orderBy('id').limit(1).executeTakeFirst();
  if (root) return `audit:${String(root.hash)}`;
  const recruiter = await db.selectFrom('recruiters').select('id').orderBy('id').limit(1).executeTakeFirst();
  return recruiter ? `recruiter:${String(recruiter.id)}` : 'empty';
}

/** The rows a freshly migrated store already holds (singleton rows the migrations seed), per table. */
async function seededRowCounts(tables: SourceTable[]): Promise<Map<string, number>> {
  const fresh = await openStore({ file: ':memory:' });
  try {
    const counts = new Map<string, number>();
    for (const t of tables) counts.set(t.name, await countRows(fresh.db, t.name));
    return counts;
  } finally {
    await fresh.close();
  }
}

export async function countRows(db: AnyDb, table: string): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

type TargetColumn = { table_name: string; column_name: string; is_generated: string; is_identity: string };

async function targetColumns(db: AnyDb): Promise<Map<string, TargetColumn[]>> {
  const { rows } = await sql<TargetColumn>`
    SELECT table_name, column_name, is_generated, is_identity FROM information_schema.columns
    WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`.execute(db);
  const byTable = new Map<string, TargetColumn[]>();
  for (const r of rows) byTable.set(r.table_name, [...(byTable.get(r.table_name) ?? []), r]);
  return byTable;
}

/**
 * Refuses a target that holds data this copy did not write: progress rows of another deployment, or rows in a table
 * beyond what its migrations seed while no copy has started there (a PostgreSQL deployment in use, or a copy of
 * another deployment made some other way).
 */
async function checkTarget(target: AnyDb, tables: SourceTable[], fingerprint: string): Promise<void> {
  const progress = target.withTables<ProgressDb>();
  const other = await progress
    .selectFrom('store_copy_progress')
    .select(['source', 'updated_at'])
    .where('source', '<>', fingerprint)
    .limit(1)
    .executeTakeFirst();
  if (other) {
    throw new CopyRefusedError(
      `The target already holds a copy of another deployment (last written ${new Date(other.updated_at).toISOString()}). Copy into an empty database.`,
    );
  }
  const started = await progress.selectFrom('store_copy_progress').select('step').limit(1).executeTakeFirst();
  if (started) return;
  const seeded = await seededRowCounts(tables);
  for (const t of tables) {
    const n = await countRows(target, t.name);
    if (n > (seeded.get(t.name) ?? 0)) {
      throw new CopyRefusedError(
        `The target already holds data (${n} rows in ${t.name}) that no copy from this SQLite store wrote. Copy into an empty database.`,
      );
    }
  }
}

export type StepOutcome = { copied: number; resumedAt: number; alreadyDone: boolean };

/**
 * Runs one resumable step in batches: each batch is one target transaction that takes the copy lock, reads the
 * step's cursor, lets `batch` write what comes after it (null: nothing left) and moves the cursor, so the writes and
 * the cursor commit together. `onProgress` hears the running total after each batch.
 */
export async function runStep(
  target: AnyDb,
  source: string,
  step: string,
  batch: (trx: AnyDb, after: unknown[] | null) => Promise<{ last: unknown[]; count: number } | null>,
  onProgress: (copied: number) => void = () => {},
): Promise<StepOutcome> {
  const progress = target.withTables<ProgressDb>();
  const start = await progress
    .insertInto('store_copy_progress')
    .values({ step, source, after_key: null, copied: 0, done: 0, updated_at: Date.now() })
    .onConflict((oc) => oc.column('step').doNothing())
    .execute()
    .then(() =>
      progress.selectFrom('store_copy_progress').selectAll().where('step', '=', step).executeTakeFirstOrThrow(),
    );
  if (start.source !== source) throw new CopyRefusedError(`Step ${step} of the target belongs to another deployment`);
  const outcome = { copied: start.copied, resumedAt: start.copied, alreadyDone: start.done === 1 };
  while (outcome.alreadyDone === false) {
    const finished = await target.transaction().execute(async (trx) => {
      await lockForTransaction(trx, COPY_LOCK);
      const p = trx.withTables<ProgressDb>();
      const row = await p
        .selectFrom('store_copy_progress')
        .selectAll()
        .where('step', '=', step)
        .executeTakeFirstOrThrow();
      outcome.copied = row.copied;
      if (row.done === 1) return true;
      const after = row.after_key === null ? null : z.array(z.unknown()).parse(JSON.parse(row.after_key));
      const wrote = await batch(trx, after);
      const now = Date.now();
      if (!wrote) {
        await p.updateTable('store_copy_progress').set({ done: 1, updated_at: now }).where('step', '=', step).execute();
        return true;
      }
      outcome.copied = row.copied + wrote.count;
      await p
        .updateTable('store_copy_progress')
        .set({ after_key: JSON.stringify(wrote.last), copied: outcome.copied, updated_at: now })
        .where('step', '=', step)
        .execute();
      return false;
    });
    onProgress(outcome.copied);
    if (finished) break;
  }
  return outcome;
}

/** The source rows after `after` in key order (rowid when the table has no primary key), at most `limit`. */
async function readBatch(src: AnyDb, t: SourceTable, after: unknown[] | null, limit: number) {
  const keyCols = t.key.length ? t.key : ['rowid'];
  const keys = sql.join(keyCols.map((c) => sql.ref(c)));
  const where = after === null ? sql`` : sql`WHERE (${keys}) > (${sql.join(after)})`;
  const select = sql.join([...(t.key.length ? [] : [sql`rowid AS __rowid`]), ...t.columns.map((c) => sql.ref(c))]);
  const { rows } = await sql<Record<string, unknown>>`
    SELECT ${select} FROM ${sql.table(t.name)} ${where} ORDER BY ${keys} LIMIT ${limit}`.execute(src);
  const last = rows.at(-1);
  const lastKey = last ? keyCols.map((c) => (c === 'rowid' ? last.__rowid : last[c])) : null;
  for (const r of rows) delete r.__rowid;
  return { rows, lastKey };
}

export type TableReport = { table: string; source: number; target: number; copied: number; resumedAt: number };

export type CopyOptions = {
  /** Rows per batch (each batch one transaction); fewer when a table is wide. */
  batchSize?: number;
  log?: (line: string) => void;
  /** How often a long table prints its running count. */
  progressEveryMs?: number;
};

export type CopyReport = {
  tables: TableReport[];
  /** Identity columns whose sequence now starts past the copied ids: `table.column → next id`. */
  sequences: Array<{ column: string; next: number }>;
  rowsCopied: number;
  ms: number;
  fingerprint: string;
};

/**
 * Copies every table of `source` (SQLite) into `target` (PostgreSQL, migrated), resumably, then moves each identity
 * sequence past the largest id (or SQLite's AUTOINCREMENT high-water mark, so an id SQLite never reuses is not
 * reused either), and counts both sides table by table.
 */
export async function copyStoreToPostgres(
  source: Pick<Store, 'db' | 'dialect'>,
  target: Pick<Store, 'db' | 'dialect'>,
  opts: CopyOptions = {},
): Promise<CopyReport> {
  if (source.dialect !== 'sqlite') throw new CopyRefusedError('The source of the copy must be a SQLite store');
  if (target.dialect !== 'postgres') throw new CopyRefusedError('The target of the copy must be a PostgreSQL store');
  const log = opts.log ?? (() => {});
  const batchSize = opts.batchSize ?? 1_000;
  const every = opts.progressEveryMs ?? 5_000;
  const tgt = target.db as AnyDb;
  const started = Date.now();
  return (source.db as AnyDb).transaction().execute(async (src) => {
    const tables = await sourceTables(src);
    const fingerprint = await deploymentFingerprint(src);
    const columns = await targetColumns(tgt);
    const plans = tables.map((t) => {
      const onTarget = columns.get(t.name);
      if (!onTarget) throw new CopyRefusedError(`Table ${t.name} of the SQLite store does not exist on the target`);
      const writable = new Set(onTarget.filter((c) => c.is_generated !== 'ALWAYS').map((c) => c.column_name));
      const missing = t.columns.filter((c) => !writable.has(c));
      if (missing.length)
        throw new CopyRefusedError(`Columns ${t.name}.${missing.join(', ')} cannot be written on the target`);
      return { t, identity: onTarget.filter((c) => c.is_identity === 'YES').map((c) => c.column_name) };
    });
    await checkTarget(tgt, tables, fingerprint);

    const reports: TableReport[] = [];
    let rowsCopied = 0;
    for (const { t } of plans) {
      const total = await countRows(src, t.name);
      const limit = Math.max(1, Math.min(batchSize, Math.floor(MAX_PARAMS / t.columns.length)));
      const rest = t.columns.filter((c) => !t.key.includes(c));
      let lastLine = Date.now();
      const outcome = await runStep(
        tgt,
        fingerprint,
        `table:${t.name}`,
        async (trx, after) => {
          const { rows, lastKey } = await readBatch(src, t, after, limit);
          if (!lastKey) return null;
          let insert = trx.insertInto(t.name).values(rows);
          // A row already there can only be one the migrations seeded (checkTarget): the source's values win.
          if (t.key.length) {
            insert = insert.onConflict((oc) => {
              const target = oc.columns(t.key);
              return rest.length
                ? target.doUpdateSet(Object.fromEntries(rest.map((c) => [c, sql.ref(`excluded.${c}`)])))
                : target.doNothing();
            });
          }
          await insert.execute();
          return { last: lastKey, count: rows.length };
        },
        (copied) => {
          if (copied >= total || Date.now() - lastLine < every) return;
          lastLine = Date.now();
          log(`  ${t.name.padEnd(36)} ${copied} / ${total} rows …`);
        },
      );
      const copiedNow = outcome.copied - outcome.resumedAt;
      rowsCopied += copiedNow;
      const targetCount = await countRows(tgt, t.name);
      reports.push({
        table: t.name,
        source: total,
        target: targetCount,
        copied: outcome.copied,
        resumedAt: outcome.resumedAt,
      });
      const how = outcome.alreadyDone
        ? ' (copied by an earlier run)'
        : outcome.resumedAt > 0
          ? ` (resumed after ${outcome.resumedAt})`
          : '';
      log(`  ${t.name.padEnd(36)} ${outcome.copied} / ${total} rows${how}`);
    }

    const sequences: CopyReport['sequences'] = [];
    for (const { t, identity } of plans) {
      for (const column of identity) {
        const next = (await highWaterMark(src, tgt, t.name, column)) + 1;
        await sql`SELECT setval(pg_get_serial_sequence(${t.name}, ${column}), ${next}, false)`.execute(tgt);
        sequences.push({ column: `${t.name}.${column}`, next });
      }
    }
    return { tables: reports, sequences, rowsCopied, ms: Date.now() - started, fingerprint };
  });
}

/** The largest id in use: on the target, or handed out by SQLite's AUTOINCREMENT (sqlite_sequence) even if deleted. */
async function highWaterMark(src: AnyDb, tgt: AnyDb, table: string, column: string): Promise<number> {
  const max = await tgt
    .selectFrom(table)
    .select((eb) => eb.fn.max(column).as('m'))
    .executeTakeFirstOrThrow();
  const hasSequence = await sql<{ n: number }>`
    SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'`.execute(src);
  let issued = 0;
  if (Number(hasSequence.rows[0]?.n) > 0) {
    const seq = await sql<{ seq: number }>`SELECT seq FROM sqlite_sequence WHERE name = ${table}`.execute(src);
    issued = Number(seq.rows[0]?.seq ?? 0);
  }
  return Math.max(Number(max.m ?? 0), issued);
}
