import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FeedbackSynthesisSchema,
  InterviewQuestionsSchema,
  MatchResultSchema,
  OutreachDraftSchema,
} from '../../utils/contracts/ai.ts';
import {
  AuditListSchema,
  CandidateContextSchema,
  ProposalListSchema,
  ProposalSchema,
  StatusResponseSchema,
} from '../../utils/contracts/api.ts';
import { type Harness, makeHarness } from './helpers/backend-harness.ts';

/**
 * The extension's HTTP API through app.request(), against a real SQLite store and the Lever emulator: auth and
 * roles, CORS, rate limiting, every route's happy path, and bad input on every route (4xx, clear message, nothing
 * written).
 */

let h: Harness;
let opp: string;

beforeAll(async () => {
  h = await makeHarness();
  [opp] = (await h.opportunityIds(1)) as [string];
});
afterAll(() => h?.close());

type ErrorBody = { error: { code: string; message: string } };
const errorOf = async (res: Response) => ((await res.json()) as ErrorBody).error;

async function writesSoFar() {
  const [proposals, ledger, audit] = await Promise.all([
    h.store.db.selectFrom('proposals').select('id').execute(),
    h.store.db.selectFrom('write_ledger').select('idempotency_key').execute(),
    h.store.db.selectFrom('audit_log').select('id').execute(),
  ]);
  return { proposals: proposals.length, ledger: ledger.length, audit: audit.length };
}

describe('health', () => {
  it('answers liveness and readiness without a token', async () => {
    expect((await h.app.request('/healthz')).status).toBe(200);
    const ready = await h.app.request('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', engine: 'sqlite' });
  });
});

