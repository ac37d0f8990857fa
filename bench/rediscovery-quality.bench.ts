import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { postingFromText } from '../backend/ai/posting-from-text.ts';
import { indexOpportunities, type SyncedOpportunity } from '../backend/rediscovery/index-store.ts';
import { rediscover } from '../backend/rediscovery/rediscover.ts';
import { openStore } from '../backend/store/db.ts';
import { RJDB_DEV } from './shared-data.ts';

/**
 * Rediscovery quality on RJDB (Megagon Labs, CC BY-SA 4.0; /work/shared/data/eval/SOURCE.md): the 600 resumes
 * (matched + unmatched of 300 rows) form the talent pool; each job description is a new posting. Target: the
 * row's matched resume is in the top 10 for at least 97% of jobs. No past signals exist in this data, so this
 * measures retrieval (FTS5 + skills) and the engine's ranking only.
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
    let top10 = 0;
    let top1 = 0;
    let retrieved = 0;
    let rrSum = 0;
    const times: number[] = [];
    const misses: number[] = [];
    for (const [i, r] of rows.entries()) {
      const posting = postingFromText(`job${i}`, r['Job-Description']);
      const t = performance.now();
      const res = rediscover(store, posting, { limit: 10, excludeContactedWithinDays: 0 });
      times.push(performance.now() - t);
      const ids = res.results.map((x) => x.contactId);
      const k = ids.indexOf(`m${i}`);
      if (k >= 0) top10++;
      else misses.push(i);
      if (k === 0) top1++;
      if (k >= 0) rrSum += 1 / (k + 1);
      retrieved += res.candidatesConsidered;
    }
    times.sort((a, b) => a - b);
    const n = rows.length;
    console.log(`pool ${2 * n} resumes, ${n} postings (RJDB dev)`);
    console.log(`MATCHED RESUME IN TOP 10: ${top10}/${n} = ${((100 * top10) / n).toFixed(1)}% (target ≥ 97%)`);
    console.log(
      `top 1: ${((100 * top1) / n).toFixed(1)}%, MRR@10 ${(rrSum / n).toFixed(3)}, ${(retrieved / n).toFixed(0)} retrieved per posting`,
    );
    console.log(
      `query p50 ${times[Math.floor(n / 2)]?.toFixed(1)} ms, p95 ${times[Math.floor(n * 0.95)]?.toFixed(1)} ms (load ${os.loadavg()[0]?.toFixed(1)})`,
    );
    if (misses.length) console.log(`missed rows: ${misses.slice(0, 20).join(', ')}${misses.length > 20 ? ', …' : ''}`);
    return top10 / n >= 0.97 ? 0 : 1;
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
