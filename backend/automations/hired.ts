import { queueHrisHandoff } from '../offers/hris-handoff.ts';
import { closeCandidate } from './close-candidate.ts';
import type { AutomationDeps } from './context.ts';
import type { WebhookJob } from './webhook-job.ts';

export const HIRED = 'candidateHired';

/**
 * candidateHired: see close-candidate.ts (drop pending proposals, cancel follow-ups, update the talent pool), then,
 * when an HRIS webhook is configured, queue the hire's hand-off (offers/hris-handoff.ts; it re-reads Lever).
 */
export async function handleCandidateHired(deps: AutomationDeps, job: WebhookJob): Promise<void> {
  await closeCandidate(deps, job, HIRED);
  if (deps.hris) await queueHrisHandoff(deps.queue, job.data.opportunityId);
}
