import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { bm25Scores, type DocStats } from '../backend/ai/local/bm25.ts';
import { STOPWORDS, tokenize } from '../backend/ai/local/text.ts';
import type { MatchResult } from '../utils/contracts/ai.ts';
import { RJDB_DEV } from './shared-data.ts';

/**
 * What the quality benchmarks share: the RJDB rows (Megagon Labs, CC BY-SA 4.0), the deterministic fold of each
 * job, the ranking measures and the two BM25 baselines. Used by quality.bench.ts and quality-heldout.ts.
 */

export type Row = {
  'Job-Description': string;
  'Resume-matched': string;
  'Resume-unmatched': string;
  /** Every skill of the matched resume, the removed ones included. */
  Skills?: unknown;
  'Filtered-information'?: { Skills?: unknown };
};
export type Doc = { id: string; text: string };

export function loadRows(file: string, limit?: number): Row[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Row)
    .slice(0, limit);
}

/**
 * The command line both quality benchmarks take: `[--file F --limit N --rerank N --only gaps]`, and what it loads.
 * `--only gaps` asks quality.bench.ts for the pairwise and gap figures alone (no ranking, baselines or injection).
 */
export function benchInput(): { rows: Row[]; rerank: number; now: Date; docs: Doc[]; only: 'gaps' | null } {
  const { values } = parseArgs({
    options: {
      file: { type: 'string', default: RJDB_DEV },
      limit: { type: 'string' },
      rerank: { type: 'string', default: '30' },
      only: { type: 'string' },
    },
  });
  if (values.only !== undefined && values.only !== 'gaps') throw new Error(`--only takes "gaps", not "${values.only}"`);
  const rows = loadRows(values.file, values.limit ? Number(values.limit) : undefined);
  return {
    rows,
    rerank: Number(values.rerank),
    now: new Date('2026-01-01T00:00:00Z'),
    docs: docsOf(rows),
    only: values.only === 'gaps' ? 'gaps' : null,
  };
}

/** Every resume of the file: `m<i>` is job i's matched resume, `u<i>` its unmatched copy (ids at 2i and 2i+1). */
export function docsOf(rows: Row[]): Doc[] {
  return rows.flatMap((r, i) => [
    { id: `m${i}`, text: r['Resume-matched'] },
    { id: `u${i}`, text: r['Resume-unmatched'] },
  ]);
}

export const FOLDS = 2;
/**
 * The fold of a job: from a hash of its text, so it does not depend on the order of the file or on anything the
 * engine computes. Parameters chosen on one fold are checked on the other.
 */
export function foldOf(jobText: string, folds = FOLDS): number {
  return createHash('sha256').update(jobText).digest()[0]! % folds;
}

/** nDCG@10 with linear gain: the job's matched resume = 2, its unmatched copy = 1, every other resume 0. */
export function ndcgAt10(rankedIds: string[], job: number): number {
  const gain = (id: string) => (id === `m${job}` ? 2 : id === `u${job}` ? 1 : 0);
  let dcg = 0;
  rankedIds.slice(0, 10).forEach((id, k) => {
    dcg += gain(id) / Math.log2(k + 2);
  });
  return dcg / (2 / Math.log2(2) + 1 / Math.log2(3));
}

/** Reciprocal rank of the first relevant resume (or of the matched one only). */
export function reciprocalRank(rankedIds: string[], job: number, onlyMatched: boolean): number {
  const k = rankedIds.findIndex((id) => id === `m${job}` || (!onlyMatched && id === `u${job}`));
  return k === -1 ? 0 : 1 / (k + 1);
}

/** Per-job figures of one system; `pairwise` is 1, 0.5 (tie) or 0. */
export type JobFigures = { pairwise: number; ndcg: number; mrr: number; mrrMatched: number };

export function figuresFromRanking(rankedIds: string[], job: number): Omit<JobFigures, 'pairwise'> {
  return {
    ndcg: ndcgAt10(rankedIds, job),
    mrr: reciprocalRank(rankedIds, job, false),
    mrrMatched: reciprocalRank(rankedIds, job, true),
  };
}

export const pairwiseOf = (matched: number, unmatched: number) =>
  matched > unmatched ? 1 : matched === unmatched ? 0.5 : 0;

export function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
}

/**
 * The baseline the issue describes: BM25 (k1 = 1.2, b = 0.75, Lucene's IDF) over the whole job text, standard
 * tokenisation (lower case, runs of letters and digits), no stemming, no stopword list.
 */
