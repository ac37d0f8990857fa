import { type BusyInterval, type Interval, mergeIntervals } from './types.ts';
import {
  addDays,
  dateKey,
  formatIso,
  instantToWall,
  isoWeekday,
  offsetAt,
  parseClock,
  sameDate,
  wallToInstant,
  weekKey,
} from './tz.ts';

/**
 * The slot finder: times when a whole panel can interview a candidate. Hard rules, for every interviewer of every
 * session of every option it returns:
 * - the session lies inside one of the interviewer's working-hours intervals (their zone, their weekdays);
 * - [session start − buffer, session end + buffer) overlaps none of their busy intervals (tentative ones too,
 *   unless that interviewer's `tentativeBusy` is false);
 * - interviews already on their calendar that local day / ISO week, plus this option's sessions, stay within their
 *   daily and weekly caps;
 * - the whole option lies inside the candidate's stated availability, when given.
 * Working-hours intervals are built per local calendar date with tz.ts (Intl rules), so they are exact across DST
 * changes and on days a zone skipped (crossing the date line): such a day has no hours. Options are ranked by a
 * 0-100 score (candidate's out-of-hours minutes, the panel's load that day, earliness), spread over days, and each
 * carries the reasons behind its rank.
 */

export type WorkingHours = { start: string; end: string; days: number[] };

export type PanelMember = {
  id: string;
  name?: string;
  timeZone: string;
  hours: WorkingHours;
  busy: readonly BusyInterval[];
  tentativeBusy?: boolean;
  maxPerDay?: number | null;
  maxPerWeek?: number | null;
  /** Interviews already booked (e.g. by Fulcrum) that may not be on the calendar yet; count toward the caps. */
  existingInterviews?: readonly Interval[];
};

export type SessionSpec = { durationMin: number; interviewerIds: string[]; label?: string };

export type SlotRequest = {
  panel: PanelMember[];
  /** Back to back, in this order (a single panel interview is one session with everyone). */
  sessions: SessionSpec[];
  gapMin?: number;
  from: number;
  to: number;
  bufferMin?: number;
  stepMin?: number;
  candidate?: { timeZone: string; hours?: { start: string; end: string; days?: number[] }; availability?: Interval[] };
  maxOptions?: number;
  /** Options per candidate-local day before later days get a turn. */
  perDay?: number;
};

export type ScheduledSession = { start: number; end: number; interviewerIds: string[]; label?: string };

export type SlotOption = {
  start: number;
  end: number;
  score: number;
  reasons: string[];
  sessions: ScheduledSession[];
  candidateOutOfHoursMin: number;
  /** Per interviewer: interviews that local day before this one, and their cap (null = none). */
  load: Array<{
    interviewerId: string;
    day: number;
    week: number;
    maxPerDay: number | null;
    maxPerWeek: number | null;
  }>;
};

export class SlotRequestError extends Error {}

const MIN = 60_000;
const DAY = 86_400_000;
/** Bounds that keep one request cheap whatever a caller asks for. */
export const LIMITS = { maxWindowDays: 62, maxPanel: 12, maxSessions: 8, maxDurationMin: 8 * 60 };

type HoursInterval = { start: number; end: number; day: number; week: number };

/** Working-hours intervals of a zone between two instants, with the local date and ISO week of each. */
export function workingIntervals(
  tz: string,
  hours: { start: string; end: string; days?: number[] },
  from: number,
  to: number,
): HoursInterval[] {
  const startMin = parseClock(hours.start);
  const endMin = parseClock(hours.end);
  if (startMin === null || endMin === null) throw new SlotRequestError('Working hours are HH:MM-HH:MM.');
  const days = new Set(hours.days ?? [1, 2, 3, 4, 5]);
  const overnight = endMin <= startMin;
  const out: HoursInterval[] = [];
  const firstWall = instantToWall(from - DAY, tz);
  let d = { year: firstWall.year, month: firstWall.month, day: firstWall.day };
  for (let guard = 0; guard < LIMITS.maxWindowDays + 5; guard++) {
    const startInstant = wallToInstant({ ...d, hour: Math.floor(startMin / 60), minute: startMin % 60 }, tz);
    if (startInstant > to) break;
    if (days.has(isoWeekday(d)) && sameDate(startInstant, d, tz)) {
      const endDate = overnight || endMin === 24 * 60 ? addDays(d, 1) : d;
      const endClock = endMin === 24 * 60 ? 0 : endMin;
      const endInstant = wallToInstant(
        { ...endDate, hour: Math.floor(endClock / 60), minute: endClock % 60 },
        tz,
        'earlier',
      );
      if (endInstant > startInstant && endInstant > from) {
        out.push({ start: startInstant, end: endInstant, day: dateKey(d), week: weekKey(d) });
      }
    }
    d = addDays(d, 1);
  }
  return out;
}

