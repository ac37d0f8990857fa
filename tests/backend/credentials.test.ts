import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  addRecruiter,
  authenticate,
  checkToken,
  listRecruiters,
  revokeDemoRecruiters,
  revokeRecruiter,
  rotateRecruiterToken,
} from '../../backend/auth/recruiters.ts';
import { recruitersCommand } from '../../backend/cli/recruiters.ts';
import { ConfigError, EMULATOR_DEFAULT_KEY, loadConfig } from '../../backend/config.ts';
import { DEFAULT_EMULATOR_KEY } from '../../backend/lever-emulator/server.ts';
import { startBackend } from '../../backend/server.ts';
import { DB_FILE_NAME, openStore } from '../../backend/store/db.ts';
import { type Harness, makeHarness } from './helpers/backend-harness.ts';
import { cleanupsAfterEach, makeTempDir, openTempStoreUntilCleanup } from './helpers/temp-store.ts';
import { testConfig } from './helpers/test-config.ts';

const cleanups = cleanupsAfterEach();
const DAY = 24 * 60 * 60 * 1000;
const mode = (p: string) => fs.statSync(p).mode & 0o777;

describe('token expiry and rotation', () => {
  it('a token works until its expiry (TOKEN_TTL_DAYS from issue), then checkToken says expired and when', async () => {
    const { store } = await openTempStoreUntilCleanup(cleanups);
    const t0 = Date.UTC(2026, 0, 1);
    const { token, expiresAt } = await addRecruiter(store, { email: 'ana@example.com', role: 'recruiter' }, t0);
    expect(expiresAt).toBe(t0 + 90 * DAY);
    expect(await authenticate(store, token, t0 + 90 * DAY - 1)).toMatchObject({ email: 'ana@example.com' });
    expect(await authenticate(store, token, t0 + 90 * DAY)).toBeNull();
    expect(await checkToken(store, token, t0 + 90 * DAY)).toEqual({
      status: 'expired',
      expiredAt: t0 + 90 * DAY,
      email: 'ana@example.com',
    });
    const short = await addRecruiter(store, { email: 'bo@example.com', role: 'recruiter', tokenTtlDays: 7 }, t0);
    expect(short.expiresAt).toBe(t0 + 7 * DAY);
  });

  it('rotate issues a working token and the old one stops at once; a revoked recruiter cannot be rotated', async () => {
    const { store } = await openTempStoreUntilCleanup(cleanups);
    const { token: old } = await addRecruiter(store, { email: 'ana@example.com', role: 'admin' });
    const rotated = await rotateRecruiterToken(store, 'ANA@example.com', { tokenTtlDays: 30 });
    expect(rotated.revokedTokens).toBe(1);
    expect(rotated.token).not.toBe(old);
    expect(await authenticate(store, old)).toBeNull();
    expect(await authenticate(store, rotated.token)).toMatchObject({ email: 'ana@example.com', role: 'admin' });
    expect(rotated.expiresAt - Date.now()).toBeGreaterThan(29 * DAY);
    // An expired token is rotated the same way (the usual reason to rotate).
    const { token: expired } = await addRecruiter(store, { email: 'cy@example.com', role: 'recruiter' }, 0);
    expect((await checkToken(store, expired)).status).toBe('expired');
    const fresh = await rotateRecruiterToken(store, 'cy@example.com');
    expect((await checkToken(store, fresh.token)).status).toBe('ok');

    await addRecruiter(store, { email: 'bo@example.com', role: 'recruiter' });
    await revokeRecruiter(store, 'bo@example.com');
    await expect(rotateRecruiterToken(store, 'bo@example.com')).rejects.toThrow(/revoked/);
    await expect(rotateRecruiterToken(store, 'nobody@example.com')).rejects.toThrow(/No recruiter/);
  });

  it('the CLI: add prints the expiry, rotate prints the new token once, list shows expiry and last use', async () => {
    const { store, dir } = await openTempStoreUntilCleanup(cleanups);
    vi.stubEnv('FULCRUM_DATA_DIR', dir);
    vi.stubEnv('TOKEN_TTL_DAYS', '30');
    const out: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    cleanups.push(() => {
      log.mockRestore();
      vi.unstubAllEnvs();
    });
    expect(await recruitersCommand.run(['add', 'ana@example.com', '--role', 'recruiter'])).toBe(0);
    const first = out.join('\n').match(/flk_[A-Za-z0-9_-]{43}/)?.[0] ?? '';
    const expires = out.join('\n').match(/Expires: (\d{4}-\d{2}-\d{2}) /)?.[1];
    expect(expires).toBe(new Date(Date.now() + 30 * DAY).toISOString().slice(0, 10));
    await authenticate(store, first);

    out.length = 0;
    expect(await recruitersCommand.run(['rotate', 'ana@example.com'])).toBe(0);
    const text = out.join('\n');
    const second = text.match(/flk_[A-Za-z0-9_-]{43}/g) ?? [];
    expect(second).toHaveLength(1);
    expect(second[0]).not.toBe(first);
    expect(text).toContain('the old token stopped working');
    expect(await authenticate(store, first)).toBeNull();
    expect(await authenticate(store, second[0])).toMatchObject({ email: 'ana@example.com' });

    out.length = 0;
    await recruitersCommand.run(['list']);
    const listing = out.join('\n');
    expect(listing).toMatch(/TOKEN EXPIRES \(UTC\)\s+LAST USED \(UTC\)/);
    const today = new Date().toISOString().slice(0, 10);
    expect(listing).toMatch(
      new RegExp(`ana@example\\.com\\s+recruiter\\s+-\\s+active\\s+${expires} \\d\\d:\\d\\d\\s+${today}`),
    );
    expect(listing).not.toContain('flk_');
    const [row] = await listRecruiters(store);
    expect(row?.tokenExpiresAt).toBeGreaterThan(Date.now());
    await expect(recruitersCommand.run(['rotate'])).rejects.toThrow(/Usage/);
  });

  it('TOKEN_TTL_DAYS must be a whole number of days from 1 to 3650', () => {
    expect(loadConfig({ TOKEN_TTL_DAYS: '7' }).TOKEN_TTL_DAYS).toBe(7);
    expect(loadConfig({}).TOKEN_TTL_DAYS).toBe(90);
    for (const bad of ['0', '-3', '1.5', 'forever', '4000']) {
      expect(() => loadConfig({ TOKEN_TTL_DAYS: bad })).toThrow(/TOKEN_TTL_DAYS/);
    }
  });
});

