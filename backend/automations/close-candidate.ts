import { type AutomationDeps, dropPending, isArchived, readOpportunity, stopPoll } from './context.ts';
import { cancelFollowUps } from './follow-up.ts';
import type { WebhookJob } from './webhook-job.ts';

/**
 * Shared by candidateArchiveChange, candidateHired and candidateDeleted: the candidate left the process, so their
 * pending proposals are discarded (with the reason), follow-ups cancelled, the feedback poll stopped, and the talent
 * pool updated. The state is re-read from Lever: an archive event for a candidate since unarchived drops nothing.
 */
export async function closeCandidate(
  deps: AutomationDeps,
  job: WebhookJob,
  type: 'candidateArchiveChange' | 'candidateHired' | 'candidateDeleted',
): Promise<void> {
  const id = job.data.opportunityId;
  const opp = type === 'candidateDeleted' ? null : await readOpportunity(deps, id);
  const gone = opp === null;
  if (gone || isArchived(opp)) {
    const reason = gone ? 'candidate deleted' : type === 'candidateHired' ? 'candidate hired' : 'candidate archived';
    dropPending(deps, id, reason);
    cancelFollowUps(deps, id, reason);
    stopPoll(deps, id);
  }
  // Last, and allowed to throw (retry): everything above is idempotent, so a retry only redoes the index update.
  if (deps.talentPool) {
    await deps.talentPool(gone ? { ...job, event: 'candidateDeleted' } : job);
  } else {
    updateTalentPoolRow(deps, id, gone);
  }
}

/**
 * Without the rediscovery index, keep the placeholder talent_pool table honest: forget a deleted opportunity.
 * (Archived people stay in the pool: that is what rediscovery searches.)
 */
function updateTalentPoolRow(deps: AutomationDeps, opportunityId: string, gone: boolean): void {
  if (!gone) return;
  const { sqlite } = deps.store;
  const rows = sqlite
    .prepare('SELECT contact_id, opportunity_ids FROM talent_pool WHERE opportunity_ids LIKE ?')
    .all(`%${opportunityId}%`) as Array<{ contact_id: string; opportunity_ids: string }>;
  for (const r of rows) {
    let ids: unknown;
    try {
      ids = JSON.parse(r.opportunity_ids);
    } catch {
      continue;
    }
    if (!Array.isArray(ids)) continue;
    const rest = ids.filter((x) => x !== opportunityId);
    if (rest.length === 0) sqlite.prepare('DELETE FROM talent_pool WHERE contact_id = ?').run(r.contact_id);
    else
      sqlite
        .prepare('UPDATE talent_pool SET opportunity_ids = ?, updated_at = ? WHERE contact_id = ?')
        .run(JSON.stringify(rest), deps.now(), r.contact_id);
  }
}
