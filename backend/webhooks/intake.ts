import type BetterSqlite3 from 'better-sqlite3';
import { z } from 'zod';
import { enqueueSync } from '../jobs/sqlite-queue.ts';
import { verifyLeverWebhook, WEBHOOK_EVENTS } from '../lever/index.ts';

/**
 * The webhook hot path: lookup, validation, signature, replay checks, dedupe and enqueue, synchronous on
 * better-sqlite3 prepared statements (no Kysely). Deliveries that pass the checks are group-committed: everything
 * that arrives within one event-loop turn goes into ONE transaction (event row + job row each), and each delivery
 * is answered only after that commit. A commit costs about as much as the rows in it on this disk (~0.8 ms for one
 * event + job), so batching is what lifts intake past a few thousand per second under concurrency.
 * Lever retries any non-2xx five times, so every answer that means "we have it" (new or duplicate) is 200 and the
 * work itself happens in the queue.
 */

const DeliverySchema = z.object({
  id: z.string().min(1).max(200).optional(),
  event: z.enum(WEBHOOK_EVENTS),
  triggeredAt: z.number().int().nonnegative(),
  token: z.string().min(1).max(200),
  signature: z.string().max(200).optional(),
  data: z.record(z.string(), z.unknown()),
});

export type IntakeResult = {
  status: 200 | 400 | 401 | 404 | 409;
  body:
    | { ok: true; duplicate?: boolean; ignored?: string; jobId?: number }
    | { error: { code: string; message: string } };
};

/** A webhook re-registered with a new signature token is picked up within this time. */
const TOKEN_CACHE_MS = 30_000;

type Pending = {
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

export class WebhookIntake {
  private readonly byId: BetterSqlite3.Statement;
  private readonly byPath: BetterSqlite3.Statement;
  private readonly insertEvent: BetterSqlite3.Statement;
  private readonly eventExists: BetterSqlite3.Statement;
  private readonly commit: (batch: Pending[]) => IntakeResult[];
  private readonly now: () => number;
  private batch: Pending[] = [];

  constructor(
    sqlite: BetterSqlite3.Database,
    private readonly opts: WebhookIntakeOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.byId = sqlite.prepare('SELECT signature_token FROM lever_webhooks WHERE id = ?');
    // Webhooks registered by `webhooks register` are addressed by the path token in their URL (see cli/webhooks.ts).
    this.byPath = sqlite.prepare("SELECT signature_token FROM lever_webhooks WHERE url LIKE ? ESCAPE '\\'");
    this.insertEvent = sqlite.prepare(
      `INSERT INTO webhook_events (event_id, token, event, triggered_at, received_at, payload)
       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
    );
    this.eventExists = sqlite.prepare('SELECT 1 AS found FROM webhook_events WHERE event_id = ?');
    this.commit = sqlite.transaction((batch: Pending[]) =>
      batch.map((p): IntakeResult => {
        const inserted = this.insertEvent.get(...p.row) as { id: number } | undefined;
        if (inserted) return { status: 200, body: { ok: true, jobId: enqueueSync(sqlite, p.job, { now: p.now }).id } };
        // Not inserted: the same event raced in (maybe in this very batch), or its token was used by another event.
        if (this.eventExists.get(p.row[0])) return { status: 200, body: { ok: true, duplicate: true } };
        return fail(409, 'conflict', 'Webhook token was already used by another delivery (replay rejected).');
      }),
    );
  }

  private flush = (): void => {
    const batch = this.batch;
    this.batch = [];
    let results: IntakeResult[];
    try {
      results = this.commit(batch);
    } catch (e) {
      // Nothing of this batch was stored: a 5xx makes Lever deliver again later.
      for (const p of batch) p.reject(e);
      return;
    }
    for (const [i, p] of batch.entries()) p.resolve(results[i] as IntakeResult);
    if (results.some((r) => r.body && 'jobId' in r.body)) this.opts.onEnqueued?.();
  };

  /** Known webhooks' signature tokens for a short while: a lookup per delivery was measurable on the hot path. */
  private readonly tokenCache = new Map<string, { token: string; at: number }>();

  signatureTokenFor(webhookId: string): string | null {
    const hit = this.tokenCache.get(webhookId);
    const t = this.now();
    if (hit && t - hit.at < TOKEN_CACHE_MS) return hit.token;
    const token = this.lookupSignatureToken(webhookId);
    // Only known ids are cached, so junk ids cannot grow the map.
    if (token !== null) this.tokenCache.set(webhookId, { token, at: t });
    else this.tokenCache.delete(webhookId);
    return token;
  }

  private lookupSignatureToken(webhookId: string): string | null {
    const direct = this.byId.get(webhookId) as { signature_token: string } | undefined;
    if (direct) return direct.signature_token;
    const escaped = webhookId.replace(/[\\%_]/g, (ch) => `\\${ch}`);
    const viaPath = this.byPath.get(`%/webhooks/lever/${escaped}`) as { signature_token: string } | undefined;
    return viaPath?.signature_token ?? null;
  }

  /** Handles one delivery whose body was already parsed as JSON (`body` is untrusted). */
  receive(webhookId: string, body: unknown): IntakeResult | Promise<IntakeResult> {
    const signatureToken = this.signatureTokenFor(webhookId);
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
      if (this.eventExists.get(eventId)) return { status: 200, body: { ok: true, duplicate: true } };
      return fail(
        401,
        'unauthorized',
        `Webhook delivery is outside the replay window (triggeredAt is ${Math.round((now - d.triggeredAt) / 1000)} s from now).`,
      );
    }
    const payload = { eventId, event: d.event, data: d.data };
    return new Promise<IntakeResult>((resolve, reject) => {
      if (this.batch.length === 0) setImmediate(this.flush);
      this.batch.push({
        row: [eventId, d.token, d.event, d.triggeredAt, now, JSON.stringify(payload)],
        // No job dedupe key: the event row's unique id in the same transaction already makes this job once-only.
        job: { type: d.event, payload },
        now,
        resolve,
        reject,
      });
    });
  }
}

function isEmptyTest(body: unknown): boolean {
  if (!body || typeof body !== 'object') return false;
  const data = (body as { data?: unknown }).data;
  return !!data && typeof data === 'object' && !Array.isArray(data) && Object.keys(data).length === 0;
}
