import type BetterSqlite3 from 'better-sqlite3';
import { type RediscoverResponse, RediscoverResponseSchema } from '../../utils/contracts/rediscovery.ts';
import { toPostingInput } from '../candidates/load-candidate.ts';
import { type LeverClient, type Posting, PostingSchema } from '../lever/index.ts';
import { type HybridRanking, rediscoverRanked } from './rediscover-hybrid.ts';

/**
 * Lever has no posting webhook, so new postings are noticed by polling GET /postings with updated_at_start.
 * Each posting not seen before is stored and rediscovery runs for it once; the results are cached for the side
 * panel (GET of a posting's results reads the cache before computing).
 */

export type PollDeps = {
  store: { sqlite: BetterSqlite3.Database };
  lever: LeverClient;
  now?: () => number;
  confidentialityAll?: boolean;
  hybrid?: HybridRanking | undefined;
};

const OVERLAP_MS = 5 * 60_000;

export async function pollPostings(
  deps: PollDeps,
  opts: { limit?: number } = {},
): Promise<{ seen: number; fresh: string[] }> {
  const { sqlite } = deps.store;
  const now = (deps.now ?? Date.now)();
  const last = sqlite.prepare(`SELECT data FROM rd_ref WHERE kind = 'poll' AND id = 'postings'`).get() as
    | { data: string }
    | undefined;
  const since = last ? Number(JSON.parse(last.data)) : undefined;
  const fresh: string[] = [];
  let seen = 0;
  // No `include`: the list returns `content` by default, and include=content would strip text and state. Lever
  // allows the updated_at_* window with confidentiality only, so no other filter goes with it.
  for await (const p of deps.lever.listPostings({
    ...(since !== undefined ? { updatedAtStart: since } : {}),
    ...(deps.confidentialityAll ? { confidentiality: 'all' as const } : {}),
  })) {
    seen++;
    const known = sqlite.prepare('SELECT 1 FROM rd_posting WHERE posting_id = ?').get(p.id);
    sqlite
      .prepare(
        `INSERT INTO rd_posting (posting_id, title, updated_at, data, first_seen_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(posting_id) DO UPDATE SET title = excluded.title, updated_at = excluded.updated_at, data = excluded.data`,
      )
      .run(p.id, p.text, p.updatedAt ?? null, JSON.stringify(p), now);
    if (!known && p.state !== 'closed' && p.state !== 'draft') fresh.push(p.id);
  }
  for (const id of fresh) {
    const posting = storedPosting(sqlite, id);
    if (!posting) continue;
    const res = await rediscoverRanked(
      deps.store,
      toPostingInput(posting),
      { limit: opts.limit ?? 20, now: new Date(now) },
      deps.hybrid,
    );
    cacheResults(sqlite, res, now);
    sqlite.prepare('UPDATE rd_posting SET rediscovered_at = ? WHERE posting_id = ?').run(now, id);
  }
  sqlite
    .prepare(`INSERT OR REPLACE INTO rd_ref (kind, id, data) VALUES ('poll', 'postings', ?)`)
    .run(JSON.stringify(now - OVERLAP_MS));
  return { seen, fresh };
}

export function storedPosting(sqlite: BetterSqlite3.Database, postingId: string): Posting | null {
  const row = sqlite.prepare('SELECT data FROM rd_posting WHERE posting_id = ?').get(postingId) as
    | { data: string }
    | undefined;
  return row ? PostingSchema.parse(JSON.parse(row.data)) : null;
}

export function cacheResults(sqlite: BetterSqlite3.Database, response: RediscoverResponse, now: number): void {
  sqlite
    .prepare('INSERT OR REPLACE INTO rd_result (posting_id, response, computed_at) VALUES (?, ?, ?)')
    .run(response.postingId, JSON.stringify(response), now);
}

export function cachedResults(
  sqlite: BetterSqlite3.Database,
  postingId: string,
): { response: RediscoverResponse; computedAt: number } | null {
  const row = sqlite.prepare('SELECT response, computed_at FROM rd_result WHERE posting_id = ?').get(postingId) as
    | { response: string; computed_at: number }
    | undefined;
  if (!row) return null;
  const parsed = RediscoverResponseSchema.safeParse(JSON.parse(row.response));
  return parsed.success ? { response: parsed.data, computedAt: row.computed_at } : null;
}
