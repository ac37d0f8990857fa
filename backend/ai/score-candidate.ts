import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type {
  CriterionResult,
  Evidence,
  InjectionFlag,
  MatchResult,
  Rubric,
  TextTruncation,
  Verdict,
} from '../../utils/contracts/ai.ts';
import { boundCandidate } from './bound-text.ts';
import { detectInjection } from './detect-injection.ts';
import { weightedCoverage } from './local/bm25.ts';
import { type CompiledPosting, compilePosting } from './local/compile-posting.ts';
import type { CriterionSpec } from './local/criterion-spec.ts';
import {
  bestLineCoverage,
  type Judgement,
  judgeCriterion,
  THRESHOLDS,
  type Thresholds,
} from './local/evaluate-criterion.ts';
import { maskProtected } from './local/mask-protected.ts';
import { buildProfile, type ResumeProfile } from './local/resume-profile.ts';
import { blankSpans, countWords, type Span } from './local/text.ts';
import type { CandidateInput, PostingInput } from './types.ts';

/**
 * Match score, local engine: deterministic, no network. Criteria come from the recruiter's rubric or are
 * extracted from the posting; each is judged against the candidate's text with protected attributes and
 * flagged injection spans blanked out; evidence quotes the original text by offset.
 *
 * score = 100 * (criteriaShare * weighted criterion credit + (1 - criteriaShare) * relevance)
 *         - mustHavePenalty per unmet must-have (at most 3)
 * relevance = keywordShare * BM25-style keyword coverage of the posting
 *           + (1 - keywordShare) * best match of the job title on one resume line
 * The weights are MATCH_WEIGHTS; `npx tsx bench/quality-heldout.ts` shows how they do on held-out data.
 */

export const LOCAL_ENGINE = { provider: 'local', model: 'fulcrum-local', version: '1.0.0' } as const;
/** Bump when the algorithm changes in a way that changes scores: it is part of the cache key. */
export const MATCH_ALGORITHM_VERSION = 'local-match-1.5';

export type MatchWeights = { criteriaShare: number; keywordShare: number; mustHavePenalty: number };
export const MATCH_WEIGHTS: Readonly<MatchWeights> = { criteriaShare: 0.6, keywordShare: 0.5, mustHavePenalty: 5 };
export const CRITERIA_SHARE = MATCH_WEIGHTS.criteriaShare;
export const MUST_HAVE_PENALTY = MATCH_WEIGHTS.mustHavePenalty;

/** What the score is made of, each in 0..1 except the count of unmet must-haves. */
export type ScoreParts = { criteria: number; keyword: number; title: number; unmetMust: number };

/** The 0-100 match score from its parts (one decimal). */
export function combineScore(p: ScoreParts, w: MatchWeights = MATCH_WEIGHTS): number {
  const relevance = w.keywordShare * p.keyword + (1 - w.keywordShare) * p.title;
  const raw =
    100 * (w.criteriaShare * p.criteria + (1 - w.criteriaShare) * relevance) -
    w.mustHavePenalty * Math.min(p.unmetMust, 3);
  return Math.round(Math.min(100, Math.max(0, raw)) * 10) / 10;
}
/**
 * Verdict thresholds. strong: score >= 75 and every must-have met; possible: score >= 50; weak: below 50.
 * unclear: fewer than MIN_WORDS words of candidate text, or at least half of the criteria weight is unclear.
 */
export const VERDICT_THRESHOLDS = { strong: 75, possible: 50 } as const;
export const MIN_WORDS = 40;
/** Below this many words no criterion is judged at all (every one is unclear). */
export const NOTHING_TO_JUDGE_WORDS = 15;
export const UNCLEAR_SHARE = 0.5;

export type ScoreOptions = { rubric?: Rubric; now?: Date };

type Located = { source: Evidence['source']; offset: number; text: string };

function questionFor(spec: CriterionSpec): string {
  switch (spec.criterion.kind) {
    case 'experience':
      return `How many years of experience do you have for this: ${spec.label}?`;
    case 'education':
      return 'What is your highest degree or qualification, and in what field?';
    case 'language':
      return `How would you describe your level in ${spec.languages.join(' and ') || spec.label}?`;
    case 'other':
      return `Can you confirm the following: ${spec.label}?`;
    default:
      return `Can you tell us about your experience with ${spec.label}?`;
  }
}

const squash = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
/** Longest requirement quoted in a gap; longer ones are cut at a word boundary. */
const ASKED_MAX = 240;

/**
 * A gap read on its own (CLI output, API clients): the judgement, and the requirement it is about when the
 * judgement names it only in part ("No evidence of physical stamina in the resume. Requirement: High physical
 * stamina to endure long working hours.").
 */