/** Index of the last interval starting at or before t (-1 if none). */
function lastStartingBy<T extends Interval>(list: readonly T[], t: number): number {
  let lo = 0;
  let hi = list.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] as T).start <= t) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}

/** True when [a, b) overlaps some interval of the merged, sorted list. */
function overlapsAny(merged: readonly Interval[], a: number, b: number): boolean {
  const i = lastStartingBy(merged, b - 1);
  return i >= 0 && (merged[i] as Interval).end > a;
}

/** The interval of `list` (disjoint, sorted) that contains [a, b), or undefined. */
function containing<T extends Interval>(list: readonly T[], a: number, b: number): T | undefined {
  const i = lastStartingBy(list, a);
  const hit = i >= 0 ? list[i] : undefined;
  return hit && hit.end >= b ? hit : undefined;
}

function overlapMs(list: readonly Interval[], a: number, b: number): number {
  let total = 0;
  let i = Math.max(0, lastStartingBy(list, a));
  for (; i < list.length; i++) {
    const x = list[i] as Interval;
    if (x.start >= b) break;
    total += Math.max(0, Math.min(b, x.end) - Math.max(a, x.start));
  }
  return total;
}

type Prepared = {
  m: PanelMember;
  blocking: Interval[];
  hours: HoursInterval[];
  perDay: Map<number, number>;
  perWeek: Map<number, number>;
};

function prepare(m: PanelMember, from: number, to: number): Prepared {
  const hours = workingIntervals(m.timeZone, m.hours, from, to);
  const tentative = m.tentativeBusy ?? true;
  const blocking = mergeIntervals(m.busy.filter((b) => b.status === 'busy' || tentative));
  // Interviews already booked count once, whether they come from the calendar or from Fulcrum's own bookings.
  const seen = new Set<string>();
  const perDay = new Map<number, number>();
  const perWeek = new Map<number, number>();
  const count = (i: Interval) => {
    const k = `${i.start}-${i.end}`;
    if (seen.has(k)) return;
    seen.add(k);
    const w = instantToWall(i.start, m.timeZone);
    const day = dateKey(w);
    const week = weekKey(w);
    perDay.set(day, (perDay.get(day) ?? 0) + 1);
    perWeek.set(week, (perWeek.get(week) ?? 0) + 1);
  };
  for (const b of m.busy) if (b.interview && b.end > from - 7 * DAY && b.start < to + 7 * DAY) count(b);
  for (const e of m.existingInterviews ?? []) if (e.end > from - 7 * DAY && e.start < to + 7 * DAY) count(e);
  return { m, blocking, hours, perDay, perWeek };
}

function validate(r: SlotRequest): void {
  if (!(r.to > r.from)) throw new SlotRequestError('The window must end after it starts.');
  if (r.to - r.from > LIMITS.maxWindowDays * DAY) {
    throw new SlotRequestError(`The window is at most ${LIMITS.maxWindowDays} days.`);
  }
  if (r.panel.length === 0 || r.panel.length > LIMITS.maxPanel) {
    throw new SlotRequestError(`A panel has 1 to ${LIMITS.maxPanel} interviewers.`);
  }
  if (r.sessions.length === 0 || r.sessions.length > LIMITS.maxSessions) {
    throw new SlotRequestError(`An interview has 1 to ${LIMITS.maxSessions} sessions.`);
  }
  const ids = new Set(r.panel.map((m) => m.id));
  for (const s of r.sessions) {
    if (!Number.isInteger(s.durationMin) || s.durationMin < 5 || s.durationMin > LIMITS.maxDurationMin) {
      throw new SlotRequestError(`A session lasts 5 to ${LIMITS.maxDurationMin} minutes.`);
    }
    if (s.interviewerIds.length === 0) throw new SlotRequestError('Every session needs an interviewer.');
    for (const id of s.interviewerIds) {
      if (!ids.has(id)) throw new SlotRequestError(`Session interviewer ${id} is not on the panel.`);
    }
  }
  for (const [name, v] of [
    ['buffer', r.bufferMin ?? 0],
    ['gap', r.gapMin ?? 0],
  ] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 240) throw new SlotRequestError(`The ${name} is 0 to 240 minutes.`);
  }
  const step = r.stepMin ?? 15;
  if (!Number.isInteger(step) || step < 5 || step > 240) throw new SlotRequestError('The step is 5 to 240 minutes.');
}

