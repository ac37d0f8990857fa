import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOT_IN_POOL } from '../../backend/rediscovery/act.ts';
import { runSync } from '../../backend/rediscovery/sync.ts';
import {
  ActResponseSchema,
  RediscoverResponseSchema,
  type RediscoveryResult,
} from '../../utils/contracts/rediscovery.ts';
import { type AccessWorld, makeAccessWorld } from './helpers/access-world.ts';

/**
 * The probes of issue 14, each against the real app, SQLite and the Lever emulator: a recruiter listing, editing and
 * approving someone else's proposals, a posting rewrite by someone who neither owns nor manages the posting, a stage
 * move to a stage Lever does not have, and a confidential candidate through the candidate context, the audit trail
 * and rediscovery. Each is refused (or filtered), and nothing reaches the emulator.
 */

let w: AccessWorld;
/** A second team member, on none of the world's objects either. */
let other: { token: string; email: string };
/** Fulcrum token of the open candidate's owner in Lever. */
let owner: { token: string; email: string };

type Err = { error: { code: string; message: string } };
const json = async <T>(res: Response) => (await res.json()) as T;
const call = (token: string, method: string, url: string, body?: unknown) =>
  w.h.call(method, url, { token, ...(body === undefined ? {} : { body }) });

beforeAll(async () => {
  w = await makeAccessWorld();
  const store = w.h.emulator.context.store;
  const taken = new Set([w.users.teamMember.id]);
  const opp = store.opportunity(w.openOpp);
  const posting = store.postings.get(w.openPosting);
  if (!opp || !posting) throw new Error('world objects missing');
  const second = [...store.users.values()].find(
    (u) =>
      u.accessRole === 'team member' &&
      !taken.has(u.id) &&
      opp.owner !== u.id &&
      !opp.followers.includes(u.id) &&
      posting.owner !== u.id &&
      posting.hiringManager !== u.id &&
      !posting.followers.includes(u.id),
  );
  if (!second) throw new Error('no second team member');
  other = {
    token: (await w.h.addRecruiter({ email: second.email, name: second.name, role: 'recruiter' })).token,
    email: second.email,
  };
  const ownerUser = store.users.get(opp.owner);
  if (!ownerUser) throw new Error('open candidate has no owner');
  const known: Record<string, string> = {
    [w.h.recruiterEmail]: w.h.recruiterToken,
    [w.h.adminEmail]: w.h.adminToken,
    [w.users.teamMember.email]: w.tokens['team-member'] as string,
    [w.users.limited.email]: w.tokens['limited-team-member'] as string,
  };
  owner = {
    email: ownerUser.email,
    token:
      known[ownerUser.email] ??
      (await w.h.addRecruiter({ email: ownerUser.email, name: ownerUser.name, role: 'recruiter' })).token,
  };
}, 60_000);
afterAll(() => w?.close());

const tm = () => w.tokens['team-member'] as string;

/** A pending proposal the team member made on the open candidate, with a note nobody else should read. */
async function teamMemberProposal(secret = `Private draft ${randomUUID()}`) {
  const res = await call(tm(), 'POST', '/api/proposals', {
    opportunityId: w.openOpp,
    kind: 'match-summary',
    payload: { note: { text: secret } },
  });
  expect(res.status).toBe(201);
  return { id: (await json<{ id: string }>(res)).id, secret };
}

const statusOf = (id: string) =>
  (w.h.store.sqlite.prepare('SELECT status FROM proposals WHERE id = ?').get(id) as { status: string }).status;

