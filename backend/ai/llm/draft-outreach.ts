import { z } from 'zod';
import {
  type Evidence,
  type MatchResult,
  type OutreachDraft,
  OutreachDraftSchema,
  type OutreachRequest,
} from '../../../utils/contracts/ai.ts';
import { addBusinessDays, countWords, FOLLOW_UP_BUSINESS_DAYS, verifiedStrengthEvidence } from '../draft-outreach.ts';
import { LlmOutputError } from '../errors.ts';
import { findSkills } from '../local/skills.ts';
import { tokenize } from '../local/text.ts';
import type { OpenAiProvider } from '../openai-provider.ts';
import { evidencePhrase, repeatedNgrams, signatureName } from '../outreach-writing.ts';
import { knownPiiOf, Redactor, restore } from '../redact.ts';
import type { CandidateInput, PostingInput, Recruiter } from '../types.ts';

/**
 * Outreach drafts by an LLM. The model never sees the resume: only the posting, the variant and tone, the
 * earlier application (for re-engagement) and a short phrase of each verified, injection-free evidence quote behind
 * the match's strengths (outreach-writing.ts), redacted, so it can work the evidence into its own sentences but
 * cannot paste a resume line. A draft that repeats a four-word phrase or is not signed with the recruiter's name is
 * rejected. So a resume cannot steer the draft, and any claim the model makes can be traced
 * to a quote. Claims whose quote is not one of those given (or a part of one) are dropped; a draft over the word
 * limit or with stray placeholders is rejected, and the engine falls back to the templates.
 */
export const OUTREACH_PROMPT_VERSION = 'llm-outreach-2';

export const LlmOutreachSchema = z.object({
  subject: z.string(),
  body: z.string(),
  claims: z.array(z.object({ quote: z.string().describe('An evidence quote (or part of one) used in the body') })),
});

const SYSTEM = [
  'You write short, personal recruiting emails on behalf of a recruiter, the way a good recruiter writes them:',
  'natural sentences, no phrase used twice, nothing that reads like a template.',
  'Use only the facts in the data: the posting, the earlier application if any, and the evidence phrases from the',
  "candidate's resume, each with the requirement it meets. Never state anything else about the candidate: no",
  'skills, employers, years or achievements that are not in an evidence phrase. Work an evidence phrase into a',
  'sentence of your own as it is written (no quotation marks) and list it in claims. Greet the candidate as',
  '[CANDIDATE_FIRST_NAME] (warm or concise tone) or [CANDIDATE_NAME] (formal tone); introduce yourself and sign',
  'as [RECRUITER_NAME], with [RECRUITER_TITLE] on the line below the name when it is given.',
  'Keep the body within the word limit given in the data.',
  'Tones: warm = friendly and personal; concise = a few short sentences; formal = courteous and businesslike.',
  'Variants: first-contact = first message about the role, say who you are; re-engagement = the person applied',
  'before, refer to that application and what is new; follow-up = a short nudge after an unanswered first',
  'message, do not repeat the first message.',
].join(' ');

