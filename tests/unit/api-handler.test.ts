import { expect, test } from 'vitest';
import { handleApiRequest } from '@/utils/background/api-handler';
import { createMemoryStore } from '@/utils/background/cache-store';
import type { ApiRequest } from '@/utils/shared/messaging';
import { handlerDeps as deps, fakeFetch, json } from './fake-fetch';
import { A, candidate, match, outreach, syncProgress } from './fixtures';

test('calls the route with the bearer token, validates the answer and caches it for the next panel opening', async () => {
  const { fetch, calls } = fakeFetch(() => json(200, match(77)));
  const store = createMemoryStore();
  const result = await handleApiRequest(
    { op: 'match', opportunityId: A, refresh: true },
    deps(fetch, 'tok-123', store),
  );
  expect(result).toMatchObject({ ok: true, data: { score: 77 } });
  expect(calls).toEqual([
    {
      method: 'POST',
      url: `http://127.0.0.1:8787/api/candidates/${A}/match`,
      auth: 'Bearer tok-123',
      body: '{"refresh":true}',
    },
  ]);
  expect(await store.getResult(A, 'match')).toMatchObject({ score: 77 });
});

test('maps a 401 to "token invalid"', async () => {
  const { fetch } = fakeFetch(() => json(401, { error: { code: 'unauthorized', message: 'Unknown token' } }));
  const result = await handleApiRequest({ op: 'candidate', opportunityId: A }, deps(fetch));
  expect(result).toEqual({
    ok: false,
    error: { kind: 'unauthorized', message: 'Unknown token', status: 401, backendUrl: 'http://127.0.0.1:8787' },
  });
});

test('maps a Lever permission 403 and keeps the backend message', async () => {
  const { fetch } = fakeFetch(() => json(403, { error: { code: 'lever_permission', message: 'notes:write:admin' } }));
  const result = await handleApiRequest({ op: 'approveProposal', id: 'p1', dryRun: false }, deps(fetch));
  expect(result).toMatchObject({ ok: false, error: { kind: 'lever_permission', message: 'notes:write:admin' } });
});

test('a backend that is not running is "unreachable", with the URL it tried', async () => {
  const { fetch } = fakeFetch(() => {
    throw new TypeError('Failed to fetch');
  });
  const result = await handleApiRequest(
    { op: 'createProposal', opportunityId: A, kind: 'outreach', payload: {} },
    deps(fetch),
  );
  expect(result).toMatchObject({ ok: false, error: { kind: 'unreachable', backendUrl: 'http://127.0.0.1:8787' } });
});

test('an answer that breaks the contract is rejected, not passed to the panel', async () => {
  const { fetch } = fakeFetch(() => json(200, { ...candidate(), name: 42 }));
  const result = await handleApiRequest({ op: 'candidate', opportunityId: A }, deps(fetch));
  expect(result).toMatchObject({ ok: false, error: { kind: 'invalid_response' } });
  if (!result.ok) expect(result.error.message).toContain('name');
});

test('without a token nothing is sent and the panel is told to paste one', async () => {
  const { fetch, calls } = fakeFetch(() => json(200, candidate()));
  const result = await handleApiRequest({ op: 'candidate', opportunityId: A }, deps(fetch, ''));
  expect(result).toMatchObject({ ok: false, error: { kind: 'no_token' } });
  expect(calls).toHaveLength(0);
});

test('writes are never retried automatically; reads are retried once on a 503', async () => {
  const post = fakeFetch(() => json(503, { error: { code: 'lever_unavailable', message: 'Lever is down' } }));
  const approve: ApiRequest = { op: 'approveProposal', id: 'p1', dryRun: false };
  expect(await handleApiRequest(approve, deps(post.fetch))).toMatchObject({
    ok: false,
    error: { kind: 'lever_unavailable' },
  });
  expect(post.calls).toHaveLength(1);

  let first = true;
  const get = fakeFetch(() => {
    if (first) {
      first = false;
      return json(503, { error: { code: 'lever_unavailable', message: 'busy' } });
    }
    return json(200, candidate());
  });
  expect(await handleApiRequest({ op: 'candidate', opportunityId: A }, deps(get.fetch))).toMatchObject({ ok: true });
  expect(get.calls).toHaveLength(2);
});

