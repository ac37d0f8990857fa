import ICAL from 'ical.js';
import { AvailabilityError, type AvailabilityQuery, type BusyInterval, type BusyStatus } from './types.ts';
import { isValidTimeZone, type Wall, wallToInstant } from './tz.ts';

/**
 * An iCalendar feed (RFC 5545) → the busy intervals that touch a window. Parsing and recurrence rules are ical.js's
 * (RRULE, RDATE, EXDATE); this file decides what an instance means for availability:
 * - STATUS:CANCELLED and TRANSP:TRANSPARENT (and Outlook's X-MICROSOFT-CDO-BUSYSTATUS:FREE) are free; STATUS:TENTATIVE
 *   (or Outlook's TENTATIVE) is 'tentative'; everything else is busy. A RECURRENCE-ID override replaces its instance
 *   with its own times and status (a cancelled override frees that instance).
 * - Times are read in the zone their TZID names when it is an IANA name (Intl's rules, not the feed's VTIMEZONE,
 *   so a truncated or hostile VTIMEZONE cannot move them); otherwise in the feed's own VTIMEZONE of that TZID;
 *   floating times, all-day dates and unknown TZIDs in the interviewer's zone (with a warning for unknown TZIDs).
 * - The feed is untrusted text: ical.js's parser is line-based, the caller caps the size, every recurrence is cut
 *   off after MAX_ITER_PER_EVENT instances (MAX_ITER_TOTAL for the whole feed), and a recurrence cut off before the
 *   window ends is treated as busy for the rest of the window, so a truncated calendar can never look free.
 * - VTIMEZONEs whose rules are not yearly (real ones always are) or that are oversized are dropped before any time
 *   is read, because ical.js expands their rules from their DTSTART.
 */

export const MAX_ITER_PER_EVENT = 50_000;
export const MAX_ITER_TOTAL = 500_000;
const MAX_WARNINGS = 20;
const DAY = 86_400_000;

/** Outlook exports Windows zone names with a VTIMEZONE; these are the common ones, read with Intl's rules. */
const WINDOWS_ZONES: Record<string, string> = {
  'Eastern Standard Time': 'America/New_York',
  'Central Standard Time': 'America/Chicago',
  'Mountain Standard Time': 'America/Denver',
  'Pacific Standard Time': 'America/Los_Angeles',
  'GMT Standard Time': 'Europe/London',
  'W. Europe Standard Time': 'Europe/Berlin',
  'Romance Standard Time': 'Europe/Paris',
  'Central Europe Standard Time': 'Europe/Budapest',
  'India Standard Time': 'Asia/Kolkata',
  'China Standard Time': 'Asia/Shanghai',
  'Tokyo Standard Time': 'Asia/Tokyo',
  'Singapore Standard Time': 'Asia/Singapore',
  'AUS Eastern Standard Time': 'Australia/Sydney',
  'New Zealand Standard Time': 'Pacific/Auckland',
  'UTC-11': 'Pacific/Pago_Pago',
  'Line Islands Standard Time': 'Pacific/Kiritimati',
};

export type ParsedFeed = { busy: BusyInterval[]; warnings: string[] };

type Ctx = {
  q: AvailabilityQuery;
  warnings: string[];
  iterations: number;
  tzCache: Map<string, string | null>;
};

function warn(ctx: Ctx, message: string): void {
  if (ctx.warnings.length < MAX_WARNINGS && !ctx.warnings.includes(message)) ctx.warnings.push(message);
}

/** The IANA zone a TZID stands for, or null. Accepts "/mozilla.org/…/Europe/London"-style prefixes. */
function ianaOf(tzid: string, ctx: Ctx): string | null {
  const hit = ctx.tzCache.get(tzid);
  if (hit !== undefined) return hit;
  let out: string | null = null;
  const mapped = WINDOWS_ZONES[tzid];
  if (mapped) out = mapped;
  else if (isValidTimeZone(tzid)) out = tzid;
  else if (tzid.includes('/')) {
    const parts = tzid.split('/').filter(Boolean);
    for (let k = Math.min(3, parts.length); k >= 1 && !out; k--) {
      const tail = parts.slice(-k).join('/');
      if (/^[A-Za-z]/.test(tail) && tail.includes('/') && isValidTimeZone(tail)) out = tail;
    }
  }
  if (ctx.tzCache.size < 500) ctx.tzCache.set(tzid, out);
  return out;
}

function wallOf(t: ICAL.Time): Wall {
  return { year: t.year, month: t.month, day: t.day, hour: t.hour, minute: t.minute, second: t.second };
}

/** The TZID parameter of a date property: ical.js drops it from the Time when the feed has no VTIMEZONE for it. */
function tzidOf(comp: ICAL.Component, name: string): string | undefined {
  const v = comp.getFirstProperty(name)?.getParameter('tzid');
  return typeof v === 'string' && v.length > 0 && v.length <= 100 ? v : undefined;
}

