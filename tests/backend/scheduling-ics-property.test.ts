import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIcsBusy } from '../../backend/scheduling/ics-parse.ts';
import { findSlots } from '../../backend/scheduling/slot-finder.ts';

/**
 * Generated ICS calendars: daily and weekly series in New York, London, Auckland, Kiritimati and Pago Pago starting
 * a few days before a DST change, with EXDATEs, cancelled and moved overrides. Checked against Intl alone: every
 * instance sits at its wall-clock time on its own date, EXDATEs and cancelled instances are gone, and the slot finder
 * never proposes a time that overlaps any instance the calendar holds.
 */

const ZONES = ['America/New_York', 'Europe/London', 'Pacific/Auckland', 'Pacific/Kiritimati', 'Pacific/Pago_Pago'];
const STARTS = ['2026-03-05', '2026-10-29', '2026-03-26', '2026-10-22', '2026-04-02', '2026-09-24'];

const pad = (n: number) => String(n).padStart(2, '0');
const addDays = (d: string, k: number) =>
  new Date(Date.parse(`${d}T00:00:00Z`) + k * 86_400_000).toISOString().slice(0, 10);
const compact = (d: string) => d.replace(/-/g, '');

function wall(t: number, tz: string): { date: string; hm: string } {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    })
      .formatToParts(new Date(t))
      .map((x) => [x.type, x.value]),
  );
  return { date: `${p.year}-${p.month}-${p.day}`, hm: `${p.hour}:${p.minute}` };
}

const seriesArb = fc.record({
  tz: fc.constantFrom(...ZONES),
  start: fc.constantFrom(...STARTS),
  hour: fc.integer({ min: 8, max: 17 }),
  minute: fc.constantFrom(0, 15, 30, 45),
  len: fc.constantFrom(15, 30, 45, 60, 90),
  count: fc.integer({ min: 3, max: 12 }),
  exdates: fc.uniqueArray(fc.integer({ min: 1, max: 11 }), { maxLength: 3 }),
  cancelled: fc.option(fc.integer({ min: 1, max: 11 }), { nil: undefined }),
});

describe('ICS expansion over generated calendars', () => {
  it('every instance at its wall time on its date across DST, EXDATE and cancelled overrides removed', () => {
    fc.assert(
      fc.property(seriesArb, (g) => {
        const t = `${pad(g.hour)}${pad(g.minute)}00`;
        const endMin = g.hour * 60 + g.minute + g.len;
        const endT = `${pad(Math.floor(endMin / 60))}${pad(endMin % 60)}00`;
        const exdates = g.exdates.filter((k) => k < g.count);
        const cancelled =
          g.cancelled !== undefined && g.cancelled < g.count && !exdates.includes(g.cancelled)
            ? g.cancelled
            : undefined;
        const lines = [
          'BEGIN:VCALENDAR',
          'VERSION:2.0',
          'PRODID:-//gen//EN',
          'BEGIN:VEVENT',
          'UID:series@gen',
          `DTSTART;TZID=${g.tz}:${compact(g.start)}T${t}`,
          `DTEND;TZID=${g.tz}:${compact(g.start)}T${endT}`,
          `RRULE:FREQ=DAILY;COUNT=${g.count}`,
          ...exdates.map((k) => `EXDATE;TZID=${g.tz}:${compact(addDays(g.start, k))}T${t}`),
          'END:VEVENT',
          ...(cancelled !== undefined
            ? [
                'BEGIN:VEVENT',
                'UID:series@gen',
                `RECURRENCE-ID;TZID=${g.tz}:${compact(addDays(g.start, cancelled))}T${t}`,
                'STATUS:CANCELLED',
                `DTSTART;TZID=${g.tz}:${compact(addDays(g.start, cancelled))}T${t}`,
                `DTEND;TZID=${g.tz}:${compact(addDays(g.start, cancelled))}T${endT}`,
                'END:VEVENT',
              ]
            : []),
          'END:VCALENDAR',
          '',
        ].join('\r\n');
        const from = Date.parse(`${addDays(g.start, -2)}T00:00:00Z`);
        const to = Date.parse(`${addDays(g.start, 16)}T00:00:00Z`);
        const busy = parseIcsBusy(lines, { from, to, timeZone: 'UTC' }).busy.sort((a, b) => a.start - b.start);
        const want = [...Array(g.count).keys()].filter((k) => !exdates.includes(k) && k !== cancelled);
        expect(busy.map((b) => wall(b.start, g.tz))).toEqual(
          want.map((k) => ({ date: addDays(g.start, k), hm: `${pad(g.hour)}:${pad(g.minute)}` })),
        );
        for (const b of busy) expect(b.end - b.start).toBe(g.len * 60_000);

        // The slot finder never proposes a time over any of them (interviewer works all day, every day).
        const options = findSlots({
          panel: [
            { id: 'a', timeZone: g.tz, hours: { start: '00:00', end: '24:00', days: [1, 2, 3, 4, 5, 6, 7] }, busy },
          ],
          sessions: [{ durationMin: 30, interviewerIds: ['a'] }],
          from,
          to,
          stepMin: 15,
          maxOptions: 200,
          perDay: 200,
        });
        for (const o of options) for (const b of busy) expect(o.start < b.end && b.start < o.end).toBe(false);
      }),
      { numRuns: 150, seed: 42 },
    );
  });
});
