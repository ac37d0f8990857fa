import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordOptOut } from '../../backend/compliance/opt-out.ts';
import { NOT_IN_POOL } from '../../backend/rediscovery/act.ts';
import { runSync } from '../../backend/rediscovery/sync.ts';
import { type AccessWorld, makeAccessWorld } from './helpers/access-world.ts';

/**
 * A security review's attacks on the access policy (issue 14), each against the real app, SQLite and the Lever
 * emulator (helpers/access-world.ts): an insider with a valid token of a low Lever role (team member, limited team
 * member, interviewer) trying to write past the checks or to learn about candidates they may not see.
 */

let w: AccessWorld;
type Err = { error: { code: string; message: string } };
const json = async <T>(res: Response) => (await res.json()) as T;

beforeAll(async () => {
  w = await makeAccessWorld();
}, 60_000);
afterAll(() => w?.close());

/** A Lever panel write as the generic proposal route would take it: any interviewer, any time, no calendar read. */
function forgedSchedule(interviewerId: string) {
  return {
    action: 'book' as const,
    bookingId: randomUUID(),
    timezone: 'UTC',
    candidate: { name: 'Anyone', email: 'attacker@evil.example', timeZone: 'UTC' },
    sessions: [
      {
        start: '2030-01-07T03:00:00Z',
        end: '2030-01-07T04:00:00Z',
        subject: 'Forged interview',
        interviewers: [{ id: interviewerId, name: 'Forged', email: 'attacker@evil.example' }],
      },
    ],
    emailDraft: { subject: '', body: '' },
  };
}

describe('writes that sneak past the scheduling checks', () => {
  it('POST /api/proposals refuses an interview-schedule proposal (only the scheduling routes build one)', async () => {
    const before = w.leverState();
    const res = await w.as('team-member', 'POST', '/api/proposals', {
      opportunityId: w.openOpp,
      kind: 'interview-schedule',
      payload: { note: { text: 'x' }, schedule: forgedSchedule(w.users.teamMember.id) },
    });
    expect(res.status).toBe(400);
    expect((await json<Err>(res)).error.message).toMatch(/interview/i);
    expect(w.leverState()).toBe(before);
  });

  it('PATCH /api/proposals/:id cannot put a schedule into a proposal', async () => {
    const id = await w.proposal({ kind: 'tag', payload: { addTags: ['attack'] } });
    const res = await w.as('lever-admin', 'PATCH', `/api/proposals/${id}`, {
      payload: { note: { text: 'x' }, schedule: forgedSchedule(w.users.teamMember.id) },
    });
    expect(res.status).toBe(400);
    const row = w.h.store.sqlite.prepare('SELECT payload FROM proposals WHERE id = ?').get(id) as { payload: string };
    expect(row.payload).not.toContain('schedule');
  });

  it('PATCH /api/proposals/:id cannot replace a booking with a plain note (it would leave a proposal that fails)', async () => {
    // Only the scheduling routes make a booking proposal; here one is turned into it in the store directly.
    const id = await w.proposal({ kind: 'tag', payload: { addTags: ['booking'] } });
    w.h.store.sqlite
      .prepare(`UPDATE proposals SET kind = 'interview-schedule', payload = ? WHERE id = ?`)
      .run(JSON.stringify({ note: { text: 'Interview times' }, schedule: forgedSchedule(w.users.teamMember.id) }), id);
    const before = w.h.store.sqlite.prepare('SELECT payload FROM proposals WHERE id = ?').get(id) as {
      payload: string;
    };
    const res = await w.as('lever-admin', 'PATCH', `/api/proposals/${id}`, { payload: { note: { text: 'x' } } });
    expect(res.status).toBe(409);
    expect((await json<Err>(res)).error.message).toMatch(/Schedule view/);
    const after = w.h.store.sqlite.prepare('SELECT payload FROM proposals WHERE id = ?').get(id) as { payload: string };
    expect(after.payload).toBe(before.payload);
  });
});

