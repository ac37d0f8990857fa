import type { Provenance } from '../../utils/contracts/ai.ts';
import type { ProposalKind } from '../../utils/contracts/api.ts';

/**
 * The label every Fulcrum note carries in Lever: a header naming it AI-assisted, the approving recruiter and the
 * model, and a footer marker with the proposal id. The marker is how a write whose outcome was lost (crash, timeout)
 * is found again in Lever and adopted instead of posted twice.
 */

export const KIND_TITLES: Record<ProposalKind, string> = {
  'match-summary': 'Match summary',
  outreach: 'Outreach draft',
  'interview-questions': 'Interview questions',
  'feedback-synthesis': 'Feedback synthesis',
  tag: 'Tags',
  rediscovery: 'Rediscovery',
  stage: 'Stage change',
  'posting-rewrite': 'Posting rewrite',
  'interview-schedule': 'Interview schedule',
  'offer-letter': 'Offer letter',
};

export type NoteLabel = { kind: ProposalKind; approvedBy: string; model: string | null; proposalId: string };

export function proposalMarker(proposalId: string): string {
  return `[fulcrum-proposal:${proposalId}]`;
}

export function formatNote(text: string, label: NoteLabel): string {
  const model = label.model ? ` · model ${label.model}` : '';
  const header = `[Fulcrum · AI-assisted] ${KIND_TITLES[label.kind]} — approved by ${label.approvedBy}${model}`;
  const footer = `— Written by Fulcrum after recruiter approval. ${proposalMarker(label.proposalId)}`;
  return `${header}\n\n${text.trim()}\n\n${footer}`;
}

/** True when a Lever note's text (any of its values) carries this proposal's marker. */
export function noteHasMarker(texts: Array<string | null | undefined>, proposalId: string): boolean {
  const marker = proposalMarker(proposalId);
  return texts.some((t) => typeof t === 'string' && t.includes(marker));
}

/** "local-rules fulcrum-local-1": the model line of the label, or null for a proposal typed by a recruiter. */
export function modelLabelOrNull(p: Provenance | null): string | null {
  return p ? `${p.model} ${p.version}` : null;
}
