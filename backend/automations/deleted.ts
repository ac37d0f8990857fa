import { closeCandidate } from './close-candidate.ts';
import type { AutomationDeps } from './context.ts';

export const DELETED = 'candidateDeleted';

/** candidateDeleted: see close-candidate.ts (drop pending proposals, cancel follow-ups, update the talent pool). */
export function handleCandidateDeleted(deps: AutomationDeps, payload: unknown): Promise<void> {
  return closeCandidate(deps, payload, DELETED);
}
