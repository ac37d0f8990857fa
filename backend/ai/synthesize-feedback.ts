import type { Criterion, FeedbackFlag, FeedbackSynthesis, Rubric } from '../../utils/contracts/ai.ts';
import { decisionSummary } from './feedback-writing.ts';
import { extractCriteria } from './local/requirements.ts';
import { STOPWORDS, sentenceSpans, tokenize } from './local/text.ts';
import { findProtectedMentions } from './protected-topics.ts';
import { hashInput, localProvenance } from './provenance.ts';
import type { FeedbackInput, PostingInput } from './types.ts';

/**
 * Extractive synthesis of all interview feedback on one candidate: nothing is paraphrased, every point and flag
 * quotes the form it came from and names the interviewer, so a hiring manager can check each line against the
 * original. Criteria are the recruiter's rubric when there is one, else the ones extracted from the posting.
 */
export const FEEDBACK_SYNTHESIS_VERSION = 'feedback-synthesis-1';

type Point = FeedbackSynthesis['criteria'][number]['points'][number];
type Stance = Point['stance'];

/** Lever's default score system; other labels seen on forms are reported as they are. */
const LEVER_SCORE_LABELS = ['4 - Strong Hire', '3 - Hire', '2 - No Hire', '1 - Strong No Hire'];

// Words that carry no criterion meaning in either a rubric line or a form label.
const FILLER = new Set(
  'year years experience experienced strong solid proven ability able skill skills knowledge understanding familiarity proficiency proficient working work plus good great excellent deep demonstrated track record required preferred nice bonus including etc related relevant using use'.split(
    ' ',
  ),
);

function keyStems(text: string): Set<string> {
  return new Set(
    tokenize(text)
      .filter((t) => !STOPWORDS.has(t.norm) && !FILLER.has(t.norm) && !/^\d+\+?$/.test(t.norm) && t.norm.length > 1)
      .map((t) => t.stem),
  );
}

function overlap(a: Set<string>, b: Set<string>): number {
  let n = 0;
  for (const x of a) if (b.has(x)) n++;
  return n;
}

const NEGATIVE =
  /\b(?:weak\w*|lack\w*|struggl\w*|poor\w*|limited|concern\w*|shallow|missing|unable|couldn[’']?t|could not|didn[’']?t|did not|no (?:real |clear )?(?:experience|evidence|examples?)|not (?:strong|convinc\w*|enough|clear|able|great|good|solid|much)|gaps?|vague|superficial|below|red flag|worr\w*)\b/i;
const POSITIVE =
  /\b(?:strong|excellent|great|solid|impressive|impressed|clear(?:ly)?|deep|good|well|thoughtful|convincing|outstanding|expert\w*|confident\w*|exceeded|fluent|articulate|thorough)\b/i;

function stanceOfText(text: string): Stance {
  if (NEGATIVE.test(text)) return 'negative';
  if (POSITIVE.test(text)) return 'positive';
  return 'neutral';
}

function stanceOfValue(field: FeedbackInput['fields'][number]): Stance | null {
  const v = field.value;
  if (typeof v === 'number') return v >= 3 ? 'positive' : v <= 2 ? 'negative' : 'neutral';
  if (typeof v === 'string') {
    const lead = /^\s*([1-4])\s*[-–]/.exec(v);
    if (lead) return Number(lead[1]) >= 3 ? 'positive' : 'negative';
    if (/^(?:yes|true)$/i.test(v.trim())) return 'positive';
    if (/^(?:no|false)$/i.test(v.trim())) return 'negative';
  }
  return null;
}

function numericScore(field: FeedbackInput['fields'][number]): number | undefined {
  if (typeof field.value === 'number') return field.value;
  const lead = typeof field.value === 'string' ? /^\s*([1-4])\s*[-–]/.exec(field.value) : null;
  return lead ? Number(lead[1]) : undefined;
}

const isScoreField = (f: FeedbackInput['fields'][number]) =>
  /score|rating/i.test(f.type) || numericScore(f) !== undefined || /^(?:yes|no)$/i.test(String(f.value ?? ''));

