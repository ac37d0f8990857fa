import { z } from 'zod';
import type { JobQueue } from '../jobs/queue.ts';
import { PermanentJobError } from '../jobs/queue.ts';
import { removeOpportunity } from './index-store.ts';
import { pollPostings } from './poll-postings.ts';
import { loadRefData } from './ref-store.ts';
import { refreshOpportunity, runSync, SyncBusyError, type SyncDeps } from './sync.ts';

/**
 * Rediscovery's job handlers: the sync (manual or scheduled), the posting poller, and the webhook events that keep
 * the index fresh between syncs. Payloads are validated here; handlers are idempotent (at-least-once delivery).
 */

export const SYNC_JOB = 'rediscovery.sync';
export const POLL_JOB = 'rediscovery.poll-postings';
/** Webhook events the index reacts to (job types as the webhook intake enqueues them). */
export const WEBHOOK_EVENTS = [
  'applicationCreated',
  'candidateArchiveChange',
  'candidateStageChange',
  'candidateDeleted',
] as const;

const SyncPayload = z.object({ full: z.boolean().default(false), every: z.number().int().positive().optional() });
const PollPayload = z.object({ every: z.number().int().positive().optional() });
/** What webhooks/intake.ts enqueues: `{eventId, event, data}`. Lever's test button sends `data: {}`. */
const WebhookPayload = z.object({
  event: z.string(),
  data: z.looseObject({ opportunityId: z.string().nullish() }).nullish(),
});

export type RediscoveryJobDeps = SyncDeps;

/** Handles one webhook event for the index; other features may handle the same event type too. */
export async function handleRediscoveryWebhook(deps: RediscoveryJobDeps, payload: unknown): Promise<string> {
  const p = WebhookPayload.safeParse(payload);
  if (!p.success) throw new PermanentJobError(`Invalid webhook job payload: ${z.prettifyError(p.error)}`);
  const id = p.data.data?.opportunityId;
  if (!id) return 'ignored';
  if (p.data.event === 'candidateDeleted') {
    return removeOpportunity(deps.store.sqlite, id, (deps.now ?? Date.now)()) ? 'removed' : 'ignored';
  }
  return refreshOpportunity(deps, id, loadRefData(deps.store.sqlite));
}

/**
 * Registers the handlers. Pass `webhookEvents: false` when another feature already owns those job types
 * (the queue allows one handler per type) and call handleRediscoveryWebhook from that handler instead.
 */
export function registerRediscoveryJobs(
  queue: JobQueue,
  deps: RediscoveryJobDeps,
  opts: { webhookEvents?: boolean } = {},
): void {
  queue.register(SYNC_JOB, async (payload) => {
    const p = SyncPayload.parse(payload ?? {});
    try {
      await runSync(deps, { full: p.full });
    } catch (e) {
      if (!(e instanceof SyncBusyError)) throw e;
    }
    if (p.every) await queue.enqueue(nextRun(SYNC_JOB, p.every));
  });
  queue.register(POLL_JOB, async (payload) => {
    const p = PollPayload.parse(payload ?? {});
    await pollPostings(deps);
    if (p.every) await queue.enqueue(nextRun(POLL_JOB, p.every));
  });
  if (opts.webhookEvents !== false) {
    for (const event of WEBHOOK_EVENTS)
      queue.register(event, async (payload) => void (await handleRediscoveryWebhook(deps, payload)));
  }
}

/**
 * The next occurrence of a recurring job. The running job still holds its own dedupe key, so the key names the
 * time slot instead: two workers finishing the same slot enqueue one follow-up.
 */
function nextRun(type: string, every: number) {
  const runAt = Date.now() + every;
  return { type, payload: { every }, runAt, dedupeKey: `${type}:slot:${Math.floor(runAt / every)}` };
}

/** Starts the recurring incremental sync and posting poll (each job re-enqueues itself; dedupe keeps one). */
export async function scheduleRediscovery(
  queue: JobQueue,
  opts: { syncEveryMs?: number; pollEveryMs?: number } = {},
): Promise<void> {
  const sync = opts.syncEveryMs ?? 15 * 60_000;
  const poll = opts.pollEveryMs ?? 10 * 60_000;
  await queue.enqueue({ type: SYNC_JOB, payload: { every: sync }, dedupeKey: `${SYNC_JOB}:scheduled` });
  await queue.enqueue({ type: POLL_JOB, payload: { every: poll }, dedupeKey: `${POLL_JOB}:scheduled` });
}
