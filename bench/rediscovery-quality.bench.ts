import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { OpenAiEmbedder } from '../backend/ai/embed-texts.ts';
import { postingFromText } from '../backend/ai/posting-from-text.ts';
import type { PostingInput } from '../backend/ai/types.ts';
import { embedPeople } from '../backend/rediscovery/embed-people.ts';
import { indexOpportunities, type SyncedOpportunity } from '../backend/rediscovery/index-store.ts';
import { rediscover } from '../backend/rediscovery/rediscover.ts';
import { rediscoverRanked } from '../backend/rediscovery/rediscover-hybrid.ts';
import { openStore } from '../backend/store/db.ts';
import { startFakeOpenAi } from '../tests/backend/helpers/fake-openai.ts';
import { RJDB_DEV } from './shared-data.ts';

/**
 * Rediscovery quality on RJDB (Megagon Labs, CC BY-SA 4.0; /work/shared/data/eval/SOURCE.md): the 600 resumes
 * (matched + unmatched of 300 rows) form the talent pool; each job description is a new posting. Target: the
 * row's matched resume is in the top 10 for at least 97% of jobs. No past signals exist in this data, so this
 * measures retrieval (FTS5 + skills) and the engine's ranking only.
 *
 * Then the same with hybrid ranking at several semantic weights, the vectors from the local fake
 * OpenAI-compatible server (a hashed bag of words with a few synonyms, not a real model): this measures what the
 * fusion does to a ranking, not what a real embedding model adds; rerun against a real endpoint for that
 * (BENCH_EMBEDDINGS_URL, BENCH_EMBEDDINGS_MODEL, BENCH_EMBEDDINGS_KEY). BENCH_HYBRID=0 skips it.
 * `npx tsx bench/rediscovery-quality.bench.ts [file] [limitRows]`
 */
const FILE = process.argv[2] ?? RJDB_DEV;
const LIMIT = process.argv[3] ? Number(process.argv[3]) : undefined;
type Row = { 'Job-Description': string; 'Resume-matched': string; 'Resume-unmatched': string };

function person(id: string): SyncedOpportunity {
  return {
    id,
    contactId: id,
    name: '',
    headline: null,
    location: null,
    emails: [],
    postingId: null,
    postingTitle: null,
    stageId: null,
    stageText: null,
    bestStageIndex: -1,
    bestStageText: null,
    archived: null,
    tags: [],
    createdAt: 0,
    updatedAt: 0,
    lastInteractionAt: 0,
    contactAllowed: null,
    storeExpiresAt: null,
    confidential: false,
    feedback: null,
    notes: [],
  };
}

async function main(): Promise<number> {
  const rows = fs
    .readFileSync(FILE, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Row)
    .slice(0, LIMIT);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rd-quality-'));
  const store = await openStore({ dataDir: dir });
  try {
    indexOpportunities(
      store.sqlite,
      rows.flatMap((r, i) => [
        { opportunity: person(`m${i}`), resumeText: r['Resume-matched'] },
        { opportunity: person(`u${i}`), resumeText: r['Resume-unmatched'] },
      ]),
    );
    const n = rows.length;
    const postings = rows.map((r, i) => postingFromText(`job${i}`, r['Job-Description']));
    console.log(`pool ${2 * n} resumes, ${n} postings (RJDB dev)`);
    const keyword = await evaluate('keyword + skills', postings, async (p) =>
      rediscover(store, p, { limit: 10, excludeContactedWithinDays: 0 }),
    );
    if (process.env.BENCH_HYBRID !== '0') {
      const fake = process.env.BENCH_EMBEDDINGS_URL ? null : await startFakeOpenAi(undefined, { embeddingDims: 256 });
      try {
        const embedder = new OpenAiEmbedder({
          baseUrl: process.env.BENCH_EMBEDDINGS_URL ?? fake!.baseUrl,
          model: process.env.BENCH_EMBEDDINGS_MODEL ?? 'fake-embed',
          ...(process.env.BENCH_EMBEDDINGS_KEY ? { apiKey: process.env.BENCH_EMBEDDINGS_KEY } : {}),
        });
        await embedPeople({ store, embedder });
        for (const weight of [10, 20, 40]) {
          await evaluate(`hybrid, weight ${weight}, ${embedder.key}`, postings, async (p) =>
            rediscoverRanked(store, p, { limit: 10, excludeContactedWithinDays: 0 }, { embedder, weight }),
          );
        }
      } finally {
        await fake?.close();
      }
    }
    return keyword >= 0.97 ? 0 : 1;
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Prints top-10 share, top 1, MRR@10 and latency for one ranking; returns the top-10 share. */
async function evaluate(
  label: string,
  postings: PostingInput[],
  run: (p: PostingInput) => Promise<{ results: Array<{ contactId: string }>; candidatesConsidered: number }>,
): Promise<number> {
  let top10 = 0;
  let top1 = 0;
  let retrieved = 0;
  let rrSum = 0;
  const times: number[] = [];
  const misses: number[] = [];
  for (const [i, posting] of postings.entries()) {
    const t = performance.now();
    const res = await run(posting);
    times.push(performance.now() - t);
    const k = res.results.map((x) => x.contactId).indexOf(`m${i}`);
    if (k >= 0) top10++;
    else misses.push(i);
    if (k === 0) top1++;
    if (k >= 0) rrSum += 1 / (k + 1);
    retrieved += res.candidatesConsidered;
  }
  times.sort((a, b) => a - b);
  const n = postings.length;
  console.log(
    `[${label}] MATCHED RESUME IN TOP 10: ${top10}/${n} = ${((100 * top10) / n).toFixed(1)}% (target ≥ 97%); ` +
      `top 1: ${((100 * top1) / n).toFixed(1)}%, MRR@10 ${(rrSum / n).toFixed(3)}, ${(retrieved / n).toFixed(0)} retrieved per posting; ` +
      `query p50 ${times[Math.floor(n / 2)]?.toFixed(1)} ms, p95 ${times[Math.floor(n * 0.95)]?.toFixed(1)} ms (load ${os.loadavg()[0]?.toFixed(1)})`,
  );
  if (misses.length) console.log(`  missed rows: ${misses.slice(0, 20).join(', ')}${misses.length > 20 ? ', …' : ''}`);
  return top10 / n;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
