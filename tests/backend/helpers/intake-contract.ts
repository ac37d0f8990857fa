import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { JobQueue } from '../../../backend/jobs/queue.ts';
import { signLeverWebhook } from '../../../backend/lever/index.ts';
import type { Store } from '../../../backend/store/db.ts';
import { type IntakeResult, intakeStoreFor, WebhookIntake } from '../../../backend/webhooks/intake.ts';
import { cleanupsAfterEach } from './temp-store.ts';

/** One backend instance's view of the shared database: its own store connection and its own queue. */
export type IntakeInstance = { store: Store; queue: Pick<JobQueue, 'enqueue'> };

export type IntakeHarness = {
  /** Another instance on the same database (on SQLite: another connection to the same file). */
  instance(): Promise<IntakeInstance>;
  /** Jobs stored for webhook events, by job type. */
  webhookJobs(): Promise<number>;
  /** Makes the store refuse to store an event whose payload holds `poison` (a trigger), to break a batch. */
  poisonEvents(): Promise<void>;
  close(): Promise<void>;
};

const WEBHOOK_ID = 'wh-contract';
const SECRET = randomBytes(24).toString('hex');
const WINDOW_MS = 10 * 60_000;

function delivery(over: { id?: string; token?: string; triggeredAt?: number; data?: object; secret?: string } = {}) {
  const token = over.token ?? randomBytes(16).toString('hex');
  const triggeredAt = over.triggeredAt ?? Date.now();
  return {
    id: over.id ?? randomUUID(),
    event: 'candidateStageChange',
    triggeredAt,
    token,
    signature: signLeverWebhook(token, triggeredAt, over.secret ?? SECRET),
    data: over.data ?? { opportunityId: randomUUID(), toStageId: 's2', fromStageId: 's1' },
  };
}

const intakeOf = (i: IntakeInstance) =>
  new WebhookIntake(intakeStoreFor(i.store, i.queue), { replayWindowMs: WINDOW_MS });

