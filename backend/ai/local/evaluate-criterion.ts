import type { CriterionStatus } from '../../../utils/contracts/ai.ts';
import type { Concept, CriterionSpec } from './criterion-spec.ts';
import { LEVEL_NAMES } from './education.ts';
import { mergedYears, type ProfileLine, type ResumeProfile } from './resume-profile.ts';
import { type Span, sentenceSpans, trimSpan } from './text.ts';

/**
 * Judges one criterion against one resume profile. Returns the status a recruiter sees, the resume spans that
 * support it, a one-sentence explanation, and the credit (0..1) the score is built from.
 */

export type Judgement = {
  status: CriterionStatus;
  credit: number;
  spans: Span[];
  explanation: string;
};

/** Status thresholds on the credit of skill-like criteria. */
export const MET_AT = 0.6;
export const PARTLY_AT = 0.3;
/** Credit for a criterion the resume says nothing about either way: neither rewarded nor punished. */
export const UNCLEAR_CREDIT = 0.5;

export function present(c: Concept, keys: { has(key: string): boolean }): boolean {
  return c.forms.some((f) => f.every((k) => keys.has(k)));
}

/** Like `present`, but the words of a multi-word form must appear together on one line of the resume. */
function presentIn(c: Concept, profile: ResumeProfile): boolean {
  return c.forms.some((f) => {
    if (!f.every((k) => profile.keys.has(k))) return false;
    return f.length === 1 || profile.lines.some((l) => f.every((k) => l.keys.has(k)));
  });
}

function coverage(concepts: Concept[], profile: ResumeProfile): number {
  if (concepts.length === 0) return 0;
  let n = 0;
  for (const c of concepts) if (presentIn(c, profile)) n++;
  return n / concepts.length;
}

/** Best share of the concepts found together on a single line: "time" and "management" far apart is weaker. */
export function bestLineCoverage(concepts: Concept[], profile: ResumeProfile): number {
  let best = 0;
  for (const line of profile.lines) if (line.keys.size > 0) best = Math.max(best, fraction(concepts, line.keys));
  return best;
}

function fraction(concepts: Concept[], keys: Set<string>): number {
  if (concepts.length === 0) return 0;
  let n = 0;
  for (const c of concepts) if (present(c, keys)) n++;
  return n / concepts.length;
}

/** The quotable part of a line: the whole line, or the sentence in a long line that holds the match. */
function quoteSpan(profile: ResumeProfile, line: ProfileLine, concepts: Concept[]): Span {
  const span = trimSpan(profile.text, line);
  if (span.end - span.start <= 240) return span;
  const inner = profile.text.slice(span.start, span.end);
  const labels = concepts.map((c) => c.label.toLowerCase());
  const sentences = sentenceSpans(inner);
  const best =
    sentences.find((s) => labels.some((l) => inner.slice(s.start, s.end).toLowerCase().includes(l.slice(0, 5)))) ??
    sentences[0];
  return best ? { start: span.start + best.start, end: span.start + best.end } : span;
}

/** Up to two lines that together show the most (head-weighted) concepts. */
function evidenceLines(profile: ResumeProfile, concepts: Concept[]): Span[] {
  const found = concepts.filter((c) => present(c, profile.keys));
  if (found.length === 0) return [];
  let best: ProfileLine | null = null;
  let bestScore = 0;
  for (const line of profile.lines) {
    let s = 0;
    // Named skills are the most specific thing a requirement says: quote the line that has them.
    for (const c of found) if (present(c, line.keys)) s += c.head || c.key.startsWith('§') ? 2 : 1;
    if (s > bestScore) {
      bestScore = s;
      best = line;
    }
  }
  if (!best) return [];
  const out = [quoteSpan(profile, best, found)];
  const missing = found.filter((c) => (c.head || c.key.startsWith('§')) && !present(c, best.keys));
  if (missing.length > 0) {
    const second =
      profile.lines.find((l) => l !== best && missing.every((c) => present(c, l.keys))) ??
      profile.lines.find((l) => l !== best && missing.some((c) => present(c, l.keys)));
    if (second) out.push(quoteSpan(profile, second, missing));
  }
  return out.sort((a, b) => a.start - b.start);
}

