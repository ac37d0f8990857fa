import { randomUUID } from 'node:crypto';
import type { EmuOpportunity, EmuPosting, EmuUser } from '../../../backend/lever-emulator/model.ts';
import { type Harness, makeHarness } from './backend-harness.ts';

/**
 * One Lever account seen through every access role, for the route × role table (access-routes.test.ts) and the
 * probes (access-probes.test.ts): the real app and SQLite store, the emulator as Lever, and a Fulcrum recruiter for
 * each Lever role, plus the objects whose visibility differs between them. Everything is picked from the emulator's
 * seed (users of each role, a confidential posting, confidential opportunities, followers, interview panels); nothing
 * is patched into the emulator except a posting description with words the job-description check replaces.
 *
 * Roles (the keys of `tokens`; other tests may add more, see SAME_AS_NO_TOKEN in access-routes.test.ts):
 * - lever-admin: Fulcrum admin and Lever admin.
 * - team-member, limited-team-member, interviewer: Fulcrum recruiters with that Lever accessRole.
 * - no-token: no Authorization header.
 * - unmapped-fulcrum-admin: a Fulcrum admin whose email matches no Lever user (sees no Lever data at all).
 * - lever-admin-recruiter: a Fulcrum recruiter who is Lever's super admin (all data, no Fulcrum settings).
 */
export const BASE_ROLES = [
  'lever-admin',
  'team-member',
  'limited-team-member',
  'interviewer',
  'no-token',
  'unmapped-fulcrum-admin',
  'lever-admin-recruiter',
] as const;
export type BaseRole = (typeof BASE_ROLES)[number];

export const BIASED_DESCRIPTION =
  'We want a rockstar ninja who is aggressive and competitive. You will dominate the market with our wizards.';

export type AccessWorld = {
  h: Harness;
  /** Bearer token per role (null: no header). Mutable: other suites add roles (expired, revoked tokens). */
  tokens: Record<string, string | null>;
  users: {
    superAdmin: EmuUser;
    admin: EmuUser;
    teamMember: EmuUser;
    limited: EmuUser;
    interviewer: EmuUser;
  };
  /**
   * Non-confidential, on `openPosting` (which the limited team member owns or manages; neither the team member nor the
   * interviewer is on it), with an interview by `users.interviewer`. The limited team member is not its owner or
   * follower, and the team member is on nothing here.
   */
  openOpp: string;
  openContact: string;
  openPosting: string;
  /** Confidential itself (on a non-confidential posting); none of the three non-admin roles is on it. */
  confidentialOpp: string;
  confidentialContact: string;
  /** The seed's confidential posting: followed by the limited team member, not the team member or interviewer. */
  confidentialPosting: string;
  /** A stage Lever has. */
  stageId: string;
  /** Calls the app as `role` (a key of tokens). */
  as(role: string, method: string, url: string, body?: unknown): Promise<Response>;
  /** A fresh pending proposal on `opportunityId` (default openOpp) created through the API by the Lever admin. */
  proposal(o?: { opportunityId?: string; kind?: string; payload?: unknown }): Promise<string>;
  /** A re-engagement draft (rd_outreach) on openOpp whose tag proposal the Lever admin created. */
  outreachDraft(): Promise<string>;
  /** What Lever holds that a Fulcrum approval could change: notes, tags, stage, posting descriptions. */
  leverState(): string;
  close(): Promise<void>;
};

const onPosting = (u: EmuUser, p: EmuPosting) =>
  p.owner === u.id || p.hiringManager === u.id || p.followers.includes(u.id);
const onOpp = (u: EmuUser, o: EmuOpportunity) => o.owner === u.id || o.followers.includes(u.id);

export async function makeAccessWorld(): Promise<AccessWorld> {
  // The table sends hundreds of requests a second per token; the per-token rate limit is not what it tests.
  const h = await makeHarness({
    emulator: { seed: 7, opportunities: 150 },
    env: { API_RATE_PER_SECOND: '1000', API_RATE_BURST: '1000' },
  });
  try {
    return await build(h);
  } catch (e) {
    await h.close();
    throw e;
  }
}

