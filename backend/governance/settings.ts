import { DEFAULT_GOVERNANCE, type Governance, GovernanceSchema } from '../../utils/contracts/governance.ts';
import type { Store } from '../store/db.ts';

/** Governance lives in the settings table under one key; a missing or unreadable row means the defaults. */
export const GOVERNANCE_KEY = 'governance';

export async function readGovernance(store: Store): Promise<{ governance: Governance; updatedAt: number | null }> {
  const row = await store.db
    .selectFrom('settings')
    .select(['value', 'updated_at'])
    .where('key', '=', GOVERNANCE_KEY)
    .executeTakeFirst();
  if (!row) return { governance: DEFAULT_GOVERNANCE, updatedAt: null };
  let json: unknown;
  try {
    json = JSON.parse(row.value);
  } catch {
    json = null;
  }
  // A row written by an older version may lack new fields: fill them from the defaults rather than failing open.
  const parsed = GovernanceSchema.safeParse({
    ...DEFAULT_GOVERNANCE,
    ...(json && typeof json === 'object' ? json : {}),
  });
  return { governance: parsed.success ? parsed.data : DEFAULT_GOVERNANCE, updatedAt: row.updated_at };
}

export async function writeGovernance(store: Store, governance: Governance, now: number): Promise<void> {
  const value = JSON.stringify(GovernanceSchema.parse(governance));
  await store.db
    .insertInto('settings')
    .values({ key: GOVERNANCE_KEY, value, updated_at: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: now }))
    .execute();
}

/**
 * Synchronous read for code that runs inside a better-sqlite3 transaction (the automations' proposal upsert):
 * whether webhook automations may create proposals. Unreadable settings mean the default (true).
 */
export function automationsMayProposeSync(sqlite: Store['sqlite']): boolean {
  const row = sqlite.prepare('SELECT value FROM settings WHERE key = ?').get(GOVERNANCE_KEY) as
    | { value: string }
    | undefined;
  if (!row) return DEFAULT_GOVERNANCE.automationsMayPropose;
  try {
    const value = (JSON.parse(row.value) as { automationsMayPropose?: unknown }).automationsMayPropose;
    return typeof value === 'boolean' ? value : DEFAULT_GOVERNANCE.automationsMayPropose;
  } catch {
    return DEFAULT_GOVERNANCE.automationsMayPropose;
  }
}
