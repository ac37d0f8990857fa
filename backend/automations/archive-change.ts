import { closeCandidate } from './close-candidate.ts';
import type { AutomationDeps } from './context.ts';
import type { WebhookJob } from './webhook-job.ts';

export const ARCHIVE_CHANGE = 'candidateArchiveChange';

/** candidateArchiveChange: see close-candidate.ts (drop pending proposals, cancel follow-ups, update the talent pool). */
export function handleCandidateArchiveChange(deps: AutomationDeps, job: WebhookJob): Promise<void> {
  return closeCandidate(deps, job, ARCHIVE_CHANGE);
}