/** Every /api endpoint of the app (and /metrics), with its path parameters filled in. */
function apiEndpoints(app: Harness['app']): Array<{ method: string; url: string }> {
  const seen = new Set<string>();
  const out: Array<{ method: string; url: string }> = [];
  for (const r of app.routes) {
    if (r.method === 'ALL' || !(r.path.startsWith('/api/') || r.path === '/metrics')) continue;
    const url = r.path.replace(/:[A-Za-z]+(\{[^}]*\})?/g, '0b5c3f1e-6a7d-4c2b-9e8f-1a2b3c4d5e6f');
    const key = `${r.method} ${url}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ method: r.method, url });
  }
  return out;
}

describe('expired and revoked demo tokens on every route', () => {
  let h: Harness;
  let expired: string;
  let demo: string;
  beforeAll(async () => {
    h = await makeHarness({ env: { API_RATE_BURST: '10000', API_RATE_PER_SECOND: '10000' } });
    // Issued 91 days ago with the default lifetime, to a real Lever user of the emulated account.
    expired = (await addRecruiter(h.store, { email: 'old@fulcrum.test', role: 'admin' }, Date.now() - 91 * DAY)).token;
    // The demo recruiter of a data directory that has since been started on a real Lever key.
    demo = (await addRecruiter(h.store, { email: 'demo@fulcrum.test', role: 'admin', demo: true })).token;
    expect(await revokeDemoRecruiters(h.store)).toEqual(['demo@fulcrum.test']);
  }, 60_000);
  afterAll(() => h?.close());

  it('each answers 401 with a message that says what happened and what to do, before any route runs', async () => {
    const endpoints = apiEndpoints(h.app);
    expect(endpoints.length).toBeGreaterThan(20);
    const expiredOn = new Date(Date.now() - DAY).toISOString().slice(0, 10);
    for (const { method, url } of endpoints) {
      for (const [token, message] of [
        [
          expired,
          new RegExp(
            `^This Fulcrum token expired on ${expiredOn}\\. Ask your admin to rotate it \\(npm run cli -- recruiters rotate old@fulcrum\\.test\\)\\.$`,
          ),
        ],
        [demo, /invalid or was revoked/],
      ] as const) {
        const res = await h.call(method, url, { token, body: method === 'GET' ? undefined : {} });
        expect(res.status, `${method} ${url}`).toBe(401);
        const body = (await res.json()) as { error: { code: string; message: string } };
        expect(body.error.code).toBe('unauthorized');
        expect(body.error.message, `${method} ${url}`).toMatch(message);
      }
    }
    // The same routes still answer a valid token (the 401s are the tokens', not the routes').
    expect((await h.call('GET', '/api/status', { token: h.adminToken })).status).toBe(200);
  });
});

describe('the demo recruiter', () => {
  it('is revoked, with a line on stdout, when the data directory starts on a real Lever key', async () => {
    const tmp = makeTempDir();
    cleanups.push(tmp.cleanup);
    const store = await openStore({ dataDir: tmp.dir });
    const { token } = await addRecruiter(store, { email: 'demo@fulcrum.test', role: 'admin', demo: true });
    const { token: real } = await addRecruiter(store, { email: 'real@fulcrum.test', role: 'admin' });
    fs.writeFileSync(path.join(tmp.dir, 'demo-recruiter-token'), `${token}\n`, { mode: 0o600 });
    await store.close();

    // A "real" Lever: only a base URL and a key the backend has never seen (nothing there needs to answer).
    const config = loadConfig({
      FULCRUM_DATA_DIR: tmp.dir,
      PORT: '0',
      LOG_LEVEL: 'silent',
      REDISCOVERY_SYNC_MINUTES: '0',
      LEVER_API_KEY: 'customer-key-1234567890',
      LEVER_BASE_URL: 'http://127.0.0.1:9/v1',
    });
    const lines: string[] = [];
    const backend = await startBackend(config, {
      logger: pino({ level: 'silent' }),
      announce: (l) => lines.push(l),
      drainTimeoutMs: 500,
    });
    cleanups.push(() => backend.close());
    expect(backend.revokedDemoRecruiters).toEqual(['demo@fulcrum.test']);
    expect(lines.join('\n')).toMatch(/Revoked the demo recruiter token of demo@fulcrum\.test/);
    expect(fs.existsSync(path.join(tmp.dir, 'demo-recruiter-token'))).toBe(false);
    const status = (t: string) =>
      fetch(`${backend.url}/api/status`, { headers: { authorization: `Bearer ${t}` } }).then((r) => r.status);
    expect(await status(token)).toBe(401);
    expect(await status(real)).not.toBe(401);
  });

  it('stays on the emulator (no LEVER_API_KEY)', async () => {
    const tmp = makeTempDir();
    cleanups.push(tmp.cleanup);
    const store = await openStore({ dataDir: tmp.dir });
    const { token } = await addRecruiter(store, { email: 'demo@fulcrum.test', role: 'admin', demo: true });
    await store.close();
    const backend = await startBackend(testConfig(tmp.dir), { logger: pino({ level: 'silent' }), drainTimeoutMs: 500 });
    cleanups.push(() => backend.close());
    expect(backend.revokedDemoRecruiters).toEqual([]);
    expect(await authenticate(backend.store, token)).toMatchObject({ demo: true });
  });
});

describe('file permissions', () => {
  it('a new data directory is 0700 and the database, -wal and -shm are 0600', async () => {
    const tmp = makeTempDir();
    cleanups.push(tmp.cleanup);
    const dir = path.join(tmp.dir, 'nested', 'data');
    const store = await openStore({ dataDir: dir });
    cleanups.push(() => store.close());
    await store.db.insertInto('settings').values({ key: 'k', value: '1', updated_at: 1, updated_by: null }).execute();
    expect(mode(dir)).toBe(0o700);
    for (const f of [DB_FILE_NAME, `${DB_FILE_NAME}-wal`, `${DB_FILE_NAME}-shm`]) {
      expect(mode(path.join(dir, f)), f).toBe(0o600);
    }
    expect(store.tightened).toBeUndefined();
  });

  it('looser modes found at start are tightened, and startBackend logs which', async () => {
    const tmp = makeTempDir();
    cleanups.push(tmp.cleanup);
    const first = await openStore({ dataDir: tmp.dir });
    await first.db.insertInto('settings').values({ key: 'k', value: '1', updated_at: 1, updated_by: null }).execute();
    await first.close();
    const db = path.join(tmp.dir, DB_FILE_NAME);
    fs.chmodSync(tmp.dir, 0o755);
    fs.chmodSync(db, 0o644);

    const logged: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        logged.push(String(chunk));
        done();
      },
    });
    const backend = await startBackend(testConfig(tmp.dir), {
      logger: pino({ level: 'info' }, sink),
      drainTimeoutMs: 500,
    });
    cleanups.push(() => backend.close());
    expect(mode(tmp.dir)).toBe(0o700);
    expect(mode(db)).toBe(0o600);
    expect(mode(`${db}-wal`)).toBe(0o600);
    const line = logged.map((l) => JSON.parse(l) as { msg: string; files?: string[] }).find((l) => l.files);
    expect(line?.msg).toMatch(/tightened permissions/);
    expect(line?.files).toEqual(expect.arrayContaining([tmp.dir, db]));
  });

  it('a backup is written 0600 too', async () => {
    const { dir } = await openTempStoreUntilCleanup(cleanups);
    vi.stubEnv('FULCRUM_DATA_DIR', dir);
    cleanups.push(() => {
      vi.unstubAllEnvs();
    });
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    cleanups.push(() => log.mockRestore());
    const out = path.join(makeTempDir().dir, 'copy.sqlite');
    cleanups.push(() => fs.rmSync(path.dirname(out), { recursive: true, force: true }));
    const { backupCommand } = await import('../../backend/cli/backup.ts');
    expect(await backupCommand.run([out])).toBe(0);
    expect(mode(out)).toBe(0o600);
  });
});

describe("the emulator's default key", () => {
  it('is the same value the emulator uses', () => {
    expect(EMULATOR_DEFAULT_KEY).toBe(DEFAULT_EMULATOR_KEY);
  });

  it('is refused, naming the variable, for any Lever URL that is not an emulator on this machine', () => {
    const refuse = (env: Record<string, string>, variable: string) => {
      let error: unknown;
      try {
        loadConfig(env);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(
        new RegExp(`^Invalid configuration:\\n  ${variable}: is the Lever emulator's public demo key`),
      );
    };
    refuse({ LEVER_BASE_URL: 'https://api.lever.co/v1' }, 'LEVER_EMULATOR_KEY');
    refuse({ LEVER_BASE_URL: 'http://lever-emulator.internal:8788/v1' }, 'LEVER_EMULATOR_KEY');
    refuse(
      { LEVER_BASE_URL: 'http://10.0.0.5:8788/v1', LEVER_EMULATOR_KEY: EMULATOR_DEFAULT_KEY },
      'LEVER_EMULATOR_KEY',
    );
    refuse({ LEVER_API_KEY: EMULATOR_DEFAULT_KEY }, 'LEVER_API_KEY');
    refuse({ LEVER_API_KEY: EMULATOR_DEFAULT_KEY, LEVER_BASE_URL: 'https://api.eu.lever.co/v1' }, 'LEVER_API_KEY');
  });

  it('is accepted for the local emulator, and any other key anywhere', () => {
    expect(loadConfig({}).useEmulator).toBe(true);
    expect(loadConfig({ LEVER_BASE_URL: 'http://127.0.0.1:18788/v1' }).LEVER_EMULATOR_KEY).toBe(EMULATOR_DEFAULT_KEY);
    expect(loadConfig({ LEVER_BASE_URL: 'http://localhost:8788/v1' }).useEmulator).toBe(true);
    expect(loadConfig({ LEVER_BASE_URL: 'http://[::1]:8788/v1' }).useEmulator).toBe(true);
    expect(
      loadConfig({ LEVER_BASE_URL: 'http://lever-emulator.internal:8788/v1', LEVER_EMULATOR_KEY: 'team-emulator-key' })
        .LEVER_EMULATOR_KEY,
    ).toBe('team-emulator-key');
    expect(loadConfig({ LEVER_API_KEY: 'real-key' }).useEmulator).toBe(false);
  });
});
