import type BetterSqlite3 from 'better-sqlite3';
import { z } from 'zod';
import { OutreachDraftSchema } from '../../utils/contracts/ai.ts';
import { appendAuditSync } from '../audit/audit-log.ts';
import { conflict, notFound } from '../http/errors.ts';
import { defineJob } from '../jobs/queue.ts';
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
export function cancelFollowUps(deps: AutomationDeps, opportunityId: string, reason: string): number {
  return deps.store.sqlite
    .prepare(
      `UPDATE automation_followups SET status = 'cancelled', cancel_reason = ?, updated_at = ?
       WHERE opportunity_id = ? AND status IN ('draft', 'scheduled')`,
    )
    .run(reason, deps.now(), opportunityId).changes;
}

/** Erasure: the follow-ups of these opportunities or of these proposals; returns how many went. */
export function eraseFollowUpsSync(
  sqlite: BetterSqlite3.Database,
  opportunityIds: readonly string[],
  proposalIds: readonly string[],
): number {
  const inList = 'IN (SELECT value FROM json_each(?))';
  return sqlite
    .prepare(`DELETE FROM automation_followups WHERE opportunity_id ${inList} OR proposal_id ${inList}`)
    .run(JSON.stringify(opportunityIds), JSON.stringify(proposalIds)).changes;
}

/** Without a date from the draft, a follow-up is suggested this long after sending. */
const DEFAULT_FOLLOW_UP_MS = 5 * 24 * 3_600_000;

/** Keeps the draft's suggested follow-up date until the recruiter marks the outreach sent. */
export function rememberFollowUpDate(deps: AutomationDeps, proposalId: string, opportunityId: string, date: string) {
  deps.store.sqlite
    .prepare(
      `INSERT INTO automation_followups (proposal_id, opportunity_id, follow_up_date, status, updated_at)
       VALUES (?, ?, ?, 'draft', ?)
       ON CONFLICT (proposal_id) DO UPDATE SET follow_up_date = excluded.follow_up_date, updated_at = excluded.updated_at
       WHERE automation_followups.status = 'draft'`,
    )
    .run(proposalId, opportunityId, date, deps.now());
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
  const { sqlite } = deps.store;
  const row = sqlite
    .prepare('SELECT follow_up_date, status FROM automation_followups WHERE proposal_id = ?')
    .get(proposalId) as { follow_up_date: string; status: string } | undefined;
  if (row && row.status !== 'draft') {
    throw conflict(`This outreach was already marked sent (follow-up ${row.status}).`);
  }
  const now = deps.now();
  const date = body.followUpAt ?? row?.follow_up_date ?? new Date(now + DEFAULT_FOLLOW_UP_MS).toISOString();
  const runAt = followUpTime(date, now);
  sqlite
    .transaction(() => {
      sqlite
        .prepare(
          `INSERT INTO automation_followups (proposal_id, opportunity_id, follow_up_date, status, stage_at_send, sent_at, run_at, updated_at)
           VALUES (?, ?, ?, 'scheduled', ?, ?, ?, ?)
           ON CONFLICT (proposal_id) DO UPDATE SET status = 'scheduled', follow_up_date = excluded.follow_up_date,
             stage_at_send = excluded.stage_at_send, sent_at = excluded.sent_at, run_at = excluded.run_at,
             updated_at = excluded.updated_at`,
        )
        .run(proposalId, p.opportunityId, date, stageOf(opp)?.id ?? null, now, runAt, now);
      appendAuditSync(sqlite, {
        actor: actor.email,
        opportunityId: p.opportunityId,
        capability: 'outreach',
        action: 'outreach.mark-sent',
        output: { proposalId, followUpAt: new Date(runAt).toISOString() },
        decision: 'sent',
        leverIds: [p.opportunityId],
      });
    })
    .immediate();
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
  const { sqlite } = deps.store;
  const row = sqlite
    .prepare(
      "SELECT opportunity_id, stage_at_send FROM automation_followups WHERE proposal_id = ? AND status = 'scheduled'",
    )
    .get(proposalId) as { opportunity_id: string; stage_at_send: string | null } | undefined;
  if (!row) return; // cancelled, already proposed, or never scheduled
  const opp = await readOpportunity(deps, row.opportunity_id);
  if (!opp || isArchived(opp)) {
    cancelFollowUps(deps, row.opportunity_id, opp ? 'candidate archived' : 'candidate deleted');
    return;
  }
  if ((stageOf(opp)?.id ?? null) !== row.stage_at_send) {
    cancelFollowUps(deps, row.opportunity_id, 'candidate moved stage');
    return;
  }
  const loaded = await loadForAutomation(deps, opp.id, opp);
  if (!loaded) return;
  const policy = await effectivePolicy(deps.store, { postingId: loaded.posting.id, team: loaded.posting.team });
  if (!policy.followUps) {
    cancelFollowUps(deps, opp.id, 'follow-ups are off for this posting');
    return;
  }
  const match = await scoreWithCache(deps, loaded);
  const draft = OutreachDraftSchema.parse(
    await deps.ai.draftOutreach(
      loaded.posting,
      loaded.candidate,
      match,
      { tone: 'warm', variant: 'follow-up', maxWords: 120 },
      senderFor(deps, loaded.rawPosting),
    ),
  );
  deps.metrics.tokens('outreach', draft.provenance);
  upsertProposal(deps, {
    opportunityId: opp.id,
    kind: 'outreach',
    subject: `automation.follow-up:${proposalId}`,
    payload: { note: { text: `Outreach draft (follow-up)\nSubject: ${draft.subject}\n\n${draft.body}` } },
    reason: 'No reply and no stage move since the first email was sent: follow-up draft.',
    provenance: draft.provenance,
  });
  sqlite
    .prepare(
      "UPDATE automation_followups SET status = 'proposed', updated_at = ? WHERE proposal_id = ? AND status = 'scheduled'",
    )
    .run(deps.now(), proposalId);
}

export { AUTOMATION_ACTOR };
