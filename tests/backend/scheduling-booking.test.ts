import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect } from '../../backend/lever/index.ts';
import { type Harness, makeHarness } from './helpers/backend-harness.ts';
import { waitFor } from './lever-helpers.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** One ICS calendar: a daily 10:00-11:00 meeting (with one cancelled instance) and a tentative lunch, in `tz`. */
function calendar(tz: string, firstDay: string): string {
  const d = firstDay.replace(/-/g, '');
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//t//EN',
    'BEGIN:VEVENT',
    'UID:daily@x',
    `DTSTART;TZID=${tz}:${d}T100000`,
    `DTEND;TZID=${tz}:${d}T110000`,
    'RRULE:FREQ=DAILY;COUNT=30',
    'SUMMARY:Team meeting',
    'END:VEVENT',
    'BEGIN:VEVENT',
    'UID:lunch@x',
    `DTSTART;TZID=${tz}:${d}T120000`,
    `DTEND;TZID=${tz}:${d}T130000`,
    'RRULE:FREQ=DAILY;COUNT=30',
    'STATUS:TENTATIVE',
    'SUMMARY:Lunch?',
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

let h: Harness;
let receiver: http.Server;
const events: Array<{ event: string; data: Record<string, unknown> }> = [];
let opp = '';
let interviewers: Array<{ id: string; name: string; email: string }> = [];
const from = new Date(Date.now() + 2 * DAY);
from.setUTCHours(0, 0, 0, 0);
const to = new Date(from.getTime() + 7 * DAY);

beforeAll(async () => {
  h = await makeHarness();
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const j = JSON.parse(body) as { event: string; data: Record<string, unknown> };
      events.push({ event: j.event, data: j.data });
      res.writeHead(200);
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  for (const event of ['interviewCreated', 'interviewUpdated', 'interviewDeleted'] as const) {
    await h.inspect.createWebhook({ url, event });
  }
  [opp] = (await h.opportunityIds(1)) as [string];
  const users = h.emulator.context.store.seed.users.filter((u) => u.accessRole === 'interviewer' && u.email);
  interviewers = users.slice(0, 2).map((u) => ({ id: u.id, name: u.name, email: u.email }));
  const zones = ['America/New_York', 'Europe/London'];
  for (const [k, u] of interviewers.entries()) {
    const file = path.join(h.dataDir, `cal-${k}.ics`);
    fs.writeFileSync(file, calendar(zones[k] as string, from.toISOString().slice(0, 10)));
    const res = await h.call('PUT', `/api/admin/calendars/${u.id}`, {
      token: h.adminToken,
      body: {
        source: 'ics',
        location: file,
        timeZone: zones[k],
        workStart: '09:00',
        workEnd: '17:00',
        workDays: [1, 2, 3, 4, 5],
        maxPerDay: 3,
      },
    });
    expect(res.status).toBe(200);
  }
}, 60_000);
afterAll(async () => {
  receiver.close();
  await h.close();
});

async function json<T>(res: Response, status: number): Promise<T> {
  const body = await res.text();
  expect(res.status, body).toBe(status);
  return JSON.parse(body) as T;
}

type Options = {
  options: Array<{
    start: string;
    end: string;
    score: number;
    reasons: string[];
    sessions: Array<{ start: string; end: string; interviewerIds: string[] }>;
  }>;
  emailDraft: { body: string } | null;
};
type Proposal = {
  id: string;
  status: string;
  kind: string;
  payload: { schedule?: { bookingId: string; emailDraft: { body: string } } };
};

describe('scheduling end to end: slots → proposal → approve → Lever panel, reschedule, cancel', () => {
  it('walks the whole flow against the emulator and real SQLite', async () => {
    // Admin view never shows the private calendar path.
    const list = await json<{ calendars: Array<{ location: string }> }>(
      await h.call('GET', '/api/admin/calendars', { token: h.adminToken }),
      200,
    );
    expect(list.calendars).toHaveLength(2);
    const forbidden = await h.call('GET', '/api/admin/calendars', { token: h.recruiterToken });
    expect(forbidden.status).toBe(403);

    const slots = await json<Options>(
      await h.call('POST', '/api/scheduling/slots', {
        token: h.recruiterToken,
        body: {
          opportunityId: opp,
          interviewerIds: interviewers.map((i) => i.id),
          durationMin: 45,
          from: from.toISOString(),
          to: to.toISOString(),
          bufferMin: 0,
          candidateTimeZone: 'Asia/Tokyo',
        },
      }),
      200,
    );
    expect(slots.options.length).toBeGreaterThan(1);
    expect(slots.emailDraft?.body).toMatch(/which of these times works best/);
    // New York 09:00-17:00 and London 09:00-17:00 overlap 09:00-12:00 New York (winter) or 10:00-13:00 (summer gap).
    // Busy: 10-11 and tentative 12-13 in each zone. No option may touch them.
    for (const o of slots.options) {
      for (const [tz, ...hours] of [
        ['America/New_York', 10, 12],
        ['Europe/London', 10, 12],
      ] as const) {
        const f = new Intl.DateTimeFormat('en-US', {
          timeZone: tz,
          hour: 'numeric',
          minute: 'numeric',
          hourCycle: 'h23',
        });
        const [sh, sm] = f.format(new Date(o.start)).split(':').map(Number) as [number, number];
        const [eh, em] = f
          .format(new Date(Date.parse(o.end) - 60_000))
          .split(':')
          .map(Number) as [number, number];
        const a = sh * 60 + sm;
        const b = eh * 60 + em;
        expect(a).toBeGreaterThanOrEqual(9 * 60);
        expect(b).toBeLessThan(17 * 60);
        for (const hh of hours) expect(a < (hh + 1) * 60 && b >= hh * 60).toBe(false);
      }
      expect(o.start).toMatch(/\+09:00$/);
    }

    const [first, second] = slots.options as [Options['options'][number], Options['options'][number]];
    const proposal = await json<Proposal>(
      await h.call('POST', '/api/scheduling/proposals', {
        token: h.recruiterToken,
        body: {
          opportunityId: opp,
          option: { sessions: first.sessions },
          candidateTimeZone: 'Asia/Tokyo',
          timezone: 'America/New_York',
        },
      }),
      201,
    );
    expect(proposal.kind).toBe('interview-schedule');
    expect(proposal.status).toBe('pending');
    expect(proposal.payload.schedule?.emailDraft.body).toMatch(/is confirmed for/);
    // Nothing in Lever before approval.
    const before = (await collect(h.inspect.listPanels(opp))).length;

    const approved = await json<Proposal>(
      await h.call('POST', `/api/proposals/${proposal.id}/approve`, { token: h.recruiterToken, body: {} }),
      200,
    );
    expect(approved.status).toBe('written');
    let panels = await collect(h.inspect.listPanels(opp));
    expect(panels.length).toBe(before + 1);
    const panel = panels.find((p) => typeof p.note === 'string' && p.note.includes('fulcrum-booking'))!;
    expect(panel.externallyManaged).toBe(true);
    const ivs = (panel.interviews ?? []) as Array<{
      date?: number;
      duration?: number;
      interviewers?: Array<{ id: string }>;
    }>;
    expect(ivs).toHaveLength(1);
    expect(ivs[0]?.date).toBe(Date.parse(first.start));
    expect(ivs[0]?.duration).toBe(45);
    expect(ivs[0]?.interviewers?.map((i) => i.id).sort()).toEqual(interviewers.map((i) => i.id).sort());

    // Approving again writes nothing more.
    await json<Proposal>(
      await h.call('POST', `/api/proposals/${proposal.id}/approve`, { token: h.recruiterToken, body: {} }),
      200,
    );
    expect((await collect(h.inspect.listPanels(opp))).length).toBe(before + 1);

    const bookings = await json<{ bookings: Array<{ id: string; sequence: number; status: string; panelId: string }> }>(
      await h.call('GET', `/api/scheduling/bookings?opportunityId=${opp}`, { token: h.recruiterToken }),
      200,
    );
    expect(bookings.bookings).toHaveLength(1);
    const booking = bookings.bookings[0]!;
    expect(booking).toMatchObject({ sequence: 0, status: 'booked', panelId: panel.id });
    const ics0 = await (
      await h.call('GET', `/api/scheduling/bookings/${booking.id}/invitation.ics`, { token: h.recruiterToken })
    ).text();
    const ev0 = new ICAL.Component(ICAL.parse(ics0)).getFirstSubcomponent('vevent')!;
    expect(ics0).toMatch(/METHOD:REQUEST/);
    expect(ev0.getFirstPropertyValue('sequence')).toBe(0);
    const uid = ev0.getFirstPropertyValue('uid');
    expect(uid).toBe(`${booking.id}-1@fulcrum`);
    expect(ev0.getAllProperties('attendee').map((p) => String(p.getFirstValue()).toLowerCase())).toEqual(
      expect.arrayContaining(interviewers.map((i) => `mailto:${i.email.toLowerCase()}`)),
    );
    expect(new Date(String(ev0.getFirstPropertyValue('dtstart'))).getTime()).toBe(Date.parse(first.start));

    // The booked interview now counts: a daily cap of 1 would leave no other option that day for these two.
    // Reschedule to the second option.
    const re = await json<Proposal>(
      await h.call('POST', `/api/scheduling/bookings/${booking.id}/reschedule`, {
        token: h.recruiterToken,
        body: { option: { sessions: second.sessions } },
      }),
      201,
    );
    await json<Proposal>(
      await h.call('POST', `/api/proposals/${re.id}/approve`, { token: h.recruiterToken, body: {} }),
      200,
    );
    panels = await collect(h.inspect.listPanels(opp));
    const moved = panels.find((p) => p.id === panel.id)!;
    const movedIvs = (moved.interviews ?? []) as Array<{ date?: number }>;
    expect(movedIvs[0]?.date).toBe(Date.parse(second.start));
    const ics1 = await (
      await h.call('GET', `/api/scheduling/bookings/${booking.id}/invitation.ics`, { token: h.recruiterToken })
    ).text();
    const ev1 = new ICAL.Component(ICAL.parse(ics1)).getFirstSubcomponent('vevent')!;
    expect(ev1.getFirstPropertyValue('uid')).toBe(uid);
    expect(ev1.getFirstPropertyValue('sequence')).toBe(1);

    // Cancel.
    const cancel = await json<Proposal>(
      await h.call('POST', `/api/scheduling/bookings/${booking.id}/cancel`, { token: h.recruiterToken, body: {} }),
      201,
    );
    await json<Proposal>(
      await h.call('POST', `/api/proposals/${cancel.id}/approve`, { token: h.recruiterToken, body: {} }),
      200,
    );
    expect((await collect(h.inspect.listPanels(opp))).some((p) => p.id === panel.id)).toBe(false);
    const ics2 = await (
      await h.call('GET', `/api/scheduling/bookings/${booking.id}/invitation.ics`, { token: h.recruiterToken })
    ).text();
    expect(ics2).toMatch(/METHOD:CANCEL/);
    const ev2 = new ICAL.Component(ICAL.parse(ics2)).getFirstSubcomponent('vevent')!;
    expect(ev2.getFirstPropertyValue('uid')).toBe(uid);
    expect(ev2.getFirstPropertyValue('sequence')).toBe(2);
    expect(ev2.getFirstPropertyValue('status')).toBe('CANCELLED');

    // Lever's interview webhooks fired for each step.
    await waitFor(() => (events.some((e) => e.event === 'interviewDeleted') ? true : undefined), 10_000);
    const forPanel = events.filter((e) => e.data.panelId === panel.id).map((e) => e.event);
    expect(forPanel).toEqual(['interviewCreated', 'interviewUpdated', 'interviewDeleted']);

    // The audit trail has each step.
    const audit = await json<{ entries: Array<{ action: string }> }>(
      await h.call('GET', `/api/audit?opportunityId=${opp}`, { token: h.recruiterToken }),
      200,
    );
    const actions = audit.entries.map((e) => e.action);
    expect(actions.filter((a) => a === 'lever.write').length).toBeGreaterThanOrEqual(3);
  }, 120_000);

  it('refuses a taken time, an unconfigured interviewer, and bad input with clear messages', async () => {
    const busyStart = new Date(from.getTime());
    // 10:00 New York on a weekday in the window is the daily meeting.
    const day = [...Array(7).keys()]
      .map((k) => new Date(from.getTime() + k * DAY))
      .find((d) => d.getUTCDay() >= 1 && d.getUTCDay() <= 5)!;
    const ny10 = new Date(`${day.toISOString().slice(0, 10)}T10:00:00-05:00`);
    const isDst =
      new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hour: 'numeric', hourCycle: 'h23' }).format(
        ny10,
      ) !== '10';
    const start = isDst ? new Date(ny10.getTime() - HOUR) : ny10;
    void busyStart;
    const taken = await h.call('POST', '/api/scheduling/proposals', {
      token: h.recruiterToken,
      body: {
        opportunityId: opp,
        option: {
          sessions: [
            {
              start: start.toISOString(),
              end: new Date(start.getTime() + 30 * 60_000).toISOString(),
              interviewerIds: [interviewers[0]!.id],
            },
          ],
        },
        candidateTimeZone: 'UTC',
        timezone: 'UTC',
      },
    });
    expect(taken.status).toBe(409);
    const other = h.emulator.context.store.seed.users.find((u) => !interviewers.some((i) => i.id === u.id))!;
    const unconfigured = await h.call('POST', '/api/scheduling/slots', {
      token: h.recruiterToken,
      body: {
        opportunityId: opp,
        interviewerIds: [other.id],
        durationMin: 30,
        from: from.toISOString(),
        to: to.toISOString(),
      },
    });
    expect(unconfigured.status).toBe(400);
    expect(await unconfigured.text()).toMatch(/No calendar is configured for/);
    const bad = await h.call('POST', '/api/scheduling/slots', {
      token: h.recruiterToken,
      body: {
        opportunityId: opp,
        interviewerIds: [interviewers[0]!.id],
        durationMin: 30,
        from: '2026-03-01',
        to: to.toISOString(),
      },
    });
    expect(bad.status).toBe(400);
    const unknownOpp = await h.call('POST', '/api/scheduling/slots', {
      token: h.recruiterToken,
      body: {
        opportunityId: 'no-such-opportunity',
        interviewerIds: [interviewers[0]!.id],
        durationMin: 30,
        from: from.toISOString(),
        to: to.toISOString(),
      },
    });
    expect(unknownOpp.status).toBe(404);
  }, 60_000);

  it('an OAuth calendar token is refused with 409 when FULCRUM_SECRET_KEY is not set, and nothing is saved', async () => {
    const id = interviewers[0]!.id;
    const res = await h.call('PUT', `/api/admin/calendars/${id}`, {
      token: h.adminToken,
      body: {
        source: 'google',
        location: 'someone@example.com',
        timeZone: 'UTC',
        workStart: '09:00',
        workEnd: '17:00',
        token: { accessToken: 'ya29.plain-token-never-stored' },
      },
    });
    const body = await res.text();
    expect(res.status, body).toBe(409);
    expect(JSON.parse(body)).toMatchObject({
      error: { code: 'not_configured', message: expect.stringMatching(/FULCRUM_SECRET_KEY is not set/) },
    });
    expect(body).not.toContain('plain-token');
    // The interviewer keeps the ICS calendar they had; no token row exists.
    const list = await json<{ calendars: Array<{ leverUserId: string; source: string }> }>(
      await h.call('GET', '/api/admin/calendars', { token: h.adminToken }),
      200,
    );
    expect(list.calendars.find((c) => c.leverUserId === id)?.source).toBe('ics');
    expect(h.store.sqlite.prepare('SELECT count(*) AS n FROM calendar_tokens').get()).toEqual({ n: 0 });
  });
});
