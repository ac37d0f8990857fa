import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeverAccess } from '../../backend/access/lever-access.ts';
import {
  canActOnOpportunity,
  canManagePosting,
  canSeeOpportunity,
  canSeePosting,
  type LeverRole,
  type OpportunityFacts,
  type PostingFacts,
  parseLeverRole,
  proposalRights,
  type Viewer,
} from '../../backend/access/policy.ts';
import type { Principal } from '../../backend/http/auth.ts';
import type { EmulatorHandle } from '../../backend/lever-emulator/server.ts';
import { clientFor, testEmulator } from './lever-helpers.ts';

/**
 * The access policy on its own (policy.ts: which Lever role sees and does what), and its reader (lever-access.ts)
 * against the Lever emulator: who the caller is in Lever, how long that is trusted, and what a 403 does.
 */

const viewer = (leverRole: LeverRole | null, leverUserId: string | null = 'me'): Viewer => ({
  recruiterId: 'r',
  email: 'me@acme.example',
  fulcrumRole: 'recruiter',
  leverUserId,
  leverRole,
});
const posting = (over: Partial<PostingFacts> = {}): PostingFacts => ({
  id: 'p',
  confidential: false,
  ownerId: 'owner',
  hiringManagerId: 'hm',
  followerIds: [],
  ...over,
});
const opp = (over: Partial<OpportunityFacts> = {}): OpportunityFacts => ({
  id: 'o',
  confidential: false,
  ownerId: 'owner',
  followerIds: [],
  postingId: 'p',
  posting: posting(),
  ...over,
});
const ROLES: LeverRole[] = ['super admin', 'admin', 'team member', 'limited team member', 'interviewer'];

describe('policy.ts', () => {
  it("reads Lever's accessRole in any spelling and denies anything else", () => {
    expect(parseLeverRole('Super Admin')).toBe('super admin');
    expect(parseLeverRole('limited_team_member')).toBe('limited team member');
    expect(parseLeverRole('team-member')).toBe('team member');
    for (const bad of ['owner', '', null, undefined, 3]) expect(parseLeverRole(bad)).toBeNull();
  });

  it('who sees an opportunity, by role and relation', () => {
    const cases: Array<[string, OpportunityFacts, Record<LeverRole, boolean>]> = [
      ['open, not on it', opp(), tableOf(true, true, true, false, false)],
      ['confidential, not on it', opp({ confidential: true }), tableOf(true, true, false, false, false)],
      [
        'confidential, follower',
        opp({ confidential: true, followerIds: ['me'] }),
        tableOf(true, true, true, true, false),
      ],
      ['confidential, owner', opp({ confidential: true, ownerId: 'me' }), tableOf(true, true, true, true, false)],
      [
        'confidential, posting hiring manager',
        opp({ confidential: true, posting: posting({ hiringManagerId: 'me' }) }),
        tableOf(true, true, true, true, false),
      ],
      [
        'open, posting follower',
        opp({ posting: posting({ followerIds: ['me'] }) }),
        tableOf(true, true, true, true, false),
      ],
    ];
    for (const [name, facts, want] of cases) {
      for (const role of ROLES) expect(canSeeOpportunity(viewer(role), facts), `${name} / ${role}`).toBe(want[role]);
      expect(canSeeOpportunity(viewer(null), facts)).toBe(false);
    }
  });

  it('interviewers see only what they interview or were asked feedback for, and never act', () => {
    const v = viewer('interviewer');
    const facts = opp({ ownerId: 'me' });
    expect(canSeeOpportunity(v, facts, null)).toBe(false);
    expect(canSeeOpportunity(v, facts, { interviewerIds: ['me'], feedbackUserIds: [] })).toBe(true);
    expect(canSeeOpportunity(v, facts, { interviewerIds: [], feedbackUserIds: ['me'] })).toBe(true);
    expect(canSeeOpportunity(v, facts, { interviewerIds: ['x'], feedbackUserIds: ['y'] })).toBe(false);
    expect(canActOnOpportunity(v, facts, { interviewerIds: ['me'], feedbackUserIds: [] })).toBe(false);
    expect(canSeePosting(v, posting({ ownerId: 'me' }))).toBe(false);
  });

  it('postings: who sees them, and only owner, hiring manager or admins rewrite them', () => {
    const conf = posting({ confidential: true, followerIds: ['me'] });
    expect(ROLES.map((r) => canSeePosting(viewer(r), posting()))).toEqual([true, true, true, false, false]);
    expect(ROLES.map((r) => canSeePosting(viewer(r), conf))).toEqual([true, true, true, true, false]);
    expect(ROLES.map((r) => canManagePosting(viewer(r), conf))).toEqual([true, true, false, false, false]);
    expect(ROLES.map((r) => canManagePosting(viewer(r), posting({ hiringManagerId: 'me' })))).toEqual([
      true,
      true,
      true,
      true,
      false,
    ]);
    expect(canManagePosting(viewer(null), posting({ ownerId: 'me' }))).toBe(false);
  });

  it('proposal rights: creator, candidate owner or followers edit; whoever may write approves', () => {
    const target = { kind: 'opportunity' as const, facts: opp() };
    const tm = viewer('team member');
    expect(proposalRights(tm, { createdBy: 'someone@acme.example' }, target)).toEqual({
      see: false,
      edit: false,
      approve: false,
      discard: false,
    });
    expect(proposalRights(tm, { createdBy: 'ME@acme.example' }, target)).toEqual({
      see: true,
      edit: true,
      approve: true,
      discard: true,
    });
    const follower = { kind: 'opportunity' as const, facts: opp({ followerIds: ['me'] }) };
    expect(proposalRights(tm, { createdBy: 'someone@acme.example' }, follower).edit).toBe(true);
    const postingTeam = { kind: 'opportunity' as const, facts: opp({ posting: posting({ ownerId: 'me' }) }) };
    expect(proposalRights(tm, { createdBy: 'someone@acme.example' }, postingTeam)).toEqual({
      see: true,
      edit: false,
      approve: true,
      discard: true,
    });
    expect(proposalRights(viewer('admin'), { createdBy: 'someone@acme.example' }, target).edit).toBe(true);
    // A posting rewrite: owner, hiring manager or admin; a follower sees it but may not change it.
    const rewrite = (p: PostingFacts) => ({ kind: 'posting' as const, facts: p });
    expect(proposalRights(tm, { createdBy: 'x' }, rewrite(posting({ followerIds: ['me'] })))).toEqual({
      see: true,
      edit: false,
      approve: false,
      discard: false,
    });
    expect(proposalRights(tm, { createdBy: 'x' }, rewrite(posting({ hiringManagerId: 'me' }))).approve).toBe(true);
  });
});

