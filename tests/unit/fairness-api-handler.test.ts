import { expect, test } from 'vitest';
import { handleApiRequest } from '@/utils/background/api-handler';
import { DEFAULT_GOVERNANCE } from '@/utils/contracts/governance.ts';
import { fakeFetch, handlerDeps, json } from './fake-fetch';

/** The background's fair-hiring and governance requests: the right route, query and method; answers validated. */

const P = '5a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const deps = (fetch: typeof globalThis.fetch) => handlerDeps(fetch, 'tok');

test('jd check: GETs the posting route and refuses an answer that does not match the contract', async () => {
  const { fetch, calls } = fakeFetch(() => json(200, { verdict: 'neutral', findings: [] }));
  const result = await handleApiRequest({ op: 'jdCheck', postingId: P }, deps(fetch));
  expect(calls[0]).toMatchObject({ method: 'GET', url: `http://127.0.0.1:8787/api/postings/${P}/jd-check` });
  expect(result).toMatchObject({ ok: false, error: { kind: 'invalid_response' } });

  const bad = await handleApiRequest({ op: 'jdCheck', postingId: '../admin' }, deps(fetch));
  expect(bad).toMatchObject({ ok: false, error: { kind: 'invalid_request', message: 'Not a posting id: ../admin' } });
  expect(calls).toHaveLength(1);
});

test('funnel CSV: sends only the filters that are set and returns the file text', async () => {
  const { fetch, calls } = fakeFetch(
    () => new Response('"dimension"\r\n', { headers: { 'content-type': 'text/csv' } }),
  );
  const result = await handleApiRequest(
    { op: 'funnelCsv', query: { postingId: P, from: '2026-01-01', minCount: 5 } },
    deps(fetch),
  );
  expect(result).toEqual({ ok: true, data: '"dimension"\r\n' });
  expect(calls[0]!.url).toBe(`http://127.0.0.1:8787/api/admin/funnel.csv?postingId=${P}&from=2026-01-01&minCount=5`);
});

test('governance: saved with PUT; a switched-off capability reaches the panel as forbidden with its message', async () => {
  const { fetch, calls } = fakeFetch((seen) =>
    seen.method === 'PUT'
      ? json(200, { governance: JSON.parse(seen.body), updatedAt: '2026-11-26T10:00:00.000Z' })
      : json(403, { error: { code: 'capability_disabled', message: 'Outreach drafting is switched off.' } }),
  );
  const saved = await handleApiRequest({ op: 'putGovernance', governance: DEFAULT_GOVERNANCE }, deps(fetch));
  expect(saved).toMatchObject({ ok: true, data: { governance: DEFAULT_GOVERNANCE } });
  expect(calls[0]).toMatchObject({ method: 'PUT', url: 'http://127.0.0.1:8787/api/admin/governance' });

  const off = await handleApiRequest(
    { op: 'outreach', opportunityId: '0b5c3f1e-7a2d-4c8e-9f10-2a3b4c5d6e7f', tone: 'warm', variant: 'first-contact' },
    deps(fetch),
  );
  expect(off).toMatchObject({
    ok: false,
    error: { kind: 'forbidden', status: 403, message: 'Outreach drafting is switched off.' },
  });
});
