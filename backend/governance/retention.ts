import { deleteAiResultsBefore } from '../candidates/ai-results.ts';
import type { RegulatedJurisdiction } from '../compliance/jurisdiction.ts';
import { type MustGoResult, purgeMustGo, retentionPlan } from '../compliance/retention-policy.ts';
import { inProcessRunner, type SingleRunner } from '../coord/single-runner.ts';
import type { Logger } from '../http/logger.ts';
import { deleteDecidedProposals } from '../proposals/retention.ts';
import type { Store } from '../store/db.ts';
import { readGovernance } from './settings.ts';

/**
 * Retention: cached AI results, decided proposals (written or discarded), finished jobs and received webhook events
 * older than the admin's retention period are deleted. Pending, failed and approved-in-flight proposals are kept
 * whatever their age: they still need a decision; so are dead jobs, which still need a look. Webhook events only
 * dedupe Lever's retries, which stop within hours (and the replay window refuses old deliveries anyway). The audit
 * log is append-only and hash-chained, so it is never touched here (export it instead).
 *
 * Retention by law (compliance/retention-policy.ts): AI outputs and decisions are kept for the legal minimum of the
 * configured jurisdictions when that is longer than the admin's period, and the AI outputs and proposals of people
 * whose Lever consent expired or who asked to be erased are deleted at once, except what a law still requires kept.
 */

export const DAY_MS = 24 * 60 * 60 * 1000;

export type RetentionResult = {
  /** The admin period's cutoff (operational records); AI outputs and decisions may be kept longer by law. */
  cutoff: number;
  cutoffs: { aiOutputs: number; decisions: number };
  aiResults: number;
  proposals: number;
  jobs: number;
  webhookEvents: number;
  mustGo: MustGoResult;
};

export async function runRetention(
  store: Pick<Store, 'db'>,
  now: number,
  opts: { jurisdictions?: readonly RegulatedJurisdiction[] } = {},
): Promise<RetentionResult> {
  const { governance } = await readGovernance(store.db);
  const cutoff = now - governance.retentionDays * DAY_MS;
  const plan = await retentionPlan(store.db, governance.retentionDays, opts.jurisdictions ?? [], now);
  const { aiOutputs, decisions } = plan.cutoffs;
  const result = await store.db.transaction().execute(async (trx) => {
    const aiResults = await deleteAiResultsBefore(trx, aiOutputs);
    const proposals = await deleteDecidedProposals(trx, decisions);
    const jobs = await trx
      .deleteFrom('jobs')
      .where('status', '=', 'done')
      .where('updated_at', '<', cutoff)
      .executeTakeFirst();
    const events = await trx.deleteFrom('webhook_events').where('received_at', '<', cutoff).executeTakeFirst();
    return {
      cutoff,
      cutoffs: { aiOutputs, decisions },
      aiResults,
      proposals,
      jobs: Number(jobs.numDeletedRows),
      webhookEvents: Number(events.numDeletedRows),
    };
  });
  return { ...result, mustGo: await purgeMustGo(store.db, plan, now) };
}

/**
 * Runs retention now and then every `intervalMs` (daily). Failures are logged and retried at the next tick.
 * With several instances `runner` (a PostgreSQL advisory-lock lease) lets only its holder run a tick; the others skip
 * theirs, and take the lease at their next tick when the holder stops or dies. The default, for the embedded SQLite
 * store's one process, always runs.
 */
export function startRetention(
  store: Store,
  logger: Logger,
  opts: {
    intervalMs?: number;
    now?: () => number;
    jurisdictions?: readonly RegulatedJurisdiction[];
    runner?: SingleRunner;
  } = {},
): { stop(): void; done: Promise<void> } {
  const now = opts.now ?? Date.now;
  const runner = opts.runner ?? inProcessRunner('retention');
  const tick = async () => {
    try {
      if (!(await runner.hold())) return;
      const r = await runRetention(store, now(), opts.jurisdictions ? { jurisdictions: opts.jurisdictions } : {});
      if (r.aiResults || r.proposals || r.jobs || r.webhookEvents || r.mustGo.deleted) {
        logger.info(r, 'retention: deleted expired rows');
      }
    } catch (e) {
      logger.warn({ err: { name: (e as Error).name, message: (e as Error).message } }, 'retention run failed');
    }
  };
  const done = tick();
  const timer = setInterval(() => void tick(), opts.intervalMs ?? DAY_MS);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      void runner.release().catch(() => {});
    },
    done,
  };
}
