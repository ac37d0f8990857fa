import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchCalendarText } from '../../backend/scheduling/bounded-fetch.ts';
import { parseIcsBusy } from '../../backend/scheduling/ics-parse.ts';
import { IcsSource } from '../../backend/scheduling/ics-source.ts';
import { AvailabilityError } from '../../backend/scheduling/types.ts';
import { formatIso } from '../../backend/scheduling/tz.ts';

const FIXTURE = path.join(import.meta.dirname, '../fixtures/scheduling/alex.ics');
const NY = 'America/New_York';
const window = { from: Date.parse('2026-03-02T00:00:00Z'), to: Date.parse('2026-03-14T00:00:00Z'), timeZone: NY };

function lines(text: string, q = window) {
  return parseIcsBusy(text, q)
    .busy.sort((a, b) => a.start - b.start)
    .map(
      (b) =>
        `${formatIso(b.start, q.timeZone)} ${formatIso(b.end, q.timeZone)} ${b.status}${b.interview ? ' interview' : ''}`,
    );
}

const cal = (body: string) =>
  `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n${body.trim().replace(/\n/g, '\r\n')}\r\nEND:VCALENDAR\r\n`;

describe('ICS feed → busy intervals', () => {
  it('expands RRULE with EXDATE and RECURRENCE-ID overrides, keeps wall time across the DST change', () => {
    const got = lines(fs.readFileSync(FIXTURE, 'utf8'));
    const standups = got.filter((l) => l.includes('T09:30:00'));
    // Weekdays Mar 2-13 = 10 instances; Mar 4 EXDATE, Mar 5 moved to 14:00, Mar 6 cancelled → 7 left at 09:30.
    expect(standups).toEqual([
      '2026-03-02T09:30:00-05:00 2026-03-02T10:00:00-05:00 busy',
      '2026-03-03T09:30:00-05:00 2026-03-03T10:00:00-05:00 busy',
      '2026-03-09T09:30:00-04:00 2026-03-09T10:00:00-04:00 busy',
      '2026-03-10T09:30:00-04:00 2026-03-10T10:00:00-04:00 busy',
      '2026-03-11T09:30:00-04:00 2026-03-11T10:00:00-04:00 busy',
      '2026-03-12T09:30:00-04:00 2026-03-12T10:00:00-04:00 busy',
      '2026-03-13T09:30:00-04:00 2026-03-13T10:00:00-04:00 busy',
    ]);
    expect(got).toContain('2026-03-05T14:00:00-05:00 2026-03-05T14:30:00-05:00 busy');
  });

  it('reads all-day, floating, IANA TZID, TRANSP, STATUS and marks interviews', () => {
    const got = lines(fs.readFileSync(FIXTURE, 'utf8'));
    expect(got).toContain('2026-03-10T00:00:00-04:00 2026-03-11T00:00:00-04:00 busy'); // all-day, interviewer's zone
    expect(got.some((l) => l.startsWith('2026-03-11T00:00'))).toBe(false); // TRANSP:TRANSPARENT all-day
    expect(got).toContain('2026-03-09T15:00:00-04:00 2026-03-09T16:00:00-04:00 busy'); // floating → interviewer zone
    expect(got).toContain('2026-03-09T08:00:00-04:00 2026-03-09T08:30:00-04:00 busy'); // 12:00 Europe/London
    expect(got).toContain('2026-03-12T13:00:00-04:00 2026-03-12T14:00:00-04:00 tentative');
    expect(got.some((l) => l.startsWith('2026-03-09T14:00'))).toBe(false); // STATUS:CANCELLED (18:00Z)
    expect(got).toContain('2026-03-12T15:00:00-04:00 2026-03-12T16:00:00-04:00 busy interview');
  });

  it('floating times follow the zone asked for', () => {
    const text = cal(`
BEGIN:VEVENT
UID:f1
DTSTART:20260309T150000
DTEND:20260309T160000
END:VEVENT`);
    expect(lines(text, { ...window, timeZone: 'Pacific/Auckland' })).toEqual([
      '2026-03-09T15:00:00+13:00 2026-03-09T16:00:00+13:00 busy',
    ]);
  });

  it('uses a Windows-named VTIMEZONE by its IANA rules, and an unknown TZID falls back with a warning', () => {
    const text = cal(`
BEGIN:VTIMEZONE
TZID:Pacific Standard Time
BEGIN:STANDARD
DTSTART:16010101T020000
TZOFFSETFROM:-0700
TZOFFSETTO:-0800
RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:-0800
TZOFFSETTO:-0700
RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VEVENT
UID:w1
DTSTART;TZID=Pacific Standard Time:20260310T090000
DTEND;TZID=Pacific Standard Time:20260310T100000
END:VEVENT
BEGIN:VEVENT
UID:w2
DTSTART;TZID=Mars/Olympus_Mons:20260311T090000
DTEND;TZID=Mars/Olympus_Mons:20260311T100000
END:VEVENT`);
    const r = parseIcsBusy(text, window);
    const got = r.busy.map((b) => new Date(b.start).toISOString()).sort();
    expect(got).toEqual(['2026-03-10T16:00:00.000Z', '2026-03-11T13:00:00.000Z']);
    expect(r.warnings.join(' ')).toMatch(/Unknown time zone "Mars\/Olympus_Mons"/);
  });

  it('relates overrides by UID only: an override of another series does not cancel this one', () => {
    const text = cal(`
BEGIN:VEVENT
UID:a
DTSTART:20260302T140000Z
DTEND:20260302T150000Z
RRULE:FREQ=DAILY;COUNT=3
END:VEVENT
BEGIN:VEVENT
UID:b
RECURRENCE-ID:20260303T140000Z
STATUS:CANCELLED
DTSTART:20260303T140000Z
DTEND:20260303T150000Z
END:VEVENT`);
    expect(parseIcsBusy(text, window).busy).toHaveLength(3);
  });

  it('an override moved into the window from outside it counts', () => {
    const text = cal(`
BEGIN:VEVENT
UID:m
DTSTART:20260401T140000Z
DTEND:20260401T150000Z
RRULE:FREQ=WEEKLY;COUNT=2
END:VEVENT
BEGIN:VEVENT
UID:m
RECURRENCE-ID:20260408T140000Z
DTSTART:20260305T140000Z
DTEND:20260305T150000Z
END:VEVENT`);
    expect(parseIcsBusy(text, window).busy.map((b) => new Date(b.start).toISOString())).toEqual([
      '2026-03-05T14:00:00.000Z',
    ]);
  });

  it('a recurrence too dense to expand leaves the rest of the window busy, quickly', () => {
    const text = cal(`
BEGIN:VEVENT
UID:dense
DTSTART:20260101T000000Z
DTEND:20260101T000001Z
RRULE:FREQ=SECONDLY
END:VEVENT`);
    const t0 = performance.now();
    const r = parseIcsBusy(text, window);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(r.warnings.join(' ')).toMatch(/too often/);
    const covered = r.busy.filter((b) => b.end === window.to);
    expect(covered.length).toBe(1);
    expect(covered[0]?.start).toBeLessThanOrEqual(window.from);
  });

  it('drops a VTIMEZONE whose rules are not yearly (hostile expansion)', () => {
    const text = cal(`
BEGIN:VTIMEZONE
TZID:Evil
BEGIN:STANDARD
DTSTART:16010101T000000
TZOFFSETFROM:+0000
TZOFFSETTO:+0100
RRULE:FREQ=SECONDLY
END:STANDARD
END:VTIMEZONE
BEGIN:VEVENT
UID:e
DTSTART;TZID=Evil:20260303T090000
DTEND;TZID=Evil:20260303T100000
END:VEVENT`);
    const t0 = performance.now();
    const r = parseIcsBusy(text, window);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(r.warnings.join(' ')).toMatch(/malformed VTIMEZONE/);
    expect(r.busy).toHaveLength(1);
  });

  it('refuses text that is not iCalendar with a clear error', () => {
    expect(() => parseIcsBusy('hello world', window)).toThrow(AvailabilityError);
    expect(() => parseIcsBusy('hello world', window)).toThrow(/not valid iCalendar/);
  });

  it('parses a long hostile line in linear time', () => {
    const junk = `X-JUNK:${';'.repeat(2_000_000)}`;
    const t0 = performance.now();
    parseIcsBusy(
      cal(`BEGIN:VEVENT\nUID:j\n${junk}\nDTSTART:20260303T090000Z\nDTEND:20260303T100000Z\nEND:VEVENT`),
      window,
    );
    expect(performance.now() - t0).toBeLessThan(3000);
  });
});

