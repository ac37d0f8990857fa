import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { type FeedbackSynthesis, FeedbackSynthesisSchema } from '../../utils/contracts/ai.ts';
import { loadFeedback } from '../candidates/load-candidate.ts';
import { defineJob } from '../jobs/queue.ts';
import { hasProposalAbout } from '../proposals/automation-proposals.ts';
import { lockForTransaction, withTransaction } from '../store/dialect.ts';
import {
  type AutomationDeps,
  isArchived,
  type Loaded,
  leverFailure,
  loadForAutomation,
  readOpportunity,
  stageOf,
  stopPoll,
  upsertProposal,
} from './context.ts';
import { effectivePolicy } from './policy.ts';

export const FEEDBACK_POLL = 'automation.feedback-poll';

/**
 * Lever sends no webhook for feedback, so while a candidate sits in a debrief/decision stage a short poll re-reads
 * their feedback and refreshes the synthesis when new forms arrived. One chain per opportunity: automation_polls
 * holds the live chain's token; a job whose token is not the stored one (superseded, or stopped by a stage change,
 * archive or delete) ends without re-enqueueing.
 */
export const FeedbackPollJob = defineJob(
  FEEDBACK_POLL,
  z.object({
    opportunityId: z.string().min(1),
    stageId: z.string().min(1),
    token: z.string().min(1),
  }),
);

/** Synthesizes now (when there is feedback) and schedules the next check, unless a chain for this stage runs. */
export async function startFeedbackPoll(
  deps: AutomationDeps,
  loaded: Loaded,
  stage: { id: string; text: string },
  everyMinutes: number,
): Promise<void> {
  const token = randomUUID();
  const opportunityId = loaded.opportunity.id;
  const claimed = await withTransaction(deps.store.db, async (trx) => {
    await lockForTransaction(trx, `fulcrum.feedback-poll:${opportunityId}`);
    const row = await trx
      .selectFrom('automation_polls')
      .select('stage_id')
      .where('opportunity_id', '=', opportunityId)
      .executeTakeFirst();
    // A duplicate delivery for the same stage joins the running chain instead of starting a second one.
    if (row?.stage_id === stage.id) return false;
    const chain = { stage_id: stage.id, token, updated_at: deps.now() };
    await trx
      .insertInto('automation_polls')
      .values({ opportunity_id: opportunityId, ...chain })
      .onConflict((oc) => oc.column('opportunity_id').doUpdateSet(chain))
      .execute();
    return true;
  });
  await refreshSynthesis(deps, loaded, stage);
  if (claimed) await scheduleNext(deps, loaded.opportunity.id, stage.id, token, everyMinutes);
}

async function scheduleNext(
  deps: AutomationDeps,
  opportunityId: string,
  stageId: string,
  token: string,
  minutes: number,
) {
  const runAt = deps.now() + minutes * 60_000;
  await deps.queue.enqueue({
    type: FeedbackPollJob,
    payload: { opportunityId, stageId, token },
    runAt,
    // The running poll still holds its own key, so the next one is keyed by its time slot.
    dedupeKey: `${FEEDBACK_POLL}:${token}:${runAt}`,
  });
}

export async function handleFeedbackPoll(
  deps: AutomationDeps,
  p: z.output<typeof FeedbackPollJob.schema>,
): Promise<void> {
  const live = async () =>
    (
      await deps.store.db
        .selectFrom('automation_polls')
        .select('token')
        .where('opportunity_id', '=', p.opportunityId)
        .executeTakeFirst()
    )?.token === p.token;
  if (!(await live())) return;
  const opp = await readOpportunity(deps, p.opportunityId);
  const stage = opp ? stageOf(opp) : null;
  if (!opp || isArchived(opp) || stage?.id !== p.stageId) {
    await stopPoll(deps, p.opportunityId);
    return;
  }
  const loaded = await loadForAutomation(deps, opp.id, opp);
  if (!loaded) return await stopPoll(deps, p.opportunityId);
  const policy = await effectivePolicy(deps.store, { postingId: loaded.posting.id, team: loaded.posting.team });
  if (!policy.feedbackSynthesis) return await stopPoll(deps, p.opportunityId);
  await refreshSynthesis(deps, loaded, stage);
  if (await live()) await scheduleNext(deps, opp.id, stage.id, p.token, policy.feedbackPollMinutes);
}

/** Proposes (or refreshes) the synthesis when the number of feedback forms changed; nothing without feedback. */
async function refreshSynthesis(deps: AutomationDeps, loaded: Loaded, stage: { id: string; text: string }) {
  const feedback = await loadFeedback(deps.lever, loaded.opportunity.id).catch(leverFailure);
  if (feedback.length === 0) return;
  const subject = `automation.feedback:${stage.id}:${feedback.length}`;
  // Same forms as last time: no model call, no churn.
  if (await hasProposalAbout(deps.store.db, loaded.opportunity.id, 'feedback-synthesis', subject)) return;
  const synthesis: FeedbackSynthesis = FeedbackSynthesisSchema.parse(
    await deps.ai.synthesizeFeedback(loaded.posting, feedback),
  );
  deps.metrics.tokens('feedback', synthesis.provenance);
  const lines = [
    `Feedback synthesis (${synthesis.feedbackCount} forms): ${synthesis.consensus.recommendation}.`,
    synthesis.consensus.summary,
  ];
  if (synthesis.unassessed.length) lines.push('', `Not assessed: ${synthesis.unassessed.join(', ')}`);
  if (synthesis.flags.length) lines.push('', ...synthesis.flags.map((f) => `⚠ ${f.interviewer}: ${f.reason}`));
  await upsertProposal(deps, {
    opportunityId: loaded.opportunity.id,
    kind: 'feedback-synthesis',
    subject,
    payload: { note: { text: lines.join('\n') } },
    reason: `In ${stage.text} with ${synthesis.feedbackCount} feedback form(s): synthesis for the debrief.`,
    provenance: synthesis.provenance,
  });
}