function tableOf(sa: boolean, a: boolean, tm: boolean, ltm: boolean, int: boolean): Record<LeverRole, boolean> {
  return { 'super admin': sa, admin: a, 'team member': tm, 'limited team member': ltm, interviewer: int };
}

describe('lever-access.ts against the emulator', () => {
  let emu: EmulatorHandle;
  beforeAll(async () => {
    emu = await testEmulator({ opportunities: 30 });
  });
  afterAll(() => emu?.close());

  const setup = () => {
    let t = 1_000_000;
    const lever = clientFor(emu);
    const access = new LeverAccess({ lever, resolveLeverUser: async (p) => p.leverUserId, now: () => t });
    return { access, lever, advance: (ms: number) => (t += ms) };
  };
  const principal = (email: string, leverUserId: string | null): Principal => ({
    id: 'r',
    email,
    name: 'R',
    role: 'recruiter',
    leverUserId,
  });

  it("reads the caller's role from Lever, trusts it for 60 s, and denies a deactivated or re-assigned user", async () => {
    const { access, advance } = setup();
    const user = [...emu.context.store.users.values()].find((u) => u.accessRole === 'team member')!;
    const p = principal(user.email, user.id);
    expect((await access.viewer(p)).leverRole).toBe('team member');
    user.accessRole = 'interviewer';
    expect((await access.viewer(p)).leverRole).toBe('team member'); // cached
    advance(60_001);
    expect((await access.viewer(p)).leverRole).toBe('interviewer');
    user.deactivatedAt = Date.now();
    advance(60_001);
    expect((await access.viewer(p)).leverRole).toBeNull();
    user.deactivatedAt = null;
    user.accessRole = 'team member';
    advance(60_001);
    // The stored Lever id now belongs to someone with another email: nothing.
    expect((await access.viewer(principal('someone.else@acme-demo.example', user.id))).leverRole).toBeNull();
    expect((await access.viewer(principal('nobody@fulcrum.test', null))).leverRole).toBeNull();
    expect(
      (await access.viewer(principal('x@y.example', '00000000-0000-4000-8000-000000000000'))).leverRole,
    ).toBeNull();
  });

  it('caches access facts briefly; forget() (on a 403 from Lever) re-reads them at once', async () => {
    const { access, advance } = setup();
    const store = emu.context.store;
    const user = [...store.users.values()].find((u) => u.accessRole === 'limited team member')!;
    const v = await access.viewer(principal(user.email, user.id));
    const o = store.opportunities.find((x) => {
      const p = store.postings.get(x.postingId);
      return (
        x.owner !== user.id &&
        !x.followers.includes(user.id) &&
        p &&
        p.owner !== user.id &&
        p.hiringManager !== user.id &&
        !p.followers.includes(user.id)
      );
    })!;
    expect((await access.opportunity(v, o.id))?.see).toBe(false);
    o.followers.push(user.id);
    try {
      expect((await access.opportunity(v, o.id))?.see).toBe(false);
      access.forget(v);
      expect((await access.opportunity(v, o.id))?.see).toBe(true);
      o.followers.pop();
      advance(60_001);
      expect((await access.opportunity(v, o.id))?.see).toBe(false);
    } finally {
      if (o.followers.at(-1) === user.id) o.followers.pop();
    }
    // A missing opportunity and a hidden one are one answer to the caller.
    expect(await access.opportunity(v, '00000000-0000-4000-8000-000000000000')).toBeNull();
    await expect(access.requireOpportunity(v, o.id, 'see')).rejects.toMatchObject({ status: 404 });
  });

  it('filters a list with a bounded number of Lever reads', async () => {
    const lever = clientFor(emu);
    const access = new LeverAccess(
      { lever, resolveLeverUser: async (p) => p.leverUserId, now: () => 0 },
      { maxLookups: 5, concurrency: 2 },
    );
    const user = [...emu.context.store.users.values()].find((u) => u.accessRole === 'team member')!;
    const v = await access.viewer(principal(user.email, user.id));
    const ids = emu.context.store.opportunities.slice(0, 20).map((o) => o.id);
    const before = lever.requestCount;
    const visible = await access.visibleOpportunities(v, ids);
    // Five opportunities read (and their postings), the other fifteen left out: default deny, not a slow answer.
    expect(lever.requestCount - before).toBeLessThanOrEqual(5 + emu.context.store.postings.size);
    expect(visible.size).toBeLessThanOrEqual(5);
    expect(visible.size).toBeGreaterThan(0);
  });
});
