import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgSingleRunner } from '../../backend/coord/single-runner.ts';
import { startRetention } from '../../backend/governance/retention.ts';
import { createLogger } from '../../backend/http/logger.ts';
import { type EmulatorHandle, startEmulator } from '../../backend/lever-emulator/server.ts';
import type { Store } from '../../backend/store/db.ts';
import { migrateToLatest } from '../../backend/store/migrations.ts';
import { openPostgresKysely } from '../../backend/store/postgres.ts';
import { openTempStore } from '../backend/helpers/temp-store.ts';
import { freshDatabase } from './db.ts';

const helpers = path.join(__dirname, 'helpers');

function child(script: string, args: string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', 'tsx', path.join(helpers, script), ...args]);
}

/** The child's output so far, and a wait for a line matching `match` (rejects after `ms`). */
function output(c: ChildProcessWithoutNullStreams) {
  let out = '';
  const waiters: Array<() => void> = [];
  const onData = (d: Buffer) => {
    out += d.toString('utf8');
    for (const w of waiters.splice(0)) w();
  };
  c.stdout.on('data', onData);
  c.stderr.on('data', onData);
  return {
    text: () => out,
    next(match: RegExp, ms = 30_000): Promise<string> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${match}; output:\n${out}`)), ms);
        const look = () => {
          const line = out.split('\n').find((l) => match.test(l));
          if (line !== undefined) {
            clearTimeout(timer);
            resolve(line);
          } else waiters.push(look);
        };
        look();
      });
    },
  };
}

const exited = (c: ChildProcessWithoutNullStreams) =>
  new Promise<void>((resolve) =>
    c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve()),
  );

let db: Awaited<ReturnType<typeof freshDatabase>>;
beforeAll(async () => {
  db = await freshDatabase();
});
afterAll(async () => {
  await db?.drop();
});

describe('the Lever rate budget shared through PostgreSQL', () => {
  let emu: EmulatorHandle;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0 }); // Lever's limit: 10 req/s per key, burst 20
    const kysely = openPostgresKysely(db.url);
    await migrateToLatest(kysely);
    await kysely.destroy();
  });
  afterAll(async () => {
    await emu?.close();
  });

  /** Two worker processes sending as fast as they can for 5 s with the same key; what the emulator saw. */
  async function race(pgUrl: string) {
    emu.context.buckets.clear();
    Object.assign(emu.context.stats, { requests: 0, rateLimited: 0, injectedErrors: 0, byStatus: {} });
    const kids = [0, 1].map(() => child('budget-worker.ts', [emu.apiBaseUrl, emu.apiKey, '5000', pgUrl]));
    const outs = kids.map(output);
    await Promise.all(outs.map((o) => o.next(/^ready$/)));
    const started = performance.now();
    for (const k of kids) k.stdin.write('go\n');
    const results = await Promise.all(
      outs.map(async (o) => JSON.parse(await o.next(/^\{.*\}$/)) as { ok: number; rateLimited: number }),
    );
    const seconds = (performance.now() - started) / 1000;
    await Promise.all(kids.map(exited));
    return { results, seconds, requests: emu.context.stats.requests, rateLimited: emu.context.stats.rateLimited };
  }

  it('two processes together stay within Lever’s 10 req/s (+ burst) and get no 429', { timeout: 60_000 }, async () => {
    const { results, seconds, requests, rateLimited } = await race(db.url);
    console.log(`shared budget: ${requests} requests in ${seconds.toFixed(1)} s, ${rateLimited} x 429`, results);
    expect(rateLimited).toBe(0);
    expect(results.map((r) => r.rateLimited)).toEqual([0, 0]);
    expect(requests).toBeLessThanOrEqual(10 * seconds + 20);
    // Both instances got their share of a budget that was kept busy (8/s for 5 s plus the 16 burst).
    expect(requests).toBeGreaterThanOrEqual(40);
    for (const r of results) expect(r.ok).toBeGreaterThan(10);
  });

  it('without the shared budget the same two processes exceed the limit and get 429s', {
    timeout: 60_000,
  }, async () => {
    const { results, seconds, requests, rateLimited } = await race('-');
    console.log(`per-process buckets: ${requests} requests in ${seconds.toFixed(1)} s, ${rateLimited} x 429`, results);
    expect(rateLimited).toBeGreaterThan(0);
    expect(results[0]!.rateLimited + results[1]!.rateLimited).toBe(rateLimited);
  });
});

describe('the single runner on a PostgreSQL advisory lock', () => {
  it('lets one of two processes run; after kill -9 of the holder the other takes over', {
    timeout: 60_000,
  }, async () => {
    const kids = [0, 1].map(() => child('runner-worker.ts', [db.url, 'coordination-test']));
    const outs = kids.map(output);
    try {
      await Promise.all(outs.map((o) => o.next(/^ready$/)));
      await Promise.race(outs.map((o) => o.next(/^run /)));
      await new Promise((r) => setTimeout(r, 1500)); // both ask ten times a second meanwhile
      const runs = (i: number) =>
        outs[i]!.text()
          .split('\n')
          .filter((l) => l.startsWith('run ')).length;
      const holder = runs(0) > 0 ? 0 : 1;
      const other = 1 - holder;
      expect(runs(holder)).toBeGreaterThan(5);
      expect(runs(other)).toBe(0);

      const killedAt = Date.now();
      kids[holder]!.kill('SIGKILL');
      await exited(kids[holder]!);
      const line = await outs[other]!.next(/^run /, 10_000);
      const tookOverMs = Number(line.split(' ')[2]) - killedAt;
      console.log(`took over ${tookOverMs} ms after kill -9`);
      expect(tookOverMs).toBeLessThan(5_000);
      expect(outs[other]!.text()).not.toMatch(/^error /m);
    } finally {
      for (const k of kids) k.kill('SIGKILL');
      await Promise.all(kids.map(exited));
    }
  });
});

describe('retention with the PostgreSQL single runner', () => {
  it('runs in one of two instances at a time; the other takes over when the holder stops', {
    timeout: 30_000,
  }, async () => {
    const stores = await Promise.all([openTempStore(), openTempStore()]);
    const expired = (store: Store, id: string) =>
      store.sqlite
        .prepare(
          `INSERT INTO webhook_events (event_id, token, event, triggered_at, received_at, payload)
           VALUES (?, ?, 'candidateStageChange', 1, 2, '{}')`,
        )
        .run(id, `tok-${id}`);
    const left = (store: Store) =>
      (store.sqlite.prepare('SELECT count(*) AS n FROM webhook_events').get() as { n: number }).n;
    const logger = createLogger('silent');
    const instances = stores.map(({ store }) => {
      expired(store, 'old');
      return startRetention(store, logger, { intervalMs: 200, runner: pgSingleRunner(db.url, 'retention') });
    });
    try {
      await Promise.all(instances.map((r) => r.done));
      await new Promise((r) => setTimeout(r, 1000)); // five more ticks each
      const counts = stores.map(({ store }) => left(store));
      expect(counts.sort()).toEqual([0, 1]); // one instance purged its store, the other never ran
      const holder = left(stores[0]!.store) === 0 ? 0 : 1;
      const other = 1 - holder;
      expired(stores[holder]!.store, 'old-again');
      instances[holder]!.stop();
      const deadline = Date.now() + 5_000;
      while (left(stores[other]!.store) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(left(stores[other]!.store)).toBe(0);
      expect(left(stores[holder]!.store)).toBe(1); // the stopped instance no longer runs
    } finally {
      for (const r of instances) r.stop();
      for (const s of stores) await s.cleanup();
    }
  });
});
