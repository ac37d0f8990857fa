import { performance } from 'node:perf_hooks';
import { candidateFromText } from '../backend/ai/candidate-from-text.ts';
import { detectInjection } from '../backend/ai/detect-injection.ts';
import { modelInjectionSpans } from '../backend/ai/injection-model.ts';
import { postingFromText } from '../backend/ai/posting-from-text.ts';
import { createRanker, prepareDocument } from '../backend/ai/rank-candidates.ts';
import { scoreCandidateLocal } from '../backend/ai/score-candidate.ts';
import { injectionFigures, printInjectionFigures } from './injection-eval.ts';
import {
  benchInput,
  bm25Baseline,
  FOLDS,
  figuresFromRanking,
  foldOf,
  type GapCounts,
  gapCountsOf,
  gapFigures,
  type JobFigures,
  mean,
  pairwiseOf,
  plainTerms,
  stemmedTerms,
} from './quality-data.ts';

/**
 * Match quality of the local engine on RJDB (Megagon Labs, CC BY-SA 4.0): each row has a job, a matched resume
 * and an "unmatched" copy with skills/experience removed. Prints, for the whole file and for each fold (jobs split
 * in two by a hash of their text, see quality-heldout.ts for choosing parameters on one fold and checking them on
 * the other), next to two BM25 baselines over the whole job text (plain: the issue's, no stemming; stemmed:
 * the engine's tokenizer and stemmer):
 * - pairwise accuracy: matched scored above unmatched (ties count half);
 * - nDCG@10 and MRR when each job ranks all resumes (matched = 2, unmatched = 1, others 0; linear gain);
 * - gap recall: share of the removed skills that appear among the unmatched resume's reported gaps (a gap's text
 *   with its criterion's text, as the issue counts it; and the gap text alone, which is all the CLI prints);
 * - gap precision proxy: the matched resume has every skill, so skills it states that its gaps name anyway are
 *   false gaps; precision = recalled / (recalled + those), plus the share of stated skills named and the gaps
 *   per matched resume;
 * - throughput of full scoring and of ranking;
 * - the injection detector (bench/injection-eval.ts): share of injected strings flagged when hidden in a clean
 *   résumé, per source, for the sources the model was trained on and the ones it never saw, and for disguised
 *   copies; false flags on the 600 RJDB résumés (per fold), on the benign trigger-word set and on open benign texts.
 * `npm run bench:quality [-- --file F --limit N --rerank N --only gaps]`: `--only gaps` prints pairwise accuracy and
 * the gap figures only (no ranking, baselines, throughput or injection detector), in a fraction of the time.
 */

const { rows, rerank, now, docs, only } = benchInput();
const gapsOnly = only === 'gaps';
/** The fold the gap rules of evaluate-criterion.ts were chosen on; the others are held out. */
const TUNE_FOLD = 0;
const fold = rows.map((r) => foldOf(r['Job-Description']));

// Local engine: pairwise + gap recall with the full scorer (each candidate on its own, no pool).
const engine: JobFigures[] = [];
const gapCounts: GapCounts[] = [];
let verdictStrong = 0;
const t0 = performance.now();
const pairs = rows.map((r, i) => {
  const posting = postingFromText(`job-${i}`, r['Job-Description']);
  const m = scoreCandidateLocal(posting, candidateFromText(`m${i}`, r['Resume-matched']), { now });
  const u = scoreCandidateLocal(posting, candidateFromText(`u${i}`, r['Resume-unmatched']), { now });
  return { m, u };
});
const scoreMs = performance.now() - t0;
pairs.forEach(({ m, u }, i) => {
  if (m.verdict === 'strong') verdictStrong++;
  gapCounts.push(gapCountsOf(rows[i]!, m, u));
});

// Local engine: ranking every job against all resumes (pool IDF in the rank score).
const tPrep = performance.now();
const prepared = gapsOnly ? [] : docs.map(prepareDocument);
const prepMs = performance.now() - tPrep;
const tRank = performance.now();
const unranked = { ndcg: Number.NaN, mrr: Number.NaN, mrrMatched: Number.NaN };
rows.forEach((r, i) => {
  const ranked = gapsOnly
    ? null
    : createRanker(postingFromText(`job-${i}`, r['Job-Description']), { now })
        .rank(prepared, prepared.length, rerank)
        .map((x) => x.candidateId);
  engine.push({
    pairwise: pairwiseOf(pairs[i]!.m.score, pairs[i]!.u.score),
    ...(ranked ? figuresFromRanking(ranked, i) : unranked),
  });
});
const rankMs = performance.now() - tRank;

