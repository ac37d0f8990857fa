import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { type Kysely, sql } from 'kysely';
import { signLeverWebhook } from '../../../backend/lever/index.ts';
import { type EmulatorHandle, startEmulator } from '../../../backend/lever-emulator/server.ts';
import { openStore, type Store } from '../../../backend/store/db.ts';
import { openPostgresKysely } from '../../../backend/store/postgres.ts';
import type { Database } from '../../../backend/store/schema.ts';
import { freePort } from '../cluster.ts';

/**
 * Two backend instances (separate processes) on one PostgreSQL, the Lever emulator in front of them with Lever's
 * limit (10 requests a second per key, bursts of 20), and a webhook burst split across both. Midway one instance
 * is killed with SIGKILL; deliveries it can no longer answer go to the other (as a load balancer, or Lever's
 * retries, would send them). Shared by tests/postgres/two-instances.test.ts and `npm run bench -- postgres`.
 */
export type BurstOptions = {
  /** A PostgreSQL connection string (two instances share it), or 'sqlite' (one instance on its own SQLite file). */
  url: string | 'sqlite';
  deliveries: number;
  /** Kill instance A with SIGKILL after this many deliveries were answered (never: no kill). */
  killAfter?: number;
  /** QUEUE_LEASE_SECONDS of both instances: how long A's running jobs stay leased after the kill. */
  leaseSeconds: number;
  /** Deliveries in flight at once. */
  concurrency?: number;
  /**
   * Send at most this many deliveries a second (default: as fast as the instances answer). A paced burst lasts long
   * enough for both instances to be working their jobs, and so drawing on Lever's budget, before one is killed.
   */
  pacePerSecond?: number;
  /** Give up waiting for the jobs after this long (0: do not wait, count what completed during the burst). */
  drainTimeoutMs: number;
  progress?: (line: string) => void;
};

export type BurstFigures = {
  deliveries: number;
  answered: { stored: number; duplicate: number; other: number; resent: number };
  burstSeconds: number;
  deliveriesPerSecond: number;
  eventRows: number;
  /** Jobs of the burst's event types in pg-boss, and how many distinct webhook events they carry. */
  jobs: number;
  distinctEventJobs: number;
  completed: number;
  notCompleted: number;
  /** Jobs run more than once: on PostgreSQL, the killed instance's, delivered again after their lease ran out. */
  redelivered: number;
  drainSeconds: number;
  lever: { requests: number; rateLimited: number; maxInAnySecond: number; averagePerSecond: number };
  killed: boolean;
};

const WEBHOOK_ID = 'wh-burst';
const EVENT = 'candidateStageChange';

type Instance = { child: ChildProcess; url: string; exited: Promise<void> };

async function startInstance(env: Record<string, string>, name: string): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/postgres/helpers/backend-instance.ts'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let err = '';
  child.stderr?.setEncoding('utf8').on('data', (c: string) => {
    err = (err + c).slice(-4000);
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`instance ${name} did not start in 60 s: ${err}`)), 60_000);
    child.stdout?.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      const line = out.split('\n').find((l) => l.startsWith('{"ready"'));
      if (line) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { url: string }).url);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`instance ${name} exited (${code}) before serving: ${err}`));
    });
  });
  return { child, url, exited };
}