function textsOf(f: FeedbackInput['fields'][number]): string[] {
  const out: string[] = [];
  if (typeof f.value === 'string' && !isScoreField(f) && f.value.trim()) out.push(f.value);
  if (f.comment?.trim()) out.push(f.comment);
  return out;
}

function sentences(text: string): string[] {
  return sentenceSpans(text).map((s) => text.slice(s.start, s.end));
}

/**
 * The sentences of a comment with their key stems, computed once per text and reused for every criterion (each
 * criterion used to tokenise every comment again). Kept for one synthesis only.
 */
type StemmedSentences = Array<{ text: string; keys: Set<string> }>;
function stemmedSentences(text: string, memo: Map<string, StemmedSentences>): StemmedSentences {
  let hit = memo.get(text);
  if (!hit) {
    hit = sentences(text).map((s) => ({ text: s, keys: keyStems(s) }));
    memo.set(text, hit);
  }
  return hit;
}

/** Points of one form on one criterion: score fields whose label names it, and sentences that mention it. */
function pointsFor(criterion: Criterion, form: FeedbackInput, memo: Map<string, StemmedSentences>): Point[] {
  const keys = keyStems(criterion.text);
  if (keys.size === 0) return [];
  const need = Math.min(2, keys.size);
  const points: Point[] = [];
  for (const field of form.fields) {
    const labelKeys = keyStems(field.label);
    const labelHit = labelKeys.size > 0 && overlap(keys, labelKeys) >= Math.min(need, labelKeys.size);
    if (labelHit) {
      const valueStance = stanceOfValue(field);
      const comment =
        field.comment?.trim() || (typeof field.value === 'string' && !isScoreField(field) ? field.value.trim() : '');
      if (valueStance === null && !comment) continue;
      points.push({
        feedbackId: form.id,
        interviewer: form.interviewer,
        stance: valueStance ?? stanceOfText(comment),
        quote: comment || `${field.label}: ${String(field.value)}`,
        ...(numericScore(field) !== undefined ? { score: numericScore(field) } : {}),
      });
      continue;
    }
    for (const text of textsOf(field)) {
      for (const s of stemmedSentences(text, memo)) {
        if (overlap(keys, s.keys) >= need) {
          points.push({
            feedbackId: form.id,
            interviewer: form.interviewer,
            stance: stanceOfText(s.text),
            quote: s.text,
          });
        }
      }
    }
  }
  return points;
}

/** One reading per interviewer: a score decides, otherwise the majority of their sentences. */
function interviewerStance(points: Point[]): Stance {
  const scored = points.find((p) => p.score !== undefined);
  if (scored) return scored.stance;
  const pos = points.filter((p) => p.stance === 'positive').length;
  const neg = points.filter((p) => p.stance === 'negative').length;
  return pos > neg ? 'positive' : neg > pos ? 'negative' : 'neutral';
}

