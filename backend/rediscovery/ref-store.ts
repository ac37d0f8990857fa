import type BetterSqlite3 from 'better-sqlite3';
import { ArchiveReasonSchema, type Stage, StageSchema } from '../lever/index.ts';
import type { RefData } from './normalize.ts';

/**
 * Lever reference data kept with the index (stages in pipeline order, archive reasons, posting titles), so
 * webhook-triggered updates and rediscovery queries do not re-read it from Lever each time.
 */

export function saveRefData(sqlite: BetterSqlite3.Database, ref: RefData): void {
  const put = sqlite.prepare('INSERT OR REPLACE INTO rd_ref (kind, id, data) VALUES (?, ?, ?)');
  sqlite.transaction(() => {
    sqlite.prepare(`DELETE FROM rd_ref WHERE kind IN ('stage', 'archive_reason')`).run();
    for (const [i, s] of ref.stages.entries()) put.run('stage', String(i).padStart(4, '0'), JSON.stringify(s));
    for (const r of ref.archiveReasons) put.run('archive_reason', r.id, JSON.stringify(r));
    for (const [id, title] of ref.postingTitles) put.run('posting_title', id, JSON.stringify(title));
  })();
}

/** Replaces the stored pipeline stages (a fresh read of GET /stages), keeping the rest of the reference data. */
export function saveStages(sqlite: BetterSqlite3.Database, stages: Stage[]): void {
  const put = sqlite.prepare(`INSERT INTO rd_ref (kind, id, data) VALUES ('stage', ?, ?)`);
  sqlite.transaction(() => {
    sqlite.prepare(`DELETE FROM rd_ref WHERE kind = 'stage'`).run();
    for (const [i, s] of stages.entries()) put.run(String(i).padStart(4, '0'), JSON.stringify(s));
  })();
}

export function loadStages(sqlite: BetterSqlite3.Database): Array<{ id: string; text: string }> {
  const rows = sqlite.prepare(`SELECT data FROM rd_ref WHERE kind = 'stage' ORDER BY id`).all() as Array<{
    data: string;
  }>;
  return rows.map((r) => StageSchema.parse(JSON.parse(r.data)));
}

export function loadRefData(sqlite: BetterSqlite3.Database): RefData {
  const rows = (kind: string) =>
    sqlite.prepare('SELECT id, data FROM rd_ref WHERE kind = ? ORDER BY id').all(kind) as Array<{
      id: string;
      data: string;
    }>;
  return {
    stages: loadStages(sqlite),
    archiveReasons: rows('archive_reason').map((r) => ArchiveReasonSchema.parse(JSON.parse(r.data))),
    postingTitles: new Map(rows('posting_title').map((r) => [r.id, String(JSON.parse(r.data))])),
  };
}
