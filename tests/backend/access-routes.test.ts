import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertEveryRouteHasRule, routeRules } from '../../backend/access/route-rules.ts';
import { addRecruiter, revokeDemoRecruiters } from '../../backend/auth/recruiters.ts';
import { type AccessWorld, BASE_ROLES, type BaseRole, makeAccessWorld } from './helpers/access-world.ts';

/**
 * Every route × every access role, against the real app, SQLite and the Lever emulator seeded with users of each
 * role, a confidential posting, confidential opportunities, followers and interview panels (helpers/access-world.ts).
 * Each row names the route it exercises by method and Hono path; a route of the app with no row here fails
 * "every route of the app has a row", and a route with no access rule stops the app from being built at all.
 *
 * Statuses per role, in the order of E(): lever admin, team member, limited team member, interviewer, no token,
 * Fulcrum admin with no Lever user, Fulcrum recruiter who is Lever's super admin.
 */

type RouteRequest = { url: string; body?: unknown };
type RouteCase = {
  /** `METHOD /hono/path` of the route, as in app.routes. */
  route: string;
  /** What differs between rows of the same route. */
  variant?: string;
  request: (w: AccessWorld, role: string) => RouteRequest | Promise<RouteRequest>;
  /** Expected status per role; roles left out are not exercised for this row. */
  expect: Partial<Record<BaseRole, number>>;
};

/**
 * Roles whose every request must be answered as one without a token (401). Other suites push theirs here (an expired
 * token, a demo token revoked after switching to a real Lever key) and add the token to `world.tokens`.
 */
const SAME_AS_NO_TOKEN: string[] = [];
// Issue 14 (credentials): a token past its expiry, and the demo recruiter's token once the data directory has been
// started on a real Lever key (revoked), answer every route as no token does.
SAME_AS_NO_TOKEN.push('expired-token', 'revoked-demo-token');

const E = (la: number, tm: number, ltm: number, int: number, none: number, ua: number, lar: number) => ({
  'lever-admin': la,
  'team-member': tm,
  'limited-team-member': ltm,
  interviewer: int,
  'no-token': none,
  'unmapped-fulcrum-admin': ua,
  'lever-admin-recruiter': lar,
});

/** Reads of one candidate the caller may see: everyone with a Lever role here sees the open candidate. */
const SEE_OPEN = E(200, 200, 200, 200, 401, 403, 200);
/** A confidential candidate none of the restricted roles is on: 404, the body of a missing one. */
const SEE_CONFIDENTIAL = E(200, 404, 404, 404, 401, 403, 200);
const FILTERED_LIST = E(200, 200, 200, 200, 401, 200, 200);
const FULCRUM_ADMIN = E(200, 403, 403, 403, 401, 200, 403);
const BOTH_ADMINS = E(200, 403, 403, 403, 401, 403, 403);
const LEVER_USER = E(200, 200, 200, 200, 401, 403, 200);
/** The open posting: the limited team member owns or manages it, the team member may see it, interviewers not. */
const SEE_OPEN_POSTING = E(200, 200, 200, 404, 401, 403, 200);
/** Fresh proposal by the Lever admin on the open candidate: the team member and interviewer are not its audience. */
const PROPOSAL_ACT = E(200, 404, 200, 404, 401, 403, 200);

const window = 'from=2024-01-01&to=2026-12-31';

