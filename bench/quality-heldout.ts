import { parseArgs } from 'node:util';
import { candidateFromText } from '../backend/ai/candidate-from-text.ts';
import { bm25Index } from '../backend/ai/local/bm25.ts';
import { postingFromText } from '../backend/ai/posting-from-text.ts';
import { createRanker, prepareDocument, RANK_POOL_SHARE, rankScore } from '../backend/ai/rank-candidates.ts';
import {
  combineScore,
  MATCH_WEIGHTS,
  type MatchWeights,
  type ScoreParts,
  scoreCompiledDetailed,
} from '../backend/ai/score-candidate.ts';
import { docsOf, FOLDS, foldOf, loadRows, mean, ndcgAt10, pairwiseOf } from './quality-data.ts';
import { RJDB_DEV } from './shared-data.ts';

/**
 * Held-out check of the weights that were chosen by looking at RJDB dev: how the match score mixes criterion
 * credit, keyword coverage and the job title (MATCH_WEIGHTS), and how much pool BM25 the rank score takes
 * (RANK_POOL_SHARE). Jobs are split in FOLDS folds by a hash of their text; for each fold the grid below is
 * searched on that fold alone (objective: pairwise accuracy + nDCG@10), and the weights it picks are then
 * measured on the other fold(s). If the figures hold on the fold that was not looked at, the weights describe
 * the general case rather than these rows. Criterion judgements are computed once per (job, resume) and the
 * weights recombined, so the grid costs about as much as one ranking run.
 * `npx tsx bench/quality-heldout.ts [--file F --limit N --rerank N]`
 */

const { values } = parseArgs({
  options: {
    file: { type: 'string', default: RJDB_DEV },
    limit: { type: 'string' },
    rerank: { type: 'string', default: '30' },
  },
});
const rows = loadRows(values.file, values.limit ? Number(values.limit) : undefined);
const rerank = Number(values.rerank);
const now = new Date('2026-01-01T00:00:00Z');
const docs = docsOf(rows);
const prepared = docs.map(prepareDocument);
const fold = rows.map((r) => foldOf(r['Job-Description']));

// Per job: the parts of the match score and the masked BM25 of every document in the rescoring window (chosen by
// the fast pass, as createRanker does), plus the matched and unmatched resumes for pairwise accuracy.
type Item = { id: string; parts: ScoreParts; bm: number };
const jobs = rows.map((r, i) => {
  const ranker = createRanker(postingFromText(`job-${i}`, r['Job-Description']), { now });
  const pool = bm25Index(ranker.compiled.query, prepared);
  const window = ranker
    .rank(prepared, prepared.length, 0)
    .slice(0, rerank)
    .map((x) => x.candidateId);
  const ids = new Set([...window, `m${i}`, `u${i}`]);
  const items: Item[] = [...ids].map((id) => {
    const doc = docs[Number(id.slice(1)) * 2 + (id[0] === 'u' ? 1 : 0)]!;
    const { parts, profile } = scoreCompiledDetailed(ranker.compiled, candidateFromText(id, doc.text), now);
    return { id, parts, bm: pool.score(profile) };
  });
  return { window: new Set(window), items };
});

type Weights = MatchWeights & { poolShare: number };
type Figures = { pairwise: number; ndcg: number };

function evaluate(w: Weights, k: number | null): Figures {
  const pairwise: number[] = [];
  const ndcg: number[] = [];
  jobs.forEach((job, i) => {
    if (k !== null && fold[i] !== k) return;
    const match = new Map(job.items.map((it) => [it.id, combineScore(it.parts, w)]));
    pairwise.push(pairwiseOf(match.get(`m${i}`)!, match.get(`u${i}`)!));
    const inWindow = job.items.filter((it) => job.window.has(it.id));
    const best = inWindow.reduce((n, it) => Math.max(n, it.bm), 0);
    const ranked = inWindow
      .map((it) => ({ id: it.id, s: rankScore(match.get(it.id)!, best > 0 ? it.bm / best : 0, w.poolShare) }))
      .sort((a, b) => b.s - a.s || (a.id < b.id ? -1 : 1))
      .map((x) => x.id);
    ndcg.push(ndcgAt10(ranked, i));
  });
  return { pairwise: mean(pairwise), ndcg: mean(ndcg) };
}

const grid: Weights[] = [];
for (const criteriaShare of [0.4, 0.5, 0.6, 0.7, 0.8])
  for (const keywordShare of [0, 0.25, 0.5, 0.75, 1])
    for (const mustHavePenalty of [0, 5, 10])
      for (const poolShare of [0, 0.2, 0.3, 0.4, 0.5, 0.6])
        grid.push({ criteriaShare, keywordShare, mustHavePenalty, poolShare });

const f = (x: number) => x.toFixed(3);
const show = (w: Weights) =>
  `criteria ${w.criteriaShare}, keyword ${w.keywordShare}, must-have penalty ${w.mustHavePenalty}, pool BM25 ${w.poolShare}`;
const folds = Array.from({ length: FOLDS }, (_, k) => k);
const row = (label: string, w: Weights) =>
  `${label.padEnd(34)}${folds
    .map((k) => {
      const x = evaluate(w, k);
      return `${f(x.pairwise)}  ${f(x.ndcg)}     `;
    })
    .join('')}`;

const shipped: Weights = { ...MATCH_WEIGHTS, poolShare: RANK_POOL_SHARE };
console.log(
  `RJDB dev: ${rows.length} jobs in ${FOLDS} folds (${folds.map((k) => fold.filter((x) => x === k).length).join(' + ')}), ${grid.length} weight settings, rerank window ${rerank}`,
);
console.log(`${''.padEnd(34)}${folds.map((k) => `fold ${k}: pairw  nDCG@10   `).join('')}`);
console.log(row('shipped weights', shipped));
console.log(row('shipped, no pool BM25', { ...shipped, poolShare: 0 }));
for (const k of folds) {
  const scored = grid.map((w) => {
    const x = evaluate(w, k);
    return { w, objective: x.pairwise + x.ndcg };
  });
  scored.sort((a, b) => b.objective - a.objective);
  const best = scored[0]!;
  // How flat the optimum is: settings within 0.005 of the best objective on this fold.
  const near = scored.filter((s) => s.objective >= best.objective - 0.005).length;
  console.log(row(`chosen on fold ${k} only`, best.w));
  console.log(`  = ${show(best.w)} (${near} of ${grid.length} settings within 0.005 of it on fold ${k})`);
}
console.log(`shipped: ${show(shipped)}`);
