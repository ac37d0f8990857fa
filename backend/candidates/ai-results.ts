import type { z } from 'zod';
import { hashInput } from '../ai/provenance.ts';
import type { AiEngineInfo } from '../ai/types.ts';
import type { Store } from '../store/db.ts';

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
