import { closeCandidate } from './close-candidate.ts';
import type { AutomationDeps } from './context.ts';

export const ARCHIVE_CHANGE = 'candidateArchiveChange';

/** candidateArchiveChange: see close-candidate.ts (drop pending proposals, cancel follow-ups, update the talent pool). */
export function handleCandidateArchiveChange(deps: AutomationDeps, payload: unknown): Promise<void> {
  return closeCandidate(deps, payload, ARCHIVE_CHANGE);
}