test('a path-injection attempt in the opportunity id is refused before any request', async () => {
  const { fetch, calls } = fakeFetch(() => json(200, candidate()));
  const result = await handleApiRequest({ op: 'candidate', opportunityId: '../admin' }, deps(fetch));
  expect(result).toMatchObject({ ok: false, error: { kind: 'invalid_request' } });
  expect(calls).toHaveLength(0);
});

test('a generated outreach draft is kept in the store, so it survives the panel closing', async () => {
  const { fetch, calls } = fakeFetch(() => json(200, outreach({ tone: 'formal', variant: 'follow-up' })));
  const store = createMemoryStore();
  await handleApiRequest(
    { op: 'outreach', opportunityId: A, tone: 'formal', variant: 'follow-up' },
    deps(fetch, 'tok', store),
  );
  expect(JSON.parse(calls[0]!.body)).toEqual({ tone: 'formal', variant: 'follow-up', refresh: false });
  expect(await store.getDraft(A)).toMatchObject({ subject: 'Backend Engineer at Acme', tone: 'formal' });
});

test('the audit list is fetched by opportunity id', async () => {
  const { fetch, calls } = fakeFetch(() => json(200, { entries: [] }));
  expect(await handleApiRequest({ op: 'audit', opportunityId: A }, deps(fetch))).toEqual({ ok: true, data: [] });
  expect(calls[0]!.url).toBe(`http://127.0.0.1:8787/api/audit?opportunityId=${A}`);
});

const status = {
  backend: { version: '0.1.0' },
  recruiter: { email: 'rita@example.com', role: 'recruiter', leverUserId: null },
  lever: { mode: 'emulator', reachable: true, message: null },
  ai: { provider: 'local', model: 'fulcrum-local' },
};

test('the connection test reports each step: reachable, token, Lever, AI provider', async () => {
  const { fetch, calls } = fakeFetch((seen) =>
    seen.url.endsWith('/healthz') ? json(200, { ok: true }) : json(200, status),
  );
  const result = await handleApiRequest(
    { op: 'testConnection', backendUrl: 'http://10.0.0.5:9000', token: 'tok' },
    deps(fetch),
  );
  expect(calls.map((c) => c.url)).toEqual(['http://10.0.0.5:9000/healthz', 'http://10.0.0.5:9000/api/status']);
  expect(result).toMatchObject({
    ok: true,
    data: {
      backend: { ok: true },
      token: { ok: true, message: expect.stringContaining('rita@example.com') },
      lever: { ok: true, message: 'Lever emulator reachable' },
      ai: { ok: true, message: expect.stringContaining('local engine') },
    },
  });
});

test('the connection test tells a rejected token from an unreachable backend', async () => {
  const bad = fakeFetch((seen) =>
    seen.url.endsWith('/healthz') ? json(200, {}) : json(401, { error: { code: 'unauthorized', message: 'no' } }),
  );
  const rejected = await handleApiRequest(
    { op: 'testConnection', backendUrl: 'http://127.0.0.1:8787', token: 'x' },
    deps(bad.fetch),
  );
  expect(rejected).toMatchObject({ ok: true, data: { backend: { ok: true }, token: { ok: false }, lever: null } });
  if (rejected.ok) expect((rejected.data as { token: { message: string } }).token.message).toContain('Token invalid');

  const down = fakeFetch(() => {
    throw new TypeError('Failed to fetch');
  });
  const unreachable = await handleApiRequest(
    { op: 'testConnection', backendUrl: 'http://127.0.0.1:8787', token: 'x' },
    deps(down.fetch),
  );
  expect(unreachable).toMatchObject({ ok: true, data: { backend: { ok: false }, token: null } });
  if (unreachable.ok)
    expect((unreachable.data as { backend: { message: string } }).backend.message).toContain('npm start');
});

