import { setTimeout as delay } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  defineJob,
  InvalidJobError,
  type JobId,
  type JobQueue,
  type JobSummary,
  PermanentJobError,
} from '../../../backend/jobs/queue.ts';
import type { Database } from '../../../backend/store/schema.ts';
import { cleanupsAfterEach } from './temp-store.ts';

/** One storage for a test: queues on it (each call another worker instance) and a Kysely on the same database. */
export type QueueHarness = {
  queue(opts?: { backoffBaseMs?: number; pollIntervalMs?: number }): Promise<JobQueue>;
  db: Kysely<Database>;
  close(): Promise<void>;
};

export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await delay(5);
  }
}

/**
 * What every JobQueue implementation promises, run unchanged against each (tests/backend/queue-sqlite.test.ts,
 * tests/postgres/queue-pg.test.ts). Only the interface is used: jobs are observed through list() and stats().
 */
export function describeQueueContract(name: string, open: () => Promise<QueueHarness>): void {
  const cleanups = cleanupsAfterEach();

  async function setup(opts?: { backoffBaseMs?: number; pollIntervalMs?: number }) {
    const harness = await open();
    cleanups.push(() => harness.close());
    const queue = await harness.queue(opts);
    cleanups.push(() => queue.stop({ timeoutMs: 100 }));
    return { queue, harness };
  }

  async function job(queue: JobQueue, id: JobId): Promise<JobSummary> {
    const found = (await queue.list({ limit: 1_000 })).find((j) => j.id === id);
    if (!found) throw new Error(`job ${id} is not listed`);
    return found;
  }

  describe(`${name}: the JobQueue contract`, () => {
    describe('enqueue', () => {
      it('a job enqueued in a Kysely transaction that rolls back never exists', async () => {
        const { queue, harness } = await setup();
        await expect(
          harness.db.transaction().execute(async (trx) => {
            await queue.enqueue({ type: 'sync', payload: { id: 1 } }, trx);
            throw new Error('the causing write failed');
          }),
        ).rejects.toThrow('the causing write failed');
        expect((await queue.stats()).queued).toBe(0);

        await harness.db.transaction().execute(async (trx) => {
          await queue.enqueue({ type: 'sync', payload: { id: 2 } }, trx);
        });
        expect((await queue.stats()).queued).toBe(1);
        expect((await queue.list()).map((j) => j.payload)).toEqual([{ id: 2 }]);
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
        expect((await job(queue, a.id)).dedupeKey).toBe('opp-1');
        queue.start();
        await until(() => runs.length === 1);
        await until(async () => (await queue.stats()).done === 1);
        const c = await queue.enqueue({ type: 'sync', payload: 3, dedupeKey: 'opp-1' });
        expect(c.created).toBe(true);
        await until(() => runs.length === 2);
        expect(runs).toEqual([1, 3]);
      });

      it('rejects a job that cannot be stored', async () => {
        const { queue } = await setup();
        await expect(queue.enqueue({ type: '', payload: 1 })).rejects.toThrow(/Invalid job/);
        await expect(queue.enqueue({ type: 'x', payload: undefined })).rejects.toThrow(/payload/);
      });
    });

    describe('claims', () => {
      it('only claims job types this instance has a handler for', async () => {
        const { queue } = await setup();
        queue.register('mine', async () => {});
        const other = await queue.enqueue({ type: 'theirs', payload: {} });
        const mine = await queue.enqueue({ type: 'mine', payload: {} });
        queue.start();
        await until(async () => (await job(queue, mine.id)).status === 'done');
        expect((await job(queue, other.id)).status).toBe('queued');
      });
    });

    describe('failures', () => {
      it('dead-letters a job after maxAttempts with the reason, and retry() revives it', async () => {
        const { queue } = await setup({ backoffBaseMs: 1 });
        let calls = 0;
        let healthy = false;
        queue.register('fragile', async () => {
          calls++;
          if (!healthy) throw new Error('lever unavailable');
        });
        const { id } = await queue.enqueue({ type: 'fragile', payload: {}, maxAttempts: 3 });
        queue.start();
        await until(async () => (await job(queue, id)).status === 'dead');
        expect(calls).toBe(3);
        expect((await job(queue, id)).lastError).toBe('failed after 3 attempts: Error: lever unavailable');
        expect(await queue.stats()).toMatchObject({ dead: 1, queued: 0 });
        const [dead] = await queue.list({ status: 'dead' });
        expect(dead).toMatchObject({
          id,
          type: 'fragile',
          attempts: 3,
          maxAttempts: 3,
          lastError: expect.stringContaining('unavailable'),
        });

        healthy = true;
        await queue.retry(id);
        await until(async () => (await job(queue, id)).status === 'done');
        expect(calls).toBe(4);
        await expect(queue.retry(id)).rejects.toThrow(/is done, not dead/);
        await expect(queue.retry(999_999)).rejects.toThrow(/No job with id/);
      });

      it('a PermanentJobError dead-letters at once', async () => {
        const { queue } = await setup();
        let calls = 0;
        queue.register('bad', async () => {
          calls++;
          throw new PermanentJobError('payload is not a valid opportunity id');
        });
        const { id } = await queue.enqueue({ type: 'bad', payload: 'x', maxAttempts: 5 });
        queue.start();
        await until(async () => (await job(queue, id)).status === 'dead');
        expect(calls).toBe(1);
        expect((await job(queue, id)).lastError).toMatch(/^permanent: .*not a valid opportunity id/);
      });
    });

    describe('typed job types', () => {
      const Greet = defineJob('greet', z.object({ name: z.string().min(1), times: z.number().int().default(1) }));

      it('a valid payload reaches the handler parsed and typed (defaults applied)', async () => {
        const { queue } = await setup();
        const seen: Array<{ name: string; times: number }> = [];
        queue.register(Greet, async (p) => {
          seen.push({ name: p.name, times: p.times });
        });
        const { id } = await queue.enqueue({ type: Greet, payload: { name: 'Ada' } });
        expect((await job(queue, id)).payload).toEqual({ name: 'Ada' });
        queue.start();
        await until(async () => (await job(queue, id)).status === 'done');
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
        const { queue } = await setup();
        // Enqueued by bare name before the type is registered (like the webhook intake's writes behind the
        // queue's back): only the claim can check it.
        const bad = await queue.enqueue({ type: 'greet', payload: { name: 42 }, maxAttempts: 5 });
        const good = await queue.enqueue({ type: 'greet', payload: { name: 'Grace' } });
        const seen: string[] = [];
        queue.register(Greet, async (p) => {
          seen.push(p.name);
        });
        queue.start();
        await until(async () => (await job(queue, good.id)).status === 'done');
        await until(async () => (await job(queue, bad.id)).status === 'dead');
        const dead = await job(queue, bad.id);
        expect(dead.attempts).toBe(1);
        expect(dead.lastError).toMatch(/^permanent: PermanentJobError: Invalid payload for job "greet":[\s\S]*name/);
        expect(seen).toEqual(['Grace']);
      });
    });

    describe('stop', () => {
      it('waits for in-flight jobs to finish before resolving', async () => {
        const { queue } = await setup();
        let finished = false;
        queue.register('t', async () => {
          await delay(150);
          finished = true;
        });
        const { id } = await queue.enqueue({ type: 't', payload: {} });
        queue.start();
        await until(async () => (await job(queue, id)).status === 'running');
        await queue.stop({ timeoutMs: 2_000 });
        expect(finished).toBe(true);
        expect((await job(queue, id)).status).toBe('done');
      });

      it('after the timeout, hands a stuck job back to the queue without spending an attempt', async () => {
        const { queue, harness } = await setup();
        let aborted = false;
        queue.register('stuck', async (_p, ctx) => {
          ctx.signal.addEventListener('abort', () => {
            aborted = true;
          });
          await delay(1_500);
        });
        const { id } = await queue.enqueue({ type: 'stuck', payload: {} });
        queue.start();
        await until(async () => (await job(queue, id)).status === 'running');
        const started = Date.now();
        await queue.stop({ timeoutMs: 50 });
        expect(Date.now() - started).toBeLessThan(1_000);
        expect(aborted).toBe(true);
        expect(await job(queue, id)).toMatchObject({ status: 'queued', attempts: 0, lockedBy: null });
        // The handler's late completion must not overwrite the released job.
        await delay(1_600);
        expect((await job(queue, id)).status).toBe('queued');

        const next = await harness.queue();
        cleanups.push(() => next.stop({ timeoutMs: 100 }));
        next.register('stuck', async () => {});
        next.start();
        await until(async () => (await job(queue, id)).status === 'done');
        expect((await job(queue, id)).attempts).toBe(1);
      });

      it('a handler abandoned by stop() cannot complete the job after the same queue restarts and re-runs it', async () => {
        const { queue } = await setup();
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
        expect((await job(queue, id)).status).toBe('running');
        await until(async () => (await job(queue, id)).status === 'done');
      });
    });
  });
}