export function plainTerms(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Fulcrum's own keyword baseline: the engine's tokenizer, stopwords removed, words stemmed. */
export function stemmedTerms(text: string): string[] {
  return tokenize(text)
    .filter((t) => !STOPWORDS.has(t.norm))
    .map((t) => t.stem);
}

function stats(terms: string[]): DocStats {
  const tf = new Map<string, number>();
  for (const t of terms) tf.set(t, (tf.get(t) ?? 0) + 1);
  return { tf, length: terms.length };
}

/** Figures of whole-text BM25 for each job, ranking every resume of the file. */
export function bm25Baseline(rows: Row[], docs: Doc[], terms: (text: string) => string[]): JobFigures[] {
  const pool = docs.map((d) => stats(terms(d.text)));
  return rows.map((r, i) => {
    const scores = bm25Scores(stats(terms(r['Job-Description'])).tf, pool);
    const ranked = docs
      .map((d, k) => ({ id: d.id, s: scores[k]! }))
      .sort((a, b) => b.s - a.s || (a.id < b.id ? -1 : 1))
      .map((x) => x.id);
    return { pairwise: pairwiseOf(scores[2 * i]!, scores[2 * i + 1]!), ...figuresFromRanking(ranked, i) };
  });
}

const strings = (x: unknown): string[] =>
  Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string' && stemmedTerms(s).length > 0) : [];

/**
 * How the reported gaps of one row's two resumes relate to its skills. A skill is "named among the gaps" when
 * every stemmed word of it is in one gap's text together with the text of that gap's criterion (the gap
 * recall); `recalledByText` asks the same of the gap text alone, which is all the CLI's `score` prints.
 * - removed / recalled / recalledByText: the skills removed from the unmatched resume, and how many of them the
 *   unmatched resume's gaps name (recall);
 * - stated / falseOnMatched: the row's other skills that the matched resume states on one line, and how many of
 *   them the matched resume's gaps name anyway (false gaps: the candidate has the skill).
 */
export type GapCounts = {
  removed: number;
  recalled: number;
  recalledByText: number;
  stated: number;
  falseOnMatched: number;
  matchedGaps: number;
};

function gapTerms(result: MatchResult, withCriterion: boolean): Array<Set<string>> {
  return result.gaps.map((g) => {
    const criterion = withCriterion
      ? (result.criteria.find((c) => c.criterion.id === g.criterionId)?.criterion.text ?? '')
      : '';
    return new Set(stemmedTerms(`${g.text} ${criterion}`));
  });
}

const named = (gaps: Array<Set<string>>, skill: string) => {
  const want = stemmedTerms(skill);
  return gaps.some((g) => want.every((w) => g.has(w)));
};

export function gapCountsOf(row: Row, matched: MatchResult, unmatched: MatchResult): GapCounts {
  const removed = strings(row['Filtered-information']?.Skills);
  const removedSet = new Set(removed.map((s) => s.toLowerCase()));
  const unmatchedGaps = gapTerms(unmatched, true);
  const unmatchedGapTexts = gapTerms(unmatched, false);
  const matchedGaps = gapTerms(matched, true);
  const matchedLines = row['Resume-matched'].split('\n').map((l) => new Set(stemmedTerms(l)));
  const stated = strings(row.Skills).filter(
    (s) => !removedSet.has(s.toLowerCase()) && matchedLines.some((l) => stemmedTerms(s).every((w) => l.has(w))),
  );
  return {
    removed: removed.length,
    recalled: removed.filter((s) => named(unmatchedGaps, s)).length,
    recalledByText: removed.filter((s) => named(unmatchedGapTexts, s)).length,
    stated: stated.length,
    falseOnMatched: stated.filter((s) => named(matchedGaps, s)).length,
    matchedGaps: matched.gaps.length,
  };
}

/** Gap figures over some rows: recall (and by gap text alone), the precision proxy and false gaps on matched. */
export function gapFigures(counts: GapCounts[]) {
  const sum = (k: keyof GapCounts) => counts.reduce((n, c) => n + c[k], 0);
  const removed = sum('removed');
  const recalled = sum('recalled');
  const falseOnMatched = sum('falseOnMatched');
  return {
    removed,
    recalled,
    recall: removed ? recalled / removed : 0,
    recallByText: removed ? sum('recalledByText') / removed : 0,
    stated: sum('stated'),
    falseOnMatched,
    /** Share of the skills the matched resume states that its gaps name anyway. */
    falseRate: sum('stated') ? falseOnMatched / sum('stated') : 0,
    /** recalled / (recalled + false gaps on the matched resume): how many of the skill gaps shown are real. */
    precision: recalled + falseOnMatched ? recalled / (recalled + falseOnMatched) : 0,
    gapsPerMatched: counts.length ? sum('matchedGaps') / counts.length : 0,
  };
}