function gapText(c: CriterionResult): string {
  const judged = c.status === 'partly' ? `Partly: ${c.explanation}` : c.explanation;
  const asked = c.criterion.text.replace(/\s+/g, ' ').trim();
  if (squash(judged).includes(squash(asked))) return judged;
  const cut = asked.length <= ASKED_MAX ? asked : `${asked.slice(0, ASKED_MAX - 1).replace(/\s+\S*$/, '')}…`;
  return `${judged} Requirement: ${cut.replace(/[.;:,]+$/, '')}.`;
}

function verdictFor(score: number, unmetMust: number, unclearShare: number, tooShort: boolean): Verdict {
  if (tooShort || unclearShare >= UNCLEAR_SHARE) return 'unclear';
  if (score >= VERDICT_THRESHOLDS.strong && unmetMust === 0) return 'strong';
  if (score >= VERDICT_THRESHOLDS.possible) return 'possible';
  return 'weak';
}

/** Maps a span of the combined (resume + application) text back to its source text. */
function toEvidence(span: Span, parts: Located[]): Evidence | null {
  for (const p of parts) {
    if (span.start >= p.offset && span.end <= p.offset + p.text.length) {
      const start = span.start - p.offset;
      const end = span.end - p.offset;
      return { source: p.source, quote: p.text.slice(start, end), start, end };
    }
  }
  return null;
}

/**
 * The match result together with what it was computed from: the parts of the score and the profile of the
 * masked text (protected attributes and injection spans blanked), which ranking reuses for pool statistics.
 */
export type ScoredCandidate = { result: MatchResult; parts: ScoreParts; profile: ResumeProfile };

/**
 * What scoring needs of a candidate whatever the posting: the source texts, injection flags, and the profile of
 * the masked text. Computed once per candidate; `scorePrepared` judges it against any posting.
 */
export type PreparedCandidate = {
  located: Located[];
  flags: InjectionFlag[];
  masked: string;
  profile: ResumeProfile;
  words: number;
  year: number;
  /** What was cut from the candidate's text before it was read (bound-text.ts). */
  truncated?: TextTruncation[];
};

export function prepareCandidate(input: CandidateInput, now: Date = new Date()): PreparedCandidate {
  // Within bounds before anything reads it; a candidate loaded from Lever already is, and comes back unchanged.
  const candidate = boundCandidate(input);
  const resume = candidate.resumeText;
  const application = candidate.applicationText ?? '';
  const located: Located[] = [{ source: 'resume', offset: 0, text: resume }];
  let combined = resume;
  if (application.trim()) {
    located.push({ source: 'application', offset: resume.length + 2, text: application });
    combined = `${resume}\n\n${application}`;
  }
  const flags: InjectionFlag[] = located
    .flatMap((p) => detectInjection(p.text, p.source).map((f) => ({ ...f, _o: p.offset })))
    .map(({ _o, ...f }) => f);
  const flagSpans = located.flatMap((p) =>
    flags.filter((f) => f.source === p.source).map((f) => ({ start: f.start + p.offset, end: f.end + p.offset })),
  );
  const masked = maskProtected(blankSpans(combined, flagSpans), candidate);
  const year = now.getUTCFullYear();
  return {
    located,
    flags,
    masked,
    profile: buildProfile(masked, year),
    words: countWords(masked),
    year,
    ...(candidate.truncated?.length ? { truncated: candidate.truncated } : {}),
  };
}

export function scoreCompiled(
  compiled: CompiledPosting,
  candidate: CandidateInput,
  now: Date = new Date(),
): MatchResult {
  return scoreCompiledDetailed(compiled, candidate, now).result;
}

export function scoreCompiledDetailed(
  compiled: CompiledPosting,
  candidate: CandidateInput,
  now: Date = new Date(),
  thresholds: Thresholds = THRESHOLDS,
): ScoredCandidate {
  const t0 = performance.now();
  return scorePrepared(compiled, prepareCandidate(candidate, now), now, thresholds, t0);
}