function judgeCoverage(spec: CriterionSpec, profile: ResumeProfile): Judgement {
  const head = spec.concepts.filter((c) => c.head);
  const rest = spec.concepts.filter((c) => !c.head);
  const headGlobal = coverage(head, profile);
  const headCov = head.length > 1 ? 0.5 * headGlobal + 0.5 * bestLineCoverage(head, profile) : headGlobal;
  const allCov = coverage(spec.concepts, profile);
  const credit = head.length > 0 && rest.length > 0 ? 0.75 * headCov + 0.25 * allCov : allCov;
  const spans = evidenceLines(profile, spec.concepts);
  // Named skills (vocabulary entries: "Perl", "AWS") each count: "Perl and Ruby" is not met by Ruby alone.
  const missingNamed = spec.concepts
    .filter((c) => (c.key.startsWith('§') || (spec.isList && c.head)) && !presentIn(c, profile))
    .map((c) => c.label);
  const missing = [...new Set([...missingNamed, ...head.filter((c) => !presentIn(c, profile)).map((c) => c.label)])];
  const note = missing.length ? `; no mention of ${missing.slice(0, 4).join(', ')}` : '';
  if (credit >= MET_AT && missingNamed.length === 0)
    return { status: 'met', credit: Math.min(1, credit + 0.1), spans, explanation: `The resume shows ${spec.label}.` };
  if (credit >= PARTLY_AT)
    return {
      status: 'partly',
      credit: missingNamed.length ? Math.min(credit, 0.6) : credit,
      spans,
      explanation: `The resume shows part of ${spec.label}${note}.`,
    };
  return {
    status: 'not-met',
    credit: credit * 0.5,
    spans: [],
    explanation: `No evidence of ${spec.label} in the resume.`,
  };
}

function judgeExperience(spec: CriterionSpec, profile: ResumeProfile): Judgement {
  const min = spec.minYears ?? 0;
  const subject = spec.subject;
  const matched: Array<{ entry: ResumeProfile['entries'][number]; frac: number }> = [];
  for (const entry of profile.entries) {
    const frac = subject.length ? fraction(subject, entry.keys) : 1;
    if (frac >= 0.6) matched.push({ entry, frac });
  }
  const ranged = matched.flatMap((m) => m.entry.ranges);
  const claimed = matched.filter((m) => m.entry.ranges.length === 0).reduce((n, m) => Math.max(n, m.entry.years), 0);
  const years =
    subject.length === 0
      ? profile.totalYears
      : Math.max(mergedYears(ranged), claimed, ...matched.map((m) => m.entry.years));
  const bestFrac = matched.reduce((n, m) => Math.max(n, m.frac), 0);
  const spans = matched
    .sort((a, b) => b.frac - a.frac)
    .slice(0, 3)
    .map((m) => trimSpan(profile.text, m.entry.line))
    .sort((a, b) => a.start - b.start);
  const what = spec.label;
  const shown = `${Math.round(years * 10) / 10} year${years === 1 ? '' : 's'}`;
  if (matched.length > 0 && years >= min) {
    return {
      status: 'met',
      credit: 0.7 + 0.3 * bestFrac,
      spans,
      explanation: `Asked ${what}; the resume shows ${shown}.`,
    };
  }
  if (matched.length > 0 && years > 0) {
    return {
      status: 'partly',
      credit: (0.2 + 0.6 * (years / Math.max(min, 1))) * (0.7 + 0.3 * bestFrac),
      spans,
      explanation: `Asked ${what}; the resume shows only ${shown}.`,
    };
  }
  const mentioned = subject.length > 0 ? fraction(subject, profile.keys) : 0;
  const mentionSpans = evidenceLines(profile, subject);
  if (matched.length > 0 || (mentioned >= 0.5 && profile.entries.length === 0)) {
    return {
      status: 'unclear',
      credit: UNCLEAR_CREDIT * 0.8,
      spans: mentionSpans,
      explanation: `The resume mentions this experience but gives no dates: ${what}.`,
    };
  }
  if (mentioned >= 0.5) {
    return {
      status: 'partly',
      credit: 0.3 * mentioned,
      spans: mentionSpans,
      explanation: `Asked ${what}; the resume mentions it but not as a dated role.`,
    };
  }
  if (profile.entries.length === 0 && subject.length === 0) {
    return {
      status: 'unclear',
      credit: UNCLEAR_CREDIT,
      spans: [],
      explanation: `The resume gives no dates to count ${what}.`,
    };
  }
  return { status: 'not-met', credit: 0.15 * mentioned, spans: [], explanation: `No experience found for ${what}.` };
}

