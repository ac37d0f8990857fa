/**
 * Time-zone arithmetic on IANA names with Intl only (no tz library: Node 20 ships the full ICU tz database).
 * Instants are epoch milliseconds; wall times are calendar fields in one zone. The promises that the slot finder
 * relies on:
 * - `offsetAt` is exact for any instant (Intl applies the zone's rules, DST and historic changes included);
 * - `wallToInstant` resolves a wall time like Temporal's `disambiguation: 'compatible'`: in a fall-back overlap the
 *   earlier instant, in a spring-forward gap the time pushed forward by the gap's length; a day a zone skipped
 *   entirely (Pacific/Kiritimati on 1994-12-31) has no wall times at all, and callers check that with `sameDate`.
 */

export type Wall = { year: number; month: number; day: number; hour: number; minute: number; second?: number };

const MINUTE = 60_000;
const DAY = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    formatters.set(tz, f);
  }
  return f;
}

const validity = new Map<string, boolean>();

/** True for a time-zone name Intl knows (IANA names and their aliases, 'UTC'). */
export function isValidTimeZone(tz: string): boolean {
  if (typeof tz !== 'string' || tz.length === 0 || tz.length > 64) return false;
  let ok = validity.get(tz);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      ok = true;
    } catch {
      ok = false;
    }
    if (validity.size < 2000) validity.set(tz, ok);
  }
  return ok;
}

/** Wall-clock fields straight from Intl (slow: one formatToParts). */
function intlWall(instant: number, tz: string): Required<Wall> {
  const parts = formatter(tz).formatToParts(new Date(instant));
  const out = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  let bc = false;
  for (const p of parts) {
    switch (p.type) {
      case 'year':
        out.year = Number(p.value);
        break;
      case 'month':
        out.month = Number(p.value);
        break;
      case 'day':
        out.day = Number(p.value);
        break;
      case 'hour':
        out.hour = Number(p.value);
        break;
      case 'minute':
        out.minute = Number(p.value);
        break;
      case 'second':
        out.second = Number(p.value);
        break;
      case 'era':
        bc = p.value === 'BC' || p.value === 'B';
        break;
    }
  }
  if (bc) out.year = 1 - out.year;
  return out;
}

function wallAsUtc(w: Wall): number {
  const d = new Date(0);
  d.setUTCFullYear(w.year, w.month - 1, w.day);
  d.setUTCHours(w.hour, w.minute, w.second ?? 0, 0);
  return d.getTime();
}

function intlOffset(instant: number, tz: string): number {
  const whole = Math.floor(instant / 1000) * 1000;
  return wallAsUtc(intlWall(whole, tz)) - whole;
}

const HOUR = 3_600_000;
/**
 * Offsets per zone per UTC hour. An hour whose first and last second have the same offset holds no change (zones
 * change at most once in an hour), so every instant in it has that offset; an hour with a change is marked NaN and
 * asked of Intl exactly each time. Bounded: a zone's map is cleared past 100,000 hours.
 */
const offsetCache = new Map<string, Map<number, number>>();

/** The zone's UTC offset at `instant`, in milliseconds (east of Greenwich positive). */
export function offsetAt(instant: number, tz: string): number {
  const bucket = Math.floor(instant / HOUR);
  let m = offsetCache.get(tz);
  if (!m) {
    m = new Map();
    offsetCache.set(tz, m);
  }
  let o = m.get(bucket);
  if (o === undefined) {
    const a = intlOffset(bucket * HOUR, tz);
    o = a === intlOffset(bucket * HOUR + HOUR - 1000, tz) ? a : Number.NaN;
    if (m.size > 100_000) m.clear();
    m.set(bucket, o);
  }
  return Number.isNaN(o) ? intlOffset(instant, tz) : o;
}