function post(agent: http.Agent, url: string, body: string): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}/webhooks/lever/${WEBHOOK_ID}`,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text || 'null') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Samples the emulator's request counter every 100 ms; the most requests in any one-second window. */
function sampleRate(emu: EmulatorHandle) {
  const samples: Array<{ t: number; n: number }> = [];
  const timer = setInterval(() => samples.push({ t: performance.now(), n: emu.context.stats.requests }), 100);
  return {
    stop() {
      clearInterval(timer);
      let max = 0;
      for (let i = 0, j = 0; i < samples.length; i++) {
        while ((samples[i] as { t: number }).t - (samples[j] as { t: number }).t > 1000) j++;
        max = Math.max(max, (samples[i] as { n: number }).n - (samples[j] as { n: number }).n);
      }
      return max;
    },
  };
}

export async function twoInstanceBurst(o: BurstOptions): Promise<BurstFigures> {
  const log = o.progress ?? (() => {});
  const emu = await startEmulator({ port: await freePort(), ratePerSecond: 10, burst: 20 });
  const onPg = o.url !== 'sqlite';
  const dirs: string[] = [];
  const instances: Instance[] = [];
  let db: Kysely<Database> | undefined;
  let sqliteStore: Store | undefined;
  try {
    const env = async (): Promise<Record<string, string>> => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulcrum-instance-'));
      dirs.push(dir);
      return {
        ...(onPg ? { DATABASE_URL: o.url } : {}),
        FULCRUM_DATA_DIR: dir,
        PORT: String(await freePort()),
        LEVER_EMULATOR_PORT: String(new URL(emu.apiBaseUrl).port),
        LEVER_EMULATOR_KEY: emu.apiKey,
        // Lever's rate with half its burst: the emulator's bucket then always holds more than the shared client
        // budget lets through, so a 429 means the instances together went over 10 a second.
        LEVER_RATE_PER_SECOND: '10',
        LEVER_BURST: '10',
        QUEUE_LEASE_SECONDS: String(o.leaseSeconds),
        REDISCOVERY_SYNC_MINUTES: '0',
        LOG_LEVEL: 'warn',
      };
    };
    // One after the other: the first runs the migrations and installs pg-boss; the second finds them done.
    instances.push(await startInstance(await env(), 'A'));
    if (onPg) instances.push(await startInstance(await env(), 'B'));
    const a = instances[0] as Instance;
    // On SQLite there is one instance: it takes every delivery and is not killed.
    const b = instances[1] ?? a;
    if (!onPg) sqliteStore = await openStore({ dataDir: dirs[0] as string });
    db = sqliteStore?.db ?? openPostgresKysely(o.url);
    const store = db;
    const secret = randomBytes(24).toString('hex');
    await store
      .insertInto('lever_webhooks')
      .values({
        id: WEBHOOK_ID,
        event: EVENT,
        url: `${a.url}/webhooks/lever/${WEBHOOK_ID}`,
        signature_token: secret,
        created_at: Date.now(),
      })
      .execute();

    const opportunities = emu.context.store.opportunities;
    const stages = emu.context.store.seed.stages;
    const bodies = Array.from({ length: o.deliveries }, (_, i) => {
      const token = randomBytes(16).toString('hex');
      const triggeredAt = Date.now();
      const opp = opportunities[i % opportunities.length] as { id: string };
      return JSON.stringify({
        id: randomUUID(),
        event: EVENT,
        triggeredAt,
        token,
        signature: signLeverWebhook(token, triggeredAt, secret),
        data: {
          opportunityId: opp.id,
          fromStageId: (stages[0] as { id: string }).id,
          toStageId: (stages[1] as { id: string }).id,
        },
      });
    });

    const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    const answered = { stored: 0, duplicate: 0, other: 0, resent: 0 };
    let aDead = false;
    let done = 0;
    let next = 0;
    const rate = sampleRate(emu);
    const leverBefore = emu.context.stats.requests;
    const started = performance.now();
    const send = async (i: number) => {
      const body = bodies[i] as string;
      const first = i % 2 === 0 && !aDead ? a : b;
      if (first === b && b === a && aDead) throw new Error('the only instance was killed');
      let r: { status: number; json: unknown };
      try {
        r = await post(agent, first.url, body);
      } catch (e) {
        if (first !== a) throw e;
        // A is gone (killed mid-request, or refused): the same delivery goes to B.
        answered.resent++;
        r = await post(agent, b.url, body);
      }
      const json = r.json as { ok?: boolean; duplicate?: boolean; jobId?: unknown };
      if (r.status === 200 && json.jobId !== undefined) answered.stored++;
      else if (r.status === 200 && json.duplicate) answered.duplicate++;
      else answered.other++;
      done++;
      if (onPg && o.killAfter !== undefined && !aDead && done >= o.killAfter) {
        aDead = true;
        a.child.kill('SIGKILL');
        log(`killed instance A (pid ${a.child.pid}) with SIGKILL after ${done} deliveries`);
      }
    };
    await Promise.all(
      Array.from({ length: o.concurrency ?? 32 }, async () => {
        while (next < bodies.length) {
          const i = next++;
          if (o.pacePerSecond) {
            const due = started + (i / o.pacePerSecond) * 1000;
            const wait = due - performance.now();
            if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          }
          await send(i);
        }
      }),
    );
    const burstSeconds = (performance.now() - started) / 1000;
    agent.destroy();
    log(`burst: ${o.deliveries} deliveries in ${burstSeconds.toFixed(2)} s`);

    // pg-boss's job table on PostgreSQL, the store's own jobs table on SQLite.
    const jobs = onPg
      ? { table: 'pgboss.job', name: 'name', state: 'state', done: 'completed', eventId: `data->'payload'->>'eventId'` }
      : { table: 'jobs', name: 'type', state: 'status', done: 'done', eventId: `json_extract(payload, '$.eventId')` };
    const count = async (what: string, onlyDone: boolean) => {
      const where = onlyDone ? sql`and ${sql.raw(jobs.state)} = ${jobs.done}` : sql``;
      const r = await sql<{ n: string }>`select count(${sql.raw(what)}) as n from ${sql.raw(jobs.table)}
        where ${sql.raw(jobs.name)} = ${EVENT} ${where}`.execute(store);
      return Number(r.rows[0]?.n);
    };
    const drainStart = performance.now();
    let completed = 0;
    let lastLog = 0;
    while (performance.now() - drainStart < o.drainTimeoutMs) {
      completed = await count('*', true);
      if (completed >= o.deliveries) break;
      if (performance.now() - lastLog > 10_000) {
        lastLog = performance.now();
        log(`jobs completed: ${completed} of ${o.deliveries}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    const drainSeconds = (performance.now() - drainStart) / 1000;
    const maxInAnySecond = rate.stop();
    const requests = emu.context.stats.requests - leverBefore;
    const events = await store
      .selectFrom('webhook_events')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    const jobCount = await count('*', false);
    const retried = onPg
      ? await sql<{
          n: string;
        }>`select count(*) as n from pgboss.job where name = ${EVENT} and retry_count > 0`.execute(store)
      : await sql<{ n: string }>`select count(*) as n from jobs where type = ${EVENT} and attempts > 1`.execute(store);
    const distinct = await count(`distinct ${jobs.eventId}`, false);
    return {
      deliveries: o.deliveries,
      answered,
      burstSeconds,
      deliveriesPerSecond: o.deliveries / burstSeconds,
      eventRows: Number(events.n),
      jobs: jobCount,
      distinctEventJobs: distinct,
      completed,
      notCompleted: jobCount - completed,
      redelivered: Number(retried.rows[0]?.n),
      drainSeconds,
      lever: {
        requests,
        rateLimited: emu.context.stats.rateLimited,
        maxInAnySecond,
        averagePerSecond: requests / (burstSeconds + drainSeconds),
      },
      killed: aDead,
    };
  } finally {
    for (const i of instances) if (i.child.exitCode === null && i.child.signalCode === null) i.child.kill('SIGTERM');
    await Promise.all(instances.map((i) => Promise.race([i.exited, new Promise((r) => setTimeout(r, 15_000))])));
    for (const i of instances) if (i.child.exitCode === null && i.child.signalCode === null) i.child.kill('SIGKILL');
    if (sqliteStore) await sqliteStore.close();
    else await db?.destroy();
    await emu.close();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  }
}
