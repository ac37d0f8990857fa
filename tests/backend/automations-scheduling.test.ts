import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect } from '../../backend/lever/index.ts';
import { ProposalSchema } from '../../utils/contracts/api.ts';
import { type InboxItem, InboxResponseSchema, PolicyResponseSchema } from '../../utils/contracts/automations.ts';
import { type Stack, startStack, waitFor } from './helpers/automations-stack.ts';

/**
 * Issue 19 through the automations policy, end to end: the emulator's real signed candidateStageChange webhook at a
 * real backend; interviewers' ICS calendars configured by an admin; the policy turns on `scheduleInterviews` for
 * the posting. The proposal holds ranked options that respect every calendar, and Lever gets a panel only after a
 * recruiter approves it.
 */

const ZONE = 'Europe/London';
let s: Stack;
let panelIds: string[] = [];
let phoneStage = '';

/** A daily 10:00-11:00 meeting and a tentative 12:00-13:00 lunch (London), for 60 days from yesterday. */
function calendar(): string {
  const d = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
  const ev = (uid: string, h: string, extra: string[]) => [
    'BEGIN:VEVENT',
    `UID:${uid}`,
    `DTSTART;TZID=${ZONE}:${d}T${h}0000`,
    `DTEND;TZID=${ZONE}:${d}T${String(Number(h) + 1).padStart(2, '0')}0000`,
    'RRULE:FREQ=DAILY;COUNT=60',
    ...extra,
    'END:VEVENT',
  ];
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//t//EN',
    ...ev('standup@x', '10', ['SUMMARY:Team meeting']),
    ...ev('lunch@x', '12', ['STATUS:TENTATIVE', 'SUMMARY:Lunch?']),
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

async function setCalendar(id: string, k: number): Promise<void> {
  const file = path.join(s.dataDir, `cal-${k}.ics`);
  fs.writeFileSync(file, calendar());
  const res = await s.api('PUT', `/api/admin/calendars/${id}`, s.admin.token, {
    source: 'ics',
    location: file,
    timeZone: ZONE,
    workStart: '09:00',
    workEnd: '17:00',
    workDays: [1, 2, 3, 4, 5],
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

async function setPolicy(settings: Record<string, unknown>): Promise<void> {
  const res = await s.api('PUT', '/api/admin/policy', s.admin.token, {
    scope: { level: 'posting', postingId: s.postingId },
    settings,
  });
  expect(res.status, await res.clone().text()).toBe(200);
  PolicyResponseSchema.parse(await res.json());
}

async function inbox(): Promise<InboxItem[]> {
  const res = await s.api('GET', '/api/inbox', s.owner.token);
  expect(res.status).toBe(200);
  return InboxResponseSchema.parse(await res.json()).items;
}

async function idle(): Promise<void> {
  await waitFor(async () => {
    const st = await s.backend.queue.stats();
    return st.running === 0 && (st.oldestDueAt === null || st.queued === 0);
  }, 10_000);
  await new Promise((r) => setTimeout(r, 600));
  await waitFor(async () => (await s.backend.queue.stats()).running === 0, 10_000);
}

/** Minutes after local midnight in London. */
function londonMinutes(iso: string): number {
  const f = new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const [h, m] = f.format(new Date(iso)).split(':').map(Number) as [number, number];
  return h * 60 + m;
}

async function scheduleProposalFor(opp: string): Promise<InboxItem | null> {
  return waitFor(
    async () => (await inbox()).find((i) => i.opportunityId === opp && i.kind === 'interview-schedule') ?? null,
    5_000,
  );
}

beforeAll(async () => {
  s = await startStack();
  const users = s.emulator.context.store.seed.users.filter((u) => u.accessRole === 'interviewer' && u.email);
  panelIds = users.slice(0, 2).map((u) => u.id);
  expect(panelIds).toHaveLength(2);
  for (const [k, id] of panelIds.entries()) await setCalendar(id, k);
  const stages = await s.inspect.listStages();
  phoneStage = stages.find((x) => /phone screen/i.test(x.text))?.id ?? '';
  expect(phoneStage).not.toBe('');
}, 60_000);
afterAll(async () => {
  await s?.close();
});

describe('interview stage → scheduling proposal (automations policy)', () => {
  it('is off by default: an interview stage gets questions, no scheduling proposal', async () => {
    const opp = await s.apply({ strong: false });
    await idle();
    await s.inspect.changeStage(opp, phoneStage);
    await waitFor(async () => (await inbox()).some((i) => i.opportunityId === opp && i.kind === 'interview-questions'));
    await idle();
    expect((await inbox()).filter((i) => i.opportunityId === opp).map((i) => i.kind)).toEqual(['interview-questions']);
  });

  it('with the policy on, proposes ranked times for the configured panel that respect every calendar, and books only on approval', async () => {
    await setPolicy({ scheduleInterviews: true, schedulingPanel: panelIds, schedulingDurationMin: 45 });
    const opp = await s.apply({ strong: false, name: 'Jo Park' });
    await idle();
    await s.inspect.changeStage(opp, phoneStage);
    const item = await scheduleProposalFor(opp);
    expect(item, 'no interview-schedule proposal reached the owner’s inbox').toBeTruthy();
    const schedule = item?.payload.schedule;
    if (!item || !schedule) throw new Error('no schedule');
    expect(item.createdBy).toBe('automation');
    expect(item.reason).toMatch(/Moved to .*Phone screen.*approving books the first/i);
    expect(item.summary).toMatch(/^Book interview: /);
    expect(schedule.action).toBe('book');
    const options = schedule.options ?? [];
    expect(options.length).toBeGreaterThan(1);
    // Ranked best first; what approval books is the first option.
    const scores = options.map((o) => o.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(Date.parse(schedule.sessions[0]?.start ?? '')).toBe(Date.parse(options[0]?.start ?? ''));
    expect(schedule.sessions[0]?.interviewers.map((i) => i.id).sort()).toEqual([...panelIds].sort());
    for (const o of options) {
      expect(o.reasons.length).toBeGreaterThan(0);
      expect(Date.parse(o.end) - Date.parse(o.start)).toBe(45 * 60_000);
      expect(Date.parse(o.start)).toBeGreaterThan(Date.now() + 23 * 3_600_000);
      const a = londonMinutes(o.start);
      const b = a + 45;
      expect(a).toBeGreaterThanOrEqual(9 * 60);
      expect(b).toBeLessThanOrEqual(17 * 60);
      // The meeting (10-11) and the tentative lunch (12-13), with the 10-minute buffer.
      for (const h of [10, 12]) expect(a < (h + 1) * 60 + 10 && b > h * 60 - 10).toBe(false);
      expect(o.sessions[0]?.interviewerIds.sort()).toEqual([...panelIds].sort());
    }
    expect(schedule.emailDraft.body).toMatch(/which of these times works best/);

    // Nothing in Lever, no booking, until a recruiter approves.
    expect(await collect(s.inspect.listPanels(opp))).toHaveLength(0);
    const booked = s.backend.store.sqlite.prepare('SELECT count(*) AS n FROM interview_bookings').get() as {
      n: number;
    };
    expect(booked.n).toBe(0);

    // A second delivery of the same stage refreshes the one proposal instead of adding another.
    await s.deliver('candidateStageChange', { opportunityId: opp, toStageId: phoneStage });
    await idle();
    expect((await inbox()).filter((i) => i.opportunityId === opp && i.kind === 'interview-schedule')).toHaveLength(1);

    const res = await s.api('POST', `/api/proposals/${item.proposalId}/approve`, s.owner.token, {});
    const body = await res.text();
    expect(res.status, body).toBe(200);
    expect(ProposalSchema.parse(JSON.parse(body)).status).toBe('written');
    const panels = await collect(s.inspect.listPanels(opp));
    expect(panels).toHaveLength(1);
    const first = panels[0]?.interviews?.[0];
    const interview = typeof first === 'object' ? first : undefined;
    expect(interview?.date).toBe(Date.parse(options[0]?.start ?? ''));
    expect(interview?.duration).toBe(45);

    // Booked now: re-entering an interview stage proposes no second schedule.
    await s.deliver('candidateStageChange', { opportunityId: opp, toStageId: phoneStage });
    await idle();
    const rows = s.backend.store.sqlite
      .prepare("SELECT status FROM proposals WHERE opportunity_id = ? AND kind = 'interview-schedule'")
      .all(opp);
    expect(rows).toEqual([{ status: 'written' }]);
  });

  it('with no panel named, the posting’s hiring team who have a calendar is the panel', async () => {
    await setPolicy({ scheduleInterviews: true, schedulingPanel: [] });
    // The posting owner gets a calendar; the interviewers above are not on this posting's team.
    await setCalendar(s.owner.leverUserId, 9);
    const opp = await s.apply({ strong: false });
    await idle();
    await s.inspect.changeStage(opp, phoneStage);
    const item = await scheduleProposalFor(opp);
    const ids = item?.payload.schedule?.sessions[0]?.interviewers.map((i) => i.id) ?? [];
    expect(ids).toContain(s.owner.leverUserId);
    for (const id of panelIds) expect(ids).not.toContain(id);
  });

  it('a named panel member without a calendar means no proposal (and no dead job)', async () => {
    const noCalendar = s.emulator.context.store.seed.users.find(
      (u) => u.email && !u.deactivatedAt && !panelIds.includes(u.id) && u.id !== s.owner.leverUserId,
    );
    if (!noCalendar) throw new Error('no spare user');
    await setPolicy({ scheduleInterviews: true, schedulingPanel: [panelIds[0] as string, noCalendar.id] });
    const opp = await s.apply({ strong: false });
    await idle();
    await s.inspect.changeStage(opp, phoneStage);
    await waitFor(async () => (await inbox()).some((i) => i.opportunityId === opp && i.kind === 'interview-questions'));
    await idle();
    expect((await inbox()).some((i) => i.opportunityId === opp && i.kind === 'interview-schedule')).toBe(false);
    const dead = s.backend.store.sqlite.prepare("SELECT type, last_error FROM jobs WHERE status = 'dead'").all();
    expect(dead).toEqual([]);
  });
});