const ROUTE_TABLE: RouteCase[] = [
  { route: 'GET /healthz', request: () => ({ url: '/healthz' }), expect: E(200, 200, 200, 200, 200, 200, 200) },
  { route: 'GET /readyz', request: () => ({ url: '/readyz' }), expect: E(200, 200, 200, 200, 200, 200, 200) },
  { route: 'GET /api/status', request: () => ({ url: '/api/status' }), expect: E(200, 200, 200, 200, 401, 200, 200) },
  { route: 'GET /metrics', request: () => ({ url: '/metrics' }), expect: FULCRUM_ADMIN },

  // Candidate context and every AI capability.
  {
    route: 'GET /api/candidates/:opportunityId',
    variant: 'open',
    request: (w) => ({ url: `/api/candidates/${w.openOpp}` }),
    expect: SEE_OPEN,
  },
  {
    route: 'GET /api/candidates/:opportunityId',
    variant: 'confidential',
    request: (w) => ({ url: `/api/candidates/${w.confidentialOpp}` }),
    expect: SEE_CONFIDENTIAL,
  },
  {
    route: 'POST /api/candidates/:opportunityId/match',
    variant: 'open',
    request: (w) => ({ url: `/api/candidates/${w.openOpp}/match`, body: {} }),
    expect: SEE_OPEN,
  },
  {
    route: 'POST /api/candidates/:opportunityId/match',
    variant: 'confidential',
    request: (w) => ({ url: `/api/candidates/${w.confidentialOpp}/match`, body: {} }),
    expect: SEE_CONFIDENTIAL,
  },
  {
    route: 'POST /api/candidates/:opportunityId/outreach',
    request: (w) => ({ url: `/api/candidates/${w.openOpp}/outreach`, body: { tone: 'concise' } }),
    expect: SEE_OPEN,
  },
  {
    route: 'POST /api/candidates/:opportunityId/questions',
    request: (w) => ({ url: `/api/candidates/${w.openOpp}/questions`, body: { stage: 'Phone screen' } }),
    expect: SEE_OPEN,
  },
  {
    route: 'POST /api/candidates/:opportunityId/feedback',
    variant: 'confidential',
    request: (w) => ({ url: `/api/candidates/${w.confidentialOpp}/feedback`, body: {} }),
    expect: SEE_CONFIDENTIAL,
  },
  {
    route: 'POST /api/candidates/:opportunityId/feedback',
    variant: 'open',
    request: (w) => ({ url: `/api/candidates/${w.openOpp}/feedback`, body: {} }),
    expect: SEE_OPEN,
  },

  // Proposals: list (filtered), create, edit, approve, discard, mark sent.
  { route: 'GET /api/proposals', request: () => ({ url: '/api/proposals?status=pending' }), expect: FILTERED_LIST },
  {
    route: 'POST /api/proposals',
    variant: 'tag on the open candidate',
    request: (w) => ({
      url: '/api/proposals',
      body: { opportunityId: w.openOpp, kind: 'tag', payload: { addTags: ['table'] } },
    }),
    // Interviewers read, they do not write to Lever.
    expect: E(201, 201, 201, 403, 401, 403, 201),
  },
  {
    route: 'POST /api/proposals',
    variant: 'tag on the confidential candidate',
    request: (w) => ({
      url: '/api/proposals',
      body: { opportunityId: w.confidentialOpp, kind: 'tag', payload: { addTags: ['table'] } },
    }),
    expect: E(201, 404, 404, 404, 401, 403, 201),
  },
  {
    route: 'POST /api/proposals',
    variant: 'posting rewrite',
    request: (w) => ({
      url: '/api/proposals',
      body: { opportunityId: w.openPosting, kind: 'posting-rewrite', payload: { posting: { description: 'New' } } },
    }),
    // Owner, hiring manager or Lever admin: the team member sees the posting but may not rewrite it.
    expect: E(201, 403, 201, 404, 401, 403, 201),
  },
  {
    route: 'PATCH /api/proposals/:id',
    request: async (w) => ({
      url: `/api/proposals/${await w.proposal()}`,
      body: { payload: { addTags: ['edited'] } },
    }),
    // The limited team member is on the posting, not the candidate: may approve, not edit someone else's draft.
    expect: E(200, 404, 403, 404, 401, 403, 200),
  },
  {
    route: 'POST /api/proposals/:id/approve',
    request: async (w) => ({ url: `/api/proposals/${await w.proposal()}/approve`, body: { dryRun: true } }),
    expect: PROPOSAL_ACT,
  },
  {
    route: 'POST /api/proposals/:id/discard',
    request: async (w) => ({ url: `/api/proposals/${await w.proposal()}/discard` }),
    expect: PROPOSAL_ACT,
  },
  {
    route: 'POST /api/proposals/:id/mark-sent',
    request: async (w) => ({
      url: `/api/proposals/${await w.proposal({ kind: 'outreach', payload: { note: { text: 'Hi' } } })}/mark-sent`,
      body: {},
    }),
    // Past the access rule, an outreach that is not approved yet is a 409.
    expect: E(409, 404, 409, 404, 401, 403, 409),
  },
  { route: 'GET /api/inbox', request: () => ({ url: '/api/inbox' }), expect: FILTERED_LIST },
  {
    route: 'GET /api/audit',
    variant: 'open',
    request: (w) => ({ url: `/api/audit?opportunityId=${w.openOpp}` }),
    expect: FILTERED_LIST,
  },
  {
    route: 'GET /api/audit',
    variant: 'confidential',
    request: (w) => ({ url: `/api/audit?opportunityId=${w.confidentialOpp}` }),
    expect: FILTERED_LIST,
  },

  // Fulcrum settings: Fulcrum admins, whatever their Lever role.
  { route: 'GET /api/admin/policy', request: () => ({ url: '/api/admin/policy' }), expect: FULCRUM_ADMIN },
  {
    route: 'PUT /api/admin/policy',
    request: () => ({ url: '/api/admin/policy', body: { scope: { level: 'global' }, settings: {} } }),
    expect: FULCRUM_ADMIN,
  },
  { route: 'GET /api/admin/webhooks', request: () => ({ url: '/api/admin/webhooks' }), expect: FULCRUM_ADMIN },
  { route: 'GET /api/admin/governance', request: () => ({ url: '/api/admin/governance' }), expect: FULCRUM_ADMIN },
  {
    route: 'PUT /api/admin/governance',
    request: async (w) => {
      const current = await (await w.as('lever-admin', 'GET', '/api/admin/governance')).json();
      return { url: '/api/admin/governance', body: (current as { governance: unknown }).governance };
    },
    expect: FULCRUM_ADMIN,
  },
  // Reports across every candidate: Fulcrum admin and Lever admin.
  {
    route: 'GET /api/admin/audit/export',
    request: () => ({ url: '/api/admin/audit/export?format=jsonl' }),
    expect: BOTH_ADMINS,
  },
  { route: 'GET /api/admin/funnel', request: () => ({ url: `/api/admin/funnel?${window}` }), expect: BOTH_ADMINS },
  {
    route: 'GET /api/admin/funnel.csv',
    request: () => ({ url: `/api/admin/funnel.csv?${window}` }),
    expect: BOTH_ADMINS,
  },
  {
    route: 'POST /api/admin/bias-test',
    request: (w) => ({ url: '/api/admin/bias-test', body: { postingId: w.openPosting, resumes: 2 } }),
    expect: BOTH_ADMINS,
  },

  // Postings.
  {
    route: 'GET /api/postings/:postingId/jd-check',
    variant: 'open posting',
    request: (w) => ({ url: `/api/postings/${w.openPosting}/jd-check` }),
    expect: SEE_OPEN_POSTING,
  },
  {
    route: 'GET /api/postings/:postingId/jd-check',
    variant: 'confidential posting',
    request: (w) => ({ url: `/api/postings/${w.confidentialPosting}/jd-check` }),
    // The limited team member follows it; the team member is not on it.
    expect: E(200, 404, 200, 404, 401, 403, 200),
  },
  {
    route: 'POST /api/postings/:postingId/rewrite',
    variant: 'open posting',
    request: (w) => ({ url: `/api/postings/${w.openPosting}/rewrite` }),
    expect: E(201, 403, 201, 404, 401, 403, 201),
  },
  {
    route: 'POST /api/postings/:postingId/rewrite',
    variant: 'confidential posting',
    request: (w) => ({ url: `/api/postings/${w.confidentialPosting}/rewrite` }),
    // A follower sees it but is neither owner nor hiring manager.
    expect: E(201, 404, 403, 404, 401, 403, 201),
  },

  // Rediscovery.
  { route: 'GET /api/rediscovery/sync', request: () => ({ url: '/api/rediscovery/sync' }), expect: LEVER_USER },
  {
    route: 'POST /api/rediscovery/sync',
    request: () => ({ url: '/api/rediscovery/sync', body: {} }),
    expect: E(202, 403, 403, 403, 401, 202, 403),
  },
  {
    route: 'POST /api/postings/:postingId/rediscover',
    variant: 'open posting',
    request: (w) => ({ url: `/api/postings/${w.openPosting}/rediscover`, body: { limit: 5 } }),
    expect: SEE_OPEN_POSTING,
  },
  {
    route: 'POST /api/postings/:postingId/rediscover',
    variant: 'confidential posting',
    request: (w) => ({ url: `/api/postings/${w.confidentialPosting}/rediscover`, body: { limit: 5 } }),
    expect: E(200, 404, 200, 404, 401, 403, 200),
  },
  {
    route: 'POST /api/rediscovery/act',
    request: (w) => ({
      url: '/api/rediscovery/act',
      body: { postingId: w.openPosting, contactIds: [w.openContact] },
    }),
    expect: E(201, 201, 201, 404, 401, 403, 201),
  },
  { route: 'GET /api/rediscovery/stages', request: () => ({ url: '/api/rediscovery/stages' }), expect: LEVER_USER },
  {
    route: 'GET /api/rediscovery/outreach',
    request: (w) => ({ url: `/api/rediscovery/outreach?postingId=${w.openPosting}` }),
    expect: SEE_OPEN_POSTING,
  },
  {
    route: 'POST /api/rediscovery/outreach/:id/sent',
    request: async (w) => ({
      url: `/api/rediscovery/outreach/${await w.outreachDraft()}/sent`,
      body: { stageId: w.stageId },
    }),
    expect: PROPOSAL_ACT,
  },

  // Offer letters (issue 20): reads follow the opportunity; the letter routes follow the letter's opportunity (the open
  // candidate, given an offer in Lever by offerLetter below, drafted once by the Lever admin). Rules that do not need
  // the body run before it is validated, so an invalid body still gets every role's refusal.
  { route: 'GET /api/offers/templates', request: () => ({ url: '/api/offers/templates' }), expect: LEVER_USER },
  { route: 'GET /api/offers/chains', request: () => ({ url: '/api/offers/chains' }), expect: LEVER_USER },
  { route: 'GET /api/offers/holidays', request: () => ({ url: '/api/offers/holidays' }), expect: LEVER_USER },
  {
    route: 'PUT /api/offers/holidays',
    request: () => ({ url: '/api/offers/holidays', body: { holidays: [{ date: '2031-01-01', label: 'New Year' }] } }),
    expect: FULCRUM_ADMIN,
  },
  {
    route: 'PUT /api/offers/holidays',
    variant: 'invalid body',
    request: () => ({ url: '/api/offers/holidays', body: {} }),
    expect: E(400, 403, 403, 403, 401, 400, 403),
  },
  {
    route: 'GET /api/offers',
    variant: 'open',
    request: (w) => ({ url: `/api/offers?opportunityId=${w.openOpp}` }),
    expect: SEE_OPEN,
  },
  {
    route: 'GET /api/offers',
    variant: 'confidential',
    request: (w) => ({ url: `/api/offers?opportunityId=${w.confidentialOpp}` }),
    expect: SEE_CONFIDENTIAL,
  },
  {
    route: 'POST /api/offers/templates',
    request: (_w, role) => ({
      url: '/api/offers/templates',
      body: { name: `Access table (${role})`, source: 'Dear {{candidate_name}}, welcome as {{job_title}}.' },
    }),
    expect: E(201, 403, 403, 403, 401, 201, 403),
  },
  {
    route: 'POST /api/offers/templates',
    variant: 'invalid body',
    request: () => ({ url: '/api/offers/templates', body: {} }),
    expect: E(400, 403, 403, 403, 401, 400, 403),
  },
  {
    route: 'PUT /api/offers/chains/:team',
    request: () => ({
      url: '/api/offers/chains/Access%20table',
      body: { steps: [{ name: 'Recruiter', approvers: ['owner'] }] },
    }),
    expect: E(200, 403, 403, 403, 401, 200, 403),
  },
  {
    route: 'PUT /api/offers/chains/:team',
    variant: 'invalid body',
    request: () => ({ url: '/api/offers/chains/Access%20table', body: {} }),
    expect: E(400, 403, 403, 403, 401, 400, 403),
  },
  {
    route: 'POST /api/offers/draft',
    variant: 'open candidate with an offer',
    request: async (w) => {
      await offerLetter(w);
      return { url: '/api/offers/draft', body: { opportunityId: w.openOpp } };
    },
    // Interviewers read, they do not draft.
    expect: E(201, 201, 201, 403, 401, 403, 201),
  },
  {
    route: 'POST /api/offers/draft',
    variant: 'confidential candidate without an offer',
    request: (w) => ({ url: '/api/offers/draft', body: { opportunityId: w.confidentialOpp } }),
    // Past the rule, Lever has no offer to draft from: 409.
    expect: E(409, 404, 404, 404, 401, 403, 409),
  },
  {
    route: 'POST /api/offers/:letterId/versions',
    request: async (w) => ({
      url: `/api/offers/${(await offerLetter(w)).letterId}/versions`,
      body: { text: 'Dear candidate, an edited letter.' },
    }),
    // A letter the caller may not act on answers like a missing one.
    expect: E(200, 200, 200, 404, 401, 403, 200),
  },
  {
    route: 'POST /api/offers/:letterId/versions',
    variant: 'invalid body',
    request: async (w) => ({ url: `/api/offers/${(await offerLetter(w)).letterId}/versions`, body: {} }),
    expect: E(400, 400, 400, 404, 401, 403, 400),
  },
  {
    route: 'POST /api/offers/:letterId/approve',
    request: async (w) => {
      const { letterId } = await offerLetter(w);
      return { url: `/api/offers/${letterId}/approve`, body: { version: await currentVersion(w) } };
    },
    // Past the rule, the weekend start date blocks approval: 409.
    expect: E(409, 409, 409, 404, 401, 403, 409),
  },
  {
    route: 'POST /api/offers/:letterId/approve',
    variant: 'invalid body',
    request: async (w) => ({ url: `/api/offers/${(await offerLetter(w)).letterId}/approve`, body: {} }),
    expect: E(400, 400, 400, 404, 401, 403, 400),
  },
  {
    route: 'POST /api/offers/:letterId/overrides',
    request: async (w) => ({
      url: `/api/offers/${(await offerLetter(w)).letterId}/overrides`,
      body: { check: 'start_date', reason: 'The candidate asked to start on that Saturday.' },
    }),
    // A Fulcrum admin who may see the letter's candidate.
    expect: E(200, 403, 403, 403, 401, 403, 403),
  },
  {
    route: 'POST /api/offers/:letterId/overrides',
    variant: 'invalid body',
    request: async (w) => ({ url: `/api/offers/${(await offerLetter(w)).letterId}/overrides`, body: {} }),
    expect: E(400, 403, 403, 403, 401, 403, 403),
  },

  // Compliance kit (issue 21).
  {
    route: 'GET /api/postings/:postingId/notice',
    request: (w) => ({ url: `/api/postings/${w.openPosting}/notice` }),
    expect: SEE_OPEN_POSTING,
  },
  {
    route: 'GET /api/candidates/:opportunityId/opt-out',
    request: (w) => ({ url: `/api/candidates/${w.confidentialOpp}/opt-out` }),
    expect: SEE_CONFIDENTIAL,
  },
  {
    route: 'GET /api/candidates/:opportunityId/explanation',
    request: async (w) => {
      // There is something to explain once a match was recorded.
      await w.as('lever-admin', 'POST', `/api/candidates/${w.confidentialOpp}/match`, {});
      return { url: `/api/candidates/${w.confidentialOpp}/explanation` };
    },
    expect: SEE_CONFIDENTIAL,
  },
  {
    route: 'GET /api/admin/compliance/settings',
    request: () => ({ url: '/api/admin/compliance/settings' }),
    expect: FULCRUM_ADMIN,
  },
  {
    route: 'PUT /api/admin/compliance/settings',
    request: async (w) => {
      const current = await (await w.as('lever-admin', 'GET', '/api/admin/compliance/settings')).json();
      return { url: '/api/admin/compliance/settings', body: (current as { settings: unknown }).settings };
    },
    expect: FULCRUM_ADMIN,
  },
  {
    route: 'GET /api/admin/compliance/audit-pack',
    request: () => ({ url: `/api/admin/compliance/audit-pack?${window}` }),
    expect: BOTH_ADMINS,
  },
  {
    route: 'GET /api/admin/compliance/notice-templates',
    request: () => ({ url: '/api/admin/compliance/notice-templates' }),
    expect: FULCRUM_ADMIN,
  },
  {
    route: 'PUT /api/admin/compliance/notice-templates/:jurisdiction',
    request: () => ({ url: '/api/admin/compliance/notice-templates/generic', body: { reset: true } }),
    expect: FULCRUM_ADMIN,
  },
  // Interview scheduling (issue 19). No interviewer has a calendar here, so a caller who may see the candidate gets
  // the 400 that says so; one who may not gets the 404 of a missing candidate first.
  {
    route: 'GET /api/scheduling/interviewers',
    request: () => ({ url: '/api/scheduling/interviewers' }),
    expect: LEVER_USER,
  },
  {
    route: 'POST /api/scheduling/slots',
    request: (w) => ({
      url: '/api/scheduling/slots',
      body: {
        opportunityId: w.confidentialOpp,
        interviewerIds: ['no-such-user'],
        durationMin: 30,
        from: '2030-01-07T00:00:00Z',
        to: '2030-01-08T00:00:00Z',
      },
    }),
    expect: E(400, 404, 404, 404, 401, 403, 400),
  },
  {
    route: 'POST /api/scheduling/proposals',
    request: (w) => ({
      url: '/api/scheduling/proposals',
      body: {
        opportunityId: w.confidentialOpp,
        option: { sessions: [{ start: '2030-01-07T10:00:00Z', end: '2030-01-07T11:00:00Z', interviewerIds: ['x'] }] },
        candidateTimeZone: 'UTC',
        timezone: 'UTC',
      },
    }),
    expect: E(400, 404, 404, 404, 401, 403, 400),
  },
  {
    route: 'GET /api/scheduling/bookings',
    request: (w) => ({ url: `/api/scheduling/bookings?opportunityId=${w.confidentialOpp}` }),
    expect: SEE_CONFIDENTIAL,
  },
  {
    route: 'GET /api/scheduling/bookings/:id/invitation.ics',
    request: () => ({ url: '/api/scheduling/bookings/00000000-0000-4000-8000-000000000000/invitation.ics' }),
    expect: E(404, 404, 404, 404, 401, 403, 404),
  },
  {
    route: 'POST /api/scheduling/bookings/:id/reschedule',
    request: () => ({
      url: '/api/scheduling/bookings/00000000-0000-4000-8000-000000000000/reschedule',
      body: {
        option: { sessions: [{ start: '2030-01-07T10:00:00Z', end: '2030-01-07T11:00:00Z', interviewerIds: ['x'] }] },
      },
    }),
    expect: E(404, 404, 404, 404, 401, 403, 404),
  },
  {
    route: 'POST /api/scheduling/bookings/:id/cancel',
    request: () => ({ url: '/api/scheduling/bookings/00000000-0000-4000-8000-000000000000/cancel', body: {} }),
    expect: E(404, 404, 404, 404, 401, 403, 404),
  },
  { route: 'GET /api/admin/calendars', request: () => ({ url: '/api/admin/calendars' }), expect: FULCRUM_ADMIN },
  {
    route: 'PUT /api/admin/calendars/:leverUserId',
    request: () => ({
      url: '/api/admin/calendars/access-test-user',
      body: { source: 'ics', location: '/nonexistent/x.ics', timeZone: 'UTC', workStart: '09:00', workEnd: '17:00' },
    }),
    expect: FULCRUM_ADMIN,
  },
  {
    route: 'DELETE /api/admin/calendars/:leverUserId',
    request: () => ({ url: '/api/admin/calendars/never-configured-user' }),
    expect: E(404, 403, 403, 403, 401, 404, 403),
  },
  // Compliance kit: the proxy check on criteria (issue 21).
  {
    route: 'POST /api/compliance/criteria-check',
    request: () => ({ url: '/api/compliance/criteria-check', body: { criteria: ['Native English speaker'] } }),
    // Text the caller sends, checked without reading Lever: any signed-in recruiter.
    expect: E(200, 200, 200, 200, 401, 200, 200),
  },
  {
    route: 'GET /api/postings/:postingId/criteria-check',
    variant: 'confidential posting',
    request: (w) => ({ url: `/api/postings/${w.confidentialPosting}/criteria-check` }),
    expect: E(200, 404, 200, 404, 401, 403, 200),
  },
  {
    route: 'PUT /api/admin/compliance/postings/:postingId/criteria',
    request: (w) => ({
      url: `/api/admin/compliance/postings/${w.confidentialPosting}/criteria`,
      body: { text: 'Native English speaker', confirmed: false },
    }),
    // A Fulcrum admin who may see the posting: the one without a Lever user may not.
    expect: E(200, 403, 403, 403, 401, 403, 403),
  },
  // Connecting Fulcrum to Lever with OAuth: Fulcrum admins (here, on the emulator, it says how Fulcrum reaches Lever).
  {
    route: 'GET /api/admin/lever/connection',
    request: () => ({ url: '/api/admin/lever/connection' }),
    expect: FULCRUM_ADMIN,
  },
  {
    route: 'POST /api/admin/lever/connect',
    request: () => ({ url: '/api/admin/lever/connect' }),
    // Past the rule, an install without OAuth settings is a 409 that says what to set.
    expect: E(409, 403, 403, 403, 401, 409, 403),
  },
  {
    route: 'GET /oauth/lever/callback',
    request: () => ({ url: '/oauth/lever/callback?state=unknown&code=x' }),
    // Lever's redirect carries no Fulcrum token: authorised (or not) by its single-use state alone.
    expect: { 'no-token': 409, 'lever-admin': 409 },
  },
  // Compliance kit: retention by law (issue 21).
  {
    route: 'GET /api/admin/compliance/retention',
    request: () => ({ url: '/api/admin/compliance/retention' }),
    expect: FULCRUM_ADMIN,
  },
  {
    route: 'POST /api/admin/compliance/erasure-requests',
    request: (w) => ({ url: '/api/admin/compliance/erasure-requests', body: { opportunityId: w.confidentialOpp } }),
    // A Fulcrum admin who may see the candidate in Lever: the one without a Lever user may not.
    expect: E(201, 403, 403, 403, 401, 403, 403),
  },
  // Last: an opt-out makes the AI routes on that candidate answer 409, so no row above may run after it.
  {
    route: 'PUT /api/candidates/:opportunityId/opt-out',
    request: (w) => ({ url: `/api/candidates/${w.confidentialOpp}/opt-out`, body: { optedOut: true } }),
    expect: E(200, 404, 404, 404, 401, 403, 200),
  },
];

