import type {
  Evidence,
  MatchResult,
  OutreachDraft,
  OutreachRequest,
  OutreachVariant,
  Tone,
} from '../../utils/contracts/ai.ts';
import {
  type EvidencePhrase,
  evidencePhrase,
  recruiterFirstName,
  repeatedNgrams,
  signatureName,
} from './outreach-writing.ts';
import { hashInput, localProvenance } from './provenance.ts';
import type { CandidateInput, PostingInput, Recruiter } from './types.ts';

/**
 * Local outreach drafts: hand-written sentences per tone and variant, personalised with short phrases lifted from
 * the candidate's own resume or application (outreach-writing.ts: the object of a line's verb, the list item that
 * names the requirement, a job title), each recorded in `claims` as an exact slice of that text so the review
 * sheet can show the line behind it. The body paraphrases: it never pastes a resume line or puts it in quotation
 * marks, and it never repeats a four-word phrase. Nothing about the candidate is inferred beyond those phrases, so
 * a draft can never credit them with a skill their documents do not show. Greeting and sign-off carry the
 * recruiter's name and Lever job title; without a name the draft signs for the hiring team, never with an e-mail.
 */
export const OUTREACH_TEMPLATE_VERSION = 'outreach-templates-2';

/** Business days to wait for a reply before following up. */
export const FOLLOW_UP_BUSINESS_DAYS: Record<OutreachVariant, number> = {
  'first-contact': 5,
  're-engagement': 7,
  'follow-up': 4,
};

/** `date` plus `days` working days (Saturday and Sunday skipped, UTC), as YYYY-MM-DD. */
export function addBusinessDays(date: Date, days: number): string {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  let left = days;
  while (left > 0) {
    d.setUTCDate(d.getUTCDate() + 1);
    const dow = d.getUTCDay();
    if (dow !== 0 && dow !== 6) left--;
  }
  return d.toISOString().slice(0, 10);
}

export function countWords(text: string): number {
  return text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

type Claim = OutreachDraft['claims'][number];
/** A sentence of the body; `optional` ones are dropped, last first, when the draft runs over maxWords. */
/** `plain`: the same sentence without the requirement, for when the requirement repeats the phrase. */
type Part = { text: string; optional?: boolean; claims?: Claim[]; short?: string; plain?: string };

const MAX_QUOTE_WORDS = 14;

/**
 * Resume/application evidence behind the match's strengths, re-anchored to the source text: a quote whose
 * offsets do not reproduce it is searched for, and dropped when it does not occur at all.
 */
export function verifiedStrengthEvidence(
  candidate: CandidateInput,
  match: MatchResult,
): Array<{ criterion: string; evidence: Evidence }> {
  const out: Array<{ criterion: string; evidence: Evidence }> = [];
  const seen = new Set<string>();
  const criterionText = new Map(match.criteria.map((c) => [c.criterion.id, c.criterion.text]));
  const injected = match.flags.filter((f) => f.source === 'resume' || f.source === 'application');
  for (const s of match.strengths) {
    for (const ev of s.evidence) {
      const source =
        ev.source === 'resume'
          ? candidate.resumeText
          : ev.source === 'application'
            ? candidate.applicationText
            : undefined;
      if (!source) continue;
      const anchored = anchor(source, ev);
      if (!anchored) continue;
      // A quote overlapping text flagged as prompt injection is never repeated back to the candidate.
      if (injected.some((f) => f.source === ev.source && f.start < anchored.end && anchored.start < f.end)) continue;
      const trimmed = trimQuote(source, anchored);
      const key = `${trimmed.source}:${trimmed.start}`;
      if (seen.has(key) || trimmed.quote.length < 8) continue;
      seen.add(key);
      out.push({ criterion: (s.criterionId && criterionText.get(s.criterionId)) || s.text, evidence: trimmed });
    }
  }
  return out;
}

function anchor(source: string, ev: Evidence): Evidence | null {
  if (source.slice(ev.start, ev.end) === ev.quote && ev.quote.length > 0) return ev;
  const at = ev.quote ? source.indexOf(ev.quote) : -1;
  return at < 0 ? null : { ...ev, start: at, end: at + ev.quote.length };
}

/** Shortens a long quote to its first clause or first words, still as an exact slice of the source. */
function trimQuote(source: string, ev: Evidence): Evidence {
  let end = ev.end;
  // Break at a sentence or clause end, not inside "Node.js" or "2.5M".
  const firstBreak = source.slice(ev.start, ev.end).search(/[.;](?=\s|$)|[\n•]/);
  if (firstBreak > 0) end = ev.start + firstBreak;
  const words = [...source.slice(ev.start, end).matchAll(/\S+/g)];
  if (words.length > MAX_QUOTE_WORDS) {
    const last = words[MAX_QUOTE_WORDS - 1]!;
    end = ev.start + last.index + last[0].length;
  }
  // Trailing punctuation inside the slice would read oddly inside quotation marks.
  while (end > ev.start && /[\s,:-]/.test(source[end - 1]!)) end--;
  let start = ev.start;
  while (start < end && /[\s•*-]/.test(source[start]!)) start++;
  return { source: ev.source, quote: source.slice(start, end), start, end };
}

function firstName(name: string): string {
  return name.trim().split(/\s+/)[0] ?? name;
}

function monthYear(date: string): string | null {
  const d = new Date(date);
  if (Number.isNaN(d.getTime())) return null;
  return d.toLocaleDateString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });
}

