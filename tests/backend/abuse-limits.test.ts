import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { addRecruiter } from '../../backend/auth/recruiters.ts';
import { funnelCommand } from '../../backend/cli/funnel.ts';
import { EEO_VIEW_ACTION } from '../../backend/fairness/eeo-view-audit.ts';
import { type AuthEnv, requireRecruiter } from '../../backend/http/auth.ts';
import { toHttpError } from '../../backend/http/errors.ts';
import { KeyedRateLimiter } from '../../backend/http/rate-limit.ts';
import { type EmulatorHandle, startEmulator } from '../../backend/lever-emulator/server.ts';
import { type RunningBackend, startBackend } from '../../backend/server.ts';
import { type Harness, makeHarness } from './helpers/backend-harness.ts';
import { cleanupsAfterEach, makeTempDir, openTempStoreUntilCleanup } from './helpers/temp-store.ts';
import { testConfig } from './helpers/test-config.ts';

const cleanups = cleanupsAfterEach();

/** A request with a Host header of our choosing (fetch does not let a caller set Host; a browser under rebinding does). */
function get(
  url: string,
  host: string,
  headers: Record<string, string> = {},
  method = 'GET',
  body?: string,
): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { hostname: u.hostname, port: u.port, path: u.pathname + u.search, method, headers: { host, ...headers } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('Host header check (DNS rebinding)', () => {
  let backend: RunningBackend;
  let emulator: EmulatorHandle;
  let token: string;
  beforeAll(async () => {
    const tmp = makeTempDir();
    cleanups.push(tmp.cleanup);
    emulator = await startEmulator({ port: 0, seed: 5, opportunities: 5 });
    backend = await startBackend(
      testConfig(tmp.dir, {
        emulator,
        env: { PUBLIC_URL: 'https://fulcrum.example.com', ALLOWED_HOSTS: 'fulcrum.internal:8443, other.internal' },
      }),
      { logger: pino({ level: 'silent' }), drainTimeoutMs: 500 },
    );
    token = (await addRecruiter(backend.store, { email: 'ana@example.com', role: 'admin' })).token;
  });
  afterAll(async () => {
    await backend?.close();
    await emulator?.close();
  });

  it('answers a rebinding name with 421 and a message that says how to allow a real one, on /api and /healthz', async () => {
    const port = new URL(backend.url).port;
    for (const path of ['/healthz', '/readyz', '/api/status']) {
      for (const host of [
        `evil.example:${port}`,
        'evil.example',
        `localhost.evil.example:${port}`,
        `127.0.0.1.nip.io:${port}`,
      ]) {
        const res = await get(`${backend.url}${path}`, host, { authorization: `Bearer ${token}` });
        expect(res.status, `${host} ${path}`).toBe(421);
        const body = JSON.parse(res.body) as { error: { code: string; message: string } };
        expect(body.error.code).toBe('misdirected_request');
        expect(body.error.message).toContain(`does not answer to the host name "${host.replace(/:\d+$/, '')}"`);
        expect(body.error.message).toMatch(/PUBLIC_URL or ALLOWED_HOSTS/);
      }
    }
  });

  it('serves loopback names, any IP address (load-balancer checks), PUBLIC_URL and ALLOWED_HOSTS names', async () => {
    const port = new URL(backend.url).port;
    for (const host of [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      'LOCALHOST',
      `[::1]:${port}`,
      '10.1.2.3',
      `fulcrum.example.com`,
      'fulcrum.internal:8443',
      'other.internal',
    ]) {
      expect((await get(`${backend.url}/healthz`, host)).status, host).toBe(200);
    }
    const api = await get(`${backend.url}/api/status`, 'fulcrum.example.com', { authorization: `Bearer ${token}` });
    expect(api.status).toBe(200);
  });

  it("Lever's signed webhook deliveries are not held to it (their signature proves them)", async () => {
    const res = await get(
      `${backend.url}/webhooks/lever/not-a-registered-path`,
      'fulcrum-public.example.net',
      { 'content-type': 'application/json' },
      'POST',
      '{}',
    );
    expect(res.status).not.toBe(421);
    expect(res.status).toBeGreaterThanOrEqual(400);
  });

  it("the emulator's admin API checks Host too", async () => {
    const auth = { authorization: `Basic ${Buffer.from(`${emulator.apiKey}:`).toString('base64')}` };
    const port = new URL(emulator.url).port;
    const bad = await get(`${emulator.url}/_admin/stats`, `evil.example:${port}`, auth);
    expect(bad.status).toBe(421);
    expect(JSON.parse(bad.body)).toMatchObject({ code: 'MisdirectedRequest' });
    expect(JSON.parse(bad.body).message).toContain('"evil.example"');
    expect((await get(`${emulator.url}/_admin/stats`, `127.0.0.1:${port}`, auth)).status).toBe(200);
    expect((await get(`${emulator.url}/_admin/stats`, `localhost:${port}`, auth)).status).toBe(200);
  });
});

describe('per-token rate limiter', () => {
  it('holds at most maxKeys buckets however many keys it sees, dropping the coldest first', () => {
    let t = 0;
    const limiter = new KeyedRateLimiter(1, 3, () => t, 1_000);
    for (let i = 0; i < 3; i++) expect(limiter.take('hot')).toBe(true);
    expect(limiter.take('hot')).toBe(false);
    let largest = 0;
    let hotAllowed = 0;
    for (let i = 0; i < 100_000; i++) {
      limiter.take(`junk-${i}`);
      // The hot key is used all along: it stays the freshest, so the flood never resets it to a full burst.
      if (i % 100 === 0 && limiter.take('hot')) hotAllowed++;
      largest = Math.max(largest, limiter.size);
    }
    expect(largest).toBe(1_000);
    expect(hotAllowed).toBe(0);
    t += 1_000;
    expect(limiter.take('hot')).toBe(true);
    expect(limiter.peek('never-seen')).toBe(true);
    expect(limiter.size).toBeLessThanOrEqual(1_000);
  });

  it('over real HTTP: a flood of distinct random tokens creates no buckets and cannot slow a real token down', async () => {
    const { store } = await openTempStoreUntilCleanup(cleanups);
    const good = (await addRecruiter(store, { email: 'ana@example.com', role: 'recruiter' })).token;
    // A frozen clock: no refill between calls, however slow the machine, so the counts below are exact.
    const limiter = new KeyedRateLimiter(5, 10, () => 0);
    const app = new Hono<AuthEnv>();
    app.onError((err, c) => {
      const h = toHttpError(err);
      return c.json({ error: { code: h.code, message: h.message } }, h.status);
    });
    app.use(
      '*',
      requireRecruiter(store, limiter, async () => null),
    );
    app.get('/api/ping', (c) => c.json({ ok: true }));
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise((r) => server.once('listening', r));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/ping`;
    const call = (authorization: string) => fetch(url, { headers: { authorization } }).then((r) => r.status);

    const statuses = new Map<number, number>();
    for (let i = 0; i < 600; i++) {
      const status = await call(`Bearer flk_${randomBytes(32).toString('base64url')}`);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    // The first burst of unknown tokens is 401, then this client is throttled (guessing is rate limited).
    expect(statuses.get(401)).toBeGreaterThanOrEqual(10);
    expect(statuses.get(429)).toBeGreaterThan(500);
    // One bucket: the client's address. None per random token.
    expect(limiter.size).toBe(1);
    // Malformed headers are charged to the same address bucket.
    expect(await call('Bearer not-a-fulcrum-token')).toBe(429);
    expect(await call('Basic abc')).toBe(429);
    // The real token has a bucket of its own, keyed by its hash, untouched by all of the above.
    for (let i = 0; i < 10; i++) expect(await call(`Bearer ${good}`)).toBe(200);
    expect(await call(`Bearer ${good}`)).toBe(429);
    expect(limiter.size).toBe(2);
  });
});

describe('EEO views', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await makeHarness();
  }, 60_000);
  afterAll(() => h?.close());
  const window = 'from=2024-01-01&to=2026-12-31';

  it('a minimum cell size below 5 is refused with a 400 that says why', async () => {
    for (const min of ['1', '2', '4']) {
      const res = await h.call('GET', `/api/admin/funnel?${window}&minCount=${min}`, { token: h.adminToken });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { message: string } };
      expect(body.error.message).toMatch(
        /minCount: must be at least 5: smaller cells could identify individual applicants/,
      );
      expect(
        (await h.call('GET', `/api/admin/funnel.csv?${window}&minCount=${min}`, { token: h.adminToken })).status,
      ).toBe(400);
    }
    const none = await h.store.db.selectFrom('audit_log').select('id').where('action', '=', EEO_VIEW_ACTION).execute();
    expect(none).toEqual([]);
  });

  it('every funnel view is audited with who and which filters, and none of the EEO data', async () => {
    const postings = await h.inspect.listPostings({}).next();
    const postingId = postings.value?.id as string;
    const json = await h.call('GET', `/api/admin/funnel?${window}&minCount=5&postingId=${postingId}`, {
      token: h.adminToken,
    });
    expect(json.status).toBe(200);
    const report = await json.text();
    const csv = await h.call('GET', `/api/admin/funnel.csv?${window}`, { token: h.adminToken });
    expect(csv.status).toBe(200);

    const rows = await h.store.db.selectFrom('audit_log').selectAll().where('action', '=', EEO_VIEW_ACTION).execute();
    expect(rows.map((r) => [r.actor, r.capability])).toEqual([
      [h.adminEmail, 'funnel'],
      [h.adminEmail, 'funnel'],
    ]);
    expect(JSON.parse(rows[0]!.output!)).toEqual({
      view: 'funnel',
      postingIds: [postingId],
      team: null,
      from: '2024-01-01',
      to: '2026-12-31',
      minCount: 5,
    });
    expect(JSON.parse(rows[1]!.output!)).toMatchObject({ view: 'funnel.csv', postingIds: [], minCount: null });
    // No group, count or rate from the report reached the audit row.
    const groups = [...report.matchAll(/"group":"([^"]+)"/g)].map((m) => m[1] as string);
    expect(groups.length).toBeGreaterThan(0);
    for (const g of groups) for (const r of rows) expect(r.output).not.toContain(g);
    expect(rows[0]!.output).not.toMatch(/"(counts|totals|passRates|selectionRate|impactRatio|suppressed|value)"/);
  });

  it('the CLI refuses --min below 5 and audits its funnel as the OS user', async () => {
    vi.stubEnv('FULCRUM_DATA_DIR', h.dataDir);
    vi.stubEnv('LEVER_BASE_URL', h.emulator.apiBaseUrl);
    vi.stubEnv('LEVER_EMULATOR_KEY', h.emulator.apiKey);
    vi.stubEnv('LEVER_API_KEY', '');
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    cleanups.push(() => {
      log.mockRestore();
      vi.unstubAllEnvs();
    });
    await expect(funnelCommand.run(['--min', '3'])).rejects.toThrow(/--min must be a whole number from 5 to 100/);
    expect(await funnelCommand.run(['--min', '6', '--from', '2024-01-01', '--json'])).toBe(0);
    const row = await h.store.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', EEO_VIEW_ACTION)
      .orderBy('id', 'desc')
      .executeTakeFirst();
    expect(row?.actor).toMatch(/^cli(:|$)/);
    expect(JSON.parse(row?.output ?? '{}')).toMatchObject({ view: 'funnel.cli', minCount: 6, from: '2024-01-01' });
  });
});
