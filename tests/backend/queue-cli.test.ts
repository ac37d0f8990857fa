import { describe, expect, it, vi } from 'vitest';
import { jobsCommand } from '../../backend/cli/jobs.ts';
import { claimJobs, enqueueSync } from '../../backend/jobs/sqlite-queue.ts';
import { cleanupsAfterEach, openTempStoreUntilCleanup } from './helpers/temp-store.ts';

const cleanups = cleanupsAfterEach();

describe('jobs CLI', () => {
  it('shows depth, running, retrying and dead jobs with their last error; retry re-queues a dead job', async () => {
    const t = await openTempStoreUntilCleanup(cleanups);
    vi.stubEnv('FULCRUM_DATA_DIR', t.dir);
    const out: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    cleanups.push(() => {
      log.mockRestore();
      vi.unstubAllEnvs();
    });
    const { sqlite } = t.store;
    const now = Date.now();
    enqueueSync(sqlite, { type: 'sync', payload: 1 });
    enqueueSync(sqlite, { type: 'sync', payload: 2 });
    const running = enqueueSync(sqlite, { type: 'score', payload: 3 });
    claimJobs(sqlite, { workerId: 'w', limit: 1, leaseMs: 60_000, types: ['score'] });
    const dead = enqueueSync(sqlite, { type: 'write-note', payload: 4 });
    sqlite
      .prepare(`UPDATE jobs SET status = 'dead', attempts = 5, last_error = ? WHERE id = ?`)
      .run('failed after 5 attempts: LeverError: 503', dead.id);
    const retrying = enqueueSync(sqlite, { type: 'sync', payload: 5 });
    sqlite
      .prepare(`UPDATE jobs SET attempts = 2, run_at = ?, last_error = 'Error: 429' WHERE id = ?`)
      .run(now + 60_000, retrying.id);

    expect(await jobsCommand.run([])).toBe(0);
    const text = out.join('\n');
    expect(text).toMatch(/queued:\s+3 \(oldest due/);
    expect(text).toMatch(/running:\s+1/);
    expect(text).toMatch(/retrying:\s+1/);
    expect(text).toMatch(/dead:\s+1/);
    expect(text).toContain(`#${dead.id} write-note`);
    expect(text).toContain('failed after 5 attempts: LeverError: 503');
    expect(text).toContain(`#${retrying.id} sync attempt 2/5`);

    expect(await jobsCommand.run(['retry', String(dead.id)])).toBe(0);
    const row = sqlite.prepare('SELECT status, attempts FROM jobs WHERE id = ?').get(dead.id);
    expect(row).toEqual({ status: 'queued', attempts: 0 });
    await expect(jobsCommand.run(['retry', String(running.id)])).rejects.toThrow(/is running, not dead/);
    await expect(jobsCommand.run(['retry', 'abc'])).rejects.toThrow(/Usage: jobs/);
  });
});
