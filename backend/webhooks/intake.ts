import type BetterSqlite3 from 'better-sqlite3';
import { type Kysely, sql } from 'kysely';
import { z } from 'zod';
import type { JobId, JobQueue } from '../jobs/queue.ts';
import { enqueueSync } from '../jobs/sqlite-queue.ts';
import { verifyLeverWebhook, WEBHOOK_EVENTS } from '../lever/index.ts';
import type { Store } from '../store/db.ts';
import type { Database } from '../store/schema.ts';

/**
 * The webhook hot path: lookup, validation, signature, replay checks, dedupe and enqueue. On SQLite it is
 * synchronous on better-sqlite3 prepared statements (sqliteIntakeStore); on PostgreSQL each batch is one Kysely
 * transaction that the queue enqueues into (kyselyIntakeStore). Deliveries that pass the checks are group-committed: everything
 * that arrives within one event-loop turn goes into ONE transaction (event row + job row each), and each delivery
 * is answered only after that commit. A commit costs about as much as the rows in it on this disk (~0.8 ms for one
 * event + job), so batching is what lifts intake past a few thousand per second under concurrency.
 * Lever retries any non-2xx five times, so every answer that means "we have it" (new or duplicate) is 200 and the
 * work itself happens in the queue.
 */

/**
 * Text neither engine stores as given: a NUL (PostgreSQL refuses it in text and jsonb; SQLite's LIKE stops at it) or
 * a lone UTF-16 surrogate (written as U+FFFD, so the stored id is not the one received, and pg-boss's jsonb refuses
 * its escape). Refused with a 400 before the batch, so one such delivery cannot fail the others committed with it.
 */
const UNSTORABLE = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const storable = (s: string) => !UNSTORABLE.test(s);
const idText = z.string().min(1).max(200).refine(storable, 'must not contain NUL or unpaired surrogate characters');

const DeliverySchema = z.object({
  id: idText.optional(),
  event: z.enum(WEBHOOK_EVENTS),
  triggeredAt: z.number().int().nonnegative(),
  token: idText,
  signature: z.string().max(200).optional(),
  data: z.record(z.string(), z.unknown()),
});

export type IntakeResult = {
  status: 200 | 400 | 401 | 404 | 409;
  body:
    | { ok: true; duplicate?: boolean; ignored?: string; jobId?: JobId }
    | { error: { code: string; message: string } };
};

/** A webhook re-registered with a new signature token is picked up within this time. */
const TOKEN_CACHE_MS = 30_000;

export type Pending = {
  row: [string, string, string, number, number, string];
  job: { type: string; payload: unknown };
  now: number;
  resolve: (r: IntakeResult) => void;
  reject: (e: unknown) => void;
};

const fail = (status: IntakeResult['status'], code: string, message: string): IntakeResult => ({
  status,
  body: { error: { code, message } },
});

export type WebhookIntakeOptions = {
  replayWindowMs: number;
  now?: () => number;
  /** Called after a batch that enqueued jobs committed, so idle workers start on them without waiting for a poll. */
  onEnqueued?: () => void;
};

/** A value now (SQLite's synchronous statements) or later (PostgreSQL). */
type MaybePromise<T> = T | Promise<T>;

/** What the intake needs from the store: the webhook's signature token, whether an event is known, the batch commit. */
export interface IntakeStore {
  signatureToken(webhookId: string): MaybePromise<string | null>;
  eventExists(eventId: string): MaybePromise<boolean>;
  /** Stores each delivery's event row and its job in ONE transaction; the results follow the batch's order. */
  commit(batch: readonly Pending[]): MaybePromise<IntakeResult[]>;
}

const byPathPattern = (webhookId: string) => `%/webhooks/lever/${webhookId.replace(/[\\%_]/g, (ch) => `\\${ch}`)}`;

const stored = (jobId: JobId | undefined): IntakeResult =>
  jobId === undefined ? conflict() : { status: 200, body: { ok: true, jobId } };
const duplicate = (): IntakeResult => ({ status: 200, body: { ok: true, duplicate: true } });
const conflict = () => fail(409, 'conflict', 'Webhook token was already used by another delivery (replay rejected).');

/**
 * SQLite: synchronous better-sqlite3 prepared statements (no Kysely) and the job row written by enqueueSync in the
 * same transaction, which is what keeps intake at thousands of deliveries a second on one process.
 */