const methodOf = (route: string) => route.split(' ')[0] as string;

/**
 * The open candidate's offer letter, drafted once by the Lever admin. Lever's API cannot create offers, so the open
 * candidate is given one in the emulator (the only patch besides the posting descriptions), starting on a Saturday so
 * that a check fails: approval is blocked and an admin has something to override.
 */
let letter: Promise<{ letterId: string }> | null = null;
function offerLetter(w: AccessWorld): Promise<{ letterId: string }> {
  letter ??= (async () => {
    const store = w.h.emulator.context.store;
    const opp = store.opportunities.find((o) => o.id === w.openOpp);
    if (!opp) throw new Error('no open opportunity');
    const saturday = Date.UTC(2031, 0, 4, 12);
    store.mutableRecords(opp).offers.push({
      id: '6f1d3c2a-0000-4000-8000-0000000000a1',
      opportunityId: opp.id,
      createdAt: Date.now(),
      creator: w.users.admin.id,
      status: 'approved',
      approvedAt: Date.now(),
      sentAt: null,
      fields: [
        { text: 'Salary', identifier: 'salary_amount', value: 90000 },
        { text: 'Currency', identifier: 'compensation_currency', value: 'USD' },
        { text: 'Salary interval', identifier: 'salary_interval', value: 'per-year-salary' },
        { text: 'Anticipated start date', identifier: 'anticipated_start_date', value: saturday },
      ],
    });
    const res = await w.as('lever-admin', 'POST', '/api/offers/draft', { opportunityId: opp.id });
    if (res.status !== 201) throw new Error(`offer draft: ${res.status} ${await res.text()}`);
    return { letterId: ((await res.json()) as { letterId: string }).letterId };
  })();
  return letter;
}
async function currentVersion(w: AccessWorld): Promise<number> {
  const res = await w.as('lever-admin', 'GET', `/api/offers?opportunityId=${w.openOpp}`);
  return ((await res.json()) as { letter: { version: number } }).letter.version;
}