async function build(h: Harness): Promise<AccessWorld> {
  const store = h.emulator.context.store;
  const users = [...store.users.values()];
  const byRole = (r: EmuUser['accessRole']) => users.filter((u) => u.accessRole === r && !u.deactivatedAt);
  const superAdmin = byRole('super admin')[0];
  const admin = users.find((u) => u.email === h.adminEmail);
  const limited = byRole('limited team member')[0];
  if (!superAdmin || !admin || !limited)
    throw new Error('the emulator seed lacks a super admin, admin or limited member');
  const postings = [...store.postings.values()];
  const confidentialPosting = postings.find((p) => p.confidentiality === 'confidential');
  if (!confidentialPosting) throw new Error('the emulator seed has no confidential posting');
  const live = store.opportunities.filter((o) => o.deletedAt === undefined);
  const interviewerIds = new Set(byRole('interviewer').map((u) => u.id));
  const interviewersOf = (o: EmuOpportunity) => {
    const r = store.records(o);
    return new Set([...r.interviews.flatMap((i) => i.interviewers.map((x) => x.id)), ...r.feedback.map((f) => f.user)]);
  };

  // The open candidate: on a posting the limited team member owns or manages, interviewed by an interviewer.
  let pick: { posting: EmuPosting; opp: EmuOpportunity; interviewer: EmuUser } | null = null;
  for (const posting of postings) {
    if (posting.confidentiality !== 'non-confidential') continue;
    if (posting.owner !== limited.id && posting.hiringManager !== limited.id) continue;
    for (const opp of live) {
      if (opp.postingId !== posting.id || opp.confidentiality !== 'non-confidential' || onOpp(limited, opp)) continue;
      const iv = [...interviewersOf(opp)].find((id) => interviewerIds.has(id));
      if (iv) {
        pick = { posting, opp, interviewer: store.users.get(iv) as EmuUser };
        break;
      }
    }
    if (pick) break;
  }
  if (!pick) throw new Error('no open candidate with an interviewer on a posting of the limited team member');
  const { posting: openPosting, opp: openOpp, interviewer } = pick;

  // The confidential candidate: confidential itself, on a posting none of the restricted roles is on.
  const confidentialOpp = live.find(
    (o) =>
      o.confidentiality === 'confidential' &&
      o.postingId !== confidentialPosting.id &&
      !onOpp(limited, o) &&
      !onPosting(limited, store.postings.get(o.postingId) as EmuPosting) &&
      !interviewersOf(o).has(interviewer.id),
  );
  if (!confidentialOpp) throw new Error('the emulator seed has no suitable confidential opportunity');
  const confidentialPostingOfOpp = store.postings.get(confidentialOpp.postingId) as EmuPosting;

  const teamMember = byRole('team member').find(
    (u) =>
      !onPosting(u, openPosting) &&
      !onPosting(u, confidentialPosting) &&
      !onPosting(u, confidentialPostingOfOpp) &&
      !onOpp(u, openOpp) &&
      !onOpp(u, confidentialOpp),
  );
  if (!teamMember) throw new Error('no team member who is on none of the chosen objects');

  // A description with words the deterministic rewrite replaces, so a rewrite proposal can be made.
  for (const id of [openPosting.id, confidentialPosting.id]) {
    // Lever derives the plain description from descriptionHtml; both are sent so either emulator shape takes it.
    const content = { description: BIASED_DESCRIPTION, descriptionHtml: `<p>${BIASED_DESCRIPTION}</p>` };
    await h.inspect.updatePosting(id, { content }, { performAs: superAdmin.id });
  }

  const tokenOf = async (email: string, role: 'recruiter' | 'admin', name: string) =>
    (await h.addRecruiter({ email, role, name })).token;
  const tokens: Record<string, string | null> = {
    'lever-admin': h.adminToken,
    'team-member': await tokenOf(teamMember.email, 'recruiter', teamMember.name),
    'limited-team-member': await tokenOf(limited.email, 'recruiter', limited.name),
    interviewer: await tokenOf(interviewer.email, 'recruiter', interviewer.name),
    'no-token': null,
    'unmapped-fulcrum-admin': await tokenOf('no-lever-user@fulcrum.test', 'admin', 'Nobody In Lever'),
    'lever-admin-recruiter': h.recruiterToken,
  };
  const stageId = store.seed.stages[1]?.id;
  if (!stageId) throw new Error('no stages');

  const as: AccessWorld['as'] = (role, method, url, body) => {
    if (!(role in tokens)) throw new Error(`unknown role ${role}`);
    return h.call(method, url, { token: tokens[role] ?? null, ...(body === undefined ? {} : { body }) });
  };

  const proposal: AccessWorld['proposal'] = async (o = {}) => {
    const res = await as('lever-admin', 'POST', '/api/proposals', {
      opportunityId: o.opportunityId ?? openOpp.id,
      kind: o.kind ?? 'tag',
      payload: o.payload ?? { addTags: ['access-table'] },
      reason: 'access test',
    });
    if (res.status !== 201) throw new Error(`proposal: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { id: string }).id;
  };

  const outreachDraft: AccessWorld['outreachDraft'] = async () => {
    const tagProposal = await proposal({
      kind: 'rediscovery',
      payload: { addTags: ['rediscovered: access'], note: { text: 'Re-engagement draft' } },
    });
    const id = randomUUID();
    h.store.sqlite
      .prepare(
        `INSERT INTO rd_outreach (id, contact_id, opportunity_id, posting_id, subject, body, tag_proposal_id, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        openOpp.contact,
        openOpp.id,
        openPosting.id,
        'Hello again',
        'Body',
        tagProposal,
        h.adminEmail,
        Date.now(),
      );
    return id;
  };

  const leverState = () =>
    JSON.stringify(
      [openOpp, confidentialOpp].map((o) => ({
        id: o.id,
        stage: o.stage,
        tags: o.tags,
        notes: store.records(o).notes.map((n) => n.fields.map((f) => f.value)),
      })),
    ) +
    JSON.stringify(
      [openPosting, confidentialPosting, confidentialPostingOfOpp].map((p) => ({ id: p.id, content: p.content })),
    );

  return {
    h,
    tokens,
    users: { superAdmin, admin, teamMember, limited, interviewer },
    openOpp: openOpp.id,
    openContact: openOpp.contact,
    openPosting: openPosting.id,
    confidentialOpp: confidentialOpp.id,
    confidentialContact: confidentialOpp.contact,
    confidentialPosting: confidentialPosting.id,
    stageId,
    as,
    proposal,
    outreachDraft,
    leverState,
    close: () => h.close(),
  };
}
