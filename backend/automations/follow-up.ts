import { z } from 'zod';
import { OutreachDraftSchema } from '../../utils/contracts/ai.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { conflict, notFound } from '../http/errors.ts';
import { defineJob } from '../jobs/queue.ts';
import { lockForTransaction, withTransaction } from '../store/dialect.ts';
import {
  AUTOMATION_ACTOR,
  type AutomationDeps,
  isArchived,
  loadForAutomation,
  readOpportunity,
  scoreWithCache,
  senderFor,
  stageOf,
  upsertProposal,
} from './context.ts';
import { effectivePolicy } from './policy.ts';

export const FOLLOW_UP = 'automation.follow-up';
export const FollowUpJob = defineJob(FOLLOW_UP, z.object({ proposalId: z.string().min(1) }));

/** Cancels scheduled (and not yet sent) follow-ups of an opportunity; the follow-up job then does nothing. */
export async function cancelFollowUps(deps: AutomationDeps, opportunityId: string, reason: string): Promise<number> {
  const res = await deps.store.db
    .updateTable('automation_followups')
    .set({ status: 'cancelled', cancel_reason: reason, updated_at: deps.now() })
    .where('opportunity_id', '=', opportunityId)
    .where('status', 'in', ['draft', 'scheduled'])
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/** Without a date from the draft, a follow-up is suggested this long after sending. */
const DEFAULT_FOLLOW_UP_MS = 5 * 24 * 3_600_000;

/** Keeps the draft's suggested follow-up date until the recruiter marks the outreach sent. */
export async function rememberFollowUpDate(
  deps: AutomationDeps,
  proposalId: string,
  opportunityId: string,
  date: string,
): Promise<void> {
  const t = deps.now();
  await deps.store.db
    .insertInto('automation_followups')
    .values({
      proposal_id: proposalId,
      opportunity_id: opportunityId,
      follow_up_date: date,
      status: 'draft',
      updated_at: t,
    })
    .onConflict((oc) =>
      oc
        .column('proposal_id')
        .doUpdateSet({ follow_up_date: date, updated_at: t })
        .where('automation_followups.status', '=', 'draft'),
    )
    .execute();
}

/** "YYYY-MM-DD" means 09:00 UTC that day; a full ISO timestamp is taken as is. Past dates mean now. */
function followUpTime(date: string, now: number): number {
  const t = /^\d{4}-\d{2}-\d{2}$/.test(date) ? Date.parse(`${date}T09:00:00Z`) : Date.parse(date);
  return Number.isFinite(t) ? Math.max(now, t) : now + DEFAULT_FOLLOW_UP_MS;
}

export const MarkSentBodySchema = z.object({
  /** Overrides the draft's suggested date: YYYY-MM-DD or an ISO timestamp. */
  followUpAt: z.string().min(10).max(40).optional(),
});

/**
 * The recruiter sent an approved outreach email (Fulcrum cannot send mail: Lever has no API for it). Schedules a
 * follow-up suggestion job at the draft's follow-up date; it is cancelled if the candidate moves stage or is archived.
 */
export async function markSent(
  deps: AutomationDeps,
  actor: { email: string },
  proposalId: string,
  body: z.infer<typeof MarkSentBodySchema>,
): Promise<{ proposalId: string; followUpAt: string }> {
  const p = await deps.proposals.mustGet(proposalId);
  if (p.kind !== 'outreach') throw conflict('Only outreach proposals can be marked sent.');
  if (p.status !== 'written' && p.status !== 'approved') {
    throw conflict(`Approve this outreach before marking it sent (it is ${p.status}).`);
  }
  const opp = await readOpportunity(deps, p.opportunityId);
  if (!opp) throw notFound('Lever no longer has this candidate.');
  const now = deps.now();
  const runAt = await withTransaction(deps.store.db, async (trx) => {
    // Two "mark sent" at once (two tabs, two instances): the second sees the first's schedule and is refused.
    await lockForTransaction(trx, `fulcrum.follow-up:${proposalId}`);
    const row = await trx
      .selectFrom('automation_followups')
      .select(['follow_up_date', 'status'])
      .where('proposal_id', '=', proposalId)
      .executeTakeFirst();
    if (row && row.status !== 'draft') {
      throw conflict(`This outreach was already marked sent (follow-up ${row.status}).`);
    }
    const date = body.followUpAt ?? row?.follow_up_date ?? new Date(now + DEFAULT_FOLLOW_UP_MS).toISOString();
    const at = followUpTime(date, now);
    const scheduled = {
      status: 'scheduled' as const,
      follow_up_date: date,
      stage_at_send: stageOf(opp)?.id ?? null,
      sent_at: now,
      run_at: at,
      updated_at: now,
    };
    await trx
      .insertInto('automation_followups')
      .values({ proposal_id: proposalId, opportunity_id: p.opportunityId, ...scheduled })
      .onConflict((oc) => oc.column('proposal_id').doUpdateSet(scheduled))
      .execute();
    await appendAudit(trx, {
      actor: actor.email,
      opportunityId: p.opportunityId,
      capability: 'outreach',
      action: 'outreach.mark-sent',
      output: { proposalId, followUpAt: new Date(at).toISOString() },
      decision: 'sent',
      leverIds: [p.opportunityId],
    });
    return at;
  });
  await deps.queue.enqueue({
    type: FollowUpJob,
    payload: { proposalId },
    runAt,
    dedupeKey: `${FOLLOW_UP}:${proposalId}`,
  });
  return { proposalId, followUpAt: new Date(runAt).toISOString() };
}

/** At the follow-up date: if still scheduled and the candidate has not moved or been archived, draft a follow-up. */
export async function handleFollowUp(
  deps: AutomationDeps,
  { proposalId }: z.output<typeof FollowUpJob.schema>,
): Promise<void> {
  const row = await deps.store.db
    .selectFrom('automation_followups')
    .select(['opportunity_id', 'stage_at_send'])
    .where('proposal_id', '=', proposalId)
    .where('status', '=', 'scheduled')
    .executeTakeFirst();
  if (!row) return; // cancelled, already proposed, or never scheduled
  const opp = await readOpportunity(deps, row.opportunity_id);
  if (!opp || isArchived(opp)) {
    await cancelFollowUps(deps, row.opportunity_id, opp ? 'candidate archived' : 'candidate deleted');
    return;
  }
  if ((stageOf(opp)?.id ?? null) !== row.stage_at_send) {
    await cancelFollowUps(deps, row.opportunity_id, 'candidate moved stage');
    return;
  }
  const loaded = await loadForAutomation(deps, opp.id, opp);
  if (!loaded) return;
  const policy = await effectivePolicy(deps.store, { postingId: loaded.posting.id, team: loaded.posting.team });
  if (!policy.followUps) {
    await cancelFollowUps(deps, opp.id, 'follow-ups are off for this posting');
    return;
  }
  const match = await scoreWithCache(deps, loaded);
  const draft = OutreachDraftSchema.parse(
    await deps.ai.draftOutreach(
      loaded.posting,
      loaded.candidate,
      match,
      { tone: 'warm', variant: 'follow-up', maxWords: 120 },
      await senderFor(deps, loaded.rawPosting),
    ),
  );
  deps.metrics.tokens('outreach', draft.provenance);
  await upsertProposal(deps, {
    opportunityId: opp.id,
    kind: 'outreach',
    subject: `automation.follow-up:${proposalId}`,
    payload: { note: { text: `Outreach draft (follow-up)\nSubject: ${draft.subject}\n\n${draft.body}` } },
    reason: 'No reply and no stage move since the first email was sent: follow-up draft.',
    provenance: draft.provenance,
  });
  await deps.store.db
    .updateTable('automation_followups')
    .set({ status: 'proposed', updated_at: deps.now() })
    .where('proposal_id', '=', proposalId)
    .where('status', '=', 'scheduled')
    .execute();
}

export { AUTOMATION_ACTOR };
