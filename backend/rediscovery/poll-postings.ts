import { type Kysely, sql } from 'kysely';
import { type RediscoverResponse, RediscoverResponseSchema } from '../../utils/contracts/rediscovery.ts';
import { toPostingInput } from '../candidates/load-candidate.ts';
import { type LeverClient, type Posting, PostingSchema } from '../lever/index.ts';
import type { Store } from '../store/db.ts';
import type { Database } from '../store/schema.ts';
import { type HybridRanking, rediscoverRanked } from './rediscover-hybrid.ts';

/**
 * Lever has no posting webhook, so new postings are noticed by polling GET /postings with updated_at_start.
 * Each posting not seen before is stored and rediscovery runs for it once; the results are cached for the side
 * panel (GET of a posting's results reads the cache before computing). rd_posting and rd_result are small tables
 * (one row per posting), read and written through Kysely on both engines.
 */

type Db = Kysely<Database>;

export type PollDeps = {
  store: Pick<Store, 'db' | 'sqlite'>;
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
  const { db } = deps.store;
  const now = (deps.now ?? Date.now)();
  const last = (
    await sql<{ data: string }>`SELECT data FROM rd_ref WHERE kind = 'poll' AND id = 'postings'`.execute(db)
  ).rows[0];
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
    const known = (await sql`SELECT 1 AS x FROM rd_posting WHERE posting_id = ${p.id}`.execute(db)).rows.length > 0;
    await sql`
      INSERT INTO rd_posting (posting_id, title, updated_at, data, first_seen_at)
      VALUES (${p.id}, ${p.text}, ${p.updatedAt ?? null}, ${JSON.stringify(p)}, ${now})
      ON CONFLICT (posting_id) DO UPDATE SET title = excluded.title, updated_at = excluded.updated_at, data = excluded.data`.execute(
      db,
    );
    if (!known && p.state !== 'closed' && p.state !== 'draft') fresh.push(p.id);
  }
  for (const id of fresh) {
    const posting = await storedPosting(db, id);
    if (!posting) continue;
    const res = await rediscoverRanked(
      deps.store,
      toPostingInput(posting),
      { limit: opts.limit ?? 20, now: new Date(now) },
      deps.hybrid,
    );
    await cacheResults(db, res, now);
    await sql`UPDATE rd_posting SET rediscovered_at = ${now} WHERE posting_id = ${id}`.execute(db);
  }
  await sql`INSERT INTO rd_ref (kind, id, data) VALUES ('poll', 'postings', ${JSON.stringify(now - OVERLAP_MS)})
    ON CONFLICT (kind, id) DO UPDATE SET data = excluded.data`.execute(db);
  return { seen, fresh };
}

export async function storedPosting(db: Db, postingId: string): Promise<Posting | null> {
  const row = (await sql<{ data: string }>`SELECT data FROM rd_posting WHERE posting_id = ${postingId}`.execute(db))
    .rows[0];
  return row ? PostingSchema.parse(JSON.parse(row.data)) : null;
}

export async function cacheResults(db: Db, response: RediscoverResponse, now: number): Promise<void> {
  await sql`INSERT INTO rd_result (posting_id, response, computed_at)
    VALUES (${response.postingId}, ${JSON.stringify(response)}, ${now})
    ON CONFLICT (posting_id) DO UPDATE SET response = excluded.response, computed_at = excluded.computed_at`.execute(
    db,
  );
}

export async function cachedResults(
  db: Db,
  postingId: string,
): Promise<{ response: RediscoverResponse; computedAt: number } | null> {
  const row = (
    await sql<{ response: string; computed_at: number | string }>`
      SELECT response, computed_at FROM rd_result WHERE posting_id = ${postingId}`.execute(db)
  ).rows[0];
  if (!row) return null;
  const parsed = RediscoverResponseSchema.safeParse(JSON.parse(row.response));
  return parsed.success ? { response: parsed.data, computedAt: Number(row.computed_at) } : null;
}
