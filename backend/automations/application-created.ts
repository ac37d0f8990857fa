import type { MatchResult, OutreachDraft } from '../../utils/contracts/ai.ts';
import { OutreachDraftSchema } from '../../utils/contracts/ai.ts';
import { matchNoteText } from '../candidates/match-note.ts';
import {
  AUTOMATION_ACTOR,
  type AutomationDeps,
  isArchived,
  type Loaded,
  loadForAutomation,
  readOpportunity,
  recordWatchers,
  scoreWithCache,
  senderFor,
  upsertProposal,
  userIdOf,
} from './context.ts';
import { rememberFollowUpDate } from './follow-up.ts';
import { effectivePolicy } from './policy.ts';
import type { WebhookJob } from './webhook-job.ts';

export const APPLICATION_CREATED = 'applicationCreated';
export const STRONG_MATCH_TAG = 'fulcrum:strong-match';

/**
 * applicationCreated: score the candidate against the posting (stored in ai_results, audited as 'automation'); at or
 * above the posting's threshold propose a match-summary note, the strong-match tag and a first-contact outreach
 * draft. Below it nothing but the stored score (no noise). Re-reads Lever; idempotent via upsertProposal.
 */
export async function handleApplicationCreated(deps: AutomationDeps, job: WebhookJob): Promise<void> {
  const opp = await readOpportunity(deps, job.data.opportunityId);
  // Deleted before we got to it, or already archived: nothing for a recruiter to review.
  if (!opp || isArchived(opp)) return;
  const loaded = await loadForAutomation(deps, opp.id, opp);
  if (!loaded) return;
  await recordWatchers(deps, loaded.opportunity, loaded.rawPosting);
  const policy = await effectivePolicy(deps.store, {
    postingId: loaded.posting.id,
    team: loaded.posting.team,
  });
  if (!policy.scoreOnApplication) return;

  // The score is always stored (ai_results + audit); proposals only at or above the threshold: no noise below it.
  const match = await scoreWithCache(deps, loaded);
  if (match.score < policy.threshold) return;
  const score = Math.round(match.score);
  const summary = await upsertProposal(deps, {
    opportunityId: opp.id,
    kind: 'match-summary',
    subject: 'automation.match',
    payload: { note: { text: matchNoteText(match) } },
    reason: `New application to ${loaded.posting.title}: scored ${score}/100 (${match.verdict}), at or above this posting's threshold (${policy.threshold}).`,
    provenance: match.provenance,
  });
  await observeLatency(deps, job.eventId);
  await upsertProposal(deps, {
    opportunityId: opp.id,
    kind: 'tag',
    subject: 'automation.strong-match-tag',
    payload: { addTags: [STRONG_MATCH_TAG] },
    reason: `Score ${score} is at or above this posting's threshold (${policy.threshold}).`,
    provenance: match.provenance,
  });
  await proposeFirstContact(deps, loaded, match, policy.threshold);

  if (policy.autoWriteMatchSummary && summary.proposal?.status === 'pending') {
    await autoWrite(deps, loaded, summary.proposal.id);
  }
}

async function proposeFirstContact(deps: AutomationDeps, loaded: Loaded, match: MatchResult, threshold: number) {
  const draft: OutreachDraft = OutreachDraftSchema.parse(
    await deps.ai.draftOutreach(
      loaded.posting,
      loaded.candidate,
      match,
      { tone: 'warm', variant: 'first-contact', maxWords: 160 },
      await senderFor(deps, loaded.rawPosting),
    ),
  );
  deps.metrics.tokens('outreach', draft.provenance);
  const r = await upsertProposal(deps, {
    opportunityId: loaded.opportunity.id,
    kind: 'outreach',
    subject: 'automation.outreach:first-contact',
    payload: { note: { text: outreachNoteText(draft) } },
    reason: `Strong match (score ${Math.round(match.score)} ≥ ${threshold}): first-contact email draft. Send it yourself, then mark it sent; a follow-up is suggested on ${draft.followUpDate} if there is no reply.`,
    provenance: draft.provenance,
  });
  if (r.proposal) await rememberFollowUpDate(deps, r.proposal.id, loaded.opportunity.id, draft.followUpDate);
}

/** The outreach draft as the note that records it in Lever once approved (Lever has no email-sending API). */
export function outreachNoteText(d: OutreachDraft): string {
  return `Outreach draft (${d.variant})\nSubject: ${d.subject}\n\n${d.body}`;
}

async function observeLatency(deps: AutomationDeps, eventId: string): Promise<void> {
  const row = await deps.store.db
    .selectFrom('webhook_events')
    .select('received_at')
    .where('event_id', '=', eventId)
    .executeTakeFirst();
  if (row) deps.metrics.eventToProposal(APPLICATION_CREATED, Math.max(0, deps.now() - row.received_at) / 1000);
}

/**
 * Admin-enabled auto-write of the match summary: approved through the normal write-back path (ledger, one note per
 * kind), acting in Lever as the opportunity or posting owner, labelled "Fulcrum automation" and audited as
 * 'automation'. Without a Lever user to act as, the proposal stays pending for a recruiter.
 */
async function autoWrite(deps: AutomationDeps, loaded: Loaded, proposalId: string): Promise<void> {
  const leverUserId = userIdOf(loaded.opportunity.owner) ?? userIdOf(loaded.rawPosting.owner);
  if (!leverUserId) return;
  await deps.proposals.approve(
    { ...AUTOMATION_ACTOR, name: 'Fulcrum automation (auto-write enabled by an admin)', leverUserId },
    proposalId,
    false,
  );
}
