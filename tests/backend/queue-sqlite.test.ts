import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { claimJobs, enqueueSync, SqliteQueue, type SqliteQueueOptions } from '../../backend/jobs/sqlite-queue.ts';
import { openStore, type Store } from '../../backend/store/db.ts';
import { describeQueueContract, until } from './helpers/queue-contract.ts';
import { cleanupsAfterEach, makeTempDir, openTempStore } from './helpers/temp-store.ts';

const cleanups = cleanupsAfterEach();

const silent = { warn() {}, error() {} };

async function setup(opts: SqliteQueueOptions = {}) {
  const t = await openTempStore();
  const queue = new SqliteQueue(t.store, { pollIntervalMs: 10, logger: silent, ...opts });
  cleanups.push(t.cleanup, () => queue.stop({ timeoutMs: 100 }));
  return { store: t.store, queue, dir: t.dir };
}

function jobRow(store: Store, id: number) {
  return store.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

describeQueueContract('SqliteQueue', async () => {
  const t = await openTempStore();
  return {
    db: t.store.db,
    queue: async (opts) => new SqliteQueue(t.store, { pollIntervalMs: 10, logger: silent, ...opts }),
    close: t.cleanup,
  };
});

describe('enqueue', () => {
  it('enqueueSync joins a better-sqlite3 transaction with the event insert: both or neither', async () => {
    const { store } = await setup();
    const intake = store.sqlite.transaction((eventId: string, failAfter: boolean) => {
      store.sqlite
        .prepare(
          `INSERT INTO webhook_events (event_id, token, event, triggered_at, received_at, payload)
           VALUES (?, ?, 'candidateStageChange', 1, 2, '{}')`,
        )
        .run(eventId, `tok-${eventId}`);
      enqueueSync(store.sqlite, { type: 'webhook', payload: { eventId } });
      if (failAfter) throw new Error('boom');
    });
    expect(() => intake('e1', true)).toThrow('boom');
    intake('e2', false);
    const events = await store.db.selectFrom('webhook_events').select('event_id').execute();
    const jobs = await store.db.selectFrom('jobs').select('payload').execute();
    expect(events.map((e) => e.event_id)).toEqual(['e2']);
    expect(jobs.map((j) => JSON.parse(j.payload))).toEqual([{ eventId: 'e2' }]);
  });

  it('notify() makes an idle worker pick up a job added with enqueueSync before the next poll', async () => {
    const { store, queue } = await setup({ pollIntervalMs: 60_000 });
    let ran = false;
    queue.register('t', async () => {
      ran = true;
    });
    queue.start();
    await delay(50); // the loop has polled once and is now idle for a minute
    enqueueSync(store.sqlite, { type: 't', payload: {} });
    queue.notify();
    await until(() => ran, 2_000);
  });

  it('pruneDone deletes finished jobs older than the cutoff and keeps dead ones', async () => {
    const { store, queue } = await setup();
    const done = enqueueSync(store.sqlite, { type: 't', payload: 1 });
    const dead = enqueueSync(store.sqlite, { type: 't', payload: 2 });
    store.sqlite.prepare(`UPDATE jobs SET status = 'done', updated_at = 1 WHERE id = ?`).run(done.id);
    store.sqlite.prepare(`UPDATE jobs SET status = 'dead', updated_at = 1 WHERE id = ?`).run(dead.id);
    expect(await queue.pruneDone(Date.now())).toBe(1);
    expect((await queue.list()).map((j) => j.id)).toEqual([dead.id]);
  });
});

describe('claims and leases', () => {
  it('a claimed job is leased to one worker and not claimable again until the lease expires', async () => {
    const { store } = await setup();
    const { id } = enqueueSync(store.sqlite, { type: 't', payload: { n: 1 } });
    const now = Date.now();
    const first = claimJobs(store.sqlite, { workerId: 'w1', limit: 5, leaseMs: 1_000, types: ['t'], now });
    expect(first).toEqual([{ id, type: 't', payload: { n: 1 }, attempt: 1, maxAttempts: 5, lockedBy: 'w1' }]);
    expect(claimJobs(store.sqlite, { workerId: 'w2', limit: 5, leaseMs: 1_000, types: ['t'], now })).toEqual([]);
    const row = await jobRow(store, id);
    expect(row).toMatchObject({ status: 'running', locked_by: 'w1', lease_until: now + 1_000 });
  });

  it("a crashed worker's job is delivered again after its lease expires", async () => {
    const { store, queue } = await setup({ leaseMs: 200 });
    const { id } = enqueueSync(store.sqlite, { type: 't', payload: {} });
    // The "crashed" worker claims and never reports back.
    claimJobs(store.sqlite, { workerId: 'crashed', limit: 1, leaseMs: 1_000, types: ['t'] });
    const attempts: number[] = [];
    queue.register('t', async (_p, ctx) => {
      attempts.push(ctx.attempt);
    });
    queue.start();
    await delay(300);
    expect(attempts).toEqual([]); // still leased to the crashed worker
    await until(async () => (await jobRow(store, id)).status === 'done');
    expect(attempts).toEqual([2]);
    expect((await jobRow(store, id)).last_error).toMatch(/lease expired \(worker crashed/);
  });

  it('keeps renewing the lease of a long-running handler so no one else takes it over', async () => {
    const { store, queue } = await setup({ leaseMs: 300 });
    const other = new SqliteQueue(store, { pollIntervalMs: 10, leaseMs: 300, logger: silent });
    cleanups.push(() => other.stop({ timeoutMs: 100 }));
    let runs = 0;
    const slow = async () => {
      runs++;
      await delay(1_000);
    };
    queue.register('slow', slow);
    other.register('slow', slow);
    const { id } = await queue.enqueue({ type: 'slow', payload: {} });
    queue.start();
    await until(() => runs === 1);
    other.start();
    await until(async () => (await jobRow(store, id)).status === 'done');
    expect(runs).toBe(1);
  });

  it('two queue instances on one file run each of 2,000 jobs exactly once', async () => {
    const tmp = makeTempDir();
    cleanups.push(tmp.cleanup);
    const storeA = await openStore({ dataDir: tmp.dir });
    const storeB = await openStore({ dataDir: tmp.dir });
    cleanups.push(
      () => storeA.close(),
      () => storeB.close(),
    );
    const executions = new Map<number, number>();
    const byWorker = { a: 0, b: 0 };
    const qa = new SqliteQueue(storeA, { concurrency: 4, pollIntervalMs: 5, logger: silent });
    const qb = new SqliteQueue(storeB, { concurrency: 4, pollIntervalMs: 5, logger: silent });
    cleanups.push(
      () => qa.stop({ timeoutMs: 100 }),
      () => qb.stop({ timeoutMs: 100 }),
    );
    const handler = (who: 'a' | 'b') => async (payload: unknown) => {
      const n = payload as number;
      executions.set(n, (executions.get(n) ?? 0) + 1);
      byWorker[who]++;
      await delay(0);
    };
    qa.register('work', handler('a'));
    qb.register('work', handler('b'));
    storeA.sqlite.transaction(() => {
      for (let i = 0; i < 2_000; i++) enqueueSync(storeA.sqlite, { type: 'work', payload: i });
    })();
    qa.start();
    qb.start();
    await until(async () => (await qa.stats()).done === 2_000, 20_000);
    expect(executions.size).toBe(2_000);
    expect([...executions.values()].every((n) => n === 1)).toBe(true);
    expect(byWorker.a).toBeGreaterThan(0);
    expect(byWorker.b).toBeGreaterThan(0);
  });
});

describe('failures', () => {
  it('retries a failed job after an exponential, jittered backoff', async () => {
    let clock = 1_000_000;
    const { store, queue } = await setup({ now: () => clock, backoffBaseMs: 1_000, random: () => 0.5 });
    const attempts: number[] = [];
    queue.register('flaky', async (_p, ctx) => {
      attempts.push(ctx.attempt);
      if (ctx.attempt < 3) throw new Error(`lever 503 #${ctx.attempt}`);
    });
    const { id } = await queue.enqueue({ type: 'flaky', payload: {} });
    queue.start();
    await until(async () => (await jobRow(store, id)).attempts === 1 && (await jobRow(store, id)).status === 'queued');
    let row = await jobRow(store, id);
    // attempt 1 → base 1,000 ms, jitter 0.5 → 75% of it
    expect(row.run_at - clock).toBe(750);
    expect(row.last_error).toBe('Error: lever 503 #1');
    await delay(50);
    expect(attempts).toEqual([1]); // not due yet

    clock += 750;
    await until(async () => (await jobRow(store, id)).attempts === 2 && (await jobRow(store, id)).status === 'queued');
    row = await jobRow(store, id);
    expect(row.run_at - clock).toBe(1_500); // doubled

    clock += 1_500;
    await until(async () => (await jobRow(store, id)).status === 'done');
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('backoff stays within 50-100% of the doubling ceiling and is capped', async () => {
    const { queue: low } = await setup({ backoffBaseMs: 100, maxBackoffMs: 1_000, random: () => 0 });
    const { queue: high } = await setup({ backoffBaseMs: 100, maxBackoffMs: 1_000, random: () => 0.999999 });
    expect([1, 2, 3, 4, 5, 10].map((n) => low.backoffMs(n))).toEqual([50, 100, 200, 400, 500, 500]);
    expect([1, 2, 3, 4, 5, 10].map((n) => high.backoffMs(n))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });
});

describe('shared connection', () => {
  it("a job finishing while someone else's transaction is open is not rolled back with it", async () => {
    const { store, queue } = await setup();
    let finishJob!: () => void;
    const gate = new Promise<void>((resolve) => {
      finishJob = resolve;
    });
    let finished = false;
    queue.register('t', async () => {
      await gate;
      finished = true;
    });
    const { id } = await queue.enqueue({ type: 't', payload: {} });
    queue.start();
    await until(async () => (await jobRow(store, id)).status === 'running');
    await store.db
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto('settings').values({ key: 'k', value: '1', updated_at: 1, updated_by: null }).execute();
        finishJob();
        await until(() => finished);
        await delay(50); // the completion write is due now, but must not join this transaction
        throw new Error('rolled back');
      })
      .catch(() => {});
    await until(async () => (await jobRow(store, id)).status === 'done');
    expect(await store.db.selectFrom('settings').selectAll().execute()).toEqual([]);
  });
});