const weekdayName = (tz: string, t: number) =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone: tz,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(t));

/** Ranked options for the request (see the module comment for what every option guarantees). */
export function findSlots(r: SlotRequest): SlotOption[] {
  validate(r);
  const step = (r.stepMin ?? 15) * MIN;
  const buffer = (r.bufferMin ?? 0) * MIN;
  const gap = (r.gapMin ?? 0) * MIN;
  const prepared = new Map(r.panel.map((m) => [m.id, prepare(m, r.from, r.to)]));
  const offsets: number[] = [];
  let total = 0;
  r.sessions.forEach((s, k) => {
    offsets.push(total);
    total += s.durationMin * MIN + (k < r.sessions.length - 1 ? gap : 0);
  });
  const cand = r.candidate;
  const candHours = cand
    ? workingIntervals(cand.timeZone, cand.hours ?? { start: '09:00', end: '17:00' }, r.from, r.to + total)
    : [];
  const candAvail = cand?.availability ? mergeIntervals(cand.availability) : null;
  const refTz = cand?.timeZone ?? (r.panel[0] as PanelMember).timeZone;
  // Start times on the reference zone's clock (a +05:45 zone gets :00/:15/:30/:45 local starts, not UTC ones).
  const shift = (((offsetAt(r.from, refTz) % step) + step) % step) as number;
  let t = Math.ceil((r.from - shift) / step) * step + shift;

  type Feasible = {
    start: number;
    sessions: ScheduledSession[];
    ooh: number;
    loadRatio: number;
    load: SlotOption['load'];
  };
  const feasible: Feasible[] = [];
  for (; t + total <= r.to; t += step) {
    if (candAvail && !containing(candAvail, t, t + total)) continue;
    const sessions: ScheduledSession[] = [];
    const added = new Map<string, { days: Map<number, number>; weeks: Map<number, number> }>();
    let ok = true;
    for (let k = 0; k < r.sessions.length && ok; k++) {
      const spec = r.sessions[k] as SessionSpec;
      const a = t + (offsets[k] as number);
      const b = a + spec.durationMin * MIN;
      for (const id of spec.interviewerIds) {
        const p = prepared.get(id) as Prepared;
        const h = containing(p.hours, a, b);
        if (!h || overlapsAny(p.blocking, a - buffer, b + buffer)) {
          ok = false;
          break;
        }
        const mine = added.get(id) ?? { days: new Map(), weeks: new Map() };
        mine.days.set(h.day, (mine.days.get(h.day) ?? 0) + 1);
        mine.weeks.set(h.week, (mine.weeks.get(h.week) ?? 0) + 1);
        added.set(id, mine);
      }
      sessions.push({
        start: a,
        end: b,
        interviewerIds: [...spec.interviewerIds],
        ...(spec.label ? { label: spec.label } : {}),
      });
    }
    if (!ok) continue;
    const load: SlotOption['load'] = [];
    let ratio = 0;
    for (const [id, mine] of added) {
      const p = prepared.get(id) as Prepared;
      for (const [day, n] of mine.days) {
        const before = p.perDay.get(day) ?? 0;
        if (p.m.maxPerDay != null && before + n > p.m.maxPerDay) ok = false;
      }
      for (const [week, n] of mine.weeks) {
        const before = p.perWeek.get(week) ?? 0;
        if (p.m.maxPerWeek != null && before + n > p.m.maxPerWeek) ok = false;
      }
      if (!ok) break;
      const [day] = mine.days.keys();
      const [week] = mine.weeks.keys();
      const dayBefore = p.perDay.get(day as number) ?? 0;
      load.push({
        interviewerId: id,
        day: dayBefore,
        week: p.perWeek.get(week as number) ?? 0,
        maxPerDay: p.m.maxPerDay ?? null,
        maxPerWeek: p.m.maxPerWeek ?? null,
      });
      ratio += Math.min(1, dayBefore / (p.m.maxPerDay ?? 4));
    }
    if (!ok) continue;
    const ooh = cand ? Math.round((total - overlapMs(candHours, t, t + total)) / MIN) : 0;
    feasible.push({ start: t, sessions, ooh, loadRatio: ratio / Math.max(1, added.size), load });
  }

  const span = Math.max(1, r.to - r.from);
  const totalMin = total / MIN;
  const scored = feasible.map((f) => {
    const early = 1 - (f.start - r.from) / span;
    const hoursScore = 1 - Math.min(1, f.ooh / Math.max(1, totalMin));
    const score = Math.round(100 * (0.45 * hoursScore + 0.3 * (1 - f.loadRatio) + 0.25 * early));
    return { ...f, score };
  });
  scored.sort((a, b) => b.score - a.score || a.start - b.start);

  const max = r.maxOptions ?? 10;
  const perDay = r.perDay ?? 2;
  const picked: typeof scored = [];
  const dayCount = new Map<number, number>();
  const dayOf = (x: number) => dateKey(instantToWall(x, refTz));
  for (const pass of [0, 1]) {
    for (const s of scored) {
      if (picked.length >= max) break;
      if (picked.includes(s)) continue;
      if (picked.some((p) => s.start < p.start + total && p.start < s.start + total)) continue;
      const d = dayOf(s.start);
      if (pass === 0 && (dayCount.get(d) ?? 0) >= perDay) continue;
      picked.push(s);
      dayCount.set(d, (dayCount.get(d) ?? 0) + 1);
    }
  }
  const earliest = feasible[0]?.start;
  const names = new Map(r.panel.map((m) => [m.id, m.name ?? m.id]));
  return picked.map((s) => ({
    start: s.start,
    end: s.start + total,
    score: s.score,
    reasons: reasonsFor(s, {
      earliest,
      refTz,
      cand,
      names,
      total: totalMin,
      leastLoad: Math.min(...picked.map((p) => p.loadRatio)),
    }),
    sessions: s.sessions,
    candidateOutOfHoursMin: s.ooh,
    load: s.load,
  }));
}

