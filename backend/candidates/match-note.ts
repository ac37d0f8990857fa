import type { MatchResult } from '../../utils/contracts/ai.ts';

/** The match-summary note body a recruiter approves (the AI-assisted label is added when it is written). */
export function matchNoteText(m: MatchResult): string {
  const lines = [`Score ${Math.round(m.score)}/100 (${m.verdict}).`, m.summary.trim()];
  if (m.strengths.length) lines.push('', 'Strengths:', ...m.strengths.slice(0, 6).map((s) => `- ${s.text}`));
  if (m.gaps.length) lines.push('', 'Gaps:', ...m.gaps.slice(0, 6).map((g) => `- ${g.text}`));
  if (m.askCandidate.length) lines.push('', 'To ask:', ...m.askCandidate.slice(0, 4).map((q) => `- ${q.question}`));
  return lines.join('\n').slice(0, 19_000);
}
