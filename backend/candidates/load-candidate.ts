import type { TextTruncation } from '../../utils/contracts/ai.ts';
import type { CandidateContext } from '../../utils/contracts/api.ts';
import { boundCandidate } from '../ai/bound-text.ts';
import type { CandidateInput, FeedbackInput, PostingInput } from '../ai/types.ts';
import {
  type Application,
  collect,
  type Feedback,
  type LeverClient,
  type Opportunity,
  type Posting,
} from '../lever/index.ts';
import { overallRating } from './overall-rating.ts';
import { newestResume } from './resume-text.ts';

/**
 * Builds the AI engine's inputs from Lever, re-read by opportunity id: the backend never trusts the extension's copy.
 * Nothing here logs; the returned objects hold candidate PII.
 */

const EXPAND = ['stage', 'applications', 'owner'] as const;

export async function fetchOpportunity(lever: LeverClient, opportunityId: string): Promise<Opportunity> {
  return lever.getOpportunity(opportunityId, { expand: EXPAND });
}

function firstApplication(opp: Opportunity): Application | null {
  for (const a of opp.applications ?? []) if (typeof a === 'object') return a;
  return null;
}

function postingRef(opp: Opportunity): { id: string; posting: Posting | null } | null {
  const app = firstApplication(opp);
  if (!app?.posting) return null;
  return typeof app.posting === 'string'
    ? { id: app.posting, posting: null }
    : { id: app.posting.id, posting: app.posting };
}

export function postingIdOf(opp: Opportunity): string | null {
  return postingRef(opp)?.id ?? null;
}

export function toCandidateContext(
  opp: Opportunity,
  leverBaseUrl: string,
  feedbackCount: number,
  now: Date,
  fetchedPosting: Posting | null = null,
): CandidateContext {
  const stage = typeof opp.stage === 'object' && opp.stage ? { id: opp.stage.id, text: opp.stage.text } : null;
  const found = postingRef(opp);
  const ref =
    found && !found.posting && fetchedPosting?.id === found.id ? { id: found.id, posting: fetchedPosting } : found;
  const contactId = typeof opp.contact === 'string' ? opp.contact : (opp.contact?.id ?? null);
  const archived = opp.archived
    ? { reason: opp.archived.reason ?? null, archivedAt: opp.archived.archivedAt ?? null }
    : null;
  return {
    opportunityId: opp.id,
    contactId,
    name: opp.name ?? '(no name)',
    headline: opp.headline ?? null,
    location: opp.location ?? null,
    stage,
    posting: ref?.posting
      ? { id: ref.posting.id, title: ref.posting.text, team: ref.posting.categories?.team ?? null }
      : ref
        ? { id: ref.id, title: '', team: null }
        : null,
    archived: archived && (archived.reason || archived.archivedAt) ? archived : null,
    leverUrl: opp.urls?.show ?? `${leverBaseUrl.replace(/\/v1$/, '')}/candidates/${opp.id}`,
    feedbackCount,
    fetchedAt: now.toISOString(),
  };
}

const htmlToText = (s: string) =>
  s
    .replace(/<\/(li|p|div)>|<br\s*\/?>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&quot;/g, '"');

function listItems(html: string): string[] {
  const items = [...html.matchAll(/<li[^>]*>([\s\S]*?)<\/li>/gi)].map((m) => htmlToText(m[1] ?? '').trim());
  const found = items.filter(Boolean);
  if (found.length) return found;
  return htmlToText(html)
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);
}

