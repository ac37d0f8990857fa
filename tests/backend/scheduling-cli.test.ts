import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIcsBusy } from '../../backend/scheduling/ics-parse.ts';

const run = promisify(execFile);
const root = path.join(import.meta.dirname, '../..');
const FIXTURE = path.join(root, 'tests/fixtures/scheduling/alex.ics');

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run('npx', ['tsx', 'backend/cli/index.ts', ...args], { cwd: root, timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

const LONDON_ICS = `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:l1\r\nDTSTART;TZID=Europe/London:20260309T150000\r\nDTEND;TZID=Europe/London:20260309T170000\r\nRRULE:FREQ=DAILY;COUNT=5\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`;

describe('npm run cli -- slots', () => {
  let server: http.Server;
  let url = '';
  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/calendar' });
      res.end(LONDON_ICS);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/london.ics`;
  });
  afterAll(() => server.close());

  it('prints ranked slots as JSON with offsets, free in every calendar (a file and a URL), per-calendar hours and zones', async () => {
    const from = '2026-03-09T00:00:00-04:00';
    const to = '2026-03-12T00:00:00-04:00';
    const r = await cli([
      'slots',
      '--calendar',
      FIXTURE,
      '--calendar',
      url,
      '--hours',
      '09:00-17:00',
      '--hours',
      '10:00-18:00',
      '--tz',
      'America/New_York',
      '--tz',
      'Europe/London',
      '--duration',
      '45',
      '--from',
      from,
      '--to',
      to,
      '--buffer',
      '10',
      '--candidate-tz',
      'Asia/Tokyo',
      '--json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      slots: Array<{ start: string; end: string; score: number; reasons: string[] }>;
    };
    expect(out.slots.length).toBeGreaterThan(0);
    const q = { from: Date.parse(from), to: Date.parse(to), timeZone: 'America/New_York' };
    const busy = [
      ...parseIcsBusy(fs.readFileSync(FIXTURE, 'utf8'), q).busy,
      ...parseIcsBusy(LONDON_ICS, { ...q, timeZone: 'Europe/London' }).busy,
    ];
    for (const s of out.slots) {
      expect(s.start).toMatch(/^2026-03-\d\dT\d\d:\d\d:00\+09:00$/); // candidate's zone
      const a = Date.parse(s.start);
      const b = Date.parse(s.end);
      expect(b - a).toBe(45 * 60_000);
      for (const x of busy) expect(x.start < b + 600_000 && x.end > a - 600_000).toBe(false);
      // London works 10:00-18:00 GMT = 06:00-14:00 New York; New York 09:00-17:00: overlap 09:00-14:00 New York.
      const ny = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hour: 'numeric', hourCycle: 'h23' });
      expect(Number(ny.format(a))).toBeGreaterThanOrEqual(9);
      expect(Number(ny.format(b - 60_000))).toBeLessThan(14);
      expect(s.reasons.length).toBeGreaterThanOrEqual(3);
      expect(typeof s.score).toBe('number');
    }
  }, 60_000);

  it('bad input exits 2 with a clear message and no stack trace', async () => {
    const base = ['slots', '--calendar', FIXTURE, '--duration', '30', '--from', '2026-03-09', '--to', '2026-03-10'];
    const noTz = await cli([...base, '--hours', '09:00-17:00']);
    expect(noTz.code).toBe(2);
    expect(noTz.stderr).toMatch(/--tz is required/);
    const mismatch = await cli([
      ...base,
      '--calendar',
      FIXTURE,
      '--calendar',
      FIXTURE,
      '--hours',
      '09:00-17:00',
      '--tz',
      'UTC',
      '--tz',
      'UTC',
    ]);
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toMatch(/--tz is given 2 times for 3 calendars/);
    const badZone = await cli([...base, '--hours', '09:00-17:00', '--tz', 'Mars/Base']);
    expect(badZone.code).toBe(2);
    expect(badZone.stderr).toMatch(/not an IANA time zone/);
    const missing = await cli([
      'slots',
      '--calendar',
      '/no/such.ics',
      '--hours',
      '09:00-17:00',
      '--tz',
      'UTC',
      '--duration',
      '30',
      '--from',
      '2026-03-09',
      '--to',
      '2026-03-10',
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/Cannot read the calendar file such.ics/);
    for (const r of [noTz, mismatch, badZone, missing]) expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  }, 120_000);
});