function lowerFirst(s: string): string {
  return /^[A-Z][a-z]/.test(s) ? s[0]!.toLowerCase() + s.slice(1) : s;
}

function roleName(posting: PostingInput): string {
  return posting.team ? `${posting.title} role on our ${posting.team} team` : `${posting.title} role`;
}

function subjectFor(posting: PostingInput, candidate: CandidateInput, tone: Tone, variant: OutreachVariant): string {
  const first = firstName(candidate.name);
  if (variant === 'follow-up') {
    return {
      warm: `Following up: ${posting.title}`,
      concise: `Re: ${posting.title}`,
      formal: `Follow-up regarding the ${posting.title} position`,
    }[tone];
  }
  if (variant === 're-engagement') {
    return {
      warm: `${first}, a new opening you might like: ${posting.title}`,
      concise: `New role: ${posting.title}`,
      formal: `A new opportunity: ${posting.title}`,
    }[tone];
  }
  return {
    warm: `${first}, your background and our ${posting.title} role`,
    concise: `${posting.title}: quick chat?`,
    formal: `${posting.title} opportunity${posting.team ? ` (${posting.team})` : ''}`,
  }[tone];
}

function greeting(candidate: CandidateInput, tone: Tone): string {
  if (tone === 'formal') return `Dear ${candidate.name.trim()},`;
  return `Hi ${firstName(candidate.name)},`;
}

function signOff(recruiter: Recruiter, tone: Tone, posting: PostingInput): string {
  const name = signatureName(recruiter);
  const title = recruiter.title?.trim();
  // Without a name on record the draft signs for the team: never with an e-mail address as a name.
  const who = name
    ? [name, title].filter(Boolean).join('\n')
    : posting.team
      ? `The ${posting.team} hiring team`
      : 'The hiring team';
  const contact = tone === 'formal' && name && recruiter.email ? `\n${recruiter.email}` : '';
  return `${{ warm: 'Warm regards,', concise: 'Best,', formal: 'Kind regards,' }[tone]}\n${who}${contact}`;
}

const article = (w: string) => (/^[aeiou]/i.test(w) && !/^(?:uni|use|eu)/i.test(w) ? 'an' : 'a');

/** What the candidate did, as a clause built around the phrase (the phrase itself is the claim). */
type Point = { phrase: EvidencePhrase; det: string; need: string };

function didClause(p: Point): { you: string; your: string } {
  const q = p.phrase.evidence.quote;
  if (p.phrase.kind === 'action' && p.phrase.verb)
    return { you: `you ${p.phrase.verb} ${p.det}${q}`, your: `your work on ${p.det}${q}` };
  if (p.phrase.kind === 'role')
    return { you: `you worked as ${article(q)} ${q}`, your: `your time as ${article(q)} ${q}` };
  return { you: `you have worked with ${q}`, your: `your experience with ${q}` };
}

