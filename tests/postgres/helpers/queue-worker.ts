// A worker process for tests/postgres/queue-processes.test.ts: one PgBossQueue on the database given as argv[2],
// handling job type "work". Mode "record" writes each job's id to `handled` (counting redeliveries); mode "hold"
// prints "holding <id>" and never finishes, so the test can kill -9 it while it holds jobs.
import pg from 'pg';
import { PgBossQueue } from '../../../backend/jobs/pg-queue.ts';

const [url, mode, name] = process.argv.slice(2);
if (!url || (mode !== 'record' && mode !== 'hold') || !name) {
  console.error('usage: queue-worker.ts DATABASE_URL record|hold NAME');
  process.exit(2);
}
const pool = new pg.Pool({ connectionString: url, max: 4 });
const queue = await PgBossQueue.open({
  connectionString: url,
  concurrency: 8,
  pollIntervalMs: 20,
  leaseMs: 2_000,
  maintenanceIntervalMs: 1_000,
});
queue.register('work', async (_payload, ctx) => {
  if (mode === 'hold') {
    console.log(`holding ${ctx.jobId}`);
    await new Promise(() => {});
  }
  await pool.query(
    `INSERT INTO handled (job_id, worker) VALUES ($1, $2)
     ON CONFLICT (job_id) DO UPDATE SET times = handled.times + 1`,
    [ctx.jobId, name],
  );
});
queue.start();
console.log('ready');
process.on('SIGTERM', async () => {
  await queue.close();
  await pool.end();
  process.exit(0);
});