const noBaseline = rows.map(() => ({ pairwise: Number.NaN, ...unranked }));
const plain = gapsOnly ? noBaseline : bm25Baseline(rows, docs, plainTerms);
const stemmed = gapsOnly ? noBaseline : bm25Baseline(rows, docs, stemmedTerms);

const f = (x: number) => (Number.isNaN(x) ? '  -  ' : x.toFixed(3));
const pick = <T>(xs: T[], k: number | null) => xs.filter((_, i) => k === null || fold[i] === k);

const n = rows.length;
console.log(`RJDB dev: ${n} jobs, ${docs.length} resumes (RJDB by Megagon Labs, CC BY-SA 4.0)`);
console.log('plain BM25 = whole job text, lower-cased words, no stemming or stopwords, k1=1.2 b=0.75 (the issue)');
console.log("stemmed BM25 = the same with the engine's tokenizer, stopword list and stemmer\n");
for (const k of [null, ...Array.from({ length: FOLDS }, (_, i) => i)]) {
  const jobs = k === null ? n : fold.filter((x) => x === k).length;
  const col = (xs: JobFigures[], key: keyof JobFigures) => f(mean(pick(xs, k).map((x) => x[key])));
  const g = gapFigures(pick(gapCounts, k));
  console.log(
    k === null
      ? `all ${jobs} jobs`
      : `fold ${k}: ${jobs} jobs (${k === TUNE_FOLD ? 'tune fold: gap rules were chosen on it' : 'HELD OUT: the gap rules of issue 22 were not tuned on it'})`,
  );
  console.log('                       local engine   plain BM25   stemmed BM25   target');
  console.log(
    `pairwise accuracy      ${col(engine, 'pairwise')}          ${col(plain, 'pairwise')}        ${col(stemmed, 'pairwise')}          >= 0.97`,
  );
  console.log(
    `nDCG@10                ${col(engine, 'ndcg')}          ${col(plain, 'ndcg')}        ${col(stemmed, 'ndcg')}          >= 0.97`,
  );
  console.log(
    `MRR (first relevant)   ${col(engine, 'mrr')}          ${col(plain, 'mrr')}        ${col(stemmed, 'mrr')}`,
  );
  console.log(
    `MRR (matched resume)   ${col(engine, 'mrrMatched')}          ${col(plain, 'mrrMatched')}        ${col(stemmed, 'mrrMatched')}`,
  );
  console.log(
    `gap recall             ${f(g.recall)} (${g.recalled}/${g.removed})                             >= 0.85 held out`,
  );
  console.log(`  by gap text alone    ${f(g.recallByText)}`);
  console.log(
    `gap precision proxy    ${f(g.precision)} (false gaps on matched: ${g.falseOnMatched} of ${g.stated} stated skills, ${f(g.falseRate)}; ${g.gapsPerMatched.toFixed(2)} gaps per matched resume)   >= 0.75 held out\n`,
  );
}
{
  const held = gapFigures(gapCounts.filter((_, i) => fold[i] !== TUNE_FOLD));
  const ok = (x: number, target: number) => `${f(x)} (target ${target}: ${x >= target ? 'met' : 'NOT met'})`;
  console.log(
    `gaps on the held-out fold(s): recall ${ok(held.recall, 0.85)}, precision proxy ${ok(held.precision, 0.75)}\n`,
  );
}
console.log(`matched resumes judged 'strong': ${verdictStrong}/${n}`);
if (gapsOnly) {
  console.log('--only gaps: ranking, baselines, throughput and the injection detector skipped');
  process.exit(0);
}
console.log(
  `throughput, full score: ${((2 * n) / (scoreMs / 1000)).toFixed(0)} candidates/s (${(scoreMs / (2 * n)).toFixed(2)} ms each)`,
);
console.log(
  `throughput, ranking:    ${((n * docs.length) / ((rankMs + prepMs) / 1000)).toFixed(0)} candidates/s (${n} jobs x ${docs.length} resumes in ${(rankMs / 1000).toFixed(1)} s, rerank window ${rerank}; docs prepared once in ${prepMs.toFixed(0)} ms)`,
);

printInjectionFigures(
  'Injection detector (detect-injection.ts: rules + model), strings hidden in RJDB fold-1 résumés',
  injectionFigures((t) => detectInjection(t)),
);
printInjectionFigures(
  'The model part alone (injection-model.ts: model, multilingual and grader phrases, base64, disguises)',
  injectionFigures((t) => modelInjectionSpans(t)),
);