function pointSentence(tone: Tone, variant: OutreachVariant, p: Point, second: boolean): Part {
  const d = didClause(p);
  const need = p.need;
  let text: string;
  if (second && variant === 're-engagement') {
    text = {
      warm: `${cap(d.your)} stands out too.`,
      concise: `Plus ${d.your}.`,
      formal: `I was also pleased to see that ${d.you}.`,
    }[tone];
  } else if (second) {
    text = {
      warm: `It was also good to see that ${d.you}.`,
      concise: `Also relevant: ${d.your}.`,
      formal: `In addition, I note ${d.your}.`,
    }[tone];
  } else if (variant === 'follow-up') {
    text = {
      warm: `I still think ${d.your} would carry over well to this team.`,
      concise: `${cap(d.your)} still looks like a strong fit.`,
      formal: `I remain convinced that ${d.your} would be valuable to the team.`,
    }[tone];
  } else if (variant === 're-engagement') {
    text = {
      warm: `With ${d.your} behind you, I think you would do well here: this opening needs ${need}.`,
      concise: `This opening needs ${need}; ${d.your} fits.`,
      formal: `In view of ${d.your}, you would bring what the new position asks for: ${need}.`,
    }[tone];
  } else {
    text = {
      warm: `I noticed that ${d.you}, which is close to what the team needs: ${need}.`,
      concise: `${cap(d.you)}; we need ${need}.`,
      formal: `I understand that ${d.you}, which is directly relevant to our requirement for ${need}.`,
    }[tone];
  }
  const plain = {
    warm: `I noticed that ${d.you}, which is close to what the team needs.`,
    concise: `${cap(d.you)}, which fits.`,
    formal: `I understand that ${d.you}, which is directly relevant to the role.`,
  }[tone];
  return {
    text,
    plain: second ? undefined : plain,
    optional: second,
    claims: [{ text: p.phrase.evidence.quote, evidence: p.phrase.evidence }],
  };
}

const cap = (s: string) => (s ? s[0]!.toUpperCase() + s.slice(1) : s);

/** The requirement in plain words, as the end of a sentence. */
function plainNeed(criterion: string): string {
  return lowerFirst(
    criterion
      .replace(/\s+/g, ' ')
      .replace(/[.;:,]+$/, '')
      .trim(),
  );
}

/** Points for the draft: one short phrase per evidence line, each phrase and each requirement used once. */
function pointsOf(
  candidate: CandidateInput,
  evidence: Array<{ criterion: string; evidence: Evidence }>,
  posting: PostingInput,
): Point[] {
  const out: Point[] = [];
  const words = (x: string) =>
    ` ${x
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, ' ')
      .trim()} `;
  const title = words(posting.title);
  const phrases = new Set<string>();
  const needs = new Set<string>();
  for (const e of evidence) {
    const source = e.evidence.source === 'resume' ? candidate.resumeText : (candidate.applicationText ?? '');
    const phrase = evidencePhrase(source, e.evidence, e.criterion);
    if (!phrase || phrase.evidence.quote.length < 2) continue;
    const key = phrase.evidence.quote.toLowerCase();
    const need = plainNeed(e.criterion);
    // "You worked as a Data Analyst" in a draft about the Data Analyst role says nothing the opener did not.
    const w = words(phrase.evidence.quote);
    if (phrases.has(key) || needs.has(need) || title.includes(w) || w.includes(title)) continue;
    phrases.add(key);
    needs.add(need);
    // The word the phrase dropped ("the PostgreSQL schema"), put back in the sentence only.
    const before = source.slice(Math.max(0, phrase.evidence.start - 6), phrase.evidence.start);
    const det = phrase.kind === 'action' ? (/\b(the|our|an?)\s$/i.exec(before)?.[1]?.toLowerCase() ?? '') : '';
    out.push({ phrase, det: det ? `${det} ` : '', need });
  }
  return out;
}

function intro(recruiter: Recruiter, tone: Tone, role: string): Part {
  const name = signatureName(recruiter);
  const first = recruiterFirstName(recruiter);
  const title = recruiter.title?.trim();
  const who = first
    ? `I'm ${first}${title ? `, ${article(title)} ${title.toLowerCase()} here,` : ','} and I am`
    : "I'm";
  return {
    short: `I'm hiring for the ${role}.`,
    text: {
      warm: first
        ? `${who} hiring for the ${role}.`
        : `${who} hiring for the ${role}, and your profile stood out to me.`,
      concise: `I'm hiring for the ${role}.`,
      formal: name
        ? `My name is ${name}${title ? `; as ${article(title)} ${title.toLowerCase()} here,` : ','} I am writing to introduce the ${role}.`
        : `I am writing to introduce the ${role}, for which I believe your experience may be well suited.`,
    }[tone],
  };
}

