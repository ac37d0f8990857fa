import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { signLeverWebhook } from '../backend/lever/index.ts';
import { openStore } from '../backend/store/db.ts';

/**
 * Webhook intake throughput: the real backend (backend/main.ts, its own process) receives signed Lever deliveries
 * from autocannon, 50 connections for DURATION_S seconds, every body unique (id + token). Afterwards every
 * acknowledged (200) event id must be in webhook_events with exactly one job. Target: >= 3,000 req/s, p99 < 50 ms.
 */

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = 50;
const WEBHOOK_ID = 'bench-webhook';
const SIGNATURE_TOKEN = randomBytes(24).toString('hex');
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

function delivery(i: number): { id: string; body: string } {
  const id = randomUUID();
  const token = randomBytes(24).toString('hex');
  const triggeredAt = Date.now();
  const body = JSON.stringify({
    id,
    event: 'candidateStageChange',
    triggeredAt,
    token,
    signature: signLeverWebhook(token, triggeredAt, SIGNATURE_TOKEN),
    data: { opportunityId: randomUUID(), toStageId: `stage-${i % 7}`, fromStageId: 'stage-x' },
  });
  return { id, body };
}

/** utime + stime of a process from /proc (Linux), in seconds; 0 where /proc is unavailable. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

async function waitReady(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`backend exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('backend did not become ready in 30 s');
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulcrum-bench-'));
  const setup = await openStore({ dataDir });
  await setup.db
    .insertInto('lever_webhooks')
    .values({
      id: WEBHOOK_ID,
      event: 'candidateStageChange',
      url: 'http://bench',
      signature_token: SIGNATURE_TOKEN,
      created_at: Date.now(),
    })
    .execute();
  await setup.close();

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logLevel = process.env.BENCH_LOG_LEVEL ?? 'warn';
  // node itself (not the tsx wrapper) so the pid is the server's, for its CPU accounting below.
  // BENCH_CPU_PROF=DIR writes the server's V8 CPU profile there (open it in Chrome DevTools → Performance).
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', 'backend/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', FULCRUM_DATA_DIR: dataDir, LOG_LEVEL: logLevel },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await waitReady(url, child);
    // Pre-generate enough signed bodies that signing never runs inside the measured loop.
    const pool = Array.from({ length: 120_000 }, (_, i) => delivery(i));
    let next = 0;
    const acked = new Set<string>();
    let non200 = 0;
    const cpuBefore = cpuSeconds(child.pid);
    const clientCpuBefore = process.cpuUsage();
    const result = await autocannon({
      url: `${url}/webhooks/lever/${WEBHOOK_ID}`,
      connections: CONNECTIONS,
      duration: DURATION_S,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Lever-Webhooks' },
      requests: [
        {
          setupRequest: (req, context) => {
            const d = pool[next] ?? delivery(next);
            next++;
            (context as { eventId?: string }).eventId = d.id;
            return { ...req, body: d.body };
          },
          onResponse: (status, _body, context) => {
            if (status === 200) acked.add((context as { eventId: string }).eventId);
            else non200++;
          },
        },
      ],
    });
    const serverCpu = cpuSeconds(child.pid) - cpuBefore;
    const clientUsage = process.cpuUsage(clientCpuBefore);
    const clientCpu = (clientUsage.user + clientUsage.system) / 1e6;
    // Stop the backend gracefully first, so its last commits are flushed before we count.
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));

    const check = await openStore({ dataDir });
    const stored = new Set(
      (await check.db.selectFrom('webhook_events').select('event_id').execute()).map((r) => r.event_id),
    );
    const jobs = await check.db
      .selectFrom('jobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('type', '=', 'candidateStageChange')
      .executeTakeFirstOrThrow();
    await check.close();
    let missing = 0;
    for (const id of acked) if (!stored.has(id)) missing++;

    const rps = result.requests.average;
    console.log(`webhook intake: ${CONNECTIONS} connections, ${DURATION_S} s, LOG_LEVEL=${logLevel}`);
    console.log(`  requests/s  avg ${rps.toFixed(0)}  (min ${result.requests.min}, max ${result.requests.max})`);
    console.log(`  latency ms  p50 ${result.latency.p50}  p99 ${result.latency.p99}  max ${result.latency.max}`);
    console.log(
      `  acknowledged ${acked.size}, non-200 ${non200}, errors ${result.errors}, timeouts ${result.timeouts}`,
    );
    const cpuMsPerReq = (serverCpu * 1000) / Math.max(1, result.requests.total);
    console.log(
      `  server CPU  ${serverCpu.toFixed(1)} s for ${result.requests.total} requests = ${cpuMsPerReq.toFixed(3)} ms/request` +
        ` (≈ ${Math.round(1000 / cpuMsPerReq)} req/s per fully available core); load average ${os.loadavg()[0]?.toFixed(1)} on ${os.cpus().length} cores`,
    );
    console.log(
      `  client CPU  ${clientCpu.toFixed(1)} s = ${((clientCpu * 1000) / Math.max(1, result.requests.total)).toFixed(3)} ms/request (autocannon and body signing share the machine)`,
    );
    console.log(`  stored events ${stored.size}, jobs ${Number(jobs.n)}, acknowledged but missing ${missing}`);
    const ok = missing === 0 && Number(jobs.n) === stored.size && rps >= 3000 && result.latency.p99 < 50;
    console.log(ok ? '  PASS (>= 3,000 req/s, p99 < 50 ms, nothing lost)' : '  FAIL');
    fs.rmSync(dataDir, { recursive: true, force: true });
    process.exitCode = ok ? 0 : 1;
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
