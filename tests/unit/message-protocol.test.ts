import { expect, test, vi } from 'vitest';
import { handleApiRequest, messageHandlers } from '@/utils/background/api-handler';
import { createMessagingApi } from '@/utils/panel/api-client';
import { type ApiOp, type FulcrumApi, RETRY_OPS, type RequestOf } from '@/utils/shared/messaging';
import { fakeFetch, handlerDeps, json } from './fake-fetch';
import { A } from './fixtures';

const P = '7f1c2a3b-4d5e-4f60-8a9b-0c1d2e3f4a5b';

/** Ops that generate (AI), write, or are audited on the backend, with a valid request each. */
const notRetried: { [K in ApiOp]?: Omit<RequestOf<K>, 'op'> } = {
  match: { opportunityId: A, refresh: true },
  questions: { opportunityId: A },
  feedback: { opportunityId: A },
  outreach: { opportunityId: A, tone: 'warm', variant: 'first-contact' },
  rediscover: { postingId: P, limit: 10 },
  funnel: { query: {} },
  explanation: { opportunityId: A },
  auditPackCsv: { from: '2026-01-01', to: '2026-06-30' },
  approveProposal: { id: 'p-1', dryRun: false },
};

function call(api: FulcrumApi, op: ApiOp, request: object): Promise<unknown> {
  return (api[op] as (request: object) => Promise<unknown>)(request);
}

test.each(Object.entries(notRetried))(
  '%s generates or writes: a lost answer is not asked for again',
  async (op, request) => {
    const lost = vi.fn().mockResolvedValueOnce(undefined).mockResolvedValue({ ok: true, data: {} });
    await expect(call(createMessagingApi(lost, vi.fn()), op as ApiOp, request)).rejects.toThrow(/gave no answer/);
    expect(lost).toHaveBeenCalledTimes(1);

    const closed = vi
      .fn()
      .mockRejectedValueOnce(new Error('the message channel closed before a response was received'))
      .mockResolvedValue({ ok: true, data: {} });
    await expect(call(createMessagingApi(closed, vi.fn()), op as ApiOp, request)).rejects.toThrow(/did not answer/);
    expect(closed).toHaveBeenCalledTimes(1);
    expect(messageHandlers[op as ApiOp].retry).toBe(false);
  },
);

test('the same lost answer to a pure read is asked for once more', async () => {
  const lost = vi
    .fn()
    .mockResolvedValueOnce(undefined)
    .mockResolvedValue({ ok: true, data: { count: 0 } });
  expect(await createMessagingApi(lost, vi.fn()).inbox({})).toEqual({ count: 0 });
  expect(lost).toHaveBeenCalledTimes(2);
});

test("the client's retry set is the table's: exactly the ops declared retry: true", () => {
  const declared = Object.entries(messageHandlers)
    .filter(([, spec]) => spec.retry)
    .map(([op]) => op);
  expect(Object.keys(RETRY_OPS).sort()).toEqual(declared.sort());
  for (const op of Object.keys(notRetried)) expect(declared).not.toContain(op);
});

test('the dispatcher answers an op the table does not have with a failure, sending nothing', async () => {
  const { fetch, calls } = fakeFetch(() => json(200, {}));
  const result = await handleApiRequest({ op: 'dropTables' } as never, handlerDeps(fetch));
  expect(result).toMatchObject({
    ok: false,
    error: { kind: 'extension', message: expect.stringMatching(/Unknown request/) },
  });
  expect(calls).toHaveLength(0);
});
