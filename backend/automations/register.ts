import type { AiEngine } from '../ai/types.ts';
import type { CandidatePipeline } from '../candidates/pipeline.ts';
import type { AuditFn } from '../http/audit.ts';
import type { JobHandler, JobQueue } from '../jobs/queue.ts';
import type { LeverClient } from '../lever/index.ts';
import { HrisHandoffJob, handleHrisHandoff } from '../offers/hris-handoff.ts';
import type { ProposalService } from '../proposals/service.ts';
import type { Store } from '../store/db.ts';
import { APPLICATION_CREATED, handleApplicationCreated } from './application-created.ts';
import { ARCHIVE_CHANGE, handleCandidateArchiveChange } from './archive-change.ts';
import type { AutomationDeps } from './context.ts';
import { DELETED, handleCandidateDeleted } from './deleted.ts';
import { FEEDBACK_POLL, FeedbackPollJob, handleFeedbackPoll } from './feedback-poll.ts';
import { FOLLOW_UP, FollowUpJob, handleFollowUp } from './follow-up.ts';
import { HIRED, handleCandidateHired } from './hired.ts';
import { metricsFor } from './metrics.ts';
import { handleStageChange, STAGE_CHANGE } from './stage-change.ts';
import { type WebhookJob, webhookJob } from './webhook-job.ts';

export type AutomationOptions = {
  store: Store;
  lever: LeverClient;
  ai: AiEngine;
  queue: JobQueue;
  /** The backend's one ProposalService (built by the composition root, app.ts createServices). */
  proposals: ProposalService;
  /** The backend's one capability pipeline (and posting cache). */
  pipeline: CandidatePipeline;
  audit: AuditFn;
  now?: () => number;
  talentPool?: AutomationDeps['talentPool'];
  hris?: AutomationDeps['hris'];
};

/** The handlers' dependencies, over the services the composition root built (app.ts createServices). */
export function automationDeps(o: AutomationOptions): AutomationDeps {
  const now = o.now ?? Date.now;
  return {
    store: o.store,
    lever: o.lever,
    ai: o.ai,
    queue: o.queue,
    proposals: o.proposals,
    pipeline: o.pipeline,
    audit: o.audit,
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
    queue.register(HrisHandoffJob, (job, ctx) =>
      handleHrisHandoff({ store: deps.store, lever: deps.lever, audit: deps.audit, hris, now: deps.now }, job, ctx),
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
