import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { enqueueSync, SqliteQueue } from '../backend/jobs/sqlite-queue.ts';
import { openStore } from '../backend/store/db.ts';

/**
 * `npm run bench queue` (or `npx tsx bench/queue.bench.ts [--jobs N] [--concurrency N]`).
 * 1. enqueues: one job per transaction, as the webhook intake does (event row + job row per request);
 * 2. claims+completes: one SqliteQueue with a no-op handler drains them;
 * 3. two worker processes drain a second batch from the same file; every job must run exactly once.
 */
const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '4' },
    worker: { type: 'string' },
  },
});
const jobs = Number(values.jobs);
const concurrency = Number(values.concurrency);
const silent = { warn() {}, error() {} };
let cpuMark = process.cpuUsage();

if (values.worker) {
  await runWorker(values.worker);
} else {
  await main();
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulcrum-queue-bench-'));
  try {
    const store = await openStore({ dataDir: dir });
    const insertEvent = store.sqlite.prepare(
      `INSERT INTO webhook_events (event_id, token, event, triggered_at, received_at, payload)
       VALUES (?, ?, 'candidateStageChange', ?, ?, '{}')`,
    );
    const intake = store.sqlite.transaction((i: number) => {
      insertEvent.run(`evt-${i}`, `tok-${i}`, Date.now(), Date.now());
      enqueueSync(store.sqlite, { type: 'noop', payload: { eventId: `evt-${i}` } });
    });

    cpuMark = process.cpuUsage();
    let t = performance.now();
    for (let i = 0; i < jobs; i++) enqueueSync(store.sqlite, { type: 'noop', payload: { i } });
    report('enqueue (own transaction each)', jobs, t);

    t = performance.now();
    for (let i = 0; i < jobs; i++) intake(i);
    report('webhook event + enqueue (one transaction)', jobs, t);

    const queue = new SqliteQueue(store, { concurrency, pollIntervalMs: 5, logger: silent });
    const total = jobs * 2;
    let ran = 0;
    const drained = new Promise<void>((resolve) => {
      queue.register('noop', async () => {
        if (++ran === total) resolve();
      });
    });
    cpuMark = process.cpuUsage();
    t = performance.now();
    queue.start();
    await drained;
    await queue.stop();
    report(`claim + complete (1 process, concurrency ${concurrency})`, total, t);

    store.sqlite.transaction(() => {
      for (let i = 0; i < jobs; i++) enqueueSync(store.sqlite, { type: 'noop2', payload: { i } });
    })();
    const file = store.file;
    await store.close();
    t = performance.now();
    const outputs = await Promise.all([spawnWorker(file), spawnWorker(file)]);
    const seconds = (performance.now() - t) / 1000;
    const ids = outputs.flat();
    const unique = new Set(ids);
    console.log(
      `claim + complete (2 processes, concurrency ${concurrency} each): ${Math.round(jobs / seconds).toLocaleString('en-US')} jobs/s ` +
        `(${jobs} jobs in ${seconds.toFixed(2)} s, split ${outputs.map((o) => o.length).join('/')}; ` +
        `executions ${ids.length}, distinct ${unique.size}, ${ids.length === unique.size && unique.size === jobs ? 'no double runs' : 'DOUBLE OR MISSING RUNS'})`,
    );
    if (ids.length !== jobs || unique.size !== jobs) process.exitCode = 1;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Wall-clock rate plus CPU microseconds per job: on a shared machine the CPU figure is the stable one
 * (wall time includes waiting for other processes' CPU).
 */
function report(label: string, n: number, startedAt: number): void {
  const seconds = (performance.now() - startedAt) / 1000;
  const cpu = process.cpuUsage(cpuMark);
  cpuMark = process.cpuUsage();
  const cpuPerJob = (cpu.user + cpu.system) / n;
  console.log(
    `${label}: ${Math.round(n / seconds).toLocaleString('en-US')} jobs/s wall (${n} in ${seconds.toFixed(2)} s); ` +
      `${cpuPerJob.toFixed(1)} µs CPU/job → ${Math.round(1e6 / cpuPerJob).toLocaleString('en-US')} jobs/s per core`,
  );
}

function spawnWorker(file: string): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        new URL(import.meta.url).pathname,
        '--worker',
        file,
        '--jobs',
        String(jobs),
        '--concurrency',
        String(concurrency),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`worker exited with ${code}`));
      else resolve(out.trim() ? out.trim().split(',').map(Number) : []);
    });
  });
}

/** Drains 'noop2' jobs until none are left, then prints the payload numbers it ran. */
async function runWorker(file: string): Promise<void> {
  const store = await openStore({ file });
  const ran: number[] = [];
  const queue = new SqliteQueue(store, { concurrency, pollIntervalMs: 5, logger: silent });
  queue.register('noop2', async (payload) => {
    ran.push((payload as { i: number }).i);
  });
  queue.start();
  const remaining = store.sqlite.prepare(
    `SELECT 1 FROM jobs WHERE type = 'noop2' AND status IN ('queued', 'running') LIMIT 1`,
  );
  do await new Promise((r) => setTimeout(r, 100));
  while (remaining.get() !== undefined);
  await queue.stop();
  await store.close();
  process.stdout.write(ran.join(','));
}