let w: AccessWorld;
beforeAll(async () => {
  w = await makeAccessWorld();
  const issued91DaysAgo = Date.now() - 91 * 24 * 60 * 60 * 1000;
  w.tokens['expired-token'] = (
    await addRecruiter(w.h.store, { email: 'expired-admin@fulcrum.test', role: 'admin' }, issued91DaysAgo)
  ).token;
  w.tokens['revoked-demo-token'] = (
    await addRecruiter(w.h.store, { email: 'demo@fulcrum.test', role: 'admin', demo: true })
  ).token;
  await revokeDemoRecruiters(w.h.store);
}, 60_000);
afterAll(() => w?.close());

describe('the route table', () => {
  it('every route of the app has a row (and every row names a route of the app)', () => {
    const routes = routeRules(w.h.app).map((r) => `${r.method} ${r.path}`);
    const rows = new Set(ROUTE_TABLE.map((r) => r.route));
    expect(routes.filter((r) => !rows.has(r))).toEqual([]);
    expect([...rows].filter((r) => !routes.includes(r))).toEqual([]);
  });

  it('every route of the app declares exactly one access rule', () => {
    const bad = routeRules(w.h.app).filter((r) => r.rules.length !== 1);
    expect(bad.map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });

  it('a route without an access rule stops the app from being built', () => {
    const app = new Hono();
    app.get('/api/new-thing', (c) => c.json({ everyone: 'sees this' }));
    expect(() => assertEveryRouteHasRule(app)).toThrow(/GET \/api\/new-thing/);
  });
});

describe('every route × role', () => {
  for (const row of ROUTE_TABLE) {
    const roles = [
      ...BASE_ROLES.filter((r) => row.expect[r] !== undefined),
      ...(row.expect['no-token'] !== undefined ? SAME_AS_NO_TOKEN : []),
    ];
    it(`${row.route}${row.variant ? ` (${row.variant})` : ''}`, async () => {
      const got: Record<string, number> = {};
      const want: Record<string, number> = {};
      for (const role of roles) {
        const { url, body } = await row.request(w, role);
        const res = await w.as(role, methodOf(row.route), url, body);
        got[role] = res.status;
        want[role] = (row.expect as Record<string, number>)[role] ?? (row.expect['no-token'] as number);
        // A refusal is the {error} body (a page, for a browser redirect such as Lever's OAuth callback), never a
        // stack trace.
        if (res.status >= 400) {
          const text = await res.text();
          expect(text, `${role}: ${url}`).not.toMatch(/at .*\.ts:\d+/);
          if ((res.headers.get('content-type') ?? '').includes('json')) {
            const err = (JSON.parse(text) as { error?: { message?: string } }).error;
            expect(err?.message, `${role}: ${url}`).toBeTruthy();
          }
        }
      }
      expect(got).toEqual(want);
    });
  }
});