test('rediscovery: posts the filters to the posting route and validates sync progress and results', async () => {
  const P = '5a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b';
  const { fetch, calls } = fakeFetch((seen) =>
    seen.url.endsWith('/sync')
      ? json(200, syncProgress({ people: 3 }))
      : json(200, { postingId: P, results: [], excluded: {}, candidatesConsidered: 3, tookMs: 1 }),
  );
  const sync = await handleApiRequest({ op: 'rediscoverySync' }, deps(fetch));
  expect(sync).toMatchObject({ ok: true, data: { people: 3 } });
  const found = await handleApiRequest(
    { op: 'rediscover', postingId: P, filters: { location: 'Remote', minStage: 2 } },
    deps(fetch),
  );
  expect(found).toMatchObject({ ok: true, data: { candidatesConsidered: 3 } });
  expect(calls[1]).toMatchObject({
    method: 'POST',
    url: `http://127.0.0.1:8787/api/postings/${P}/rediscover`,
    body: '{"filters":{"location":"Remote","minStage":2}}',
  });
  const { fetch: bad } = fakeFetch(() => json(201, { outreach: [{ id: 1 }], skipped: [] }));
  const acted = await handleApiRequest({ op: 'rediscoveryAct', postingId: P, contactIds: ['c-1'] }, deps(bad));
  expect(acted).toMatchObject({ ok: false, error: { kind: 'invalid_response' } });
});

test('rediscovery: lists Lever stages, and "mark sent" posts the chosen stage (a proposal, never retried)', async () => {
  const outreachId = '11111111-1111-4111-8111-111111111111';
  const stages = { stages: [{ id: 'st-reached', text: 'Reached out' }], source: 'lever' };
  const record = {
    id: outreachId,
    contactId: 'c-1',
    opportunityId: A,
    postingId: 'p-1',
    subject: 'A new role',
    body: 'Hi',
    tagProposalId: 'prop-tag',
    stageProposalId: 'prop-stage',
    sentAt: 1,
  };
  const { fetch, calls } = fakeFetch((seen) => (seen.url.endsWith('/stages') ? json(200, stages) : json(200, record)));
  expect(await handleApiRequest({ op: 'rediscoveryStages' }, deps(fetch))).toEqual({ ok: true, data: stages });
  const sent = await handleApiRequest({ op: 'rediscoveryMarkSent', outreachId, stageId: 'st-reached' }, deps(fetch));
  expect(sent).toMatchObject({ ok: true, data: { stageProposalId: 'prop-stage' } });
  expect(calls[1]).toMatchObject({
    method: 'POST',
    url: `http://127.0.0.1:8787/api/rediscovery/outreach/${outreachId}/sent`,
    body: '{"stageId":"st-reached"}',
  });

  const down = fakeFetch(() => json(503, { error: { code: 'lever_unavailable', message: 'Lever is down' } }));
  const failed = await handleApiRequest(
    { op: 'rediscoveryMarkSent', outreachId, stageId: 'st-reached' },
    deps(down.fetch),
  );
  expect(failed).toMatchObject({ ok: false, error: { kind: 'lever_unavailable' } });
  expect(down.calls).toHaveLength(1);

  // A reopened panel lists the posting's earlier drafts with where their proposals stand.
  const listed = { outreach: [{ ...record, tagProposalStatus: 'written', stageProposalStatus: 'pending' }] };
  const list = fakeFetch(() => json(200, listed));
  expect(await handleApiRequest({ op: 'rediscoveryOutreach', postingId: 'p 1' }, deps(list.fetch))).toEqual({
    ok: true,
    data: listed,
  });
  expect(list.calls[0]).toMatchObject({
    method: 'GET',
    url: 'http://127.0.0.1:8787/api/rediscovery/outreach?postingId=p+1',
  });
  const malformed = fakeFetch(() => json(200, { outreach: [{ id: 1 }] }));
  expect(await handleApiRequest({ op: 'rediscoveryOutreach', postingId: 'p-1' }, deps(malformed.fetch))).toMatchObject({
    ok: false,
  });
});
