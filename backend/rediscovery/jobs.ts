import { z } from 'zod';
import { AiError } from '../ai/errors.ts';
import { defineJob, type JobQueue, PermanentJobError } from '../jobs/queue.ts';
import type { Store } from '../store/db.ts';
import { EmbedBusyError, embedPeople } from './embed-people.ts';
import { pollPostings } from './poll-postings.ts';
import type { HybridRanking } from './rediscover-hybrid.ts';
import { loadRefData } from './ref-store.ts';
import { refreshOpportunity, runSync, SyncBusyError, type SyncDeps } from './sync.ts';
import { readSyncState } from './sync-storage.ts';

/**
 * Rediscovery's job handlers: the sync (manual or scheduled), the posting poller, the embedding run of the vector
 * index (when an embeddings endpoint is configured), and the webhook events that keep the index fresh between
 * syncs. Each job type is declared with its payload schema (the queue validates it); handlers are idempotent
 * (at-least-once delivery).
 */

export const SYNC_JOB = 'rediscovery.sync';
export const POLL_JOB = 'rediscovery.poll-postings';
export const EMBED_JOB = 'rediscovery.embed';
/** Webhook refreshes wait this long before embedding, so a burst of events costs one run. */
export const EMBED_DEBOUNCE_MS = 30_000;
/** Webhook events the index reacts to (job types as the webhook intake enqueues them). */
export const WEBHOOK_EVENTS = [
  'applicationCreated',
  'candidateArchiveChange',
  'candidateStageChange',
  'candidateDeleted',
] as const;

export const SyncJob = defineJob(
  SYNC_JOB,
  z
    .object({ full: z.boolean().default(false), every: z.number().int().positive().optional() })
    .nullish()
    .transform((p) => p ?? { full: false }),
);
export const PollJob = defineJob(
  POLL_JOB,
  z
    .object({ every: z.number().int().positive().optional() })
    .nullish()
    .transform((p) => p ?? {}),
);
const EmbedJob = defineJob(EMBED_JOB, z.unknown());
/** What webhooks/intake.ts enqueues: `{eventId, event, data}`. Lever's test button sends `data: {}`. */
const WebhookPayload = z.object({
  event: z.string(),
  data: z.looseObject({ opportunityId: z.string().nullish() }).nullish(),
});
export type RediscoveryWebhookJob = z.output<typeof WebhookPayload>;

export type RediscoveryJobDeps = SyncDeps & { hybrid?: HybridRanking | undefined };

/**
 * Queues an embedding run (one at a time: the dedupe key is held until the queued run starts). The run itself
 * picks up everyone without a current vector, whatever queued it.
 */
export async function queueEmbedding(queue: JobQueue, delayMs = 0): Promise<void> {
  await queue.enqueue({
    type: EmbedJob,
    payload: {},
    ...(delayMs > 0 ? { runAt: Date.now() + delayMs } : {}),
    dedupeKey: `${EMBED_JOB}:pending`,
  });
}

/** Handles one webhook event for the index; other features may handle the same event type too. */
export async function handleRediscoveryWebhook(deps: RediscoveryJobDeps, job: RediscoveryWebhookJob): Promise<string> {
  const id = job.data?.opportunityId;
  if (!id) return 'ignored';
  // candidateDeleted too: a webhook is only a trigger, so Lever is asked; only its 404 removes the opportunity
  // (refreshOpportunity), and one Lever still has is re-indexed as it is.
  return refreshOpportunity(deps, id, await loadRefData(deps.store.db));
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
  queue.register(SyncJob, async (p) => {
    try {
      await runSync(deps, { full: p.full });
    } catch (e) {
      if (!(e instanceof SyncBusyError)) throw e;
    }
    if (deps.hybrid) await queueEmbedding(queue);
    if (p.every) await queue.enqueue(nextScheduledRun(SyncJob, p.every));
  });
  const hybrid = deps.hybrid;
  if (hybrid) {
    queue.register(EmbedJob, async (_payload, ctx) => {
      try {
        await embedPeople({ store: deps.store, embedder: hybrid.embedder, signal: ctx.signal });
      } catch (e) {
        if (e instanceof EmbedBusyError) return;
        // A rejected request (bad key, unknown model) fails the same way on every retry.
        if (e instanceof AiError && !e.retryable) throw new PermanentJobError(e.message);
        throw e;
      }
    });
  }
  queue.register(PollJob, async (p) => {
    await pollPostings(deps);
    if (p.every) await queue.enqueue(nextScheduledRun(PollJob, p.every));
  });
  if (opts.webhookEvents !== false) {
    for (const event of WEBHOOK_EVENTS)
      queue.register(defineJob(event, WebhookPayload), async (job) => void (await handleRediscoveryWebhook(deps, job)));
  }
}

/**
 * The next scheduled run of a recurring job: at the next boundary of its period (multiples of `every` since the
 * epoch), keyed by that period. Every instance computes the same run for the same period, so N instances starting,
 * and a run finishing while another instance starts, all enqueue one job per period: the dedupe key is held until
 * that run finishes, and the follow-up the run enqueues names the period after it.
 */
export function nextScheduledRun(type: typeof SyncJob | typeof PollJob, every: number, now = Date.now()) {
  const period = Math.floor(now / every) + 1;
  return { type, payload: { every }, runAt: period * every, dedupeKey: `${type.name}:period:${period}` };
}

/**
 * Starts the recurring incremental sync and posting poll: enqueues the next period's run of each (each run enqueues
 * the one after it). Idempotent: however many instances start, each period has one scheduled run. The first run is
 * at the next period boundary (an admin can start a sync at once with POST /api/rediscovery/sync).
 */
export async function scheduleRediscovery(
  queue: JobQueue,
  opts: { syncEveryMs?: number; pollEveryMs?: number; now?: number } = {},
): Promise<void> {
  const sync = opts.syncEveryMs ?? 15 * 60_000;
  const poll = opts.pollEveryMs ?? 10 * 60_000;
  await queue.enqueue(nextScheduledRun(SyncJob, sync, opts.now));
  await queue.enqueue(nextScheduledRun(PollJob, poll, opts.now));
}

/**
 * A talent pool that was never synced (a new install) is synced at start-up rather than at the schedule's next
 * period boundary, up to REDISCOVERY_SYNC_MINUTES later. One job however many instances start (its dedupe key is
 * held until it finishes; the sync itself refuses a second concurrent run). Returns whether one was queued.
 */
export async function syncIfNeverSynced(store: Pick<Store, 'db'>, queue: JobQueue): Promise<boolean> {
  if ((await readSyncState(store.db)) !== null) return false;
  await queue.enqueue({ type: SyncJob, payload: {}, dedupeKey: `${SYNC_JOB}:first` });
  return true;
}
