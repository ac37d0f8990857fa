import type BetterSqlite3 from 'better-sqlite3';
import { z } from 'zod';

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
export function storedHolidays(sqlite: BetterSqlite3.Database): Array<{ date: string; label: string | null }> {
  return (
    sqlite.prepare('SELECT day, label FROM offer_holidays ORDER BY day').all() as Array<{
      day: string;
      label: string | null;
    }>
  ).map((r) => ({ date: r.day, label: r.label }));
}

/** Every holiday with where it comes from (a day in both lists counts once, as the environment's). */
export function listHolidays(sqlite: BetterSqlite3.Database, envDays: readonly string[]): Holiday[] {
  const env = new Set(envDays);
  const out: Holiday[] = [...env].map((date) => ({ date, label: null, source: 'environment' }));
  for (const h of storedHolidays(sqlite)) if (!env.has(h.date)) out.push({ ...h, source: 'admin' });
  return out.sort((a, b) => a.date.localeCompare(b.date));
}

/** The days the start-date check refuses: both lists. */
export function holidayDays(sqlite: BetterSqlite3.Database, envDays: readonly string[]): string[] {
  return listHolidays(sqlite, envDays).map((h) => h.date);
}

/** Adds and removes admin days in one transaction; returns what changed. Dates must already be validated. */
export function changeHolidays(
  sqlite: BetterSqlite3.Database,
  change: { add?: Array<{ date: string; label?: string | null }>; remove?: string[]; replace?: boolean },
  by: string,
  now: number,
): { added: string[]; removed: string[] } {
  return sqlite
    .transaction(() => {
      const before = new Set(storedHolidays(sqlite).map((h) => h.date));
      if (change.replace) sqlite.prepare('DELETE FROM offer_holidays').run();
      const del = sqlite.prepare('DELETE FROM offer_holidays WHERE day = ?');
      for (const d of change.remove ?? []) del.run(d);
      const put = sqlite.prepare(
        'INSERT INTO offer_holidays (day, label, updated_by, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(day) DO UPDATE SET label = excluded.label, updated_by = excluded.updated_by, updated_at = excluded.updated_at',
      );
      for (const h of change.add ?? []) put.run(h.date, h.label ?? null, by, now);
      const after = new Set(storedHolidays(sqlite).map((h) => h.date));
      return {
        added: [...after].filter((d) => !before.has(d)).sort(),
        removed: [...before].filter((d) => !after.has(d)).sort(),
      };
    })
    .immediate();
}