describe('ICS over HTTP and from a file', () => {
  let server: http.Server;
  let base = '';
  beforeAll(async () => {
    const body = fs.readFileSync(FIXTURE);
    server = http.createServer((req, res) => {
      if (req.url === '/cal.ics') {
        res.writeHead(200, { 'content-type': 'text/calendar' });
        res.end(body);
      } else if (req.url === '/huge.ics') {
        res.writeHead(200, { 'content-type': 'text/calendar' });
        const chunk = Buffer.alloc(64 * 1024, 'A');
        let sent = 0;
        const pump = () => {
          while (sent < 50 && res.write(chunk)) sent++;
          if (sent < 50) res.once('drain', pump);
          else res.end();
        };
        pump();
      } else if (req.url === '/slow.ics') {
        setTimeout(() => res.end('BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n'), 3000);
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it('reads a feed over HTTP the same as from the file', async () => {
    const viaHttp = await new IcsSource(`${base}/cal.ics`).busy(window);
    const viaFile = await new IcsSource(FIXTURE).busy(window);
    expect(viaHttp.busy.length).toBeGreaterThan(10);
    expect(viaHttp.busy).toEqual(viaFile.busy);
  });

  it('caps the size, times out, and names only the host', async () => {
    await expect(fetchCalendarText(`${base}/huge.ics`, { maxBytes: 1024 * 1024, timeoutMs: 5000 })).rejects.toThrow(
      /larger than 1024 KB/,
    );
    await expect(fetchCalendarText(`${base}/slow.ics`, { maxBytes: 1024, timeoutMs: 200 })).rejects.toThrow(
      /did not answer within 200 ms/,
    );
    const err = await fetchCalendarText(`${base}/private-secret-key/basic.ics`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AvailabilityError);
    expect(String((err as Error).message)).toMatch(/HTTP 404/);
    expect(String((err as Error).message)).not.toMatch(/private-secret-key/);
  });

  it('a missing file is a clear error', async () => {
    await expect(new IcsSource('/nonexistent/dir/x.ics').busy(window)).rejects.toThrow(
      /Cannot read the calendar file x.ics/,
    );
  });
});
