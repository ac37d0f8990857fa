import { Kysely } from 'kysely';
import { DEFAULT_GOVERNANCE, type Governance, GovernanceSchema } from '../../utils/contracts/governance.ts';
import type { Store } from '../store/db.ts';
import type { Database } from '../store/schema.ts';

/**
 * Governance lives in the settings table under one key; a missing or unreadable row means the defaults. Read and
 * written through Kysely (`db`, or the caller's transaction), so it is the same on SQLite and PostgreSQL.
 */
export const GOVERNANCE_KEY = 'governance';

type Db = Kysely<Database>;
/** A Kysely (or the caller's transaction), or a store (its `db`). */
type DbOrStore = Db | Pick<Store, 'db'>;
const dbOf = (from: DbOrStore): Db => (from instanceof Kysely ? from : from.db);

/** The governance a stored row's value means: a row written by an older version gets new fields from the defaults. */
export function governanceOf(value: string | undefined): Governance {
  if (value === undefined) return DEFAULT_GOVERNANCE;
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    json = null;
  }
  // Filled from the defaults rather than failing open.
  const parsed = GovernanceSchema.safeParse({
    ...DEFAULT_GOVERNANCE,
    ...(json && typeof json === 'object' ? json : {}),
  });
  return parsed.success ? parsed.data : DEFAULT_GOVERNANCE;
}

export async function readGovernance(from: DbOrStore): Promise<{ governance: Governance; updatedAt: number | null }> {
  const row = await dbOf(from)
    .selectFrom('settings')
    .select(['value', 'updated_at'])
    .where('key', '=', GOVERNANCE_KEY)
    .executeTakeFirst();
  return { governance: governanceOf(row?.value), updatedAt: row?.updated_at ?? null };
}

export async function writeGovernance(to: DbOrStore, governance: Governance, now: number): Promise<void> {
  const value = JSON.stringify(GovernanceSchema.parse(governance));
  await dbOf(to)
    .insertInto('settings')
    .values({ key: GOVERNANCE_KEY, value, updated_at: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: now }))
    .execute();
}

/** Whether webhook automations may create proposals. Unreadable settings mean the default (true). */
export async function automationsMayPropose(db: Db): Promise<boolean> {
  return (await readGovernance(db)).governance.automationsMayPropose;
}