export async function draftOutreachLlm(
  provider: OpenAiProvider,
  posting: PostingInput,
  candidate: CandidateInput,
  match: MatchResult,
  request: OutreachRequest,
  recruiter: Recruiter,
  opts: { now: () => Date },
): Promise<OutreachDraft> {
  const known = knownPiiOf(candidate);
  const redactor = new Redactor(known);
  // The model gets a short phrase of each evidence line (outreach-writing.ts), never the line: it cannot paste it.
  const evidence = verifiedStrengthEvidence(candidate, match)
    .map((e) => {
      const source = e.evidence.source === 'resume' ? candidate.resumeText : (candidate.applicationText ?? '');
      const phrase = evidencePhrase(source, e.evidence, e.criterion);
      return phrase ? { criterion: e.criterion, evidence: phrase.evidence } : null;
    })
    .filter((e): e is NonNullable<typeof e> => e !== null)
    .slice(0, 4);
  const redactedQuotes = evidence.map((e) => redactor.redact(e.evidence.quote));
  const map = redactor.redactionMap;
  const prev = [...(candidate.previousApplications ?? [])].sort((a, b) => b.date.localeCompare(a.date))[0];
  const names: Record<string, string> = {
    '[CANDIDATE_FIRST_NAME]': candidate.name.trim().split(/\s+/)[0] ?? candidate.name,
    '[CANDIDATE_NAME]': candidate.name.trim(),
    '[RECRUITER_NAME]':
      signatureName(recruiter) ?? (posting.team ? `The ${posting.team} hiring team` : 'The hiring team'),
    '[RECRUITER_TITLE]': recruiter.title?.trim() ?? '',
  };
  const fill = (text: string) =>
    restore(
      text
        .replace(/\[(?:CANDIDATE_FIRST_NAME|CANDIDATE_NAME|RECRUITER_NAME|RECRUITER_TITLE)\]/g, (p) => names[p] ?? p)
        .replace(/[ \t]+\n/g, '\n')
        .replace(/\n{3,}/g, '\n\n'),
      map,
    );

  return provider.run({
    capability: 'outreach_draft',
    promptVersion: OUTREACH_PROMPT_VERSION,
    output: LlmOutreachSchema,
    system: SYSTEM,
    task: 'Write the email described by the data.',
    data: {
      posting: { title: posting.title, team: posting.team, location: posting.location },
      tone: request.tone,
      variant: request.variant,
      maxWords: request.maxWords,
      earlierApplication:
        request.variant === 're-engagement' && prev
          ? { postingTitle: prev.postingTitle, date: prev.date, stageReached: prev.stageReached }
          : null,
      evidence: evidence.map((e, i) => ({ requirement: e.criterion, quote: redactedQuotes[i] })),
    },
    known,
    result: OutreachDraftSchema,
    assemble: (out) => {
      const body = fill(out.body).trim();
      const subject = fill(out.subject).trim();
      if (/\[[A-Z_]+(?:_\d+)?\]/.test(`${subject} ${body}`))
        throw new LlmOutputError('Draft contains unresolved placeholders');
      if (countWords(body) > request.maxWords)
        throw new LlmOutputError(`Draft has ${countWords(body)} words, limit ${request.maxWords}`);
      if (!body.includes(names['[RECRUITER_NAME]']!))
        throw new LlmOutputError('Draft is not signed with the recruiter’s name');
      const repeated = repeatedNgrams(body);
      if (repeated.length) throw new LlmOutputError(`Draft repeats the phrase "${repeated[0]}"`);
      const invented = inventedSkills(
        `${subject}\n${body}`,
        [candidate.resumeText, candidate.applicationText ?? ''],
        [posting.title, posting.text],
      );
      if (invented.length)
        throw new LlmOutputError(`Draft names skills the candidate's documents do not support: ${invented.join(', ')}`);
      const claims: OutreachDraft['claims'] = [];
      for (const c of out.claims) {
        const text = restore(c.quote, map).trim();
        if (text.length < 3 || !body.includes(text)) continue;
        const source = evidence.find((e) => e.evidence.quote.includes(text));
        if (!source) continue;
        const start = source.evidence.start + source.evidence.quote.indexOf(text);
        const ev: Evidence = { source: source.evidence.source, quote: text, start, end: start + text.length };
        claims.push({ text, evidence: ev });
      }
      return {
        subject,
        body,
        tone: request.tone,
        variant: request.variant,
        claims,
        followUpDate: addBusinessDays(opts.now(), FOLLOW_UP_BUSINESS_DAYS[request.variant]),
      };
    },
  });
}

/**
 * Skills the draft attributes without grounds: in a sentence about the candidate ("you", "your"), any skill their
 * documents do not mention; elsewhere, any skill neither their documents nor the posting mention.
 */
function inventedSkills(draft: string, candidateTexts: string[], postingTexts: string[]): string[] {
  const skillIds = (texts: string[]) => new Set(texts.flatMap((t) => findSkills(t, tokenize(t)).map((m) => m.skillId)));
  const theirs = skillIds(candidateTexts);
  const role = skillIds(postingTexts);
  const out = new Set<string>();
  for (const sentence of draft.split(/(?<=[.!?])\s+|\n+/)) {
    const aboutThem = /\byou(?:r|rs|'ve|’ve|'re|’re)?\b/i.test(sentence);
    for (const m of findSkills(sentence, tokenize(sentence))) {
      if (!theirs.has(m.skillId) && (aboutThem || !role.has(m.skillId))) out.add(m.name);
    }
  }
  return [...out];
}