describe('auth, roles, CORS, rate limit', () => {
  it('401 with a clear message for missing, malformed, unknown and revoked tokens', async () => {
    const missing = await h.call('GET', '/api/status', { token: null });
    expect(missing.status).toBe(401);
    expect(await errorOf(missing)).toMatchObject({ code: 'unauthorized', message: expect.stringMatching(/token/i) });
    const malformed = await h.call('GET', '/api/status', { token: null, headers: { authorization: 'Basic abc' } });
    expect(malformed.status).toBe(401);
    expect((await h.call('GET', '/api/status', { token: 'not-a-real-token' })).status).toBe(401);
    const extra = await h.addRecruiter({ email: 'temp@fulcrum.test', name: 'Temp', role: 'recruiter' });
    expect((await h.call('GET', `/api/proposals`, { token: extra.token })).status).toBe(200);
    await h.revokeToken(extra.token);
    const revoked = await h.call('GET', '/api/proposals', { token: extra.token });
    expect(revoked.status).toBe(401);
    expect((await errorOf(revoked)).message).toMatch(/revoked/);
  });

  it('admin-only routes are 403 for recruiters and open to admins', async () => {
    const r = await h.call('GET', '/api/admin/webhooks');
    expect(r.status).toBe(403);
    expect(await errorOf(r)).toMatchObject({ code: 'forbidden' });
    const a = await h.call('GET', '/api/admin/webhooks', { token: h.adminToken });
    expect(a.status).toBe(200);
  });

  it('allows CORS only for the configured extension origin', async () => {
    const allowed = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';
    const pre = await h.app.request('/api/status', {
      method: 'OPTIONS',
      headers: {
        origin: allowed,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(pre.headers.get('access-control-allow-origin')).toBe(allowed);
    const other = await h.call('GET', '/api/status', { headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('rate-limits per token with 429 {error}, without affecting other tokens', async () => {
    const noisy = await h.addRecruiter({ email: 'noisy@fulcrum.test', name: 'Noisy', role: 'recruiter' });
    const responses = await Promise.all(
      Array.from({ length: 100 }, () => h.call('GET', '/api/proposals', { token: noisy.token })),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(40);
    const limited = responses.find((r) => r.status === 429);
    expect(limited).toBeDefined();
    expect(await errorOf(limited!)).toMatchObject({ code: 'rate_limited', message: expect.stringMatching(/Too many/) });
    expect((await h.call('GET', '/api/proposals')).status).toBe(200);
  });
});

describe('status and candidates', () => {
  it('GET /api/status describes the recruiter, Lever and the AI engine', async () => {
    const res = await h.call('GET', '/api/status');
    expect(res.status).toBe(200);
    const s = StatusResponseSchema.parse(await res.json());
    expect(s.recruiter.email).toBe(h.recruiterEmail);
    expect(s.lever.reachable).toBe(true);
    expect(s.ai.provider).toBe('local');
  });

  it('GET /api/candidates/:id re-reads Lever; unknown ids are 404, malformed ids 400', async () => {
    const res = await h.call('GET', `/api/candidates/${opp}`);
    expect(res.status).toBe(200);
    const ctx = CandidateContextSchema.parse(await res.json());
    expect(ctx.opportunityId).toBe(opp);
    expect(ctx.posting?.title).toBeTruthy();
    expect(ctx.stage?.text).toBeTruthy();
    const unknown = await h.call('GET', `/api/candidates/${randomUUID()}`);
    expect(unknown.status).toBe(404);
    expect((await errorOf(unknown)).message).toMatch(/Lever has no opportunity/);
    const bad = await h.call('GET', '/api/candidates/not-a-uuid');
    expect(bad.status).toBe(400);
    expect(await errorOf(bad)).toMatchObject({
      code: 'invalid_request',
      message: expect.stringMatching(/opportunityId/),
    });
  });

  it('match: scores from Lever data, caches, audits, and proposes the summary note', async () => {
    const first = await h.call('POST', `/api/candidates/${opp}/match`, { body: {} });
    expect(first.status).toBe(200);
    const m = MatchResultSchema.parse(await first.json());
    expect(m.criteria.length).toBeGreaterThan(0);
    expect(m.provenance.cached).toBeFalsy();
    const again = MatchResultSchema.parse(await (await h.call('POST', `/api/candidates/${opp}/match`)).json());
    expect(again.provenance.cached).toBe(true);
    expect(again.score).toBe(m.score);
    const refreshed = MatchResultSchema.parse(
      await (await h.call('POST', `/api/candidates/${opp}/match`, { body: { refresh: true } })).json(),
    );
    expect(refreshed.provenance.cached).toBeFalsy();

    const list = ProposalListSchema.parse(
      await (await h.call('GET', `/api/proposals?opportunityId=${opp}&status=pending`)).json(),
    );
    const summaries = list.proposals.filter((p) => p.kind === 'match-summary');
    expect(summaries).toHaveLength(1);
    expect(summaries[0]!.preview.noteText).toMatch(
      /^\[Fulcrum · AI-assisted\] Match summary — approved by .+ · model /,
    );
    expect(summaries[0]!.payload.note?.text).toContain(`Score ${Math.round(refreshed.score)}/100`);

    const audit = AuditListSchema.parse(await (await h.call('GET', `/api/audit?opportunityId=${opp}`)).json());
    const generations = audit.entries.filter((e) => e.action === 'ai.generate' && e.capability === 'match');
    expect(generations).toHaveLength(2);
    expect(generations[0]).toMatchObject({
      actor: h.recruiterEmail,
      provider: 'local',
      inputHash: expect.any(String),
      promptVersion: expect.any(String),
    });
  });

  it('outreach, questions and feedback answer in the contract shapes', async () => {
    const o = await h.call('POST', `/api/candidates/${opp}/outreach`, { body: { tone: 'concise' } });
    expect(o.status).toBe(200);
    expect(OutreachDraftSchema.parse(await o.json()).tone).toBe('concise');
    const q = await h.call('POST', `/api/candidates/${opp}/questions`, { body: { stage: 'Phone screen' } });
    expect(q.status).toBe(200);
    expect(InterviewQuestionsSchema.parse(await q.json()).stage).toBeTruthy();
    const f = await h.call('POST', `/api/candidates/${opp}/feedback`, { body: {} });
    expect(f.status).toBe(200);
    FeedbackSynthesisSchema.parse(await f.json());
  });
});

describe('bad input on every route: 4xx, clear message, nothing written', () => {
  const unknownId = randomUUID();
  const cases: Array<[string, string, unknown, number, RegExp]> = [
    ['POST', '/api/candidates/OPP/match', { refresh: 'yes' }, 400, /refresh/],
    ['POST', '/api/candidates/OPP/outreach', { tone: 'rude' }, 400, /tone/],
    ['POST', '/api/candidates/OPP/outreach', { maxWords: 5 }, 400, /maxWords/],
    ['POST', '/api/candidates/OPP/questions', { stage: 42 }, 400, /stage/],
    ['POST', '/api/candidates/OPP/feedback', '{"refresh":', 400, /JSON/i],
    ['POST', `/api/candidates/${unknownId}/match`, {}, 404, /Lever has no opportunity/],
    ['POST', '/api/proposals', { opportunityId: 'x', kind: 'match-summary', payload: {} }, 400, /opportunityId/],
    [
      'POST',
      '/api/proposals',
      { opportunityId: unknownId, kind: 'poem', payload: { note: { text: 'x' } } },
      400,
      /kind/,
    ],
    ['POST', '/api/proposals', { opportunityId: unknownId, kind: 'tag', payload: {} }, 400, /note, tags, a stage/],
    [
      'POST',
      '/api/proposals',
      { opportunityId: unknownId, kind: 'tag', payload: { addTags: ['x'] } },
      404,
      /Lever has no opportunity/,
    ],
    [
      'POST',
      '/api/proposals',
      { opportunityId: unknownId, kind: 'tag', payload: { note: { text: '' } } },
      400,
      /payload\.note\.text/,
    ],
    ['PATCH', `/api/proposals/${unknownId}`, { payload: { note: { text: 'x' } } }, 404, /No proposal/],
    ['PATCH', '/api/proposals/not-a-uuid', { payload: { note: { text: 'x' } } }, 400, /UUID/],
    ['PATCH', `/api/proposals/${unknownId}`, { payload: { addTags: 'one' } }, 400, /addTags/],
    ['POST', `/api/proposals/${unknownId}/approve`, {}, 404, /No proposal/],
    ['POST', `/api/proposals/${unknownId}/approve`, { dryRun: 'true' }, 400, /dryRun/],
    ['POST', `/api/proposals/${unknownId}/discard`, undefined, 404, /No proposal/],
    ['GET', '/api/proposals?status=maybe', undefined, 400, /status/],
    ['GET', '/api/audit', undefined, 400, /opportunityId/],
    ['GET', '/api/nope', undefined, 404, /No route/],
  ];
  for (const [method, url, body, status, message] of cases) {
    it(`${method} ${url.replace(/[0-9a-f-]{36}/, ':unknown')} ${typeof body === 'string' ? body : JSON.stringify(body)} → ${status}`, async () => {
      const before = await writesSoFar();
      const res = await h.call(method, url.replace('OPP', opp), { body });
      expect(res.status).toBe(status);
      const err = await errorOf(res);
      expect(err.message).toMatch(message);
      expect(err.message).not.toMatch(/at .*\.ts:\d+/); // never a stack trace
      expect(await writesSoFar()).toEqual(before);
    });
  }

  it('huge bodies are refused with 413 before anything is parsed', async () => {
    const before = await writesSoFar();
    const res = await h.call('POST', '/api/proposals', {
      body: { opportunityId: opp, kind: 'match-summary', payload: { note: { text: 'x'.repeat(2 * 1024 * 1024) } } },
    });
    expect(res.status).toBe(413);
    expect((await errorOf(res)).message).toMatch(/too large/);
    expect(await writesSoFar()).toEqual(before);
  });

  it('every route refuses a missing token with 401 and writes nothing', async () => {
    const before = await writesSoFar();
    for (const [method, url] of [
      ['GET', '/api/status'],
      ['GET', `/api/candidates/${opp}`],
      ['POST', `/api/candidates/${opp}/match`],
      ['POST', `/api/candidates/${opp}/outreach`],
      ['POST', `/api/candidates/${opp}/questions`],
      ['POST', `/api/candidates/${opp}/feedback`],
      ['GET', '/api/proposals'],
      ['POST', '/api/proposals'],
      ['PATCH', `/api/proposals/${randomUUID()}`],
      ['POST', `/api/proposals/${randomUUID()}/approve`],
      ['POST', `/api/proposals/${randomUUID()}/discard`],
      ['GET', `/api/audit?opportunityId=${opp}`],
    ] as const) {
      const res = await h.call(method, url, { token: null, body: method === 'GET' ? undefined : {} });
      expect(res.status, `${method} ${url}`).toBe(401);
    }
    expect(await writesSoFar()).toEqual(before);
  });

  it('a proposal created for the recruiter appears with its exact payload', async () => {
    const res = await h.call('POST', '/api/proposals', {
      body: { opportunityId: opp, kind: 'tag', payload: { addTags: ['python'] } },
    });
    expect(res.status).toBe(201);
    const p = ProposalSchema.parse(await res.json());
    expect(p).toMatchObject({
      status: 'pending',
      payload: { addTags: ['python'] },
      createdBy: h.recruiterEmail,
      preview: { noteText: null },
    });
  });
});
