import type { AiEngine } from '../ai/types.ts';
import { createAudit } from '../http/audit.ts';
import { createLeverUserResolver } from '../http/auth.ts';
import type { Logger } from '../http/logger.ts';
import type { JobHandler, JobQueue } from '../jobs/queue.ts';
import type { LeverClient } from '../lever/index.ts';
import { HrisHandoffJob, handleHrisHandoff } from '../offers/hris-handoff.ts';
import { ProposalRepo } from '../proposals/repo.ts';
import { ProposalService } from '../proposals/service.ts';
import { WriteBack } from '../proposals/write-back.ts';
import type { Store } from '../store/db.ts';
import { APPLICATION_CREATED, handleApplicationCreated } from './application-created.ts';
import { ARCHIVE_CHANGE, handleCandidateArchiveChange } from './archive-change.ts';
import type { AutomationDeps } from './context.ts';
import { DELETED, handleCandidateDeleted } from './deleted.ts';
import { FEEDBACK_POLL, FeedbackPollJob, handleFeedbackPoll } from './feedback-poll.ts';
import { FOLLOW_UP, FollowUpJob, handleFollowUp } from './follow-up.ts';
import { HIRED, handleCandidateHired } from './hired.ts';
import { metricsFor } from './metrics.ts';
import { ensureAutomationSchema } from './schema.ts';
import { handleStageChange, STAGE_CHANGE } from './stage-change.ts';
import { type WebhookJob, webhookJob } from './webhook-job.ts';

export type AutomationOptions = {
  store: Store;
  lever: LeverClient;
  ai: AiEngine;
  queue: JobQueue;
  logger: Logger;
  now?: () => number;
  talentPool?: AutomationDeps['talentPool'];
  hris?: AutomationDeps['hris'];
};

/** Builds the handlers' dependencies (their own ProposalService over the same store, as createApp builds one). */
export function automationDeps(o: AutomationOptions): AutomationDeps {
  const now = o.now ?? Date.now;
  ensureAutomationSchema(o.store.sqlite);
  const audit = createAudit(o.store);
  const proposals = new ProposalService(
    new ProposalRepo(o.store, now),
    new WriteBack(o.store, o.lever, now),
    audit,
    now,
    createLeverUserResolver(o.store, o.lever, o.logger, now),
  );
  return {
    store: o.store,
    lever: o.lever,
    ai: o.ai,
    queue: o.queue,
    proposals,
    metrics: metricsFor(o.store),
    now,
    ...(o.talentPool ? { talentPool: o.talentPool } : {}),
    ...(o.hris ? { hris: o.hris } : {}),
  };
}

/**
 * Registers one handler per automation job type. The webhook event types are owned here (the queue allows one
 * handler per type); the talent pool is updated through `talentPool` instead of a second registration.
 */
export function registerAutomations(queue: JobQueue, deps: AutomationDeps): void {
  const webhookHandlers: Record<string, (d: AutomationDeps, job: WebhookJob) => Promise<void>> = {
    [APPLICATION_CREATED]: handleApplicationCreated,
    [STAGE_CHANGE]: handleStageChange,
    [ARCHIVE_CHANGE]: handleCandidateArchiveChange,
    [HIRED]: handleCandidateHired,
    [DELETED]: handleCandidateDeleted,
  };
  for (const [type, handle] of Object.entries(webhookHandlers)) {
    queue.register(webhookJob(type), timed(deps, type, handle));
  }
  queue.register(FeedbackPollJob, timed(deps, FEEDBACK_POLL, handleFeedbackPoll));
  queue.register(FollowUpJob, timed(deps, FOLLOW_UP, handleFollowUp));
  const hris = deps.hris;
  if (hris) {
    const audit = createAudit(deps.store);
    queue.register(HrisHandoffJob, (job, ctx) =>
      handleHrisHandoff({ store: deps.store, lever: deps.lever, audit, hris, now: deps.now }, job, ctx),
    );
  }
}

function timed<P>(
  deps: AutomationDeps,
  type: string,
  handle: (d: AutomationDeps, p: P) => Promise<void>,
): JobHandler<P> {
  return async (payload) => {
    const started = performance.now();
    try {
      await handle(deps, payload);
      deps.metrics.job(type, 'done', (performance.now() - started) / 1000);
    } catch (e) {
      deps.metrics.job(type, 'failed', (performance.now() - started) / 1000);
      throw e;
    }
  };
}
