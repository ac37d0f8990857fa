import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { candidateFromText } from '../backend/ai/candidate-from-text.ts';
import { bm25Scores, type DocStats } from '../backend/ai/local/bm25.ts';
import { STOPWORDS, tokenize } from '../backend/ai/local/text.ts';
import { postingFromText } from '../backend/ai/posting-from-text.ts';
import { createRanker, prepareDocument } from '../backend/ai/rank-candidates.ts';
import { scoreCandidateLocal } from '../backend/ai/score-candidate.ts';
import { RJDB_DEV } from './shared-data.ts';

/**
 * Match quality of the local engine on RJDB (Megagon Labs, CC BY-SA 4.0): each row has a job, a matched resume
 * and an "unmatched" copy with skills/experience removed. Prints, next to a plain BM25 baseline:
 * - pairwise accuracy: matched scored above unmatched (ties count half);
 * - nDCG@10 and MRR when each job ranks all resumes (matched = 2, unmatched = 1, others 0; linear gain);
 * - gap recall: share of the removed skills that appear among the unmatched resume's reported gaps;
 * - throughput of full scoring and of ranking.
 * `npm run bench:quality [-- --file F --limit N --rerank N]`
 */

const { values } = parseArgs({
  options: {
    file: { type: 'string', default: RJDB_DEV },
    limit: { type: 'string' },
    rerank: { type: 'string', default: '30' },
  },
});
type Row = {
  'Job-Description': string;
  'Resume-matched': string;
  'Resume-unmatched': string;
  'Filtered-information'?: { Skills?: unknown };
};
const rows: Row[] = fs
  .readFileSync(values.file, 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as Row)
  .slice(0, values.limit ? Number(values.limit) : undefined);
const rerank = Number(values.rerank);
const now = new Date('2026-01-01T00:00:00Z');
const docs = rows.flatMap((r, i) => [
  { id: `m${i}`, text: r['Resume-matched'] },
  { id: `u${i}`, text: r['Resume-unmatched'] },
]);
const stemsOf = (s: string) =>
  tokenize(s)
    .filter((t) => !STOPWORDS.has(t.norm))
    .map((t) => t.stem);

function ndcgAt10(rankedIds: string[], job: number): number {
  const gain = (id: string) => (id === `m${job}` ? 2 : id === `u${job}` ? 1 : 0);
  let dcg = 0;
  rankedIds.slice(0, 10).forEach((id, k) => {
    dcg += gain(id) / Math.log2(k + 2);
  });
  return dcg / (2 / Math.log2(2) + 1 / Math.log2(3));
}
function rr(rankedIds: string[], job: number, onlyMatched: boolean): number {
  const k = rankedIds.findIndex((id) => id === `m${job}` || (!onlyMatched && id === `u${job}`));
  return k === -1 ? 0 : 1 / (k + 1);
}

// Local engine: pairwise + gap recall with the full scorer.
let pairwise = 0;
let removed = 0;
let recalled = 0;
let verdictStrong = 0;
const t0 = performance.now();
rows.forEach((r, i) => {
  const posting = postingFromText(`job-${i}`, r['Job-Description']);
  const m = scoreCandidateLocal(posting, candidateFromText(`m${i}`, r['Resume-matched']), { now });
  const u = scoreCandidateLocal(posting, candidateFromText(`u${i}`, r['Resume-unmatched']), { now });
  pairwise += m.score > u.score ? 1 : m.score === u.score ? 0.5 : 0;
  if (m.verdict === 'strong') verdictStrong++;
  const skills = Array.isArray(r['Filtered-information']?.Skills)
    ? (r['Filtered-information'].Skills as unknown[]).filter((s): s is string => typeof s === 'string')
    : [];
  const gapStems = u.gaps.map(
    (g) =>
      new Set(stemsOf(`${g.text} ${u.criteria.find((c) => c.criterion.id === g.criterionId)?.criterion.text ?? ''}`)),
  );
  for (const s of skills) {
    const want = stemsOf(s);
    if (want.length === 0) continue;
    removed++;
    if (gapStems.some((g) => want.every((w) => g.has(w)))) recalled++;
  }
});
const scoreMs = performance.now() - t0;

// Local engine: ranking every job against all resumes.
const tPrep = performance.now();
const prepared = docs.map(prepareDocument);
const prepMs = performance.now() - tPrep;
let ndcg = 0;
let mrr = 0;
let mrrMatched = 0;
const tRank = performance.now();
rows.forEach((r, i) => {
  const ranked = createRanker(postingFromText(`job-${i}`, r['Job-Description']), { now })
    .rank(prepared, prepared.length, rerank)
    .map((x) => x.candidateId);
  ndcg += ndcgAt10(ranked, i);
  mrr += rr(ranked, i, false);
  mrrMatched += rr(ranked, i, true);
});
const rankMs = performance.now() - tRank;

// Baseline: plain BM25, whole job text as the query, same tokenizer and stemmer, no skills or criteria.
const plain: DocStats[] = docs.map((d) => {
  const tf = new Map<string, number>();
  const stems = stemsOf(d.text);
  for (const s of stems) tf.set(s, (tf.get(s) ?? 0) + 1);
  return { tf, length: stems.length };
});
let bPair = 0;
let bNdcg = 0;
let bMrr = 0;
let bMrrMatched = 0;
rows.forEach((r, i) => {
  const q = new Map<string, number>();
  for (const s of stemsOf(r['Job-Description'])) q.set(s, (q.get(s) ?? 0) + 1);
  const scores = bm25Scores(q, plain);
  const m = scores[2 * i]!;
  const u = scores[2 * i + 1]!;
  bPair += m > u ? 1 : m === u ? 0.5 : 0;
  const ranked = docs
    .map((d, k) => ({ id: d.id, s: scores[k]! }))
    .sort((a, b) => b.s - a.s)
    .map((x) => x.id);
  bNdcg += ndcgAt10(ranked, i);
  bMrr += rr(ranked, i, false);
  bMrrMatched += rr(ranked, i, true);
});

const n = rows.length;
const f = (x: number) => x.toFixed(3);
console.log(`RJDB dev: ${n} jobs, ${docs.length} resumes (RJDB by Megagon Labs, CC BY-SA 4.0)`);
console.log('                       local engine   plain BM25   target');
console.log(`pairwise accuracy      ${f(pairwise / n)}          ${f(bPair / n)}        >= 0.97`);
console.log(`nDCG@10                ${f(ndcg / n)}          ${f(bNdcg / n)}        >= 0.97`);
console.log(`MRR (first relevant)   ${f(mrr / n)}          ${f(bMrr / n)}`);
console.log(`MRR (matched resume)   ${f(mrrMatched / n)}          ${f(bMrrMatched / n)}`);
console.log(
  `gap recall             ${f(removed ? recalled / removed : 0)} (${recalled}/${removed})               >= 0.8`,
);
console.log(`matched resumes judged 'strong': ${verdictStrong}/${n}`);
console.log(
  `throughput, full score: ${((2 * n) / (scoreMs / 1000)).toFixed(0)} candidates/s (${(scoreMs / (2 * n)).toFixed(2)} ms each)`,
);
console.log(
  `throughput, ranking:    ${((n * docs.length) / ((rankMs + prepMs) / 1000)).toFixed(0)} candidates/s (${n} jobs x ${docs.length} resumes in ${(rankMs / 1000).toFixed(1)} s, rerank window ${rerank}; docs prepared once in ${prepMs.toFixed(0)} ms)`,
);
