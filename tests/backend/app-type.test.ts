import { hc } from 'hono/client';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { AppType } from '../../backend/app.ts';

/**
 * The app is chained router by router, so its type names every route under its URL prefix: a typed client
 * (hono/client) reaches them. A router mounted outside the chain, or a buildApp typed as a bare Hono, makes
 * `npm run check` fail here.
 */
describe('the app type', () => {
  it('carries the routes of every prefix, with their methods', () => {
    const client = hc<AppType>('http://backend.test');
    expectTypeOf(client.api.admin.webhooks.$get).toBeFunction();
    expectTypeOf(client.api.admin.policy.$put).toBeFunction();
    expectTypeOf(client.api.admin.funnel.$get).toBeFunction();
    expectTypeOf(client.api.postings[':postingId']['jd-check'].$get).toBeFunction();
    expectTypeOf(client.api.postings[':postingId'].notice.$get).toBeFunction();
    expectTypeOf(client.api.postings[':postingId'].rediscover.$post).toBeFunction();
    expectTypeOf(client.api.candidates[':opportunityId']['opt-out'].$put).toBeFunction();
    expectTypeOf(client.api.proposals[':id']['mark-sent'].$post).toBeFunction();
    expectTypeOf(client.api.rediscovery.sync.$get).toBeFunction();
    expect(client.api.admin.webhooks.$url().pathname).toBe('/api/admin/webhooks');
    expect(client.api.postings[':postingId']['jd-check'].$url({ param: { postingId: 'p1' } }).pathname).toBe(
      '/api/postings/p1/jd-check',
    );
  });
});