async function eventRows(store: Store): Promise<number> {
  const r = await store.db
    .selectFrom('webhook_events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/**
 * What the webhook intake promises on either engine (SQLite: tests/backend/webhook-intake-storage.test.ts;
 * PostgreSQL: tests/postgres/webhook-intake-pg.test.ts): a signed delivery is stored once with exactly one job, in
 * one transaction per batch, whichever instance (or how many at once) receives it; a failed batch stores nothing.
 */
export function describeIntakeContract(name: string, open: () => Promise<IntakeHarness>): void {
  const cleanups = cleanupsAfterEach();
  async function setup() {
    const h = await open();
    cleanups.push(() => h.close());
    const first = await h.instance();
    await first.store.db
      .insertInto('lever_webhooks')
      .values({
        id: WEBHOOK_ID,
        event: 'candidateStageChange',
        url: 'https://fulcrum.example/webhooks/lever/path-token-1',
        signature_token: SECRET,
        created_at: Date.now(),
      })
      .execute();
    return { h, first };
  }

  describe(`${name}: the webhook intake storage contract`, () => {
    it('stores a signed delivery with one job, and answers a retry of it as a duplicate', async () => {
      const { h, first } = await setup();
      const intake = intakeOf(first);
      const d = delivery();
      const r = await intake.receive(WEBHOOK_ID, d);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ ok: true });
      expect('jobId' in r.body && r.body.jobId).toBeTruthy();
      expect(await intake.receive(WEBHOOK_ID, d)).toEqual({ status: 200, body: { ok: true, duplicate: true } });
      expect(await eventRows(first.store)).toBe(1);
      expect(await h.webhookJobs()).toBe(1);
    });

    it('finds the webhook by the path token of its URL too, and refuses unknown ids, bad signatures and replays', async () => {
      const { h, first } = await setup();
      const intake = intakeOf(first);
      expect((await intake.receive('path-token-1', delivery())).status).toBe(200);
      expect((await intake.receive('path%', delivery())).status).toBe(404);
      // The path token is matched exactly: SQLite's LIKE would ignore its case (and grow the token cache per variant).
      expect((await intake.receive('PATH-token-1', delivery())).status).toBe(404);
      expect((await intake.receive('nope', delivery())).status).toBe(404);
      expect((await intake.receive(WEBHOOK_ID, delivery({ secret: 'wrong' }))).status).toBe(401);
      const used = delivery();
      expect((await intake.receive(WEBHOOK_ID, used)).status).toBe(200);
      // The same signed token under a new delivery id is a replay.
      const replay = { ...used, id: randomUUID() };
      expect((await intake.receive(WEBHOOK_ID, replay)).status).toBe(409);
      // Outside the window: a known event is still a duplicate (Lever stops retrying), an unknown one is refused.
      const old = Date.now() - WINDOW_MS - 60_000;
      expect((await intake.receive(WEBHOOK_ID, { ...used, triggeredAt: old })).status).toBe(401);
      const known = await intake.receive(WEBHOOK_ID, delivery({ id: used.id, token: used.token, triggeredAt: old }));
      expect(known).toEqual({ status: 200, body: { ok: true, duplicate: true } });
      expect(await h.webhookJobs()).toBe(2);
    });

    it('the same deliveries reaching two instances at once make one event row and one job each', async () => {
      const { h, first } = await setup();
      const second = await h.instance();
      const a = intakeOf(first);
      const b = intakeOf(second);
      const ds = Array.from({ length: 40 }, () => delivery());
      // Every delivery three times, alternating instances, all in flight together.
      const answers = await Promise.all(
        ds.flatMap((d, i) => [
          a.receive(WEBHOOK_ID, d),
          b.receive(WEBHOOK_ID, d),
          (i % 2 ? a : b).receive(WEBHOOK_ID, d),
        ]),
      );
      expect(answers.filter((r) => r.status !== 200)).toEqual([]);
      const stored = answers.filter((r) => 'jobId' in r.body && r.body.jobId !== undefined);
      expect(stored).toHaveLength(ds.length);
      expect(await eventRows(first.store)).toBe(ds.length);
      expect(await h.webhookJobs()).toBe(ds.length);
    });

    it('refuses ids and data either engine cannot store as they are (NUL, lone surrogates, deep nesting) with a 400, and stores the rest of the batch', async () => {
      const { h, first } = await setup();
      const intake = intakeOf(first);
      expect((await intake.receive(WEBHOOK_ID, delivery())).status).toBe(200);
      // A NUL in the URL's webhook id is an unknown webhook, not a database error.
      expect((await intake.receive('path-token-1\u0000', delivery())).status).toBe(404);
      let deep: unknown = 1;
      for (let i = 0; i < 20_000; i++) deep = [deep];
      const bad = [
        delivery({ id: 'evt\u0000nul' }),
        delivery({ id: 'evt-\ud800-lone' }),
        delivery({ token: `tok\u0000${randomUUID()}` }),
        delivery({ data: { opportunityId: 'o\u0000pp' } }),
        delivery({ data: { 'key\u0000': 'x' } }),
        delivery({ data: { opportunityId: 'o\udfffpp' } }),
        delivery({ data: { opportunityId: 'opp', deep } }),
      ];
      const good = [delivery({ id: `evt-%_\\-ünï-${'x'.repeat(150)}` }), delivery(), delivery()];
      // All in one turn: one batch, in which the bad ones must not fail the good ones.
      const answers = await Promise.all([...bad, ...good].map((d) => intake.receive(WEBHOOK_ID, d)));
      expect(answers.slice(0, bad.length).map((r) => r.status)).toEqual(bad.map(() => 400));
      expect(answers.slice(bad.length).map((r) => r.status)).toEqual(good.map(() => 200));
      expect(answers.slice(bad.length).every((r) => 'jobId' in r.body && r.body.jobId !== undefined)).toBe(true);
      expect(await eventRows(first.store)).toBe(1 + good.length);
      expect(await h.webhookJobs()).toBe(1 + good.length);
      // A retry of the odd-but-valid id is a duplicate, not a second event.
      expect(await intake.receive(WEBHOOK_ID, good[0])).toEqual({ status: 200, body: { ok: true, duplicate: true } });
    });

    it('a batch that fails to commit stores none of its deliveries, and each of them gets the error', async () => {
      const { h, first } = await setup();
      await h.poisonEvents();
      const intake = intakeOf(first);
      // A first delivery puts the webhook's signature token in the intake's cache, so the next ones are checked
      // without a lookup and all join the batch of the turn they arrive in: one batch, one transaction.
      expect((await intake.receive(WEBHOOK_ID, delivery())).status).toBe(200);
      const batch = [delivery(), delivery({ data: { opportunityId: 'poison' } }), delivery()];
      const settled = await Promise.allSettled(batch.map((d) => intake.receive(WEBHOOK_ID, d)));
      expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected']);
      expect(await eventRows(first.store)).toBe(1);
      expect(await h.webhookJobs()).toBe(1);
      // Lever delivers the good ones again later: they are stored then.
      const again: IntakeResult[] = [];
      for (const d of [batch[0], batch[2]]) again.push(await intake.receive(WEBHOOK_ID, d));
      expect(again.map((r) => r.status)).toEqual([200, 200]);
      expect(await h.webhookJobs()).toBe(3);
    });
  });
}
