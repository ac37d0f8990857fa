import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { bm25Scores, type DocStats } from '../backend/ai/local/bm25.ts';
import { STOPWORDS, tokenize } from '../backend/ai/local/text.ts';

/**
 * What the quality benchmarks share: the RJDB rows (Megagon Labs, CC BY-SA 4.0), the deterministic fold of each
 * job, the ranking measures and the two BM25 baselines. Used by quality.bench.ts and quality-heldout.ts.
 */

export type Row = {
  'Job-Description': string;
  'Resume-matched': string;
  'Resume-unmatched': string;
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
