import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import type { PostingInput } from '../backend/ai/types.ts';
import { indexOpportunities } from '../backend/rediscovery/index-store.ts';
import { indexOpportunitiesPostgres } from '../backend/rediscovery/index-store-postgres.ts';
import { type RediscoverOptions, rediscover } from '../backend/rediscovery/rediscover.ts';
import { rediscoverPostgres } from '../backend/rediscovery/rediscover-postgres.ts';
import { saveRefData, saveStages } from '../backend/rediscovery/ref-store.ts';
import { openStore } from '../backend/store/db.ts';
import { migrateToLatest } from '../backend/store/migrations.ts';
import { openPostgresKysely } from '../backend/store/postgres.ts';
import { pgTier, startCluster } from '../tests/postgres/cluster.ts';
import { type BurstFigures, twoInstanceBurst } from '../tests/postgres/helpers/burst.ts';
import { seedTalentPool } from './talent-pool-seed.ts';

/**
 * `npm run bench -- postgres`: Fulcrum on PostgreSQL, each figure next to SQLite's from the same run, in named
 * sections (BENCH_SECTIONS=rediscovery,… to pick). Starts its own throwaway cluster (tests/postgres/cluster.ts) and
 * skips, saying so, without PostgreSQL.
 * - rediscovery: BENCH_PROFILES (100,000) emulator-seed people indexed into both stores, then BENCH_QUERIES (50)
 *   searches over the seed's postings on each. Target: PostgreSQL p95 < 300 ms.
 * - burst: two backend instances sharing a webhook burst, one killed with SIGKILL (burstSection below).
 */
const PROFILES = Number(process.env.BENCH_PROFILES ?? 100_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 50);
const BATCH = 1000;

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

async function p95Of(postings: PostingInput[], run: (p: PostingInput) => Promise<unknown>) {
  for (let q = 0; q < 3; q++) await run({ ...postings[q % postings.length]! });
  const times: number[] = [];
  for (let q = 0; q < QUERIES; q++) {
    const t = performance.now();
    await run({ ...postings[q % postings.length]! });
    times.push(performance.now() - t);
  }
  return { p50: pct(times, 0.5), p95: pct(times, 0.95) };
}