/** The wall-clock fields of `instant` in `tz` (seconds included, milliseconds dropped). */
export function instantToWall(instant: number, tz: string): Required<Wall> {
  const whole = Math.floor(instant / 1000) * 1000;
  const d = new Date(whole + offsetAt(whole, tz));
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
}

/**
 * The instant of wall time `w` in `tz` (see the module comment for gaps and overlaps). `'earlier'` instead takes the
 * earlier instant in an overlap and, in a gap, the instant before it (so an end of working hours never reads later
 * than asked for on the wall clock).
 */
export function wallToInstant(w: Wall, tz: string, mode: 'compatible' | 'earlier' = 'compatible'): number {
  const local = wallAsUtc(w);
  const before = offsetAt(local - DAY, tz);
  const after = offsetAt(local + DAY, tz);
  const candidates: number[] = [];
  for (const o of before === after ? [before] : [before, after]) {
    const t = local - o;
    if (offsetAt(t, tz) === o) candidates.push(t);
  }
  if (candidates.length > 0) return Math.min(...candidates);
  // A gap: 'compatible' keeps the offset in force before it, which moves the wall time forward by the gap's length;
  // 'earlier' uses the offset after it, which lands as far before the gap.
  return mode === 'earlier' ? local - after : local - before;
}

/** True when `instant` falls on the calendar date of `w` in `tz`. */
export function sameDate(instant: number, w: Pick<Wall, 'year' | 'month' | 'day'>, tz: string): boolean {
  const got = instantToWall(instant, tz);
  return got.year === w.year && got.month === w.month && got.day === w.day;
}

/** The calendar date `days` after `d` (proleptic Gregorian). */
export function addDays(
  d: Pick<Wall, 'year' | 'month' | 'day'>,
  days: number,
): { year: number; month: number; day: number } {
  const t = new Date(0);
  t.setUTCFullYear(d.year, d.month - 1, d.day + days);
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

/** ISO weekday of a calendar date: 1 = Monday … 7 = Sunday. */
export function isoWeekday(d: Pick<Wall, 'year' | 'month' | 'day'>): number {
  const t = new Date(0);
  t.setUTCFullYear(d.year, d.month - 1, d.day);
  return ((t.getUTCDay() + 6) % 7) + 1;
}

/** A sortable key of a calendar date, e.g. 20261103. */
export function dateKey(d: Pick<Wall, 'year' | 'month' | 'day'>): number {
  return d.year * 10_000 + d.month * 100 + d.day;
}

/** Key of the ISO week (Monday start) holding the date: the dateKey of that week's Monday. */
export function weekKey(d: Pick<Wall, 'year' | 'month' | 'day'>): number {
  return dateKey(addDays(d, 1 - isoWeekday(d)));
}

const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');

/** ISO 8601 with the zone's offset at that instant, e.g. 2026-03-08T03:30:00-04:00 (seconds kept, no millis). */
export function formatIso(instant: number, tz: string): string {
  const w = instantToWall(instant, tz);
  const off = Math.round(offsetAt(instant, tz) / MINUTE);
  const sign = off < 0 ? '-' : '+';
  const year = w.year < 0 || w.year > 9999 ? `${w.year < 0 ? '-' : '+'}${pad(w.year, 6)}` : pad(w.year, 4);
  return `${year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}${sign}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
}

/** Parses "HH:MM" (00:00-24:00) into minutes after midnight, or null. */
export function parseClock(s: string): number | null {
  const m = /^(\d{2}):(\d{2})$/.exec(s);
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59 || h > 24 || (h === 24 && min !== 0)) return null;
  return h * 60 + min;
}

/**
 * Parses an ISO 8601 instant that names its offset ("Z" or ±HH:MM), the only form an instant can be given in
 * without guessing a zone. Returns null for anything else.
 */
export function parseIsoInstant(s: string): number | null {
  if (typeof s !== 'string' || s.length > 40) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})$/i.exec(s);
  if (!m) return null;
  const t = Date.parse(s);
  return Number.isFinite(t) ? t : null;
}
