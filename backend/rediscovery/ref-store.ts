import type BetterSqlite3 from 'better-sqlite3';
import { type Kysely, sql } from 'kysely';
import { ArchiveReasonSchema, type Stage, StageSchema } from '../lever/index.ts';
import { withTransaction } from '../store/dialect.ts';
import type { Database } from '../store/schema.ts';
import type { RefData } from './normalize.ts';

/**
 * Lever reference data kept with the index (stages in pipeline order, archive reasons, posting titles), so
 * webhook-triggered updates and rediscovery queries do not re-read it from Lever each time. Read and written through
 * Kysely on both engines (a few hundred rows once per sync); the synchronous SQLite search reads the stages with
 * loadStagesSqlite.
 */

type Db = Kysely<Database>;
type RefRow = { kind: string; id: string; data: string };

/** Rows per multi-row INSERT (3 parameters each: well under SQLite's and PostgreSQL's parameter limits). */
const CHUNK = 500;

async function putRows(trx: Db, rows: RefRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    const values = rows.slice(i, i + CHUNK).map((r) => sql`(${r.kind}, ${r.id}, ${r.data})`);
    await sql`INSERT INTO rd_ref (kind, id, data) VALUES ${sql.join(values)}
      ON CONFLICT (kind, id) DO UPDATE SET data = excluded.data`.execute(trx);
  }
}

const stageRows = (stages: Stage[]): RefRow[] =>
  stages.map((s, i) => ({ kind: 'stage', id: String(i).padStart(4, '0'), data: JSON.stringify(s) }));

export async function saveRefData(db: Db, ref: RefData): Promise<void> {
  await withTransaction(db, async (trx) => {
    await sql`DELETE FROM rd_ref WHERE kind IN ('stage', 'archive_reason')`.execute(trx);
    await putRows(trx, [
      ...stageRows(ref.stages),
      ...ref.archiveReasons.map((r) => ({ kind: 'archive_reason', id: r.id, data: JSON.stringify(r) })),
      ...[...ref.postingTitles].map(([id, title]) => ({ kind: 'posting_title', id, data: JSON.stringify(title) })),
    ]);
  });
}

/** Replaces the stored pipeline stages (a fresh read of GET /stages), keeping the rest of the reference data. */
export async function saveStages(db: Db, stages: Stage[]): Promise<void> {
  await withTransaction(db, async (trx) => {
    await sql`DELETE FROM rd_ref WHERE kind = 'stage'`.execute(trx);
    await putRows(trx, stageRows(stages));
  });
}

async function rowsOf(db: Db, kind: string): Promise<Array<{ id: string; data: string }>> {
  return (
    await sql<{ id: string; data: string }>`SELECT id, data FROM rd_ref WHERE kind = ${kind} ORDER BY id`.execute(db)
  ).rows;
}

export async function loadStages(db: Db): Promise<Array<{ id: string; text: string }>> {
  return (await rowsOf(db, 'stage')).map((r) => StageSchema.parse(JSON.parse(r.data)));
}

export async function loadRefData(db: Db): Promise<RefData> {
  const [stages, reasons, titles] = await Promise.all([
    loadStages(db),
    rowsOf(db, 'archive_reason'),
    rowsOf(db, 'posting_title'),
  ]);
  return {
    stages,
    archiveReasons: reasons.map((r) => ArchiveReasonSchema.parse(JSON.parse(r.data))),
    postingTitles: new Map(titles.map((r) => [r.id, String(JSON.parse(r.data))])),
  };
}

/** The stages for the synchronous SQLite search (rediscover.ts), which must not await. */
export function loadStagesSqlite(sqlite: BetterSqlite3.Database): Array<{ id: string; text: string }> {
  const rows = sqlite.prepare(`SELECT data FROM rd_ref WHERE kind = 'stage' ORDER BY id`).all() as Array<{
    data: string;
  }>;
  return rows.map((r) => StageSchema.parse(JSON.parse(r.data)));
}
