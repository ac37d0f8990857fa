import { erasePerson, scheduleVacuum, scrubFiles } from '../governance/erase-person.ts';
import { AUTOMATION_ACTOR, type AutomationDeps, readOpportunity } from './context.ts';
import type { WebhookJob } from './webhook-job.ts';

export const DELETED = 'candidateDeleted';

/**
 * candidateDeleted: Lever deleted an opportunity, so Fulcrum erases what it holds about it (governance/erase-person.ts:
 * proposals, follow-ups, cached results, the talent-pool entry, audit payloads as tombstones). A webhook is only a
 * trigger, so Lever is asked first: only its 404 confirms the deletion. An opportunity Lever still has is left alone
 * (a forged or mistaken event must not erase anyone); a Lever error is retried by the queue as usual.
 */
export async function handleCandidateDeleted(deps: AutomationDeps, job: WebhookJob): Promise<void> {
  const id = job.data.opportunityId;
  if ((await readOpportunity(deps, id)) !== null) return;
  await erasePerson(
    deps.store.db,
    { scope: 'opportunity', opportunityIds: [id], contactIds: [], names: [], emails: [] },
    { actor: AUTOMATION_ACTOR.email, reason: DELETED, now: deps.now() },
  );
  // No VACUUM here (it holds the database for seconds); secure_delete zeroed what was freed, and a debounced VACUUM job
  // removes older copies left in free pages (governance/erase-person.ts).
  await scrubFiles(deps.store.db, { vacuum: false });
  await scheduleVacuum(deps.queue, deps.now());
}