function bodyParts(
  posting: PostingInput,
  candidate: CandidateInput,
  tone: Tone,
  variant: OutreachVariant,
  points: Point[],
  recruiter: Recruiter,
): Part[] {
  const role = roleName(posting);
  const parts: Part[] = [];
  const [first, second] = points;
  const shortOpener = {
    'first-contact': `I'm hiring for the ${role}.`,
    're-engagement': `We have a new opening: the ${role}.`,
    'follow-up': `Following up on the ${role}.`,
  }[variant];
  if (variant === 'first-contact') {
    parts.push(intro(recruiter, tone, role));
  } else if (variant === 're-engagement') {
    const prev = [...(candidate.previousApplications ?? [])].sort((a, b) => b.date.localeCompare(a.date))[0];
    const me = recruiterFirstName(recruiter);
    const hello = me ? `It's ${me} from the recruiting team. ` : '';
    if (prev) {
      const when = monthYear(prev.date);
      const stage = prev.stageReached ? `, and we got as far as the ${prev.stageReached} stage` : '';
      parts.push({
        short: `You applied for our ${prev.postingTitle} role${when ? ` in ${when}` : ''}. New opening: the ${role}.`,
        text: {
          warm: `${hello}We first met when you applied for our ${prev.postingTitle} role${when ? ` in ${when}` : ''}${stage}. I remembered your application when a new opening came up: the ${role}.`,
          concise: `You applied for our ${prev.postingTitle} role${when ? ` in ${when}` : ''}. We now have a new opening: the ${role}.`,
          formal: `You previously applied for our ${prev.postingTitle} position${when ? ` in ${when}` : ''}${stage}. I am writing because we have since opened the ${role}.`,
        }[tone],
      });
    } else {
      parts.push({
        short: shortOpener,
        text: {
          warm: `${hello}We've been in touch before, and a new opening made me think of you: the ${role}.`,
          concise: `We've been in touch before. New opening: the ${role}.`,
          formal: `As we have been in contact previously, I wanted to let you know about the ${role}.`,
        }[tone],
      });
    }
  } else {
    parts.push({
      short: shortOpener,
      text: {
        warm: `I wanted to follow up on my note about the ${role}, in case it got buried.`,
        concise: `Following up on my note about the ${role}.`,
        formal: `I am following up on my earlier message regarding the ${role}.`,
      }[tone],
    });
  }
  if (first) parts.push(pointSentence(tone, variant, first, false));
  if (second && variant !== 'follow-up') parts.push(pointSentence(tone, variant, second, true));
  if (posting.location && variant !== 'follow-up') {
    // "Remote" is not a place a role is based in.
    const remote = /^remote\b/i.test(posting.location.trim());
    const at = posting.location;
    parts.push({
      text: (variant === 'first-contact'
        ? {
            warm: remote ? 'The role is remote.' : `The role is based in ${at}.`,
            concise: `Location: ${at}.`,
            formal: remote ? 'The position is remote.' : `The position is based in ${at}.`,
          }
        : {
            warm: remote ? 'This one is fully remote.' : `This one sits in ${at}.`,
            concise: remote ? 'Remote.' : `Based in ${at}.`,
            formal: remote ? 'The new position is remote.' : `The new position is located in ${at}.`,
          })[tone],
      optional: true,
    });
  }
  parts.push({
    short: {
      'first-contact': 'Open to a short call?',
      're-engagement': 'Interested in a short call?',
      'follow-up': 'Still interested?',
    }[variant],
    text: {
      'first-contact': {
        warm: 'Would you be open to a relaxed 20-minute chat in the next week or so? I would love to hear what you are looking for next.',
        concise: 'Open to a 15-minute call this week?',
        formal: 'Would you be available for a brief introductory call at a time that suits you?',
      },
      're-engagement': {
        warm: 'If you are open to it, I would love to catch up and hear what you have been working on since.',
        concise: 'Interested in a quick call?',
        formal: 'Should this be of interest, I would be glad to arrange a short conversation.',
      },
      'follow-up': {
        warm: "If the timing isn't right, no worries at all; just let me know and I won't keep nudging.",
        concise: 'Still interested? A one-line reply is plenty.',
        formal: 'If you would prefer not to be contacted about this role, please let me know and I will respect that.',
      },
    }[variant][tone],
  });
  return parts;
}

/**
 * Builds the draft. `maxWords` bounds the whole body including greeting and signature: optional sentences go
 * first, then the personalised quote is shortened, so the limit always holds.
 */
