import { withTransaction } from '../store/dialect.ts';
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
    await dropPending(deps, id, reason);
    await cancelFollowUps(deps, id, reason);
    await stopPoll(deps, id);
  }
  // Last, and allowed to throw (retry): everything above is idempotent, so a retry only redoes the index update.
  if (deps.talentPool) {
    await deps.talentPool(gone ? { ...job, event: 'candidateDeleted' } : job);
  } else {
    await updateTalentPoolRow(deps, id, gone);
  }
}

/**
 * Without the rediscovery index, keep the placeholder talent_pool table honest: forget a deleted opportunity.
 * (Archived people stay in the pool: that is what rediscovery searches.)
 */
async function updateTalentPoolRow(deps: AutomationDeps, opportunityId: string, gone: boolean): Promise<void> {
  if (!gone) return;
  await withTransaction(deps.store.db, async (trx) => {
    const rows = await trx
      .selectFrom('talent_pool')
      .select(['contact_id', 'opportunity_ids'])
      // A wildcard in the id could only widen the match; the parsed list below decides.
      .where('opportunity_ids', 'like', `%${opportunityId}%`)
      .execute();
    const t = deps.now();
    for (const r of rows) {
      let ids: unknown;
      try {
        ids = JSON.parse(r.opportunity_ids);
      } catch {
        continue;
      }
      if (!Array.isArray(ids) || !ids.includes(opportunityId)) continue;
      const rest = ids.filter((x) => x !== opportunityId);
      if (rest.length === 0) await trx.deleteFrom('talent_pool').where('contact_id', '=', r.contact_id).execute();
      else
        await trx
          .updateTable('talent_pool')
          .set({ opportunity_ids: JSON.stringify(rest), updated_at: t })
          .where('contact_id', '=', r.contact_id)
          .execute();
    }
  });
}
