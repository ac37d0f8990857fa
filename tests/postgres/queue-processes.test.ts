import { type ChildProcess, spawn } from 'node:child_process';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { PgBossQueue } from '../../backend/jobs/pg-queue.ts';
import { until } from '../backend/helpers/queue-contract.ts';
import { freshDatabase } from './db.ts';

let database: Awaited<ReturnType<typeof freshDatabase>>;
let pool: pg.Pool;
let queue: PgBossQueue;
const children: ChildProcess[] = [];

beforeAll(async () => {
  database = await freshDatabase();
  pool = new pg.Pool({ connectionString: database.url });
  // Installs pg-boss's schema once, before the workers race to. The lease (pg-boss expireIn) is stamped on each job
  // at enqueue: 2 seconds, like the workers'.
  queue = await PgBossQueue.open({ connectionString: database.url, leaseMs: 2_000, logger: { warn() {}, error() {} } });
});
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await pool.query('DROP TABLE IF EXISTS handled');
});
afterAll(async () => {
  await queue?.close();
  await pool?.end();
  await database?.drop();
});

/** Starts a worker process; resolves once it fetches jobs. `lines` collects what it prints. */
async function worker(mode: 'record' | 'hold', name: string): Promise<{ child: ChildProcess; lines: string[] }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'tests/postgres/helpers/queue-worker.ts', database.url, mode, name],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.push(child);
  const lines: string[] = [];
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => lines.push(...chunk.split('\n').filter(Boolean)));
  await until(() => lines.includes('ready') || child.exitCode !== null, 30_000);
  expect(child.exitCode).toBeNull();
  return { child, lines };
}

async function enqueueMany(n: number): Promise<void> {
  await pool.query(
    'CREATE TABLE handled (job_id uuid PRIMARY KEY, worker text NOT NULL, times int NOT NULL DEFAULT 1)',
  );
  for (let i = 0; i < n; i++) await queue.enqueue({ type: 'work', payload: { n: i } });
}

async function handled() {
  const r = await pool.query<{ jobs: string; runs: string | null; workers: string }>(
    'SELECT count(*) AS jobs, sum(times) AS runs, count(DISTINCT worker) AS workers FROM handled',
  );
  const row = r.rows[0];
  return { jobs: Number(row?.jobs), runs: Number(row?.runs ?? 0), workers: Number(row?.workers) };
}

it('two worker processes share 2,000 jobs: none lost, none handled twice', async () => {
  await enqueueMany(2_000);
  await Promise.all([worker('record', 'a'), worker('record', 'b')]);
  await until(async () => (await handled()).jobs === 2_000, 60_000);
  await until(async () => (await queue.stats()).done === 2_000, 10_000);
  expect(await handled()).toEqual({ jobs: 2_000, runs: 2_000, workers: 2 });
  expect(await queue.stats()).toMatchObject({ queued: 0, running: 0, dead: 0 });
}, 90_000);

it('kill -9 of a worker holding jobs: the other finishes them after the lease', async () => {
  await enqueueMany(20);
  const holder = await worker('hold', 'holder');
  await until(() => holder.lines.filter((l) => l.startsWith('holding ')).length === 8, 10_000);
  const held = holder.lines.filter((l) => l.startsWith('holding ')).map((l) => l.slice('holding '.length));
  holder.child.kill('SIGKILL');
  await until(() => holder.child.signalCode === 'SIGKILL');
  expect((await queue.stats()).running).toBe(8);

  const started = Date.now();
  await worker('record', 'survivor');
  await until(async () => (await handled()).jobs === 20, 30_000);
  expect(await handled()).toEqual({ jobs: 20, runs: 20, workers: 1 });
  // The held jobs waited for their 2-second lease to expire and were delivered a second time.
  expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
  const jobs = await queue.list({ limit: 20 }); // this test's, newest first
  for (const id of held) expect(jobs.find((j) => j.id === id)).toMatchObject({ status: 'done', attempts: 2 });
  expect(jobs.filter((j) => j.attempts === 1)).toHaveLength(12);
}, 60_000);