function reasonsFor(
  s: { start: number; ooh: number; loadRatio: number; load: SlotOption['load'] },
  ctx: {
    earliest: number | undefined;
    refTz: string;
    cand: SlotRequest['candidate'];
    names: Map<string, string>;
    total: number;
    leastLoad: number;
  },
): string[] {
  const out: string[] = [];
  const when = `${weekdayName(ctx.refTz, s.start)} ${ctx.cand ? "candidate's time" : ctx.refTz} (${formatIso(s.start, ctx.refTz).slice(-6)})`;
  out.push(s.start === ctx.earliest ? `Earliest time the whole panel is free: ${when}.` : `Starts ${when}.`);
  if (ctx.cand) {
    const h = ctx.cand.hours ?? { start: '09:00', end: '17:00' };
    out.push(
      s.ooh === 0
        ? `Inside the candidate's hours (${h.start}-${h.end} ${ctx.cand.timeZone}).`
        : `${s.ooh} of ${ctx.total} min outside the candidate's hours (${h.start}-${h.end} ${ctx.cand.timeZone}).`,
    );
    if (ctx.cand.availability) out.push("Within the candidate's stated availability.");
  }
  const parts = s.load.map((l) => {
    const name = ctx.names.get(l.interviewerId) ?? l.interviewerId;
    return `${name} ${l.day}${l.maxPerDay != null ? `/${l.maxPerDay}` : ''}`;
  });
  const lightest = s.loadRatio <= ctx.leastLoad ? ' (lightest among these options)' : '';
  out.push(`Interviews already that day: ${parts.join(', ')}${lightest}.`);
  return out;
}