/** The instant an ICAL.Time stands for, by the rules in the module comment (`tzidHint`: its property's TZID). */
function toEpoch(t: ICAL.Time, ctx: Ctx, tzidHint?: string): number {
  if (t.isDate) return wallToInstant({ year: t.year, month: t.month, day: t.day, hour: 0, minute: 0 }, ctx.q.timeZone);
  const zone = t.zone;
  if (zone === ICAL.Timezone.utcTimezone) return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
  const defined = zone && zone !== ICAL.Timezone.localTimezone && zone.tzid !== 'floating' ? zone : null;
  const tzid = defined?.tzid ?? tzidHint;
  if (tzid) {
    if (tzid === 'UTC' || tzid === 'Z' || tzid === 'GMT') {
      return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
    }
    const iana = ianaOf(tzid, ctx);
    if (iana) return wallToInstant(wallOf(t), iana);
    if (defined?.component) return t.toUnixTime() * 1000;
    warn(ctx, `Unknown time zone "${tzid.slice(0, 60)}": its times were read in ${ctx.q.timeZone}.`);
  }
  return wallToInstant(wallOf(t), ctx.q.timeZone);
}

function text(comp: ICAL.Component, name: string): string {
  const v = comp.getFirstPropertyValue(name);
  return typeof v === 'string' ? v.toUpperCase() : '';
}

/** What an event (or override) means for availability; null = free. */
function statusOf(comp: ICAL.Component): BusyStatus | null {
  const status = text(comp, 'status');
  if (status === 'CANCELLED') return null;
  const ms = text(comp, 'x-microsoft-cdo-busystatus');
  if (ms === 'FREE' || ms === 'WORKINGELSEWHERE') return null;
  if (text(comp, 'transp') === 'TRANSPARENT') return null;
  if (status === 'TENTATIVE' || ms === 'TENTATIVE') return 'tentative';
  return 'busy';
}

function looksLikeInterview(comp: ICAL.Component): boolean {
  const s = comp.getFirstPropertyValue('summary');
  return typeof s === 'string' && s.slice(0, 500).toLowerCase().includes('interview');
}

/** Real VTIMEZONEs have yearly rules and a handful of observances; anything else is dropped (see module comment). */
function sanitizeTimezones(cal: ICAL.Component, ctx: Ctx): void {
  for (const vtz of cal.getAllSubcomponents('vtimezone')) {
    const obs = vtz.getAllSubcomponents();
    let bad = obs.length > 200;
    for (const o of obs) {
      if (bad) break;
      if (o.getAllProperties('rdate').length > 400) bad = true;
      for (const r of o.getAllProperties('rrule')) {
        const v = r.getFirstValue() as { freq?: string } | null;
        if (v?.freq !== 'YEARLY') bad = true;
      }
    }
    if (bad) {
      warn(ctx, 'A malformed VTIMEZONE was ignored.');
      cal.removeSubcomponent(vtz);
    }
  }
}

type Sink = (b: BusyInterval) => void;

/** Adds [start, end) when it touches the window (zero-length events block nothing). */
function emit(sink: Sink, ctx: Ctx, start: number, end: number, status: BusyStatus, interview: boolean): void {
  if (!(end > start) || end <= ctx.q.from || start >= ctx.q.to) return;
  sink({ start, end, status, ...(interview ? { interview: true } : {}) });
}

function span(ev: ICAL.Event, ctx: Ctx): { start: number; end: number } {
  const startTz = tzidOf(ev.component, 'dtstart');
  const start = toEpoch(ev.startDate, ctx, startTz);
  const endTz = ev.component.hasProperty('dtend') ? tzidOf(ev.component, 'dtend') : startTz;
  return { start, end: toEpoch(ev.endDate, ctx, endTz) };
}

function expandRecurring(master: ICAL.Event, exceptions: ICAL.Event[], ctx: Ctx, sink: Sink): void {
  const status = statusOf(master.component);
  const first = span(master, ctx);
  const startDate = master.startDate;
  const allDay = startDate.isDate;
  const lengthMs = first.end - first.start;
  const endDate = master.endDate;
  const lengthDays = allDay
    ? Math.round(
        (Date.UTC(endDate.year, endDate.month - 1, endDate.day) -
          Date.UTC(startDate.year, startDate.month - 1, startDate.day)) /
          DAY,
      )
    : 0;
  const interview = looksLikeInterview(master.component);
  const startTz = tzidOf(master.component, 'dtstart');
  const overridden = new Set<string>();
  for (const e of exceptions) {
    const rid = e.recurrenceId;
    if (!rid) continue;
    overridden.add(rid.toString());
    overridden.add(rid.convertToZone(ICAL.Timezone.utcTimezone).toString());
  }
  // Instances come in wall-clock order; a day of margin covers any offset change between instances.
  const stopAfter = ctx.q.to + DAY;
  const it = master.iterator();
  let n = 0;
  let lastStart = first.start;
  for (let next = it.next(); next; next = it.next()) {
    n++;
    ctx.iterations++;
    if (n > MAX_ITER_PER_EVENT || ctx.iterations > MAX_ITER_TOTAL) {
      if (status) emit(sink, ctx, Math.max(lastStart, ctx.q.from), ctx.q.to, status, false);
      warn(ctx, 'A recurring event repeats too often to expand; the rest of the window was treated as busy.');
      return;
    }
    const start = toEpoch(next, ctx, startTz);
    lastStart = start;
    if (start >= stopAfter) return;
    if (!status) continue;
    if (overridden.size > 0) {
      if (overridden.has(next.toString()) || overridden.has(next.convertToZone(ICAL.Timezone.utcTimezone).toString()))
        continue;
    }
    let end: number;
    if (allDay) {
      const d = new Date(Date.UTC(next.year, next.month - 1, next.day + Math.max(1, lengthDays)));
      end = wallToInstant(
        { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: 0, minute: 0 },
        ctx.q.timeZone,
      );
    } else {
      end = start + lengthMs;
    }
    emit(sink, ctx, start, end, status, interview);
  }
}

