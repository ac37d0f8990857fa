import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob, InvalidJobError, PermanentJobError } from '../../backend/jobs/queue.ts';
import { claimJobs, enqueueSync, SqliteQueue, type SqliteQueueOptions } from '../../backend/jobs/sqlite-queue.ts';
import { openStore, type Store } from '../../backend/store/db.ts';
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

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await delay(5);
  }
}

describe('enqueue', () => {
  it('a job enqueued in a Kysely transaction that rolls back never exists', async () => {
    const { store, queue } = await setup();
    await expect(
      store.db.transaction().execute(async (trx) => {
        await queue.enqueue({ type: 'sync', payload: { id: 1 } }, trx);
        throw new Error('the causing write failed');
      }),
    ).rejects.toThrow('the causing write failed');
    expect((await queue.stats()).queued).toBe(0);

    await store.db.transaction().execute(async (trx) => {
      await queue.enqueue({ type: 'sync', payload: { id: 2 } }, trx);
    });
    expect((await queue.stats()).queued).toBe(1);
  });

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

  it('a dedupe key holds one unfinished job and is free again once that job is done', async () => {
    const { queue } = await setup();
    const runs: unknown[] = [];
    queue.register('sync', async (p) => {
      runs.push(p);
    });
    const a = await queue.enqueue({ type: 'sync', payload: 1, dedupeKey: 'opp-1' });
    const b = await queue.enqueue({ type: 'sync', payload: 2, dedupeKey: 'opp-1' });
    expect(a.created).toBe(true);
    expect(b).toEqual({ id: a.id, created: false });
    queue.start();
    await until(() => runs.length === 1);
    await until(async () => (await queue.stats()).done === 1);
    const c = await queue.enqueue({ type: 'sync', payload: 3, dedupeKey: 'opp-1' });
    expect(c.created).toBe(true);
    await until(() => runs.length === 2);
    expect(runs).toEqual([1, 3]);
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

  it('rejects a job that cannot be stored', async () => {
    const { queue } = await setup();
    await expect(queue.enqueue({ type: '', payload: 1 })).rejects.toThrow(/Invalid job/);
    await expect(queue.enqueue({ type: 'x', payload: undefined })).rejects.toThrow(/payload/);
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

  it('only claims job types this instance has a handler for', async () => {
    const { store, queue } = await setup();
    queue.register('mine', async () => {});
    const other = enqueueSync(store.sqlite, { type: 'theirs', payload: {} });
    const mine = enqueueSync(store.sqlite, { type: 'mine', payload: {} });
    queue.start();
    await until(async () => (await jobRow(store, mine.id)).status === 'done');
    expect((await jobRow(store, other.id)).status).toBe('queued');
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

  it('dead-letters a job after maxAttempts with the reason, and retry() revives it', async () => {
    const { store, queue } = await setup({ backoffBaseMs: 1 });
    let calls = 0;
    let healthy = false;
    queue.register('fragile', async () => {
      calls++;
      if (!healthy) throw new Error('lever unavailable');
    });
    const { id } = await queue.enqueue({ type: 'fragile', payload: {}, maxAttempts: 3 });
    queue.start();
    await until(async () => (await jobRow(store, id)).status === 'dead');
    expect(calls).toBe(3);
    expect((await jobRow(store, id)).last_error).toBe('failed after 3 attempts: Error: lever unavailable');
    expect(await queue.stats()).toMatchObject({ dead: 1, queued: 0 });
    const [dead] = await queue.list({ status: 'dead' });
    expect(dead).toMatchObject({ id, type: 'fragile', attempts: 3, lastError: expect.stringContaining('unavailable') });

    healthy = true;
    await queue.retry(id);
    await until(async () => (await jobRow(store, id)).status === 'done');
    expect(calls).toBe(4);
    await expect(queue.retry(id)).rejects.toThrow(/is done, not dead/);
    await expect(queue.retry(999_999)).rejects.toThrow(/No job with id/);
  });

  it('a PermanentJobError dead-letters at once', async () => {
    const { store, queue } = await setup();
    let calls = 0;
    queue.register('bad', async () => {
      calls++;
      throw new PermanentJobError('payload is not a valid opportunity id');
    });
    const { id } = await queue.enqueue({ type: 'bad', payload: 'x', maxAttempts: 5 });
    queue.start();
    await until(async () => (await jobRow(store, id)).status === 'dead');
    expect(calls).toBe(1);
    expect((await jobRow(store, id)).last_error).toMatch(/^permanent: .*not a valid opportunity id/);
  });
});

describe('typed job types', () => {
  const Greet = defineJob('greet', z.object({ name: z.string().min(1), times: z.number().int().default(1) }));

  it('a valid payload reaches the handler parsed and typed (defaults applied)', async () => {
    const { store, queue } = await setup();
    const seen: Array<{ name: string; times: number }> = [];
    queue.register(Greet, async (p) => {
      seen.push({ name: p.name, times: p.times });
    });
    const { id } = await queue.enqueue({ type: Greet, payload: { name: 'Ada' } });
    expect(JSON.parse((await jobRow(store, id)).payload)).toEqual({ name: 'Ada' });
    queue.start();
    await until(async () => (await jobRow(store, id)).status === 'done');
    expect(seen).toEqual([{ name: 'Ada', times: 1 }]);
  });

  it('an invalid payload is refused at enqueue with the field and the reason, and nothing is stored', async () => {
    const { queue } = await setup();
    // Also by name: the registered type's schema applies to a job enqueued by its bare name.
    queue.register(Greet, async () => {});
    const bad = { name: '', times: 1.5 } as unknown as { name: string };
    await expect(queue.enqueue({ type: Greet, payload: bad })).rejects.toThrow(InvalidJobError);
    await expect(queue.enqueue({ type: Greet, payload: bad })).rejects.toThrow(
      /Invalid payload for job "greet":[\s\S]*name[\s\S]*times/,
    );
    await expect(queue.enqueue({ type: 'greet', payload: { times: 2 } })).rejects.toThrow(/name/);
    expect((await queue.stats()).queued).toBe(0);
  });

  it('a stored payload that does not match dead-letters its job at once, without calling the handler; the worker goes on', async () => {
    const { store, queue } = await setup();
    const seen: string[] = [];
    queue.register(Greet, async (p) => {
      seen.push(p.name);
    });
    // Written behind the queue's back (like the webhook intake's enqueueSync): only the claim can check it.
    const bad = enqueueSync(store.sqlite, { type: 'greet', payload: { name: 42 }, maxAttempts: 5 });
    const good = enqueueSync(store.sqlite, { type: 'greet', payload: { name: 'Grace' } });
    queue.start();
    await until(async () => (await jobRow(store, good.id)).status === 'done');
    await until(async () => (await jobRow(store, bad.id)).status === 'dead');
    const dead = await jobRow(store, bad.id);
    expect(dead.attempts).toBe(1);
    expect(dead.last_error).toMatch(/^permanent: PermanentJobError: Invalid payload for job "greet":[\s\S]*name/);
    expect(seen).toEqual(['Grace']);
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

describe('stop', () => {
  it('waits for in-flight jobs to finish before resolving', async () => {
    const { store, queue } = await setup();
    let finished = false;
    queue.register('t', async () => {
      await delay(150);
      finished = true;
    });
    const { id } = await queue.enqueue({ type: 't', payload: {} });
    queue.start();
    await until(async () => (await jobRow(store, id)).status === 'running');
    await queue.stop({ timeoutMs: 2_000 });
    expect(finished).toBe(true);
    expect((await jobRow(store, id)).status).toBe('done');
  });

  it('after the timeout, hands a stuck job back to the queue without spending an attempt', async () => {
    const { store, queue } = await setup();
    let aborted = false;
    queue.register('stuck', async (_p, ctx) => {
      ctx.signal.addEventListener('abort', () => {
        aborted = true;
      });
      await delay(1_500);
    });
    const { id } = await queue.enqueue({ type: 'stuck', payload: {} });
    queue.start();
    await until(async () => (await jobRow(store, id)).status === 'running');
    const started = Date.now();
    await queue.stop({ timeoutMs: 50 });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(aborted).toBe(true);
    expect(await jobRow(store, id)).toMatchObject({ status: 'queued', attempts: 0, locked_by: null });
    // The handler's late completion must not overwrite the released job.
    await delay(1_600);
    expect((await jobRow(store, id)).status).toBe('queued');

    const next = new SqliteQueue(store, { pollIntervalMs: 10, logger: silent });
    cleanups.push(() => next.stop({ timeoutMs: 100 }));
    next.register('stuck', async () => {});
    next.start();
    await until(async () => (await jobRow(store, id)).status === 'done');
    expect((await jobRow(store, id)).attempts).toBe(1);
  });

  it('a handler abandoned by stop() cannot complete the job after the same queue restarts and re-runs it', async () => {
    const { store, queue } = await setup();
    let calls = 0;
    queue.register('slow', async () => {
      calls++;
      await delay(calls === 1 ? 800 : 2_500);
    });
    const { id } = await queue.enqueue({ type: 'slow', payload: {} });
    queue.start();
    await until(() => calls === 1);
    await queue.stop({ timeoutMs: 20 });
    queue.start();
    await until(() => calls === 2);
    await delay(1_200); // the abandoned first run has finished by now; the second is still running
    expect((await jobRow(store, id)).status).toBe('running');
    await until(async () => (await jobRow(store, id)).status === 'done');
  });
});
