import { vi } from 'vitest';
import type { HandlerDeps } from '@/utils/background/api-handler';
import { createMemoryStore } from '@/utils/background/cache-store';

/** What the background's API handler sent to the backend. */
export type Seen = { method: string; url: string; auth: string | null; body: string };

/** A fetch that answers from a route table and records what the handler sent. */
export function fakeFetch(answer: (seen: Seen) => Response | Promise<Response>) {
  const calls: Seen[] = [];
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(String(input), init);
    const seen = {
      method: request.method,
      url: request.url,
      auth: request.headers.get('authorization'),
      body: request.method === 'GET' ? '' : await request.text(),
    };
    calls.push(seen);
    return answer(seen);
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, calls };
}

export const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** Handler dependencies against a local backend, with the given token and cache. */
export function handlerDeps(
  fetch: typeof globalThis.fetch,
  token = 'tok-123',
  store = createMemoryStore(),
): HandlerDeps {
  return { fetch, store, settings: async () => ({ backendUrl: 'http://127.0.0.1:8787', token }), timeoutMs: 2000 };
}