const DEGREE_WORDS =
  /^(bachelor|master|degree|diploma|phd|ph|doctorate|mba|bs|ba|ms|msc|bsc|associate|high|school|ged|equivalent|related|field|higher|preferably|certificate|certification|graduate|undergraduate|university|college|accredited)/;

function judgeEducation(spec: CriterionSpec, profile: ResumeProfile): Judgement {
  const field = spec.concepts.filter((c) => !DEGREE_WORDS.test(c.label.toLowerCase()));
  if (profile.degrees.length === 0)
    return { status: 'unclear', credit: UNCLEAR_CREDIT, spans: [], explanation: 'The resume does not state a degree.' };
  const best = profile.degrees.reduce((a, b) => {
    const fa = fraction(field, a.line.keys);
    const fb = fraction(field, b.line.keys);
    return b.level > a.level || (b.level === a.level && fb > fa) ? b : a;
  });
  const fieldCov = field.length
    ? Math.max(
        ...profile.degrees.filter((d) => d.level >= spec.degreeLevel).map((d) => fraction(field, d.line.keys)),
        0,
      )
    : 1;
  const spans = [trimSpan(profile.text, best.line)];
  const asked = LEVEL_NAMES[spec.degreeLevel] ?? 'a degree';
  if (best.level >= spec.degreeLevel && fieldCov >= 0.5)
    return {
      status: 'met',
      credit: 1,
      spans,
      explanation: `Asked ${asked}; the resume shows ${LEVEL_NAMES[best.level]}.`,
    };
  if (best.level >= spec.degreeLevel)
    return {
      status: 'partly',
      credit: 0.6,
      spans,
      explanation: `Has ${LEVEL_NAMES[best.level]}, but not clearly in the field asked for.`,
    };
  if (best.level === spec.degreeLevel - 1)
    return {
      status: 'partly',
      credit: 0.4,
      spans,
      explanation: `Asked ${asked}; the resume shows ${LEVEL_NAMES[best.level]}.`,
    };
  return {
    status: 'not-met',
    credit: 0.1,
    spans,
    explanation: `Asked ${asked}; the resume shows ${LEVEL_NAMES[best.level]}.`,
  };
}

function judgeLanguage(spec: CriterionSpec, profile: ResumeProfile): Judgement {
  const found = spec.languages.filter((l) => profile.languages.has(l));
  if (found.length > 0) {
    const spans = found.map((l) => trimSpan(profile.text, profile.languages.get(l)!));
    return { status: 'met', credit: 1, spans, explanation: `The resume mentions ${found.join(', ')}.` };
  }
  return {
    status: 'unclear',
    credit: UNCLEAR_CREDIT,
    spans: [],
    explanation: `The resume does not say whether the candidate speaks ${spec.languages.join(' or ')}.`,
  };
}

export function judgeCriterion(spec: CriterionSpec, profile: ResumeProfile, nothingToJudge: boolean): Judgement {
  if (nothingToJudge)
    return {
      status: 'unclear',
      credit: UNCLEAR_CREDIT,
      spans: [],
      explanation: 'The resume has too little text to judge this.',
    };
  switch (spec.criterion.kind) {
    case 'experience':
      return spec.minYears !== null ? judgeExperience(spec, profile) : judgeCoverage(spec, profile);
    case 'education':
      return judgeEducation(spec, profile);
    case 'language':
      return judgeLanguage(spec, profile);
    case 'other': {
      const j = judgeCoverage(spec, profile);
      // Availability, licences, authorisation: absence in a resume says nothing, so ask instead of penalising.
      return j.status === 'met'
        ? j
        : {
            status: 'unclear',
            credit: UNCLEAR_CREDIT,
            spans: j.spans,
            explanation: `The resume does not say: ${spec.label}.`,
          };
    }
    default:
      return judgeCoverage(spec, profile);
  }
}
