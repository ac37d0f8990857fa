import type { FeedbackFlag, FeedbackSynthesis } from '../../utils/contracts/ai.ts';
import { plainRequirement } from './question-writing.ts';

/**
 * The synthesis summary a hiring manager can decide from, in three short sentences at most: the lean (from the
 * overall scores) with the count behind it, what the interviewers agree is strong or weak, and what is still open
 * before deciding (criteria they disagree on, criteria nobody assessed, comments flagged for a second look).
 * Criteria are named in plain words (plainRequirement), at most two per list, the rest counted.
 */

const LEAN: Record<FeedbackSynthesis['consensus']['recommendation'], string> = {
  'strong-hire': 'Lean hire (strong)',
  hire: 'Lean hire',
  mixed: 'Split decision',
  'no-hire': 'Lean no hire',
  'strong-no-hire': 'Lean no hire (strong)',
  none: 'No overall scores yet',
};

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function list(items: string[]): string {
  const names = [...new Set(items.map(plainRequirement))];
  const head = names.slice(0, 2).join(' and ');
  return names.length > 2 ? `${head} (+${names.length - 2} more)` : head;
}

/** How the points on one criterion lean, interviewer by interviewer: all positive, all negative, or neither. */
function leanOf(c: FeedbackSynthesis['criteria'][number]): 'positive' | 'negative' | null {
  const stances = new Set(c.points.map((p) => p.stance).filter((s) => s !== 'neutral'));
  return stances.size === 1 ? ([...stances][0] as 'positive' | 'negative') : null;
}

export function decisionSummary(
  formCount: number,
  values: number[],
  distribution: Array<{ label: string; count: number }>,
  recommendation: FeedbackSynthesis['consensus']['recommendation'],
  criteria: FeedbackSynthesis['criteria'],
  unassessed: string[],
  flags: FeedbackFlag[],
): string {
  if (formCount === 0) return 'No feedback submitted yet.';
  const out: string[] = [];
  if (values.length === 0) out.push(`${LEAN.none}: ${plural(formCount, 'feedback form')}, none with an overall score.`);
  else {
    const hire = values.filter((v) => v >= 3).length;
    const seen = distribution.filter((d) => d.count > 0).map((d) => `${d.count} × ${d.label}`);
    out.push(
      `${LEAN[recommendation]}: ${hire} of ${plural(values.length, 'scored form')} recommend hiring (${seen.join(', ')}).`,
    );
  }
  const agreed = criteria.filter((c) => c.agreement !== 'disagree');
  const strong = agreed.filter((c) => leanOf(c) === 'positive').map((c) => c.criterion);
  const weak = agreed.filter((c) => leanOf(c) === 'negative').map((c) => c.criterion);
  const said = [strong.length ? `strong on ${list(strong)}` : '', weak.length ? `weak on ${list(weak)}` : ''].filter(
    Boolean,
  );
  if (said.length) out.push(`Interviewers found the candidate ${said.join(', ')}.`);
  const open: string[] = [];
  const disputed = criteria.filter((c) => c.agreement === 'disagree').map((c) => c.criterion);
  if (disputed.length) open.push(`interviewers disagree on ${list(disputed)}`);
  if (unassessed.length) open.push(`nobody assessed ${list(unassessed)}`);
  if (flags.length) open.push(`${plural(flags.length, 'comment')} flagged for a second look`);
  if (open.length) out.push(`Before deciding: ${open.join('; ')}.`);
  return out.join(' ');
}
