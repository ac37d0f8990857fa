import type { Rubric } from '../../utils/contracts/ai.ts';
import { candidateFromText } from './candidate-from-text.ts';
import { bm25Index, type DocStats, weightedCoverage } from './local/bm25.ts';
import { type CompiledPosting, compilePosting } from './local/compile-posting.ts';
import type { Concept, CriterionSpec } from './local/criterion-spec.ts';
import { present } from './local/evaluate-criterion.ts';
import { skillIdsInWords } from './local/skills.ts';
import { STOPWORDS, stem } from './local/text.ts';
import { CRITERIA_SHARE, scoreCompiledDetailed } from './score-candidate.ts';
import type { PostingInput } from './types.ts';

/**
 * Ranking many candidates for one posting (rediscovery, CLI `rank`). Two passes:
 * 1. a fast pass over every document: BM25 (IDF from the pool) plus criterion coverage on word sets;
 * 2. the full match score (the same as scoreCandidateLocal, with injection and protected-attribute masking)
 *    for the best `rerank` documents, blended with their BM25 relevance to the posting with IDF from the pool:
 *    rank score = (1 - RANK_POOL_SHARE) * match score + RANK_POOL_SHARE * 100 * BM25 / best BM25 in the window.
 *    The match score judges each candidate on its own, so a requirement nearly everyone meets counts as much as
 *    a rare one; the pool's IDF tells them apart. A candidate's BM25 reads the same masked text as the match
 *    score, so their injected text, names and pronouns do not count in it (the pool's IDF is taken from the raw
 *    texts, where a word of one document shifts every score alike). Pools under MIN_POOL_FOR_IDF documents are
 *    too small to take IDF from: there the rank score is the match score.
 * Documents outside the rerank window keep a fast-pass estimate, capped below the lowest rescored document, so
 * the list stays ordered.
 */

export type RankDoc = { id: string; text: string };
/**
 * `score`: the rank score (see above) for rescored documents, a fast-pass estimate below them for the rest; it orders
 * this pool and is not comparable across pools. `matchScore`: for rescored documents, the candidate's own 0-100 match
 * score, the same number `scoreCandidateLocal` (and the `score` CLI) gives.
 */
export type Ranked = { candidateId: string; score: number; matchScore?: number };
export type PreparedDoc = RankDoc & DocStats;
export type RankOptions = {
  rubric?: Rubric;
  now?: Date;
  /** Documents rescored in full; default max(2*topK, 30), at most MAX_RERANK. */
  rerank?: number;
};
export const MAX_RERANK = 100;
/** Share of pool BM25 in the rank score of rescored documents; `npx tsx bench/quality-heldout.ts` checks it. */
export const RANK_POOL_SHARE = 0.4;
export const MIN_POOL_FOR_IDF = 20;

/** Rank score of a rescored document from its match score and its BM25 divided by the window's best BM25. */
export function rankScore(match: number, bm25Share: number, poolShare = RANK_POOL_SHARE): number {
  return Math.round(((1 - poolShare) * match + poolShare * 100 * bm25Share) * 10) / 10;
}

