import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import type { PostingInput } from '../backend/ai/types.ts';
import { toPostingInput } from '../backend/candidates/load-candidate.ts';
import { PostingSchema } from '../backend/lever/index.ts';
import { serializePosting } from '../backend/lever-emulator/serialize.ts';
import { EmulatorStore } from '../backend/lever-emulator/store.ts';
import { indexOpportunitiesPostgres } from '../backend/rediscovery/index-store-postgres.ts';
import type { RediscoverOptions } from '../backend/rediscovery/rediscover.ts';
import { rediscoverPostgres } from '../backend/rediscovery/rediscover-postgres.ts';
import { saveStages } from '../backend/rediscovery/ref-store.ts';
import { migrateToLatest } from '../backend/store/migrations.ts';
import { openPostgresKysely } from '../backend/store/postgres.ts';
import { pgTier, startCluster } from '../tests/postgres/cluster.ts';
import { seedTalentPool } from './talent-pool-seed.ts';

/**
 * Iterating on PostgreSQL rediscovery speed without re-indexing 100,000 people each time (issue #17).
 * - `tsx bench/pg-rediscovery-profile.ts setup`: starts a cluster and leaves it running, indexes BENCH_PROFILES
 *   (100,000) emulator-seed people into it (PostgreSQL only), VACUUM ANALYZE, prints the URL and the data dir
 *   (stop it with `pg_ctl -D <dir>/data -m immediate stop`).
 * - `BENCH_PG_URL=… tsx bench/pg-rediscovery-profile.ts`: BENCH_QUERIES (50) searches over the seed's postings, the
 *   same options as bench/postgres.bench.ts, p50/p95. BENCH_COMPARE=<module path> also times that module's
 *   rediscoverPostgres (e.g. a copy of main's) interleaved with this one, on the same database, and checks both
 *   return the same candidates in the same order.
 */
const PROFILES = Number(process.env.BENCH_PROFILES ?? 100_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 50);
const ui = 'http://127.0.0.1';

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

async function setup() {
  const tier = pgTier();
  if (!tier.run) throw new Error(tier.message);
  const cluster = await startCluster(tier.bin);
  const db = openPostgresKysely(cluster.url);
  await migrateToLatest(db);
  const pool = seedTalentPool(PROFILES);
  await saveStages(db, pool.ref.stages);
  const t = performance.now();
  for (const batch of pool.batches(1000)) await indexOpportunitiesPostgres(db, batch);
  await sql`VACUUM ANALYZE`.execute(db);
  await db.destroy();
  console.log(`indexed ${PROFILES} in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  console.log(`BENCH_PG_URL=${cluster.url}`);
  console.log(`data dir: ${cluster.dir}/data`);
}

type Run = (db: ReturnType<typeof openPostgresKysely>, p: PostingInput, o: RediscoverOptions) => Promise<unknown>;

async function run(url: string) {
  const db = openPostgresKysely(url);
  const emu = new EmulatorStore({ opportunities: 10 });
  const postings = emu.seed.postings.map((p) => toPostingInput(PostingSchema.parse(serializePosting(p, ui))));
  const opts: RediscoverOptions = { limit: 20, now: new Date(Date.UTC(2026, 10, 1)), excludeContactedWithinDays: 90 };
  const runs: [string, Run][] = [['this', rediscoverPostgres as Run]];
  if (process.env.BENCH_COMPARE) {
    const mod = (await import(process.env.BENCH_COMPARE)) as { rediscoverPostgres: Run };
    runs.unshift(['compare', mod.rediscoverPostgres]);
  }
  const times = runs.map(() => [] as number[]);
  const ids = (r: unknown) => {
    const { tookMs: _, ...rest } = r as { tookMs: number };
    return JSON.stringify(rest);
  };
  let mismatches = 0;
  for (let q = -3; q < QUERIES; q++) {
    const p = postings[(q + postings.length) % postings.length]!;
    const out: string[] = [];
    for (const [i, [, fn]] of runs.entries()) {
      const t = performance.now();
      const r = await fn(db, { ...p }, opts);
      if (q >= 0) times[i]!.push(performance.now() - t);
      out.push(ids(r));
    }
    if (out.length > 1 && out[0] !== out[1]) mismatches++;
  }
  for (const [i, [name]] of runs.entries()) {
    console.log(`${name}: p50 ${pct(times[i]!, 0.5).toFixed(1)} ms, p95 ${pct(times[i]!, 0.95).toFixed(1)} ms`);
  }
  if (runs.length > 1) console.log(`queries whose candidates differ: ${mismatches}`);
  await db.destroy();
}

const main = process.argv[2] === 'setup' ? setup() : run(process.env.BENCH_PG_URL ?? '');
main.then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
