import os from 'node:os';
import { parseIcsBusy } from '../backend/scheduling/ics-parse.ts';
import { findSlots, type PanelMember, type SlotRequest } from '../backend/scheduling/slot-finder.ts';
import { realLookingCalendar } from './scheduling-data.ts';

/**
 * Interview scheduling: a 4-person panel (New York, London, Chicago, Kolkata) over a 2-week window, each reading a
 * real-looking ICS calendar (bench/scheduling-data.ts: ~310 events, weekly series with EXDATEs and overrides, a
 * year-long daily standup, all-day events). Measured separately, median and p95 of 30 runs:
 * - parse + expand one calendar (what a cache miss costs; cached afterwards for 5 minutes);
 * - the slot finder's answer on the expanded calendars (what every request costs): one 60-min panel interview, and
 *   three back-to-back 45-min sessions with different interviewers; target < 50 ms.
 *   npx tsx bench/scheduling.bench.ts      (or npm run bench -- scheduling)
 */
const RUNS = 30;
const from = Date.parse('2026-03-02T00:00:00Z');
const to = from + 14 * 86_400_000;
const people = [
  { id: 'ana', tz: 'America/New_York', hours: { start: '09:00', end: '17:00', days: [1, 2, 3, 4, 5] } },
  { id: 'ben', tz: 'Europe/London', hours: { start: '09:00', end: '18:00', days: [1, 2, 3, 4, 5] } },
  { id: 'cho', tz: 'America/Chicago', hours: { start: '08:00', end: '16:00', days: [1, 2, 3, 4, 5] } },
  { id: 'dev', tz: 'Asia/Kolkata', hours: { start: '14:00', end: '23:30', days: [1, 2, 3, 4, 5] } },
];

function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] as number;
  return `p50 ${at(0.5).toFixed(2)} ms, p95 ${at(0.95).toFixed(2)} ms, max ${(s[s.length - 1] as number).toFixed(2)} ms`;
}

const cals = people.map((p, k) => ({ ...p, ...realLookingCalendar(100 + k, p.tz, from) }));
console.log(
  `scheduling bench: 4 calendars, ${cals.map((c) => c.events).join(' / ')} events, ${cals.map((c) => `${Math.round(c.ics.length / 1024)} KB`).join(' / ')}; window 14 days (crosses the New York DST change)`,
);

const parseTimes: number[] = [];
let panel: PanelMember[] = [];
for (let r = 0; r < RUNS; r++) {
  panel = cals.map((c) => {
    const t0 = performance.now();
    const { busy } = parseIcsBusy(c.ics, { from: from - 86_400_000, to: to + 86_400_000, timeZone: c.tz });
    parseTimes.push(performance.now() - t0);
    return { id: c.id, timeZone: c.tz, hours: c.hours, busy, maxPerDay: 2, maxPerWeek: 6 };
  });
}
console.log(`parse + expand one calendar:            ${stats(parseTimes)}`);
console.log(`busy intervals in the window:           ${panel.map((m) => m.busy.length).join(' / ')}`);

const single: SlotRequest = {
  panel,
  sessions: [{ durationMin: 60, interviewerIds: panel.map((m) => m.id) }],
  from,
  to,
  bufferMin: 10,
  candidate: { timeZone: 'Europe/Berlin' },
};
const loop: SlotRequest = {
  panel,
  sessions: [
    { durationMin: 45, interviewerIds: ['ana'] },
    { durationMin: 45, interviewerIds: ['ben'] },
    { durationMin: 45, interviewerIds: ['cho', 'dev'] },
  ],
  gapMin: 5,
  from,
  to,
  bufferMin: 10,
  candidate: { timeZone: 'Europe/Berlin' },
};
for (const [name, req] of [
  ['4-person panel, 60 min', single],
  ['3 back-to-back sessions', loop],
] as const) {
  const times: number[] = [];
  let n = 0;
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    n = findSlots(req).length;
    times.push(performance.now() - t0);
  }
  const p50 = [...times].sort((a, b) => a - b)[Math.floor(RUNS / 2)] as number;
  console.log(
    `slot finder, ${name.padEnd(25)} ${stats(times)}; ${n} options; target < 50 ms: ${p50 < 50 ? 'met' : 'MISSED'}`,
  );
}
const cold: number[] = [];
for (let r = 0; r < 10; r++) {
  const t0 = performance.now();
  const fresh = cals.map((c) => ({
    id: c.id,
    timeZone: c.tz,
    hours: c.hours,
    busy: parseIcsBusy(c.ics, { from: from - 86_400_000, to: to + 86_400_000, timeZone: c.tz }).busy,
  }));
  findSlots({ ...single, panel: fresh });
  cold.push(performance.now() - t0);
}
console.log(`cold (parse 4 calendars + find), 60 min: ${stats(cold)}`);
console.log(
  `load average while measuring: ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ')} on ${os.cpus().length} cores`,
);
