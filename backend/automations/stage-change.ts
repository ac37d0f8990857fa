import { InterviewQuestionsSchema } from '../../utils/contracts/ai.ts';
import {
  type AutomationDeps,
  isArchived,
  loadForAutomation,
  readOpportunity,
  readPosting,
  recordWatchers,
  scoreWithCache,
  stageOf,
  stopPoll,
  upsertProposal,
} from './context.ts';
import { startFeedbackPoll } from './feedback-poll.ts';
import { cancelFollowUps } from './follow-up.ts';
import { classifyStage, effectivePolicy } from './policy.ts';
import { proposeInterviewSchedule } from './schedule-interview.ts';
import type { WebhookJob } from './webhook-job.ts';

export const STAGE_CHANGE = 'candidateStageChange';

/**
 * candidateStageChange: decided by the stage Lever reports NOW (re-read), not the webhook's toStageId, so a late or
 * duplicated delivery converges on the same state. Interview stage → interview questions for that stage; debrief or
 * decision stage → feedback synthesis, refreshed by a poll while the candidate stays there. With the policy's
 * `scheduleInterviews`, an interview stage also gets a scheduling proposal (schedule-interview.ts). Any stage move after an
 * outreach was sent cancels its follow-up (the candidate answered).
 */
export async function handleStageChange(deps: AutomationDeps, job: WebhookJob): Promise<void> {
  const opp = await readOpportunity(deps, job.data.opportunityId);
  if (!opp) return;
  const stage = stageOf(opp);
  await cancelMovedFollowUps(deps, opp.id, stage?.id ?? null);
  if (isArchived(opp) || !stage) {
    await stopPoll(deps, opp.id);
    return;
  }
  const posting = await readPosting(deps, opp);
  await recordWatchers(deps, opp, posting);
  if (!posting) return;
  const policy = await effectivePolicy(deps.store, { postingId: posting.id, team: posting.categories?.team ?? null });
  const kind = classifyStage(policy, stage);
  if (kind !== 'debrief') await stopPoll(deps, opp.id);
  if (kind === null) return; // Other stages need no resume read: Lever requests are the scarce resource.
  const loaded = await loadForAutomation(deps, opp.id, opp);
  if (!loaded) return;

  if (kind === 'interview' && policy.interviewQuestions) {
    const match = await scoreWithCache(deps, loaded);
    const q = InterviewQuestionsSchema.parse(
      await deps.ai.generateQuestions(loaded.posting, loaded.candidate, match, stage.text),
    );
    deps.metrics.tokens('questions', q.provenance);
    const text = [
      `Questions for ${stage.text}:`,
      ...q.questions.map((x, i) => `${i + 1}. ${x.question}\n   Strong answer: ${x.strongAnswer}`),
    ].join('\n');
    await upsertProposal(deps, {
      opportunityId: opp.id,
      kind: 'interview-questions',
      subject: `automation.questions:${stage.id}`,
      payload: { note: { text } },
      reason: `Moved to ${stage.text}: ${q.questions.length} questions from the posting's criteria and this candidate's gaps.`,
      provenance: q.provenance,
    });
  } else if (kind === 'debrief' && policy.feedbackSynthesis) {
    await startFeedbackPoll(deps, loaded, stage, policy.feedbackPollMinutes);
  }
  if (kind === 'interview' && policy.scheduleInterviews) {
    await proposeInterviewSchedule(deps, opp, posting, stage, policy);
  }
}

/** Follow-ups were scheduled for "no reply at this stage"; a move to another stage means there was one. */
async function cancelMovedFollowUps(
  deps: AutomationDeps,
  opportunityId: string,
  stageId: string | null,
): Promise<void> {
  let q = deps.store.db
    .selectFrom('automation_followups')
    .select('proposal_id')
    .where('opportunity_id', '=', opportunityId)
    .where('status', '=', 'scheduled');
  // No stage now (archived, or Lever sent none) counts as a move from any stage.
  if (stageId !== null) q = q.where((eb) => eb('stage_at_send', 'is', null).or('stage_at_send', '!=', stageId));
  const moved = await q.limit(1).executeTakeFirst();
  if (moved) await cancelFollowUps(deps, opportunityId, 'candidate moved stage');
}