const FAST_WORD_RE = /[\p{L}\p{N}]+(?:[+#]{1,2}(?![\p{L}\p{N}])|\.(?:js|net|io|ts)(?![\p{L}\p{N}]))?/gu;

// word -> matching key ('' for stopwords): one lookup per word on the hot path.
const wordKeys = new Map<string, string>();

/** Term statistics of one document, computed once and reusable across postings. */
export function prepareDocument(doc: RankDoc): PreparedDoc {
  const words = doc.text.toLowerCase().match(FAST_WORD_RE) ?? [];
  const tf = new Map<string, number>();
  for (const w of words) {
    let key = wordKeys.get(w);
    if (key === undefined) {
      key = STOPWORDS.has(w) ? '' : stem(w);
      if (wordKeys.size < 500_000) wordKeys.set(w, key);
    }
    if (key) tf.set(key, (tf.get(key) ?? 0) + 1);
  }
  for (const id of skillIdsInWords(words)) tf.set(id, (tf.get(id) ?? 0) + 1);
  return { id: doc.id, text: doc.text, tf, length: words.length };
}

type KeySet = { has(key: string): boolean };

function fraction(concepts: Concept[], keys: KeySet): number {
  if (concepts.length === 0) return 0;
  let n = 0;
  for (const c of concepts) if (present(c, keys)) n++;
  return n / concepts.length;
}

/** Criterion credit on word sets only: what the full judge would give, without dates or line structure. */
function fastCredit(spec: CriterionSpec, keys: KeySet): number {
  if (spec.criterion.kind === 'experience' && spec.minYears !== null) return fraction(spec.subject, keys);
  const head = spec.concepts.filter((c) => c.head);
  const all = fraction(spec.concepts, keys);
  return head.length && head.length < spec.concepts.length ? 0.75 * fraction(head, keys) + 0.25 * all : all;
}

export function createRanker(posting: PostingInput, opts: Omit<RankOptions, 'rerank'> = {}) {
  const compiled: CompiledPosting = compilePosting(posting, opts.rubric);
  const totalWeight = compiled.specs.reduce((n, s) => n + s.criterion.weight, 0) || 1;
  return {
    compiled,
    rank(input: Array<RankDoc | PreparedDoc>, topK = input.length, rerank?: number): Ranked[] {
      const docs = input.map((d) => ('tf' in d ? d : prepareDocument(d)));
      const pool = bm25Index(compiled.query, docs);
      const bm = docs.map((d) => pool.score(d));
      let maxBm = 0;
      for (const v of bm) maxBm = Math.max(maxBm, v);
      const fast = docs.map((d, i) => {
        let credit = 0;
        for (const spec of compiled.specs) credit += spec.criterion.weight * fastCredit(spec, d.tf);
        const keyword = 0.5 * (maxBm > 0 ? bm[i]! / maxBm : 0) + 0.5 * weightedCoverage(compiled.query, d);
        const rel = 0.5 * keyword + 0.5 * fraction(compiled.titleConcepts, d.tf);
        return { i, s: 100 * (CRITERIA_SHARE * (credit / totalWeight) + (1 - CRITERIA_SHARE) * rel) };
      });
      fast.sort((a, b) => b.s - a.s || (docs[a.i]!.id < docs[b.i]!.id ? -1 : 1));
      // Full scoring costs a few ms per document: cap the window so "rank everyone" stays fast.
      const window = Math.min(docs.length, rerank ?? Math.min(Math.max(2 * topK, 30), MAX_RERANK));
      const now = opts.now ?? new Date();
      const rescored = fast.slice(0, window).map(({ i }) => {
        const { result, profile } = scoreCompiledDetailed(compiled, candidateFromText(docs[i]!.id, docs[i]!.text), now);
        return { candidateId: docs[i]!.id, match: result.score, bm: pool.score(profile) };
      });
      const share = docs.length >= MIN_POOL_FOR_IDF ? RANK_POOL_SHARE : 0;
      const bestBm = rescored.reduce((n, r) => Math.max(n, r.bm), 0);
      const full: Ranked[] = rescored.map((r) => ({
        candidateId: r.candidateId,
        score: rankScore(r.match, bestBm > 0 ? r.bm / bestBm : 0, share),
        matchScore: r.match,
      }));
      full.sort((a, b) => b.score - a.score || (a.candidateId < b.candidateId ? -1 : 1));
      const floor = full.length ? full[full.length - 1]!.score : 100;
      const rest: Ranked[] = fast
        .slice(window)
        .map(({ i, s }) => ({ candidateId: docs[i]!.id, score: Math.round(Math.min(s, floor) * 10) / 10 }));
      return [...full, ...rest].slice(0, topK);
    },
  };
}

export function rankCandidates(
  posting: PostingInput,
  docs: RankDoc[],
  topK = docs.length,
  opts: RankOptions = {},
): Ranked[] {
  return createRanker(posting, opts).rank(docs, topK, opts.rerank);
}
