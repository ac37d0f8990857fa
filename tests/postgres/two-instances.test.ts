import { afterAll, beforeAll, expect, it } from 'vitest';
import { freshDatabase } from './db.ts';
import { twoInstanceBurst } from './helpers/burst.ts';

let database: Awaited<ReturnType<typeof freshDatabase>>;
beforeAll(async () => {
  database = await freshDatabase();
});
afterAll(async () => {
  await database?.drop();
});

// Two real backend processes on one PostgreSQL (tests/postgres/helpers/burst.ts); the figures at 5,000 deliveries
// come from `npm run bench -- postgres` (section burst).
it('two backend instances share a webhook burst: none lost, none twice, a killed instance’s jobs finish on the other, Lever within 10 req/s', async () => {
  const lines: string[] = [];
  // The figures in the test log, for comparison with the bench's.
  const f = await twoInstanceBurst({
    url: database.url,
    // 8 s of deliveries at 25/s, each job asking Lever about 2 things: both instances work at Lever's limit for
    // 4 s before A is killed (with a budget each, they would together go over it and draw 429s).
    deliveries: 200,
    pacePerSecond: 25,
    killAfter: 100,
    leaseSeconds: 5,
    drainTimeoutMs: 150_000,
    progress: (l) => lines.push(l),
  });
  console.log(JSON.stringify(f));
  expect(f.killed).toBe(true);
  // Every delivery answered 200 (a resent one that A had already stored is a duplicate, which is also a 200).
  expect(f.answered.other).toBe(0);
  expect(f.answered.stored + f.answered.duplicate).toBe(f.deliveries);
  // Zero lost, zero duplicated: one event row and one job per delivery, all completed.
  expect(f.eventRows).toBe(f.deliveries);
  expect(f.jobs).toBe(f.deliveries);
  expect(f.distinctEventJobs).toBe(f.deliveries);
  expect(f.completed).toBe(f.deliveries);
  // A was working jobs when it was killed (they arrive faster than Lever's budget lets them run): B ran those again
  // once their 5 s lease ran out.
  expect(f.redelivered).toBeGreaterThan(0);
  // Both instances drew on one budget: Lever never refused a request, and no second held more than the burst of 20
  // plus 10 refilled.
  expect(f.lever.requests).toBeGreaterThan(f.deliveries);
  expect(f.lever.rateLimited).toBe(0);
  expect(f.lever.maxInAnySecond).toBeLessThanOrEqual(30);
}, 240_000);