const NICE = /nice|bonus|plus|preferred|ideally|extra/i;
// Duties, benefits and about-us lists describe the job, not what the candidate must bring.
const NOT_REQUIREMENTS =
  /what you('ll| will)? do|responsibilit|day[- ]to[- ]day|in this role|your role|about (the role|us)|we offer|benefits|perks/i;

export function toPostingInput(p: Posting): PostingInput {
  const requirements: string[] = [];
  const niceToHave: string[] = [];
  const other: string[] = [];
  const parts: string[] = [];
  if (p.content?.description) parts.push(p.content.description);
  for (const list of p.content?.lists ?? []) {
    const items = listItems(list.content);
    parts.push(`${list.text}\n${items.map((i) => `- ${i}`).join('\n')}`);
    if (NICE.test(list.text)) niceToHave.push(...items);
    else if (NOT_REQUIREMENTS.test(list.text)) other.push(...items);
    else requirements.push(...items);
  }
  // A posting whose lists all look like duties still has criteria: judge against its duties then.
  if (requirements.length === 0) requirements.push(...other);
  if (p.content?.closing) parts.push(p.content.closing);
  return {
    id: p.id,
    title: p.text,
    team: p.categories?.team ?? null,
    location: p.categories?.location ?? null,
    text: parts.join('\n\n'),
    requirements,
    niceToHave,
  };
}

/** `truncation`: what extraction cut from the resume already; the result is within the input limits (bound-text.ts). */
export function toCandidateInput(
  opp: Opportunity,
  resume: string,
  truncation: TextTruncation | null = null,
): CandidateInput {
  const app = firstApplication(opp);
  return boundCandidate({
    opportunityId: opp.id,
    name: opp.name ?? '',
    emails: opp.emails ?? [],
    phones: (opp.phones ?? []).map((p) => p.value),
    links: opp.links ?? [],
    location: opp.location ?? null,
    headline: opp.headline ?? null,
    resumeText: resume,
    ...(app?.comments ? { applicationText: app.comments } : {}),
    ...(truncation ? { truncated: [truncation] } : {}),
  });
}

export function toFeedbackInput(f: Feedback): FeedbackInput {
  const fields = (f.fields ?? []).map((field) => {
    const v = field.value;
    let value: string | number | null = null;
    let comment: string | undefined;
    if (typeof v === 'string' || typeof v === 'number') value = v;
    else if (typeof v === 'boolean') value = v ? 'yes' : 'no';
    else if (Array.isArray(v)) {
      // Scorecards: one {score, comment} per skill; keep the average score and the comments.
      const scores = v.map((x) => (x as { score?: unknown }).score).filter((s): s is number => typeof s === 'number');
      const comments = v
        .map((x) => (x as { comment?: unknown }).comment)
        .filter((s): s is string => typeof s === 'string' && !!s);
      value = scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : null;
      if (comments.length) comment = comments.join(' ');
    }
    return { label: field.text ?? field.type, type: field.type, value, ...(comment ? { comment } : {}) };
  });
  const interviewer = typeof f.user === 'object' && f.user ? (f.user.name ?? f.user.id) : (f.user ?? 'unknown');
  return {
    id: f.id,
    interviewer,
    createdAt: f.completedAt ?? f.createdAt ?? 0,
    // Lever's overall rating is the option text ("3 - Hire"), possibly on a `type: "score", overall: true` field.
    overall: overallRating(f.fields),
    fields,
  };
}

export type LoadedCandidate = {
  opportunity: Opportunity;
  posting: PostingInput | null;
  candidate: CandidateInput;
};

/**
 * Opportunity + posting + resume text. Throws LeverApiError (404 for an unknown opportunity). `getPosting` reads a
 * posting Lever did not expand (the pipeline passes its posting cache's).
 */
export async function loadCandidate(
  lever: LeverClient,
  opportunityId: string,
  getPosting: (id: string) => Promise<Posting> = (id) => lever.getPosting(id),
): Promise<LoadedCandidate> {
  const opportunity = await fetchOpportunity(lever, opportunityId);
  const ref = postingRef(opportunity);
  const [posting, resume] = await Promise.all([
    ref ? (ref.posting?.content ? Promise.resolve(ref.posting) : getPosting(ref.id)) : Promise.resolve(null),
    newestResume(lever, opportunityId),
  ]);
  return {
    opportunity,
    posting: posting ? toPostingInput(posting) : null,
    candidate: toCandidateInput(opportunity, resume.text, resume.truncation),
  };
}

export async function loadFeedback(lever: LeverClient, opportunityId: string): Promise<FeedbackInput[]> {
  const forms = await collect(lever.listFeedback(opportunityId));
  return forms.filter((f) => !f.deletedAt).map(toFeedbackInput);
}
