import type { Kysely } from 'kysely';
import { runStep } from '../store/copy-to-postgres.ts';
import type { Database } from '../store/schema.ts';
import type { PgBossQueue } from './pg-queue.ts';

export type JobHandOver = {
  /** Unfinished jobs of the SQLite queue: queued (including those waiting to retry) and running. */
  pending: number;
  /** Enqueued into pg-boss by this run. */
  enqueued: number;
  /** Not added because a pg-boss job already holds their dedupe key (the same work is queued there). */
  alreadyQueued: number;
  /** Running jobs on their last attempt: SQLite's lease sweep would dead-letter them, so they are not re-run. */
  lastAttemptLost: number;
  /** Moved by an earlier run of the copy. */
  movedBefore: number;
};

const UNFINISHED = ['queued', 'running'] as const;

/**
 * Hands the SQLite queue's unfinished jobs over to pg-boss, in id order, each in one target transaction with the
 * step's cursor (store_copy_progress), so a rerun after an interruption neither loses nor repeats one. A job keeps
 * its type, payload, run time, dedupe key and the attempts it has left; pg-boss gives it a new (UUID) id. Finished
 * jobs (done, dead) are not moved: they stay in the copied `jobs` table as history. One job per transaction: pg-boss
 * creates a job type's queue (a partition) on another connection, which must not wait on this transaction's rows.
 */
export async function movePendingJobs(
  source: Kysely<Database>,
  target: Kysely<Database>,
  fingerprint: string,
  openQueue: () => Promise<PgBossQueue>,
): Promise<JobHandOver> {
  const counted = await source
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', 'in', UNFINISHED)
    .executeTakeFirstOrThrow();
  const result: JobHandOver = {
    pending: Number(counted.n),
    enqueued: 0,
    alreadyQueued: 0,
    lastAttemptLost: 0,
    movedBefore: 0,
  };
  let queue: PgBossQueue | null = null;
  try {
    const outcome = await runStep(target, fingerprint, 'queue:pg-boss', async (trx, after) => {
      const job = await source
        .selectFrom('jobs')
        .selectAll()
        .where('status', 'in', UNFINISHED)
        .$if(after !== null, (q) => q.where('id', '>', Number(after?.[0])))
        .orderBy('id')
        .limit(1)
        .executeTakeFirst();
      if (!job) return null;
      const attemptsLeft = job.max_attempts - job.attempts;
      if (attemptsLeft <= 0) {
        result.lastAttemptLost++;
      } else {
        queue ??= await openQueue();
        const { created } = await queue.enqueue(
          {
            type: job.type,
            payload: JSON.parse(job.payload) as unknown,
            runAt: job.run_at,
            maxAttempts: attemptsLeft,
            ...(job.dedupe_key !== null ? { dedupeKey: job.dedupe_key } : {}),
          },
          trx,
        );
        if (created) result.enqueued++;
        else result.alreadyQueued++;
      }
      return { last: [job.id], count: 1 };
    });
    result.movedBefore = outcome.resumedAt;
  } finally {
    await (queue as PgBossQueue | null)?.close();
  }
  return result;
}