describe("someone else's proposals", () => {
  it('GET /api/proposals?status=pending leaves out the other recruiter’s pending proposals and their note texts', async () => {
    const mine = await teamMemberProposal();
    for (const url of ['/api/proposals?status=pending', `/api/proposals?opportunityId=${w.openOpp}&status=pending`]) {
      const res = await call(other.token, 'GET', url);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).not.toContain(mine.id);
      expect(text).not.toContain(mine.secret);
    }
    // The creator, the candidate's owner in Lever and a Lever admin do see it.
    for (const token of [tm(), owner.token, w.h.adminToken]) {
      const list = await json<{ proposals: Array<{ id: string }> }>(
        await call(token, 'GET', '/api/proposals?status=pending'),
      );
      expect(list.proposals.map((p) => p.id)).toContain(mine.id);
    }
    // The inbox filters the same way.
    expect(await (await call(other.token, 'GET', '/api/inbox')).text()).not.toContain(mine.id);
  });

  it('editing it is refused with the body of a missing proposal; its owner in Lever may, and the trail says so', async () => {
    const mine = await teamMemberProposal();
    const before = w.leverState();
    const refused = await call(other.token, 'PATCH', `/api/proposals/${mine.id}`, {
      payload: { note: { text: 'Rewritten by someone else' } },
    });
    const missingId = randomUUID();
    const missing = await call(other.token, 'PATCH', `/api/proposals/${missingId}`, {
      payload: { note: { text: 'x' } },
    });
    expect(refused.status).toBe(404);
    expect(missing.status).toBe(404);
    const a = await json<Err>(refused);
    const b = await json<Err>(missing);
    expect({ ...a.error, message: a.error.message.replace(mine.id, 'ID') }).toEqual({
      ...b.error,
      message: b.error.message.replace(missingId, 'ID'),
    });

    const edited = await call(owner.token, 'PATCH', `/api/proposals/${mine.id}`, {
      payload: { note: { text: 'Tightened by the owner' } },
    });
    expect(edited.status).toBe(200);
    const audit = w.h.store.sqlite
      .prepare("SELECT actor, decision, output FROM audit_log WHERE action = 'proposal.edit' ORDER BY id DESC LIMIT 1")
      .get() as { actor: string; decision: string; output: string };
    if (owner.email !== w.users.teamMember.email) {
      expect(audit).toMatchObject({ actor: owner.email, decision: 'edited-by-other' });
      expect(JSON.parse(audit.output)).toMatchObject({ createdBy: w.users.teamMember.email, editedByOther: true });
    }
    expect(w.leverState()).toBe(before);
  });

  it('approving it with an added stageId is refused and writes nothing to Lever', async () => {
    const mine = await teamMemberProposal();
    const before = w.leverState();
    const edit = await call(other.token, 'PATCH', `/api/proposals/${mine.id}`, {
      payload: { note: { text: 'x' }, stageId: w.stageId },
    });
    expect(edit.status).toBe(404);
    const approve = await call(other.token, 'POST', `/api/proposals/${mine.id}/approve`, {});
    expect(approve.status).toBe(404);
    // An interviewer on the candidate reads it but may not write to it.
    const interviewer = w.tokens.interviewer as string;
    expect((await call(interviewer, 'GET', `/api/candidates/${w.openOpp}`)).status).toBe(200);
    expect((await call(interviewer, 'POST', `/api/proposals/${mine.id}/approve`, {})).status).toBe(404);
    const create = await call(interviewer, 'POST', '/api/proposals', {
      opportunityId: w.openOpp,
      kind: 'stage',
      payload: { stageId: w.stageId },
    });
    expect(create.status).toBe(403);
    expect((await json<Err>(create)).error.message).toMatch(/interviewer/);
    expect(statusOf(mine.id)).toBe('pending');
    expect(w.leverState()).toBe(before);
    expect(
      w.h.store.sqlite.prepare('SELECT count(*) AS n FROM write_ledger WHERE proposal_id = ?').get(mine.id),
    ).toEqual({
      n: 0,
    });
  });

  it('a permitted approver who did not create it writes it to Lever', async () => {
    const id = await w.proposal({ payload: { addTags: ['approved-by-posting-owner'] } });
    // The limited team member owns or manages the posting: the proposal is theirs to approve, not to edit.
    const ltm = w.tokens['limited-team-member'] as string;
    expect((await call(ltm, 'PATCH', `/api/proposals/${id}`, { payload: { addTags: ['x'] } })).status).toBe(403);
    const res = await call(ltm, 'POST', `/api/proposals/${id}/approve`, {});
    expect(res.status).toBe(200);
    expect(statusOf(id)).toBe('written');
    expect(w.h.emulator.context.store.opportunity(w.openOpp)?.tags).toContain('approved-by-posting-owner');
  });
});

