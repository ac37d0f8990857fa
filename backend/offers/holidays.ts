import type { Kysely } from 'kysely';
import { z } from 'zod';
import { withTransaction } from '../store/dialect.ts';
import type { Database } from '../store/schema.ts';

/**
 * Non-working days an offer's start date may not fall on (weekends always count). Two sources, merged: OFFER_HOLIDAYS
 * in the environment (fixed per install) and the list admins keep in the database (`PUT /api/offers/holidays`,
 * `npm run cli -- offer holidays --add DATE`). The checks read both at every draft, revision and approval, so a day
 * added today blocks an approval today.
 */

/** OFFER_HOLIDAYS ("2027-01-01, 2027-12-25") as a list of YYYY-MM-DD days. */
export function holidaysOf(config: { OFFER_HOLIDAYS: string }): string[] {
  return config.OFFER_HOLIDAYS.split(',')
    .map((d) => d.trim())
    .filter(Boolean);
}

/** A real calendar day written YYYY-MM-DD (2027-02-30 is refused). */
export const HolidayDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date is written YYYY-MM-DD')
  .refine((d) => {
    const t = new Date(`${d}T00:00:00Z`);
    return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === d;
  }, 'not a calendar date');

export type Holiday = { date: string; label: string | null; source: 'environment' | 'admin' };

/** The admins' days, in date order. */
export async function storedHolidays(db: Kysely<Database>): Promise<Array<{ date: string; label: string | null }>> {
  const rows = await db.selectFrom('offer_holidays').select(['day', 'label']).orderBy('day').execute();
  return rows.map((r) => ({ date: r.day, label: r.label }));
}

/** Every holiday with where it comes from (a day in both lists counts once, as the environment's). */
export async function listHolidays(db: Kysely<Database>, envDays: readonly string[]): Promise<Holiday[]> {
  const env = new Set(envDays);
  const out: Holiday[] = [...env].map((date) => ({ date, label: null, source: 'environment' }));
  for (const h of await storedHolidays(db)) if (!env.has(h.date)) out.push({ ...h, source: 'admin' });
  return out.sort((a, b) => a.date.localeCompare(b.date));
}

/** The days the start-date check refuses: both lists. */
export async function holidayDays(db: Kysely<Database>, envDays: readonly string[]): Promise<string[]> {
  return (await listHolidays(db, envDays)).map((h) => h.date);
}

/**
 * Adds and removes admin days in one transaction (the caller's when `db` is one, so its audit entry commits with the
 * change); returns what changed. Dates must already be validated. The writes are one statement each, however many
 * days: a replace is a delete and one multi-row upsert.
 */
export async function changeHolidays(
  db: Kysely<Database>,
  change: { add?: Array<{ date: string; label?: string | null }>; remove?: string[]; replace?: boolean },
  by: string,
  now: number,
): Promise<{ added: string[]; removed: string[] }> {
  return withTransaction(db, async (trx) => {
    const before = new Set((await storedHolidays(trx)).map((h) => h.date));
    if (change.replace) await trx.deleteFrom('offer_holidays').execute();
    if (change.remove?.length) await trx.deleteFrom('offer_holidays').where('day', 'in', change.remove).execute();
    // One row per day (the last label wins), so the multi-row upsert never touches a day twice (PostgreSQL refuses).
    const add = new Map((change.add ?? []).map((h) => [h.date, h.label ?? null]));
    if (add.size) {
      await trx
        .insertInto('offer_holidays')
        .values([...add].map(([day, label]) => ({ day, label, updated_by: by, updated_at: now })))
        .onConflict((oc) =>
          oc.column('day').doUpdateSet((eb) => ({
            label: eb.ref('excluded.label'),
            updated_by: eb.ref('excluded.updated_by'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .execute();
    }
    const after = new Set((await storedHolidays(trx)).map((h) => h.date));
    return {
      added: [...after].filter((d) => !before.has(d)).sort(),
      removed: [...before].filter((d) => !after.has(d)).sort(),
    };
  });
}