export function draftOutreachLocal(
  posting: PostingInput,
  candidate: CandidateInput,
  match: MatchResult,
  request: OutreachRequest,
  recruiter: Recruiter,
  opts: { now?: () => Date } = {},
): OutreachDraft {
  const startedAt = performance.now();
  const now = opts.now ?? (() => new Date());
  const { tone, variant, maxWords } = request;
  const points = pointsOf(candidate, verifiedStrengthEvidence(candidate, match), posting);
  let parts = bodyParts(posting, candidate, tone, variant, points, recruiter);
  const compose = (ps: Part[]) =>
    [greeting(candidate, tone), ps.map((p) => p.text).join(' '), signOff(recruiter, tone, posting)].join('\n\n');
  let body = compose(parts);
  // A phrase said twice reads like a template: optional sentences go, then the requirement is left out of the
  // point, then the point itself, until no four words repeat.
  const unrepeat: Array<(ps: Part[]) => Part[] | null> = [
    (ps) => {
      const at = ps.findLastIndex((p) => p.optional);
      return at < 0 ? null : ps.filter((_, i) => i !== at);
    },
    (ps) => {
      const at = ps.findIndex((p) => p.plain && p.text !== p.plain);
      return at < 0 ? null : ps.map((p, i) => (i === at ? { ...p, text: p.plain! } : p));
    },
    (ps) => {
      const at = ps.findIndex((p) => p.claims?.length);
      return at < 0 ? null : ps.filter((_, i) => i !== at);
    },
  ];
  for (const step of unrepeat) {
    while (repeatedNgrams(body).length > 0) {
      const next = step(parts);
      if (!next) break;
      parts = next;
      body = compose(parts);
    }
  }
  // Shortening order: optional sentences, then the shorter wording of the framing sentences, then the
  // personal point (dropped whole, never cut mid-claim).
  const steps: Array<(ps: Part[]) => Part[] | null> = [
    (ps) => {
      const at = ps.findLastIndex((p) => p.optional);
      return at < 0 ? null : ps.filter((_, i) => i !== at);
    },
    (ps) =>
      ps.some((p) => p.short && p.text !== p.short) ? ps.map((p) => (p.short ? { ...p, text: p.short } : p)) : null,
    (ps) => {
      const at = ps.findIndex((p) => p.claims?.length);
      return at < 0 ? null : ps.filter((_, i) => i !== at);
    },
  ];
  for (const step of steps) {
    while (countWords(body) > maxWords) {
      const next = step(parts);
      if (!next) break;
      parts = next;
      body = compose(parts);
    }
  }
  if (countWords(body) > maxWords) {
    // Only the middle is cut, at a sentence end where possible: the greeting and the signature always stay.
    const budget = maxWords - countWords(greeting(candidate, tone)) - countWords(signOff(recruiter, tone, posting));
    const middle = truncateWords(parts.map((p) => p.text).join(' '), budget);
    parts = [{ text: middle }];
    body = compose(parts);
  }
  // A claim is listed exactly when its sentence is still in the body after shortening.
  const claims = parts.flatMap((p) => p.claims ?? []).filter((c) => body.includes(c.text));
  return {
    subject: subjectFor(posting, candidate, tone, variant),
    body,
    tone,
    variant,
    claims,
    followUpDate: addBusinessDays(now(), FOLLOW_UP_BUSINESS_DAYS[variant]),
    provenance: localProvenance({
      promptVersion: OUTREACH_TEMPLATE_VERSION,
      inputHash: hashInput({
        capability: 'outreach',
        posting,
        candidate: candidate.opportunityId,
        resume: candidate.resumeText,
        match: match.provenance.inputHash,
        request,
      }),
      startedAt,
      now,
    }),
  };
}

function truncateWords(text: string, maxWords: number): string {
  let count = 0;
  let cut = text.length;
  for (const m of text.matchAll(/\S+/g)) {
    if (/[\p{L}\p{N}]/u.test(m[0])) count++;
    if (count > maxWords) {
      cut = m.index;
      break;
    }
  }
  const head = text.slice(0, cut).trimEnd();
  if (cut === text.length) return head;
  const sentenceEnd = Math.max(head.lastIndexOf('. '), head.lastIndexOf('? '));
  return sentenceEnd > 0 ? head.slice(0, sentenceEnd + 1) : head;
}