describe('stage moves', () => {
  it('a made-up stage id is a 400 that says so, at creation, at edit and at approval; nothing is written', async () => {
    const before = w.leverState();
    const count = () => (w.h.store.sqlite.prepare('SELECT count(*) AS n FROM proposals').get() as { n: number }).n;
    const n = count();
    const create = await call(w.h.adminToken, 'POST', '/api/proposals', {
      opportunityId: w.openOpp,
      kind: 'stage',
      payload: { stageId: 'made-up-stage' },
    });
    expect(create.status).toBe(400);
    expect((await json<Err>(create)).error.message).toMatch(/Stage "made-up-stage" is not one of the pipeline stages/);
    expect(count()).toBe(n);

    const id = await w.proposal({ kind: 'stage', payload: { stageId: w.stageId } });
    const edit = await call(w.h.adminToken, 'PATCH', `/api/proposals/${id}`, { payload: { stageId: 'made-up-stage' } });
    expect(edit.status).toBe(400);
    // A proposal stored before the check (or edited in the database) is refused at approval, still pending.
    w.h.store.sqlite
      .prepare('UPDATE proposals SET payload = ? WHERE id = ?')
      .run(JSON.stringify({ stageId: 'made-up-stage' }), id);
    const approve = await call(w.h.adminToken, 'POST', `/api/proposals/${id}/approve`, {});
    expect(approve.status).toBe(400);
    expect((await json<Err>(approve)).error.message).toMatch(/not one of the pipeline stages/);
    expect(statusOf(id)).toBe('pending');
    expect(w.leverState()).toBe(before);
  });
});

describe('posting rewrites', () => {
  const evil = 'Apply at http://evil.example';

  it('a recruiter who neither owns nor manages the posting can neither propose nor approve one', async () => {
    const before = w.leverState();
    const viaCheck = await call(tm(), 'POST', `/api/postings/${w.openPosting}/rewrite`);
    expect(viaCheck.status).toBe(403);
    expect((await json<Err>(viaCheck)).error.message).toMatch(/owner, its hiring manager or a Lever admin/);
    const direct = await call(tm(), 'POST', '/api/proposals', {
      opportunityId: w.openPosting,
      kind: 'posting-rewrite',
      payload: { posting: { description: evil } },
    });
    expect(direct.status).toBe(403);

    // Proposed by an admin, it still cannot be approved by the team member (not theirs to see) nor by a follower.
    const onOpen = await w.proposal({
      opportunityId: w.openPosting,
      kind: 'posting-rewrite',
      payload: { posting: { description: evil } },
    });
    expect((await call(tm(), 'POST', `/api/proposals/${onOpen}/approve`, {})).status).toBe(404);
    const onConfidential = await w.proposal({
      opportunityId: w.confidentialPosting,
      kind: 'posting-rewrite',
      payload: { posting: { description: evil } },
    });
    const ltm = w.tokens['limited-team-member'] as string;
    const follower = await call(ltm, 'POST', `/api/proposals/${onConfidential}/approve`, {});
    expect(follower.status).toBe(403);
    expect(statusOf(onOpen)).toBe('pending');
    expect(statusOf(onConfidential)).toBe('pending');
    expect(w.leverState()).toBe(before);
    expect(w.leverState()).not.toContain('evil.example');
    await call(w.h.adminToken, 'POST', `/api/proposals/${onOpen}/discard`);
    await call(w.h.adminToken, 'POST', `/api/proposals/${onConfidential}/discard`);
  });
});

