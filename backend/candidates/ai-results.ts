import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import { hashInput } from '../ai/provenance.ts';
import type { AiEngineInfo } from '../ai/types.ts';
import type { Store } from '../store/db.ts';
import type { Database } from '../store/schema.ts';

/**
 * ai_results as a cache keyed by (capability, hash of the exact inputs + engine). The key is computed before the
 * engine runs so a cache hit costs no AI call; results are re-validated with the capability's schema on read, so a
 * stale row from an older contract is recomputed instead of served.
 */
export function cacheKey(capability: string, engine: AiEngineInfo, inputs: unknown): string {
  return hashInput({ capability, engine, inputs });
}

export async function readCached<T extends z.ZodType>(
  store: Store,
  capability: string,
  key: string,
  schema: T,
): Promise<z.infer<T> | null> {
  const row = await store.db
    .selectFrom('ai_results')
    .select('result')
    .where('input_hash', '=', key)
    .where('capability', '=', capability)
    .executeTakeFirst();
  if (!row) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(row.result));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export async function writeCached(
  store: Store,
  row: {
    capability: string;
    key: string;
    opportunityId: string;
    provider: string;
    model: string;
    result: unknown;
    now: number;
  },
): Promise<void> {
  const result = JSON.stringify(row.result);
  await store.db
    .insertInto('ai_results')
    .values({
      input_hash: row.key,
      capability: row.capability,
      opportunity_id: row.opportunityId,
      provider: row.provider,
      model: row.model,
      result,
      created_at: row.now,
      expires_at: null,
    })
    .onConflict((oc) => oc.columns(['input_hash', 'capability']).doUpdateSet({ result, created_at: row.now }))
    .execute();
}

/**
 * Deleting cached results (retention, consent expiry, erasure): each runs inside the caller's transaction, which
 * deletes other tables in the same one.
 */

/** Results stored before `before` (retention); returns how many went. */
export async function deleteAiResultsBefore(trx: Kysely<Database>, before: number): Promise<number> {
  const res = await trx.deleteFrom('ai_results').where('created_at', '<', before).executeTakeFirst();
  return Number(res.numDeletedRows);
}

/** An opportunity's results stored before `before` (consent expired); returns how many went. */
export function purgeOpportunityAiResultsSync(
  sqlite: BetterSqlite3.Database,
  opportunityId: string,
  before: number,
): number {
  return sqlite.prepare('DELETE FROM ai_results WHERE opportunity_id = ? AND created_at < ?').run(opportunityId, before)
    .changes;
}

/**
 * Erasure: the results of these opportunities, and any whose stored result matches one of `likePatterns` (LIKE
 * patterns escaped with '\'); returns how many went.
 */
export function eraseAiResultsSync(
  sqlite: BetterSqlite3.Database,
  opportunityIds: readonly string[],
  likePatterns: readonly string[],
): number {
  const like = likePatterns.length === 0 ? '0' : likePatterns.map(() => `result LIKE ? ESCAPE '\\'`).join(' OR ');
  return sqlite
    .prepare(`DELETE FROM ai_results WHERE opportunity_id IN (SELECT value FROM json_each(?)) OR ${like}`)
    .run(JSON.stringify(opportunityIds), ...likePatterns).changes;
}
