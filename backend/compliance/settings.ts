import type { Kysely } from 'kysely';
import {
  type ComplianceSettings,
  ComplianceSettingsSchema,
  DEFAULT_COMPLIANCE_SETTINGS,
  type JurisdictionId,
  JurisdictionIdSchema,
} from '../../utils/contracts/compliance.ts';
import type { Database } from '../store/schema.ts';

/**
 * The compliance kit's admin settings, in the settings table under one key, read through Kysely (`db`, or the
 * caller's transaction) so the opt-out check runs the same way on SQLite and PostgreSQL, inside automations,
 * rediscovery and the HTTP middleware. A missing or unreadable
 * row means the defaults, field by field, so a row from an older version never turns a protection off.
 */
export const COMPLIANCE_KEY = 'compliance';

export async function readComplianceSettings(db: Kysely<Database>): Promise<{
  settings: ComplianceSettings;
  updatedAt: number | null;
}> {
  const row = await db
    .selectFrom('settings')
    .select(['value', 'updated_at'])
    .where('key', '=', COMPLIANCE_KEY)
    .executeTakeFirst();
  return { settings: complianceSettingsOf(row?.value), updatedAt: row?.updated_at ?? null };
}

/** The settings a stored row's value means (any dialect reads the row its own way): defaults field by field. */
export function complianceSettingsOf(value: string | undefined): ComplianceSettings {
  if (value === undefined) return DEFAULT_COMPLIANCE_SETTINGS;
  let json: unknown = null;
  try {
    json = JSON.parse(value);
  } catch {
    json = null;
  }
  const merged = { ...DEFAULT_COMPLIANCE_SETTINGS, ...(json && typeof json === 'object' ? json : {}) };
  const parsed = ComplianceSettingsSchema.safeParse(merged);
  return parsed.success ? parsed.data : DEFAULT_COMPLIANCE_SETTINGS;
}

export async function writeComplianceSettings(
  db: Kysely<Database>,
  settings: ComplianceSettings,
  by: string,
  now: number,
): Promise<ComplianceSettings> {
  const parsed = ComplianceSettingsSchema.parse(settings);
  const row = { key: COMPLIANCE_KEY, value: JSON.stringify(parsed), updated_at: now, updated_by: by };
  await db
    .insertInto('settings')
    .values(row)
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({ value: row.value, updated_at: row.updated_at, updated_by: row.updated_by }),
    )
    .execute();
  return parsed;
}

/** COMPLIANCE_JURISDICTIONS ("nyc-ll144,california-ads"): a bad name is a configuration error naming it. */
export function parseJurisdictionList(raw: string | undefined): Array<Exclude<JurisdictionId, 'generic'>> {
  if (!raw?.trim()) return [];
  const out: Array<Exclude<JurisdictionId, 'generic'>> = [];
  for (const part of raw.split(',')) {
    const name = part.trim();
    if (!name) continue;
    const parsed = JurisdictionIdSchema.exclude(['generic']).safeParse(name);
    if (!parsed.success) {
      const allowed = JurisdictionIdSchema.options.filter((j) => j !== 'generic').join(', ');
      throw new Error(`unknown jurisdiction "${name.slice(0, 60)}" (one of: ${allowed})`);
    }
    if (!out.includes(parsed.data)) out.push(parsed.data);
  }
  return out;
}

/** The jurisdictions retention honours: the admin's choice, else the environment's, else none. */
export function configuredJurisdictions(
  settings: ComplianceSettings,
  envDefault: readonly Exclude<JurisdictionId, 'generic'>[],
): { jurisdictions: Array<Exclude<JurisdictionId, 'generic'>>; from: 'admin' | 'environment' | 'none' } {
  if (settings.jurisdictions.length) return { jurisdictions: [...settings.jurisdictions], from: 'admin' };
  if (envDefault.length) return { jurisdictions: [...envDefault], from: 'environment' };
  return { jurisdictions: [], from: 'none' };
}