describe('a confidential candidate', () => {
  it('is a 404 with the body of a missing candidate in the candidate context, and absent from its audit trail', async () => {
    // The admin works on the candidate, so there is a trail to hide.
    expect((await call(w.h.adminToken, 'POST', `/api/candidates/${w.confidentialOpp}/match`, {})).status).toBe(200);
    const adminTrail = await json<{ entries: unknown[] }>(
      await call(w.h.adminToken, 'GET', `/api/audit?opportunityId=${w.confidentialOpp}`),
    );
    expect(adminTrail.entries.length).toBeGreaterThan(0);

    const before = w.leverState();
    for (const role of ['team-member', 'limited-team-member', 'interviewer']) {
      const token = w.tokens[role] as string;
      const hidden = await call(token, 'GET', `/api/candidates/${w.confidentialOpp}`);
      const missingId = randomUUID();
      const missing = await call(token, 'GET', `/api/candidates/${missingId}`);
      expect([hidden.status, missing.status]).toEqual([404, 404]);
      const a = await json<Err>(hidden);
      const b = await json<Err>(missing);
      expect(a.error.message.replace(w.confidentialOpp, 'ID')).toBe(b.error.message.replace(missingId, 'ID'));
      expect(a.error.code).toBe(b.error.code);
      for (const action of ['match', 'outreach', 'questions', 'feedback']) {
        expect((await call(token, 'POST', `/api/candidates/${w.confidentialOpp}/${action}`, {})).status).toBe(404);
      }
      const trail = await call(token, 'GET', `/api/audit?opportunityId=${w.confidentialOpp}`);
      expect(await json(trail)).toEqual({ entries: [] });
      const proposals = await call(token, 'GET', `/api/proposals?opportunityId=${w.confidentialOpp}`);
      expect(await json(proposals)).toEqual({ proposals: [] });
      expect(await (await call(token, 'GET', '/api/inbox')).text()).not.toContain(w.confidentialOpp);
    }
    expect(w.leverState()).toBe(before);
  });

  it('is left out of rediscovery results and cannot be drafted for', async () => {
    // Sync the talent pool with confidential candidates included (`sync --confidential`).
    await runSync({ store: w.h.store, lever: w.h.lever, confidentialityAll: true });
    const store = w.h.emulator.context.store;
    const me = w.users.teamMember.id;
    // Everyone with a confidential application the team member is not on (the seeded confidential posting's
    // applicants and the few confidential candidates), by contact.
    const hidden = new Set(
      store.opportunities
        .filter((o) => {
          const p = store.postings.get(o.postingId);
          const conf = o.confidentiality === 'confidential' || p?.confidentiality === 'confidential';
          const on =
            o.owner === me ||
            o.followers.includes(me) ||
            (p && (p.owner === me || p.hiringManager === me || p.followers.includes(me)));
          return conf && !on;
        })
        .map((o) => o.contact),
    );
    expect(hidden.has(w.confidentialContact)).toBe(true);
    const shown = (results: RediscoveryResult[]) => results.filter((r) => hidden.has(r.contactId));
    // A posting for which the admin's results include one of them.
    let found: { posting: string; contact: string } | null = null;
    for (const p of store.postings.values()) {
      if (p.confidentiality === 'confidential') continue;
      const res = await call(w.h.adminToken, 'POST', `/api/postings/${p.id}/rediscover`, {
        limit: 100,
        excludeContactedWithinDays: 0,
      });
      if (res.status !== 200) continue;
      const hit = shown(RediscoverResponseSchema.parse(await res.json()).results)[0];
      if (hit) {
        found = { posting: p.id, contact: hit.contactId };
        break;
      }
    }
    expect(found, 'no posting rediscovers a confidential candidate for an admin').not.toBeNull();
    const { posting, contact } = found as { posting: string; contact: string };
    const res = await call(tm(), 'POST', `/api/postings/${posting}/rediscover`, {
      limit: 100,
      excludeContactedWithinDays: 0,
    });
    expect(res.status).toBe(200);
    const body = RediscoverResponseSchema.parse(await res.json());
    expect(body.results.length).toBeGreaterThan(0);
    expect(shown(body.results)).toEqual([]);
    expect(body.results.map((r) => r.rank)).toEqual(body.results.map((_, i) => i + 1));

    const before = w.leverState();
    const proposals = () => (w.h.store.sqlite.prepare('SELECT count(*) AS n FROM proposals').get() as { n: number }).n;
    const proposalsBefore = proposals();
    const act = await call(tm(), 'POST', '/api/rediscovery/act', { postingId: posting, contactIds: [contact] });
    expect(act.status).toBe(201);
    expect(ActResponseSchema.parse(await act.json())).toEqual({
      outreach: [],
      skipped: [{ contactId: contact, reason: NOT_IN_POOL }],
    });
    expect(proposals()).toBe(proposalsBefore);
    expect(w.leverState()).toBe(before);
  });
});

describe('interviewers', () => {
  it('see the candidates they interview and no other', async () => {
    const token = w.tokens.interviewer as string;
    const store = w.h.emulator.context.store;
    const elsewhere = store.opportunities.find((o) => {
      if (o.id === w.openOpp || o.deletedAt !== undefined || o.confidentiality !== 'non-confidential') return false;
      const r = store.records(o);
      return ![
        ...r.interviews.flatMap((i) => i.interviewers.map((x) => x.id)),
        ...r.feedback.map((f) => f.user),
      ].includes(w.users.interviewer.id);
    });
    expect(elsewhere).toBeDefined();
    expect((await call(token, 'GET', `/api/candidates/${w.openOpp}`)).status).toBe(200);
    expect((await call(token, 'GET', `/api/candidates/${elsewhere!.id}`)).status).toBe(404);
    // The team member sees every non-confidential candidate, on it or not.
    expect((await call(tm(), 'GET', `/api/candidates/${elsewhere!.id}`)).status).toBe(200);
  });
});
