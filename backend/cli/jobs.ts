import { parseArgs } from 'node:util';
import { SqliteQueue } from '../jobs/sqlite-queue.ts';
import type { CliCommand } from './commands.ts';
import { withCliStore } from './open-store.ts';

const usage = 'Usage: jobs | jobs retry ID';

export const jobsCommand: CliCommand = {
  summary: 'jobs: queue depth, running, retrying, dead (with last error) | jobs retry ID',
  async run(args) {
    const { positionals } = parseArgs({ args, options: {}, allowPositionals: true });
    const [sub, ...rest] = positionals;
    if (sub === undefined) return show();
    if (sub === 'retry') return retry(rest);
    throw new Error(`Unknown jobs subcommand "${sub}". ${usage}`);
  },
};

async function show(): Promise<number> {
  await withCliStore(async (store) => {
    // Never started: used only for its read and admin queries.
    const queue = new SqliteQueue(store);
    const s = await queue.stats();
    const lag = s.oldestDueAt === null ? '' : ` (oldest due ${formatAge(Date.now() - s.oldestDueAt)} ago)`;
    console.log(`queued:   ${s.queued}${lag}`);
    console.log(`running:  ${s.running}`);
    console.log(`retrying: ${s.retrying} (queued after a failure, waiting for backoff)`);
    console.log(`dead:     ${s.dead}`);
    console.log(`done:     ${s.done}`);
    const retrying = (await queue.list({ status: 'queued', limit: 200 })).filter((j) => j.attempts > 0).slice(0, 10);
    if (retrying.length > 0) {
      console.log('\nRetrying:');
      for (const j of retrying) {
        console.log(
          `  #${j.id} ${j.type} attempt ${j.attempts}/${j.maxAttempts}, next ${iso(j.runAt)}: ${j.lastError}`,
        );
      }
    }
    const dead = await queue.list({ status: 'dead', limit: 20 });
    if (dead.length > 0) {
      console.log('\nDead (newest first; re-run with "jobs retry ID"):');
      for (const j of dead) console.log(`  #${j.id} ${j.type} at ${iso(j.updatedAt)}: ${j.lastError ?? '(no error)'}`);
      if (s.dead > dead.length) console.log(`  … and ${s.dead - dead.length} more`);
    }
  });
  return 0;
}

async function retry(args: string[]): Promise<number> {
  const [raw, ...extra] = args;
  const id = Number(raw);
  if (!raw || extra.length > 0 || !Number.isInteger(id) || id < 1) throw new Error(usage);
  await withCliStore((store) => new SqliteQueue(store).retry(id));
  console.log(`Job #${id} re-queued with a fresh attempt budget.`);
  return 0;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

function formatAge(ms: number): string {
  if (ms < 1_000) return `${ms} ms`;
  if (ms < 120_000) return `${Math.round(ms / 1_000)} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 3_600_000)} h`;
}