const CULTURE_FIT =
  /\b(?:culture[- ]?fit|cultural(?:ly)? fit|not a (?:good |great |strong |culture |cultural |team )?fit|(?:poor|bad|weak) fit|(?:wouldn[’']?t|won[’']?t|doesn[’']?t|does not|would not|will not) fit(?: in)?|not (?:the right|our) (?:fit|type|kind of person)|fit in with|gut feel\w*|vibes?)\b/i;
const EVIDENCE =
  /\b(?:because|since|when (?:i|we|asked|he|she|they)|for (?:example|instance)|e\.g\.|specifically|such as|said|told|answered|described|explained|refused|dismiss\w*|interrupt\w*|blamed)\b|\d/i;

function flagsFor(form: FeedbackInput): FeedbackFlag[] {
  const flags: FeedbackFlag[] = [];
  const texts = form.fields.flatMap(textsOf);
  for (const text of texts) {
    const ss = sentences(text);
    ss.forEach((s, i) => {
      for (const m of findProtectedMentions(s)) {
        flags.push({
          feedbackId: form.id,
          interviewer: form.interviewer,
          kind: 'protected-trait',
          quote: s,
          reason: `Mentions ${m.topic.replace('-', ' ')} (“${m.quote}”), a protected characteristic that must not influence the decision.`,
        });
      }
      // "Not a fit" needs a reason that a colleague could check; look in the sentence and the one after it.
      if (CULTURE_FIT.test(s) && !EVIDENCE.test(s) && !EVIDENCE.test(ss[i + 1] ?? '')) {
        flags.push({
          feedbackId: form.id,
          interviewer: form.interviewer,
          kind: 'culture-fit-without-evidence',
          quote: s,
          reason: '“Fit” judgement with no observed behaviour or example behind it; ask the interviewer what they saw.',
        });
      }
    });
  }
  const written = texts.join(' ').trim();
  const scores = [
    form.overall?.label,
    ...form.fields.filter((f) => numericScore(f) !== undefined).map((f) => `${f.label}: ${String(f.value)}`),
  ].filter((x): x is string => Boolean(x));
  if (scores.length > 0 && written.length < 15) {
    flags.push({
      feedbackId: form.id,
      interviewer: form.interviewer,
      kind: 'score-without-comment',
      quote: scores[0]!,
      reason: 'A score with no written comment to support it; ask the interviewer for the evidence behind it.',
    });
  }
  return dedupe(flags);
}

function dedupe(flags: FeedbackFlag[]): FeedbackFlag[] {
  const seen = new Set<string>();
  return flags.filter((f) => {
    const k = `${f.feedbackId}|${f.kind}|${f.quote}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function recommendationOf(values: number[]): FeedbackSynthesis['consensus']['recommendation'] {
  if (values.length === 0) return 'none';
  const hire = values.filter((v) => v >= 3).length;
  if (hire > 0 && hire < values.length) return 'mixed';
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (hire === values.length) return mean >= 3.5 ? 'strong-hire' : 'hire';
  return mean <= 1.5 ? 'strong-no-hire' : 'no-hire';
}

export function synthesizeFeedbackLocal(
  posting: PostingInput,
  feedback: FeedbackInput[],
  opts: { rubric?: Rubric; now?: () => Date } = {},
): FeedbackSynthesis {
  const startedAt = performance.now();
  const now = opts.now ?? (() => new Date());
  const criteria = opts.rubric?.criteria ?? extractCriteria(posting);

  const counts = new Map<string, number>(LEVER_SCORE_LABELS.map((l) => [l, 0]));
  const values: number[] = [];
  for (const f of feedback) {
    if (!f.overall) continue;
    counts.set(f.overall.label, (counts.get(f.overall.label) ?? 0) + 1);
    values.push(f.overall.value);
  }
  const scoreDistribution = [...counts].map(([label, count]) => ({ label, count }));

  const criteriaOut: FeedbackSynthesis['criteria'] = [];
  const unassessed: string[] = [];
  const memo = new Map<string, StemmedSentences>();
  for (const c of criteria) {
    const points = feedback.flatMap((f) => pointsFor(c, f, memo));
    if (points.length === 0) {
      unassessed.push(c.text);
      continue;
    }
    const byForm = new Map<string, Point[]>();
    for (const p of points) {
      const list = byForm.get(p.feedbackId);
      if (list) list.push(p);
      else byForm.set(p.feedbackId, [p]);
    }
    const stances = new Set([...byForm.values()].map(interviewerStance));
    const agreement =
      byForm.size === 1 ? 'single' : stances.has('positive') && stances.has('negative') ? 'disagree' : 'agree';
    criteriaOut.push({ criterion: c.text, criterionId: c.id, agreement, points });
  }
  const flags = feedback.flatMap(flagsFor);
  const recommendation = recommendationOf(values);
  return {
    feedbackCount: feedback.length,
    consensus: {
      recommendation,
      scoreDistribution,
      summary: decisionSummary(
        feedback.length,
        values,
        scoreDistribution,
        recommendation,
        criteriaOut,
        unassessed,
        flags,
      ),
    },
    criteria: criteriaOut,
    unassessed,
    flags,
    provenance: localProvenance({
      promptVersion: FEEDBACK_SYNTHESIS_VERSION,
      inputHash: hashInput({ capability: 'feedback', posting: posting.id, criteria, feedback }),
      startedAt,
      now,
    }),
  };
}