export function sqliteIntakeStore(sqlite: BetterSqlite3.Database): IntakeStore {
  const byId = sqlite.prepare('SELECT signature_token FROM lever_webhooks WHERE id = ?');
  // Webhooks registered by `webhooks register` are addressed by the path token in their URL (see cli/webhooks.ts).
  // SQLite's LIKE ignores ASCII case; the path token is matched exactly (as on PostgreSQL) by the endsWith below.
  const byPath = sqlite.prepare("SELECT signature_token, url FROM lever_webhooks WHERE url LIKE ? ESCAPE '\\'");
  const insertEvent = sqlite.prepare(
    `INSERT INTO webhook_events (event_id, token, event, triggered_at, received_at, payload)
     VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
  );
  const exists = sqlite.prepare('SELECT 1 AS found FROM webhook_events WHERE event_id = ?');
  const commit = sqlite.transaction((batch: readonly Pending[]) =>
    batch.map((p): IntakeResult => {
      const inserted = insertEvent.get(...p.row) as { id: number } | undefined;
      if (inserted) return stored(enqueueSync(sqlite, p.job, { now: p.now }).id);
      // Not inserted: the same event raced in (maybe in this very batch), or its token was used by another event.
      return exists.get(p.row[0]) ? duplicate() : conflict();
    }),
  );
  return {
    signatureToken(webhookId) {
      const row = (byId.get(webhookId) ??
        (byPath.all(byPathPattern(webhookId)) as Array<{ signature_token: string; url: string }>).find((w) =>
          w.url.endsWith(`/webhooks/lever/${webhookId}`),
        )) as { signature_token: string } | undefined;
      return row?.signature_token ?? null;
    },
    eventExists: (eventId) => exists.get(eventId) !== undefined,
    commit,
  };
}

/**
 * PostgreSQL (several backend instances): the batch's event rows and their jobs in one Kysely transaction, the jobs
 * enqueued through the queue with that transaction (pg-boss writes them on it), so a rolled-back batch leaves no
 * job and a committed one leaves exactly one per new event, whichever instance the delivery reached.
 */
export function kyselyIntakeStore(db: Kysely<Database>, queue: Pick<JobQueue, 'enqueue'>): IntakeStore {
  return {
    async signatureToken(webhookId) {
      const row = await db
        .selectFrom('lever_webhooks')
        .select('signature_token')
        .where((eb) => eb.or([eb('id', '=', webhookId), eb('url', 'like', byPathPattern(webhookId))]))
        // The id match wins over a path match, as on SQLite.
        .orderBy(sql`case when id = ${webhookId} then 0 else 1 end`)
        .limit(1)
        .executeTakeFirst();
      return row?.signature_token ?? null;
    },
    async eventExists(eventId) {
      const row = await db.selectFrom('webhook_events').select('id').where('event_id', '=', eventId).executeTakeFirst();
      return row !== undefined;
    },
    commit: (batch) => retryOnDeadlock(() => db.transaction().execute((trx) => commitBatch(trx, queue, batch))),
  };
}

/**
 * One batch on PostgreSQL: every event row in ONE insert, in event-id order (two instances inserting overlapping
 * batches then take the unique-index locks in the same order instead of deadlocking), a job per inserted row on the
 * same transaction, and one lookup for the rows not inserted (a duplicate, or a token another event used).
 */
async function commitBatch(
  trx: Kysely<Database>,
  queue: Pick<JobQueue, 'enqueue'>,
  batch: readonly Pending[],
): Promise<IntakeResult[]> {
  const rows = batch
    .map(({ row: [event_id, token, event, triggered_at, received_at, payload] }) => ({
      event_id,
      token,
      event,
      triggered_at,
      received_at,
      payload,
    }))
    .sort((a, b) => (a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0));
  const inserted = await trx
    .insertInto('webhook_events')
    .values(rows)
    .onConflict((oc) => oc.doNothing())
    .returning('event_id')
    .execute();
  const fresh = new Set(inserted.map((r) => r.event_id));
  // The first delivery of each inserted event gets its job; the others are retries (also within this batch) or a
  // token another event used, told apart by one lookup (this transaction sees its own rows).
  const results: Array<IntakeResult | null> = [];
  for (const p of batch) {
    results.push(fresh.delete(p.row[0]) ? stored((await queue.enqueue(p.job, trx)).id) : null);
  }
  const rest = batch.filter((_, i) => results[i] === null).map((p) => p.row[0]);
  const known =
    rest.length === 0
      ? new Set<string>()
      : new Set(
          (await trx.selectFrom('webhook_events').select('event_id').where('event_id', 'in', rest).execute()).map(
            (r) => r.event_id,
          ),
        );
  return results.map((r, i) => r ?? (known.has((batch[i] as Pending).row[0]) ? duplicate() : conflict()));
}

/** Runs `fn` again (up to 3 times) when PostgreSQL aborted its transaction for a deadlock or serialization failure. */
async function retryOnDeadlock<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (attempt >= 3 || (code !== '40P01' && code !== '40001')) throw e;
    }
  }
}

/** The intake storage for `store`: SQLite's synchronous fast path, or Kysely with the queue on PostgreSQL. */
export function intakeStoreFor(store: Store, queue: Pick<JobQueue, 'enqueue'>): IntakeStore {
  return store.dialect === 'sqlite' ? sqliteIntakeStore(store.sqlite) : kyselyIntakeStore(store.db, queue);
}

export class WebhookIntake {
  private readonly now: () => number;
  private batch: Pending[] = [];

  constructor(
    private readonly storage: IntakeStore,
    private readonly opts: WebhookIntakeOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  private flush = (): void => {
    const batch = this.batch;
    this.batch = [];
    const settle = (results: IntakeResult[]) => {
      for (const [i, p] of batch.entries()) p.resolve(results[i] as IntakeResult);
      if (results.some((r) => r.body && 'jobId' in r.body)) this.opts.onEnqueued?.();
    };
    // Nothing of a failed batch was stored: a 5xx makes Lever deliver again later.
    const reject = (e: unknown) => {
      for (const p of batch) p.reject(e);
    };
    let results: MaybePromise<IntakeResult[]>;
    try {
      results = this.storage.commit(batch);
    } catch (e) {
      reject(e);
      return;
    }
    if (results instanceof Promise) results.then(settle, reject);
    else settle(results);
  };

  /** Known webhooks' signature tokens for a short while: a lookup per delivery was measurable on the hot path. */
  private readonly tokenCache = new Map<string, { token: string; at: number }>();

  signatureTokenFor(webhookId: string): MaybePromise<string | null> {
    const hit = this.tokenCache.get(webhookId);
    const t = this.now();
    if (hit && t - hit.at < TOKEN_CACHE_MS) return hit.token;
    const remember = (token: string | null) => {
      // Only known ids are cached, so junk ids cannot grow the map.
      if (token !== null) this.tokenCache.set(webhookId, { token, at: t });
      else this.tokenCache.delete(webhookId);
      return token;
    };
    const token = this.storage.signatureToken(webhookId);
    return token instanceof Promise ? token.then(remember) : remember(token);
  }

  /** Handles one delivery whose body was already parsed as JSON (`body` is untrusted). */
  receive(webhookId: string, body: unknown): MaybePromise<IntakeResult> {
    // No registered webhook has such an id (they are UUIDs); PostgreSQL would refuse the lookup itself.
    const signatureToken = storable(webhookId) ? this.signatureTokenFor(webhookId) : null;
    return signatureToken instanceof Promise
      ? signatureToken.then((t) => this.receiveWith(t, webhookId, body))
      : this.receiveWith(signatureToken, webhookId, body);
  }

  private receiveWith(signatureToken: string | null, webhookId: string, body: unknown): MaybePromise<IntakeResult> {
    if (signatureToken === null) {
      return fail(404, 'not_found', `No Lever webhook "${webhookId}" is registered with Fulcrum.`);
    }
    const parsed = DeliverySchema.safeParse(body);
    if (!parsed.success) {
      // Lever's "test" button sends an empty `data` and may omit fields: acknowledge it and do nothing.
      if (isEmptyTest(body)) return { status: 200, body: { ok: true, ignored: 'test delivery' } };
      const first = parsed.error.issues[0];
      const where = first?.path.join('.') || 'body';
      return fail(400, 'invalid_request', `Invalid webhook delivery: ${where}: ${first?.message ?? 'invalid'}`);
    }
    const d = parsed.data;
    if (Object.keys(d.data).length === 0) return { status: 200, body: { ok: true, ignored: 'test delivery' } };
    if (!verifyLeverWebhook(d, signatureToken)) {
      return fail(401, 'unauthorized', 'Webhook signature does not match this webhook’s signature token.');
    }
    const eventId = d.id ?? d.token;
    const now = this.now();
    if (Math.abs(now - d.triggeredAt) > this.opts.replayWindowMs) {
      // A retried delivery is answered 200 even outside the replay window, so Lever stops retrying it. (Inside the
      // window, duplicates are found by the insert itself: one index probe per delivery instead of two.)
      const outside = fail(
        401,
        'unauthorized',
        `Webhook delivery is outside the replay window (triggeredAt is ${Math.round((now - d.triggeredAt) / 1000)} s from now).`,
      );
      const known = this.storage.eventExists(eventId);
      return known instanceof Promise ? known.then((k) => (k ? duplicate() : outside)) : known ? duplicate() : outside;
    }
    const payload = { eventId, event: d.event, data: d.data };
    const json = payloadJson(payload);
    if (json === null) {
      return fail(
        400,
        'invalid_request',
        'Invalid webhook delivery: data: nested too deeply or holds NUL or unpaired surrogate characters',
      );
    }
    return new Promise<IntakeResult>((resolve, reject) => {
      if (this.batch.length === 0) setImmediate(this.flush);
      this.batch.push({
        row: [eventId, d.token, d.event, d.triggeredAt, now, json],
        // No job dedupe key: the event row's unique id in the same transaction already makes this job once-only.
        job: { type: d.event, payload },
        now,
        resolve,
        reject,
      });
    });
  }
}

/** The stored payload, or null when a key or string in it is not storable or it nests too deeply to serialize. */
function payloadJson(payload: unknown): string | null {
  let ok = true;
  try {
    const json = JSON.stringify(payload, (key, value) => {
      if (!storable(key) || (typeof value === 'string' && !storable(value))) ok = false;
      return value;
    });
    return ok ? json : null;
  } catch (e) {
    if (e instanceof RangeError) return null; // Maximum call stack size exceeded
    throw e;
  }
}

function isEmptyTest(body: unknown): boolean {
  if (!body || typeof body !== 'object') return false;
  const data = (body as { data?: unknown }).data;
  return !!data && typeof data === 'object' && !Array.isArray(data) && Object.keys(data).length === 0;
}
