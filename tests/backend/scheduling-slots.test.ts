import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  findSlots,
  type PanelMember,
  type SlotRequest,
  SlotRequestError,
  workingIntervals,
} from '../../backend/scheduling/slot-finder.ts';
import type { BusyInterval } from '../../backend/scheduling/types.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

// ---------------------------------------------------------------- an oracle independent of tz.ts

const fmt = new Map<string, Intl.DateTimeFormat>();
/** Local wall clock of an instant, straight from Intl. */
function wall(t: number, tz: string) {
  let f = fmt.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
    });
    fmt.set(tz, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
  const wd = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(p.weekday as string) + 1;
  const date = `${p.year}-${p.month}-${p.day}`;
  const monday = new Date(Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day) - (wd - 1)));
  return {
    date,
    weekday: wd,
    minutes: Number(p.hour) * 60 + Number(p.minute),
    week: monday.toISOString().slice(0, 10),
  };
}
const clock = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));

/** Every hard rule of the slot finder, checked from the request alone. Returns the first broken rule, or null. */
function violation(r: SlotRequest, options: ReturnType<typeof findSlots>): string | null {
  const byId = new Map(r.panel.map((m) => [m.id, m]));
  const buffer = (r.bufferMin ?? 0) * MIN;
  for (const o of options) {
    if (o.start < r.from || o.end > r.to) return 'outside the window';
    const perMember = new Map<string, string[]>();
    for (const s of o.sessions) {
      for (const id of s.interviewerIds) {
        const m = byId.get(id) as PanelMember;
        for (const b of m.busy) {
          if (b.status === 'tentative' && m.tentativeBusy === false) continue;
          if (b.start < s.end + buffer && b.end > s.start - buffer) return `overlaps ${b.status} of ${id}`;
        }
        const a = wall(s.start, m.timeZone);
        const z = wall(s.end - MIN, m.timeZone);
        if (!m.hours.days.includes(a.weekday)) return `not a working day of ${id}`;
        if (a.minutes < clock(m.hours.start)) return `before ${id}'s hours`;
        if (z.date !== a.date || z.minutes >= clock(m.hours.end)) return `after ${id}'s hours`;
        perMember.set(id, [...(perMember.get(id) ?? []), `${a.date}|${a.week}`]);
      }
    }
    for (const [id, keys] of perMember) {
      const m = byId.get(id) as PanelMember;
      const seen = new Set<string>();
      const existing = [...m.busy.filter((b) => b.interview), ...(m.existingInterviews ?? [])].filter((i) => {
        const k = `${i.start}-${i.end}`;
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
      for (const k of keys) {
        const [date, week] = k.split('|');
        const sameDay = keys.filter((x) => x.startsWith(`${date}|`)).length;
        const sameWeek = keys.filter((x) => x.endsWith(`|${week}`)).length;
        const dayBefore = existing.filter((e) => wall(e.start, m.timeZone).date === date).length;
        const weekBefore = existing.filter((e) => wall(e.start, m.timeZone).week === week).length;
        if (m.maxPerDay != null && dayBefore + sameDay > m.maxPerDay) return `daily cap of ${id}`;
        if (m.maxPerWeek != null && weekBefore + sameWeek > m.maxPerWeek) return `weekly cap of ${id}`;
      }
    }
    if (r.candidate?.availability) {
      if (!r.candidate.availability.some((a) => a.start <= o.start && a.end >= o.end))
        return 'outside candidate availability';
    }
  }
  return null;
}

// ---------------------------------------------------------------- generated calendars

const ZONES = [
  'America/New_York',
  'Europe/London',
  'Pacific/Auckland',
  'Pacific/Kiritimati',
  'Pacific/Pago_Pago',
  'Asia/Kolkata',
  'UTC',
];
/** Windows around DST changes: New York, London and Auckland, spring and autumn. */
const ANCHORS = ['2026-03-08', '2026-11-01', '2026-03-29', '2026-10-25', '2026-04-05', '2026-09-27'].map((d) =>
  Date.parse(`${d}T00:00:00Z`),
);

const windowArb = fc
  .record({
    anchor: fc.constantFrom(...ANCHORS),
    shiftH: fc.integer({ min: -96, max: 48 }),
    days: fc.integer({ min: 2, max: 9 }),
  })
  .map(({ anchor, shiftH, days }) => ({ from: anchor + shiftH * HOUR, to: anchor + shiftH * HOUR + days * DAY }));

function memberArb(id: string, from: number, to: number) {
  const busyArb = fc
    .record({
      at: fc.integer({ min: Math.floor((from - DAY) / MIN), max: Math.floor(to / MIN) }),
      len: fc.integer({ min: 5, max: 240 }),
      status: fc.constantFrom<BusyInterval['status']>('busy', 'busy', 'tentative'),
      interview: fc.boolean(),
    })
    .map(({ at, len, status, interview }) => ({
      start: at * MIN,
      end: (at + len) * MIN,
      status,
      ...(interview ? { interview: true } : {}),
    }));
  return fc.record({
    id: fc.constant(id),
    timeZone: fc.constantFrom(...ZONES),
    hours: fc
      .record({ startH: fc.integer({ min: 6, max: 12 }), half: fc.boolean(), lenH: fc.integer({ min: 2, max: 12 }) })
      .chain(({ startH, half, lenH }) =>
        fc.subarray([1, 2, 3, 4, 5, 6, 7], { minLength: 1 }).map((days) => {
          const s = startH * 60 + (half ? 30 : 0);
          const e = Math.min(24 * 60, s + lenH * 60);
          const hh = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
          return { start: hh(s), end: hh(e), days };
        }),
      ),
    busy: fc.array(busyArb, { maxLength: 40 }),
    tentativeBusy: fc.boolean(),
    maxPerDay: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
    maxPerWeek: fc.option(fc.integer({ min: 1, max: 8 }), { nil: null }),
  });
}

const requestArb: fc.Arbitrary<SlotRequest> = windowArb.chain(({ from, to }) =>
  fc.integer({ min: 1, max: 4 }).chain((n) =>
    fc.tuple(...Array.from({ length: n }, (_, k) => memberArb(`u${k}`, from, to))).chain((panel) =>
      fc.record({
        panel: fc.constant(panel as PanelMember[]),
        sessions: fc.array(
          fc.record({
            durationMin: fc.constantFrom(15, 30, 45, 60, 90),
            interviewerIds: fc.subarray(
              panel.map((m) => m.id),
              { minLength: 1 },
            ),
          }),
          { minLength: 1, maxLength: 3 },
        ),
        gapMin: fc.constantFrom(0, 5, 15),
        from: fc.constant(from),
        to: fc.constant(to),
        bufferMin: fc.constantFrom(0, 10, 15, 30),
        stepMin: fc.constantFrom(15, 30),
        candidate: fc.option(
          fc.record({
            timeZone: fc.constantFrom(...ZONES),
            availability: fc.option(
              fc.array(
                fc
                  .record({
                    at: fc.integer({ min: 0, max: Math.floor((to - from) / HOUR) }),
                    len: fc.integer({ min: 4, max: 72 }),
                  })
                  .map(({ at, len }) => ({ start: from + at * HOUR, end: from + (at + len) * HOUR })),
                { minLength: 1, maxLength: 5 },
              ),
              { nil: undefined, freq: 2 },
            ),
          }),
          { nil: undefined },
        ),
        maxOptions: fc.constantFrom(5, 10, 30),
      }),
    ),
  ),
);

describe('slot finder: properties over generated calendars', () => {
  it('never proposes a slot that overlaps a busy (or tentative-as-busy) event, leaves working hours or breaks a cap', () => {
    let withOptions = 0;
    fc.assert(
      fc.property(requestArb, (r) => {
        const options = findSlots(r);
        if (options.length > 0) withOptions++;
        const v = violation(r, options);
        if (v) throw new Error(v);
        for (const o of options) {
          expect(o.score).toBeGreaterThanOrEqual(0);
          expect(o.score).toBeLessThanOrEqual(100);
          expect(o.reasons.length).toBeGreaterThanOrEqual(2);
        }
      }),
      { numRuns: 500, seed: 19 },
    );
    // The property is only worth something if many generated requests do have options.
    expect(withOptions).toBeGreaterThan(100);
  });

  it('finds every free slot on an empty calendar (nothing is left out by the DST arithmetic)', () => {
    fc.assert(
      fc.property(windowArb, fc.constantFrom(...ZONES), (w, tz) => {
        const r: SlotRequest = {
          panel: [
            { id: 'a', timeZone: tz, hours: { start: '09:00', end: '17:00', days: [1, 2, 3, 4, 5, 6, 7] }, busy: [] },
          ],
          sessions: [{ durationMin: 60, interviewerIds: ['a'] }],
          from: w.from,
          to: w.to,
          stepMin: 60,
          maxOptions: 1000,
          perDay: 1000,
        };
        const got = findSlots(r)
          .map((o) => o.start)
          .sort((a, b) => a - b);
        // Brute force: every whole local hour 09:00..16:00 in the window.
        const want: number[] = [];
        for (let t = Math.ceil(w.from / (15 * MIN)) * 15 * MIN; t + HOUR <= w.to; t += 15 * MIN) {
          const a = wall(t, tz);
          const z = wall(t + HOUR - MIN, tz);
          if (a.minutes % 60 === 0 && a.minutes >= 540 && z.date === a.date && z.minutes < 1020) want.push(t);
        }
        expect(got).toEqual(want);
      }),
      { numRuns: 60, seed: 7 },
    );
  });
});

describe('slot finder: DST and the date line', () => {
  it('working hours keep their wall time across DST and last what the clock says', () => {
    const ny = workingIntervals(
      'America/New_York',
      { start: '00:00', end: '04:00', days: [7] },
      Date.parse('2026-03-07T00:00:00Z'),
      Date.parse('2026-03-09T12:00:00Z'),
    );
    expect(ny.map((i) => (i.end - i.start) / HOUR)).toEqual([3]); // spring forward: 00:00-04:00 is three hours
    const nyFall = workingIntervals(
      'America/New_York',
      { start: '00:00', end: '04:00', days: [7] },
      Date.parse('2026-10-31T00:00:00Z'),
      Date.parse('2026-11-02T12:00:00Z'),
    );
    expect(nyFall.map((i) => (i.end - i.start) / HOUR)).toEqual([5]);
    const london = workingIntervals(
      'Europe/London',
      { start: '09:00', end: '17:00', days: [5, 1] },
      Date.parse('2026-03-27T00:00:00Z'),
      Date.parse('2026-03-31T00:00:00Z'),
    );
    expect(london.map((i) => new Date(i.start).toISOString())).toEqual([
      '2026-03-27T09:00:00.000Z',
      '2026-03-30T08:00:00.000Z',
    ]);
  });

  it('a day a zone skipped has no hours (Kiritimati, 31 Dec 1994)', () => {
    const k = workingIntervals(
      'Pacific/Kiritimati',
      { start: '09:00', end: '17:00', days: [1, 2, 3, 4, 5, 6, 7] },
      Date.parse('1994-12-29T00:00:00Z'),
      Date.parse('1995-01-03T00:00:00Z'),
    );
    const days = k.map((i) => i.day);
    expect(days).not.toContain(19941231);
    expect(days).toContain(19941230);
    expect(days).toContain(19950101);
    // Each remaining day is a real 8-hour day at 09:00 local (−10:00 before, +14:00 after).
    expect(k.every((i) => i.end - i.start === 8 * HOUR)).toBe(true);
    expect(new Date(k.find((i) => i.day === 19941230)?.start ?? 0).toISOString()).toBe('1994-12-30T19:00:00.000Z');
    expect(new Date(k.find((i) => i.day === 19950101)?.start ?? 0).toISOString()).toBe('1994-12-31T19:00:00.000Z');
  });

  it('a panel across the date line meets on the days both are working (Kiritimati +14, Pago Pago −11)', () => {
    const from = Date.parse('2026-06-01T00:00:00Z'); // a Monday in UTC
    const r: SlotRequest = {
      panel: [
        {
          id: 'kir',
          timeZone: 'Pacific/Kiritimati',
          hours: { start: '08:00', end: '18:00', days: [1, 2, 3, 4, 5] },
          busy: [],
        },
        {
          id: 'ppg',
          timeZone: 'Pacific/Pago_Pago',
          hours: { start: '08:00', end: '18:00', days: [1, 2, 3, 4, 5] },
          busy: [],
        },
      ],
      sessions: [{ durationMin: 60, interviewerIds: ['kir', 'ppg'] }],
      from,
      to: from + 7 * DAY,
      stepMin: 60,
      maxOptions: 200,
      perDay: 200,
      candidate: { timeZone: 'Pacific/Auckland' },
    };
    const options = findSlots(r);
    expect(options.length).toBeGreaterThan(0);
    expect(violation(r, options)).toBeNull();
    for (const o of options) {
      const k = wall(o.start, 'Pacific/Kiritimati');
      const p = wall(o.start, 'Pacific/Pago_Pago');
      expect(k.weekday - p.weekday).toBe(1); // one calendar day apart: Tue-Fri in Kiritimati, Mon-Thu in Pago Pago
    }
  });

  it("ranks by the candidate's hours, then load, and says why", () => {
    const from = Date.parse('2026-03-09T00:00:00-04:00');
    const iv = {
      start: Date.parse('2026-03-09T15:00:00-04:00'),
      end: Date.parse('2026-03-09T16:00:00-04:00'),
      status: 'busy' as const,
      interview: true,
    };
    const r: SlotRequest = {
      panel: [
        {
          id: 'ana',
          name: 'Ana',
          timeZone: 'America/New_York',
          hours: { start: '09:00', end: '17:00', days: [1, 2, 3, 4, 5] },
          busy: [iv],
          maxPerDay: 2,
        },
      ],
      sessions: [{ durationMin: 60, interviewerIds: ['ana'] }],
      from,
      to: from + 2 * DAY,
      candidate: { timeZone: 'Europe/London', hours: { start: '09:00', end: '17:00' } },
    };
    const [best, ...rest] = findSlots(r);
    expect(best).toBeDefined();
    // London is 4 h ahead that week: 09:00-13:00 New York is inside London's 09:00-17:00 (13:00-17:00 London).
    expect(best?.candidateOutOfHoursMin).toBe(0);
    expect(best?.reasons.join(' ')).toMatch(/Inside the candidate's hours \(09:00-17:00 Europe\/London\)/);
    expect(best?.reasons.join(' ')).toMatch(/Interviews already that day: Ana [01]\/2/);
    expect(rest.every((o) => o.score <= (best?.score ?? 0))).toBe(true);
    // Monday has one interview already; with everything else equal Tuesday's same hour scores better on load.
    const mon = findSlots(r).find((o) => new Date(o.start).toISOString().startsWith('2026-03-09'));
    const tue = findSlots({ ...r, maxOptions: 50, perDay: 50 }).find((o) => o.start === (mon?.start ?? 0) + DAY);
    if (mon && tue) expect(tue.score).toBeGreaterThanOrEqual(mon.score);
  });

  it('three back-to-back sessions with different interviewers', () => {
    const from = Date.parse('2026-03-10T09:00:00-04:00');
    const busyB = [
      {
        start: Date.parse('2026-03-10T10:00:00-04:00'),
        end: Date.parse('2026-03-10T11:00:00-04:00'),
        status: 'busy' as const,
      },
    ];
    const h = { start: '09:00', end: '17:00', days: [1, 2, 3, 4, 5] };
    const r: SlotRequest = {
      panel: [
        { id: 'a', timeZone: 'America/New_York', hours: h, busy: [] },
        { id: 'b', timeZone: 'America/New_York', hours: h, busy: busyB },
        {
          id: 'c',
          timeZone: 'Europe/London',
          hours: { start: '09:00', end: '18:00', days: [1, 2, 3, 4, 5] },
          busy: [],
        },
      ],
      sessions: [
        { durationMin: 45, interviewerIds: ['a'] },
        { durationMin: 45, interviewerIds: ['b'] },
        { durationMin: 45, interviewerIds: ['c'] },
      ],
      from,
      to: from + 8 * HOUR,
      stepMin: 15,
    };
    const options = findSlots(r);
    expect(violation(r, options)).toBeNull();
    const first = options.sort((x, y) => x.start - y.start)[0];
    // b is busy 10-11, c (London, 4 h ahead) stops at 14:00 New York: the only fits start at 09:00 (b at 09:45 overlaps)…
    // so the first possible start puts b's session at or after 11:00: a 10:15, b 11:00, c 11:45.
    expect(new Date(first?.start ?? 0).toISOString()).toBe('2026-03-10T14:15:00.000Z');
    expect(first?.sessions.map((s) => s.interviewerIds[0])).toEqual(['a', 'b', 'c']);
  });

  it('refuses impossible requests with a message', () => {
    const base: SlotRequest = {
      panel: [{ id: 'a', timeZone: 'UTC', hours: { start: '09:00', end: '17:00', days: [1] }, busy: [] }],
      sessions: [{ durationMin: 30, interviewerIds: ['a'] }],
      from: 0,
      to: DAY,
    };
    expect(() => findSlots({ ...base, to: -1 })).toThrow(SlotRequestError);
    expect(() => findSlots({ ...base, to: 100 * DAY })).toThrow(/at most 62 days/);
    expect(() => findSlots({ ...base, sessions: [{ durationMin: 30, interviewerIds: ['x'] }] })).toThrow(
      /not on the panel/,
    );
  });
});