async function rediscoverySection(url: string): Promise<boolean> {
  const db = openPostgresKysely(url);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-bench-'));
  const store = await openStore({ dataDir: dir });
  try {
    await migrateToLatest(db);
    const pool = seedTalentPool(PROFILES);
    await saveRefData(store.db, pool.ref);
    await saveStages(db, pool.ref.stages);
    let liteMs = 0;
    let pgMs = 0;
    for (const batch of pool.batches(BATCH)) {
      const t = performance.now();
      indexOpportunities(store.sqlite, batch);
      const t1 = performance.now();
      await indexOpportunitiesPostgres(db, batch);
      liteMs += t1 - t;
      pgMs += performance.now() - t1;
    }
    const v = performance.now();
    await sql`VACUUM ANALYZE`.execute(db);
    const vacuumMs = performance.now() - v;
    console.log(
      `[rediscovery] indexing ${PROFILES} opportunities: SQLite ${(liteMs / 1000).toFixed(1)} s, PostgreSQL ${(pgMs / 1000).toFixed(1)} s (+ VACUUM ANALYZE ${(vacuumMs / 1000).toFixed(1)} s)`,
    );
    const postings = pool.postings;
    const opts: RediscoverOptions = { limit: 20, now: new Date(Date.UTC(2026, 10, 1)), excludeContactedWithinDays: 90 };
    const lite = await p95Of(postings, async (p) => rediscover(store, p, opts));
    const pg = await p95Of(postings, (p) => rediscoverPostgres(db, p, opts));
    console.log(
      `[rediscovery] REDISCOVER ${QUERIES} queries over ${PROFILES} opportunities' people: PostgreSQL p50 ${pg.p50.toFixed(1)} ms, ` +
        `P95 ${pg.p95.toFixed(1)} ms (target < 300 ms); SQLite p50 ${lite.p50.toFixed(1)} ms, p95 ${lite.p95.toFixed(1)} ms`,
    );
    return pg.p95 < 300;
  } finally {
    await db.destroy();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * burst: BENCH_BURST (5,000) signed webhook deliveries, 32 in flight. SQLite: one backend instance. PostgreSQL: two
 * instances on the one database, split between them, instance A killed with SIGKILL halfway; what A can no longer
 * answer goes to B. Then every job must complete (A's leased ones after QUEUE_LEASE_SECONDS, BENCH_LEASE_S = 10),
 * with one event row and one job per delivery, and the emulator (Lever's 10 req/s per key, bursts of 20) must see
 * no 429. Each webhook job asks Lever about its opportunity, so draining the jobs takes as long as 10 req/s allows.
 */
async function burstSection(url: string): Promise<boolean> {
  const deliveries = Number(process.env.BENCH_BURST ?? 5_000);
  const leaseSeconds = Number(process.env.BENCH_LEASE_S ?? 10);
  const drainTimeoutMs = Number(process.env.BENCH_DRAIN_S ?? 3_600) * 1000;
  const progress = (l: string) => console.log(`  ${l}`);
  const report = (name: string, f: BurstFigures) => {
    const lost = f.deliveries - f.eventRows;
    const duplicated = f.jobs - f.distinctEventJobs;
    console.log(
      `burst ${name}: ${f.deliveries} deliveries in ${f.burstSeconds.toFixed(1)} s (${Math.round(f.deliveriesPerSecond)}/s), ` +
        `answered 200: ${f.answered.stored} stored + ${f.answered.duplicate} duplicate, other ${f.answered.other}, resent ${f.answered.resent}; ` +
        `events ${f.eventRows}, jobs ${f.jobs} (lost ${lost}, duplicated ${duplicated}), completed ${f.completed} in ${f.drainSeconds.toFixed(0)} s (${f.redelivered} run again after their lease); ` +
        `Lever: ${f.lever.requests} requests, ${f.lever.averagePerSecond.toFixed(1)}/s average, at most ${f.lever.maxInAnySecond} in any second, ${f.lever.rateLimited} refused (429)`,
    );
    return lost === 0 && duplicated === 0 && f.lever.rateLimited === 0;
  };
  // SQLite: the intake side only (its jobs drain at the same 10 req/s of Lever as PostgreSQL's would).
  console.log(`burst SQLite (one instance, intake only): ${deliveries} deliveries`);
  const lite = await twoInstanceBurst({ url: 'sqlite', deliveries, leaseSeconds, drainTimeoutMs: 0, progress });
  console.log(`burst PostgreSQL (two instances, A killed halfway): ${deliveries} deliveries`);
  const pg = await twoInstanceBurst({
    url,
    deliveries,
    killAfter: Math.floor(deliveries / 2),
    leaseSeconds,
    drainTimeoutMs,
    progress,
  });
  const okLite = report('SQLite', lite);
  const okPg = report('PostgreSQL', pg) && pg.completed === pg.deliveries && pg.killed;
  return okLite && okPg;
}

const SECTIONS: Record<string, (url: string) => Promise<boolean>> = {
  rediscovery: rediscoverySection,
  burst: burstSection,
};

async function main(): Promise<number> {
  const tier = pgTier();
  if (!tier.run) {
    console.log(`postgres bench SKIPPED: ${tier.message}`);
    return tier.fail ? 1 : 0;
  }
  const wanted = process.env.BENCH_SECTIONS?.split(',') ?? Object.keys(SECTIONS);
  const cluster = await startCluster(tier.bin);
  let ok = true;
  try {
    for (const name of wanted) {
      const section = SECTIONS[name];
      if (!section) throw new Error(`No postgres bench section "${name}" (have: ${Object.keys(SECTIONS).join(', ')})`);
      ok = (await section(cluster.url)) && ok;
    }
  } finally {
    cluster.stop();
  }
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