describe('interviewers cannot propose Lever writes through scheduling', () => {
  it('POST /api/scheduling/proposals for a candidate the interviewer only interviews is a 403', async () => {
    const res = await w.as('interviewer', 'POST', '/api/scheduling/proposals', {
      opportunityId: w.openOpp,
      option: {
        sessions: [{ start: '2030-01-07T10:00:00Z', end: '2030-01-07T11:00:00Z', interviewerIds: ['x'] }],
      },
      candidateTimeZone: 'UTC',
      timezone: 'UTC',
    });
    expect(res.status).toBe(403);
  });

  it('moving or cancelling a booking of a candidate the interviewer interviews is a 403; reading it is not', async () => {
    const id = randomUUID();
    const schedule = { ...forgedSchedule(w.users.interviewer.id), bookingId: id };
    w.h.store.sqlite
      .prepare(
        `INSERT INTO interview_bookings (id, opportunity_id, panel_id, ics_uid, sequence, status, plan, created_by, created_at, updated_at)
         VALUES (?, ?, ?, ?, 0, 'booked', ?, ?, ?, ?)`,
      )
      .run(
        id,
        w.openOpp,
        'panel-attack',
        id,
        JSON.stringify({ schedule, organizer: { name: 'Ada', email: w.h.adminEmail } }),
        w.h.adminEmail,
        Date.now(),
        Date.now(),
      );
    const proposals = () => (w.h.store.sqlite.prepare('SELECT count(*) AS n FROM proposals').get() as { n: number }).n;
    const before = proposals();
    expect((await w.as('interviewer', 'GET', `/api/scheduling/bookings/${id}/invitation.ics`)).status).toBe(200);
    expect((await w.as('interviewer', 'POST', `/api/scheduling/bookings/${id}/cancel`, {})).status).toBe(403);
    const move = await w.as('interviewer', 'POST', `/api/scheduling/bookings/${id}/reschedule`, {
      option: { sessions: [{ start: '2030-01-08T10:00:00Z', end: '2030-01-08T11:00:00Z', interviewerIds: ['x'] }] },
    });
    expect(move.status).toBe(403);
    expect(proposals()).toBe(before);
    // Someone who may act on the candidate still can: the Lever admin's cancellation is proposed.
    expect((await w.as('lever-admin', 'POST', `/api/scheduling/bookings/${id}/cancel`, {})).status).toBe(201);
  });
});

describe('opt-out status of a candidate the caller may not see', () => {
  it('POST /api/rediscovery/act answers a hidden opted-out contact like one missing from the pool, not 409', async () => {
    await recordOptOut(w.h.store.db, {
      opportunityId: w.confidentialOpp,
      contactId: w.confidentialContact,
      source: 'admin',
      by: w.h.adminEmail,
      now: Date.now(),
    });
    const act = (contactId: string) =>
      w.as('team-member', 'POST', '/api/rediscovery/act', { postingId: w.openPosting, contactIds: [contactId] });
    const missing = await act(randomUUID());
    expect(missing.status).toBe(201);
    // Before the pool holds them, and after a sync put them in it (confidential candidates included).
    for (const sync of [false, true]) {
      if (sync) await runSync({ store: w.h.store, lever: w.h.lever, confidentialityAll: true });
      const hidden = await act(w.confidentialContact);
      expect(hidden.status).toBe(201);
      const body = await json<{ outreach: unknown[]; skipped: Array<{ reason: string }> }>(hidden);
      expect(body.outreach).toEqual([]);
      expect(body.skipped.map((s) => s.reason)).toEqual([NOT_IN_POOL]);
    }
    // The Lever admin, who may see them, is told they opted out.
    const admin = await w.as('lever-admin', 'POST', '/api/rediscovery/act', {
      postingId: w.openPosting,
      contactIds: [w.confidentialContact],
    });
    expect(admin.status).toBe(409);
    // An interviewer, who sees no posting, gets the posting's 404 either way.
    const interviewer = await w.as('interviewer', 'POST', '/api/rediscovery/act', {
      postingId: w.openPosting,
      contactIds: [w.confidentialContact],
    });
    expect(interviewer.status).toBe(404);
  });
});

describe('error answers', () => {
  it('a malformed %-escape in an AI route is a 400 naming the field, not a 500', async () => {
    for (const path of ['/api/candidates/%E0%A4%A/match', '/api/candidates/%ZZ/outreach']) {
      const res = await w.as('team-member', 'POST', path, {});
      expect(res.status).toBe(400);
      const body = await json<Err>(res);
      expect(body.error.message).toMatch(/opportunityId/);
      expect(JSON.stringify(body)).not.toMatch(/at \S+\.ts|URIError/);
    }
  });
});
