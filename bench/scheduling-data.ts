import { Rng } from '../backend/lever-emulator/prng.ts';
import { addDays, instantToWall } from '../backend/scheduling/tz.ts';

/**
 * Real-looking ICS calendars for the scheduling benchmark: in the interviewer's zone, weekly 1:1s and team meetings
 * (started months ago, each with EXDATEs and RECURRENCE-ID overrides: moved, cancelled, made tentative), a daily
 * standup running for a year, a few hundred one-off meetings over fifteen weeks around the window, all-day events (some
 * transparent) and interviews. Seeded, so every run reads the same calendars.
 */

const pad = (n: number) => String(n).padStart(2, '0');
const local = (d: { year: number; month: number; day: number }, h: number, m: number) =>
  `${d.year}${pad(d.month)}${pad(d.day)}T${pad(h)}${pad(m)}00`;
const dateOnly = (d: { year: number; month: number; day: number }) => `${d.year}${pad(d.month)}${pad(d.day)}`;
const DAYS = ['MO', 'TU', 'WE', 'TH', 'FR'];

export function realLookingCalendar(seed: number, tz: string, windowStart: number): { ics: string; events: number } {
  const rng = new Rng(seed);
  const w = instantToWall(windowStart, tz);
  const start = { year: w.year, month: w.month, day: w.day };
  const lines: string[] = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Fulcrum bench//EN', `X-WR-TIMEZONE:${tz}`];
  let events = 0;
  const ev = (uid: string, props: string[]) => {
    lines.push('BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20260101T000000Z', ...props, 'END:VEVENT');
    events++;
  };
  // Weekly series with exceptions.
  for (let s = 0; s < 8; s++) {
    const first = addDays(start, -7 * rng.int(4, 30) + rng.int(0, 4));
    const h = rng.int(9, 16);
    const m = rng.pick([0, 30]);
    const len = rng.pick([30, 30, 45, 60]);
    const endM = h * 60 + m + len;
    const uid = `weekly-${seed}-${s}`;
    const byday = rng.sample(DAYS, rng.int(1, 2)).join(',');
    const ex = addDays(start, rng.int(0, 13));
    ev(uid, [
      `SUMMARY:${rng.pick(['1:1', 'Team sync', 'Design review', 'Planning', 'Hiring sync'])}`,
      `DTSTART;TZID=${tz}:${local(first, h, m)}`,
      `DTEND;TZID=${tz}:${local(first, Math.floor(endM / 60), endM % 60)}`,
      `RRULE:FREQ=WEEKLY;BYDAY=${byday}`,
      `EXDATE;TZID=${tz}:${local(ex, h, m)}`,
    ]);
    // Overrides: moved two hours later, cancelled, tentative.
    for (let k = 0; k < 3; k++) {
      const d = addDays(start, rng.int(0, 13));
      const moved = k === 0;
      const nh = moved ? Math.min(h + 2, 17) : h;
      const nEnd = nh * 60 + m + len;
      ev(uid, [
        `RECURRENCE-ID;TZID=${tz}:${local(d, h, m)}`,
        `DTSTART;TZID=${tz}:${local(d, nh, m)}`,
        `DTEND;TZID=${tz}:${local(d, Math.floor(nEnd / 60), nEnd % 60)}`,
        ...(k === 1 ? ['STATUS:CANCELLED'] : k === 2 ? ['STATUS:TENTATIVE'] : []),
      ]);
    }
  }
  // Daily standup for a year.
  const standup = addDays(start, -360);
  ev(`standup-${seed}`, [
    'SUMMARY:Standup',
    `DTSTART;TZID=${tz}:${local(standup, 9, 30)}`,
    `DTEND;TZID=${tz}:${local(standup, 9, 45)}`,
    'RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR',
  ]);
  // One-off meetings, six weeks around the window.
  for (let k = 0; k < 200; k++) {
    const d = addDays(start, rng.int(-45, 59));
    const h = rng.int(8, 17);
    const m = rng.pick([0, 15, 30, 45]);
    const len = rng.pick([15, 30, 30, 45, 60, 90]);
    const endM = h * 60 + m + len;
    const e = endM >= 24 * 60 ? { d: addDays(d, 1), m: endM - 24 * 60 } : { d, m: endM };
    const utc = rng.chance(0.3);
    ev(`one-${seed}-${k}`, [
      `SUMMARY:${rng.chance(0.08) ? 'Interview: candidate loop' : rng.pick(['Customer call', 'Focus time', 'Coffee', 'Review', 'Lunch'])}`,
      utc ? `DTSTART:${local(d, h, m)}Z` : `DTSTART;TZID=${tz}:${local(d, h, m)}`,
      utc
        ? `DTEND:${local(e.d, Math.floor(e.m / 60), e.m % 60)}Z`
        : `DTEND;TZID=${tz}:${local(e.d, Math.floor(e.m / 60), e.m % 60)}`,
      ...(rng.chance(0.1) ? ['STATUS:TENTATIVE'] : []),
      ...(rng.chance(0.05) ? ['TRANSP:TRANSPARENT'] : []),
      ...(rng.chance(0.03) ? ['STATUS:CANCELLED'] : []),
    ]);
  }
  for (let k = 0; k < 6; k++) {
    const d = addDays(start, rng.int(-45, 59));
    ev(`allday-${seed}-${k}`, [
      `SUMMARY:${rng.pick(['Conference', 'Birthday', 'Out of office'])}`,
      `DTSTART;VALUE=DATE:${dateOnly(d)}`,
      `DTEND;VALUE=DATE:${dateOnly(addDays(d, 1))}`,
      ...(rng.chance(0.85) ? ['TRANSP:TRANSPARENT'] : []),
    ]);
  }
  lines.push('END:VCALENDAR');
  return { ics: `${lines.join('\r\n')}\r\n`, events };
}