function single(ev: ICAL.Event, ctx: Ctx, sink: Sink): void {
  const status = statusOf(ev.component);
  if (!status) return;
  const { start, end } = span(ev, ctx);
  emit(sink, ctx, start, end, status, looksLikeInterview(ev.component));
}

/** VFREEBUSY blocks (FBTYPE=BUSY, BUSY-UNAVAILABLE, BUSY-TENTATIVE; FREE is free). */
function freeBusy(comp: ICAL.Component, ctx: Ctx, sink: Sink): void {
  for (const prop of comp.getAllProperties('freebusy')) {
    const type = String(prop.getParameter('fbtype') ?? 'BUSY').toUpperCase();
    if (type === 'FREE') continue;
    const status: BusyStatus = type === 'BUSY-TENTATIVE' ? 'tentative' : 'busy';
    for (const v of prop.getValues()) {
      if (!(v instanceof ICAL.Period)) continue;
      const start = toEpoch(v.start, ctx);
      const end = v.end ? toEpoch(v.end, ctx) : start + (v.duration ? v.duration.toSeconds() * 1000 : 0);
      emit(sink, ctx, start, end, status, false);
    }
  }
}

function calendarsOf(text: string): ICAL.Component[] {
  let jcal: unknown;
  try {
    jcal = ICAL.parse(text);
  } catch (e) {
    const why = e instanceof Error ? e.message.slice(0, 120) : 'unreadable';
    throw new AvailabilityError(`The calendar is not valid iCalendar (${why}).`, false);
  }
  const list = Array.isArray(jcal) && Array.isArray(jcal[0]) ? (jcal as unknown[]) : [jcal];
  const out: ICAL.Component[] = [];
  for (const j of list) {
    const c = new ICAL.Component(j as unknown[]);
    if (c.name === 'vcalendar') out.push(c);
  }
  if (out.length === 0) throw new AvailabilityError('The calendar has no VCALENDAR.', false);
  return out;
}

/** Busy intervals of the feed that touch [q.from, q.to), unsorted and unmerged. */
export function parseIcsBusy(text: string, q: AvailabilityQuery): ParsedFeed {
  const ctx: Ctx = { q, warnings: [], iterations: 0, tzCache: new Map() };
  const busy: BusyInterval[] = [];
  const sink: Sink = (b) => busy.push(b);
  for (const cal of calendarsOf(text)) {
    sanitizeTimezones(cal, ctx);
    for (const fb of cal.getAllSubcomponents('vfreebusy')) freeBusy(fb, ctx, sink);
    const masters = new Map<string, ICAL.Component>();
    const exceptions = new Map<string, ICAL.Component[]>();
    const loose: ICAL.Component[] = [];
    for (const comp of cal.getAllSubcomponents('vevent')) {
      const uid = comp.getFirstPropertyValue('uid');
      const isOverride = comp.hasProperty('recurrence-id');
      if (typeof uid !== 'string' || uid === '') {
        if (!isOverride) loose.push(comp);
        continue;
      }
      if (isOverride) {
        const list = exceptions.get(uid) ?? [];
        list.push(comp);
        exceptions.set(uid, list);
      } else if (masters.has(uid)) loose.push(comp);
      else masters.set(uid, comp);
    }
    for (const comp of loose) safely(ctx, () => single(new ICAL.Event(comp, { exceptions: [] }), ctx, sink));
    for (const [uid, comp] of masters) {
      safely(ctx, () => {
        const excs = (exceptions.get(uid) ?? []).map((c) => new ICAL.Event(c, { exceptions: [] }));
        const ev = new ICAL.Event(comp, { exceptions: [] });
        if (ev.isRecurring()) expandRecurring(ev, excs, ctx, sink);
        else single(ev, ctx, sink);
      });
    }
    // Overrides stand on their own times (an instance moved into the window from outside it counts too).
    for (const list of exceptions.values()) {
      for (const comp of list) safely(ctx, () => single(new ICAL.Event(comp, { exceptions: [] }), ctx, sink));
    }
  }
  return { busy, warnings: ctx.warnings };
}

function safely(ctx: Ctx, fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (e instanceof AvailabilityError) throw e;
    warn(ctx, `An event could not be read and was skipped (${e instanceof Error ? e.message.slice(0, 80) : 'error'}).`);
  }
}