/** The match of a prepared candidate against a compiled posting (judging only: no text is read again). */
export function scorePrepared(
  compiled: CompiledPosting,
  prepared: PreparedCandidate,
  now: Date = new Date(),
  thresholds: Thresholds = THRESHOLDS,
  t0: number = performance.now(),
): ScoredCandidate {
  const { located: parts, flags, masked, profile, words } = prepared;
  const tooShort = words < MIN_WORDS;
  const nothing = words < NOTHING_TO_JUDGE_WORDS;

  const judged: Array<{ spec: CriterionSpec; j: Judgement }> = compiled.specs.map((spec) => ({
    spec,
    j: judgeCriterion(spec, profile, nothing, thresholds),
  }));
  let totalWeight = 0;
  let credit = 0;
  let unclearWeight = 0;
  let unmetMust = 0;
  for (const { spec, j } of judged) {
    const w = spec.criterion.weight;
    totalWeight += w;
    credit += w * j.credit;
    if (j.status === 'unclear') unclearWeight += w;
    if (spec.criterion.mustHave && (j.status === 'not-met' || (j.status === 'partly' && j.credit < 0.5))) unmetMust++;
  }
  const criteriaScore = totalWeight > 0 ? credit / totalWeight : 0;
  // Keyword relevance to the whole posting, and whether the candidate has held a role named like this job.
  const titleMatch = compiled.titleConcepts.length ? bestLineCoverage(compiled.titleConcepts, profile) : 0;
  const scoreParts: ScoreParts = {
    criteria: criteriaScore,
    keyword: weightedCoverage(compiled.query, profile),
    title: titleMatch,
    unmetMust,
  };
  const score = combineScore(scoreParts);
  const unclearShare = totalWeight > 0 ? unclearWeight / totalWeight : 1;
  const verdict = verdictFor(score, unmetMust, unclearShare, tooShort);

  const criteria: CriterionResult[] = judged.map(({ spec, j }) => ({
    criterion: spec.criterion,
    status: j.status,
    evidence: j.spans.map((s) => toEvidence(s, parts)).filter((e): e is Evidence => e !== null && e.quote.length > 0),
    explanation: j.explanation,
  }));
  const byWeight = [...criteria].sort((a, b) => b.criterion.weight - a.criterion.weight);
  const labelOf = new Map(judged.map(({ spec }) => [spec.criterion.id, spec.label]));
  const strengths = byWeight
    .filter((c) => c.status === 'met' && c.evidence.length > 0)
    .map((c) => ({ text: c.explanation, criterionId: c.criterion.id, evidence: c.evidence }));
  const gaps = byWeight
    .filter((c) => c.status === 'not-met' || c.status === 'partly')
    .map((c) => ({ text: gapText(c), criterionId: c.criterion.id, evidence: c.evidence }));
  const askCandidate = judged
    .filter(({ j }) => j.status === 'unclear' && !nothing)
    .map(({ spec }) => ({ criterionId: spec.criterion.id, question: questionFor(spec) }));
  const count = (s: CriterionResult['status']) => criteria.filter((c) => c.status === s).length;
  const summary =
    (tooShort ? `Verdict unclear: only ${words} words of resume text. ` : '') +
    `Meets ${count('met')} of ${criteria.length} criteria, partly ${count('partly')}, not met ${count('not-met')}, unclear ${count('unclear')}.` +
    (gaps.length
      ? ` Main gaps: ${gaps
          .slice(0, 3)
          .map((g) => labelOf.get(g.criterionId ?? ''))
          .join('; ')}.`
      : '') +
    (flags.length ? ` ${flags.length} suspected prompt-injection span(s) were ignored.` : '');

  const inputHash = createHash('sha256')
    .update(
      JSON.stringify({
        algorithm: MATCH_ALGORITHM_VERSION,
        year: prepared.year,
        posting: [compiled.posting.title, compiled.posting.text.replace(/\s+/g, ' ').trim()],
        criteria: compiled.criteria,
        candidate: masked.replace(/\s+/g, ' ').trim(),
      }),
    )
    .digest('hex');
  const result: MatchResult = {
    score,
    verdict,
    summary,
    criteria,
    strengths,
    gaps,
    askCandidate,
    flags,
    rubricSource: compiled.rubricSource,
    provenance: {
      ...LOCAL_ENGINE,
      promptVersion: MATCH_ALGORITHM_VERSION,
      inputHash,
      latencyMs: Math.round((performance.now() - t0) * 100) / 100,
      createdAt: now.toISOString(),
    },
    ...(prepared.truncated ? { truncated: prepared.truncated } : {}),
  };
  return { result, parts: scoreParts, profile };
}

export function scoreCandidateLocal(
  posting: PostingInput,
  candidate: CandidateInput,
  opts: ScoreOptions = {},
): MatchResult {
  return scoreCompiled(compilePosting(posting, opts.rubric), candidate, opts.now ?? new Date());
}

/** Async wrapper with the AiEngine signature, for engine.ts. */
export async function scoreCandidate(
  posting: PostingInput,
  candidate: CandidateInput,
  opts?: { rubric?: Rubric },
): Promise<MatchResult> {
  return scoreCandidateLocal(posting, candidate, opts);
}
