import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../backend/config.ts';
import { collect } from '../../backend/lever/index.ts';
import { leverFromConfig } from '../../backend/lever-config.ts';
import { type EmulatorHandle, startEmulator } from '../../backend/lever-emulator/server.ts';
import { ConnectError, completeConnect, oauthSettings, startConnect } from '../../backend/lever-oauth/connect.ts';
import { open, parseSecretKey, SecretKeyError, seal } from '../../backend/lever-oauth/secret-box.ts';
import { DbOAuthTokenStore } from '../../backend/lever-oauth/token-store.ts';
import { openStore } from '../../backend/store/db.ts';
import { type Harness, makeHarness } from './helpers/backend-harness.ts';
import { makeTempDir } from './helpers/temp-store.ts';

/**
 * OAuth for a Lever partner app (issue 16): the connect flow through the backend's routes and the CLI, tokens
 * encrypted at rest, and a refresh lock that holds across processes (two processes, one refresh).
 */

const KEY_HEX = randomBytes(32).toString('hex');
const KEY = Buffer.from(KEY_HEX, 'hex');

function oauthEnv(emu: EmulatorHandle, redirectUri: string): Record<string, string> {
  return {
    LEVER_OAUTH_CLIENT_ID: 'emulator-client',
    LEVER_OAUTH_CLIENT_SECRET: 'emulator-secret',
    LEVER_OAUTH_REDIRECT_URI: redirectUri,
    LEVER_OAUTH_SCOPES: 'opportunities:read:admin stages:read:admin notes:write:admin',
    FULCRUM_SECRET_KEY: KEY_HEX,
    LEVER_BASE_URL: emu.apiBaseUrl,
  };
}

/** Plays the Lever Super Admin: opens the authorize URL, clicks Allow (or Deny), returns where Lever redirects. */
async function approveAt(authorizeUrl: string, allow = true): Promise<URL> {
  const page = await fetch(authorizeUrl);
  expect(page.status).toBe(200);
  const html = await page.text();
  const href = new RegExp(`id="${allow ? 'allow' : 'deny'}" href="([^"]+)"`).exec(html)?.[1]?.replace(/&amp;/g, '&');
  expect(href).toBeTruthy();
  const decided = await fetch(new URL(href as string, authorizeUrl), { redirect: 'manual' });
  expect(decided.status).toBe(302);
  return new URL(decided.headers.get('location') as string);
}

describe('tokens at rest: AES-256-GCM with FULCRUM_SECRET_KEY', () => {
  it('round-trips, and refuses a wrong key, another row or an altered value', () => {
    const sealed = seal(KEY, 'refresh-token-123', 'lever-oauth:default');
    expect(sealed).not.toContain('refresh-token-123');
    expect(open(KEY, sealed, 'lever-oauth:default')).toBe('refresh-token-123');
    expect(() => open(randomBytes(32), sealed, 'lever-oauth:default')).toThrow(SecretKeyError);
    expect(() => open(KEY, sealed, 'lever-oauth:other')).toThrow(/cannot be decrypted/);
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => open(KEY, parts.join('.'), 'lever-oauth:default')).toThrow(SecretKeyError);
    expect(parseSecretKey(KEY.toString('base64'))).toEqual(KEY);
    expect(() => parseSecretKey('too-short')).toThrow(/64 hex/);
  });

  it('the config refuses OAuth without FULCRUM_SECRET_KEY (tokens are never stored in the clear)', () => {
    const base = { LEVER_OAUTH_CLIENT_ID: 'app', LEVER_OAUTH_CLIENT_SECRET: 'secret', FULCRUM_DATA_DIR: '/tmp/x' };
    expect(() => loadConfig(base)).toThrow(ConfigError);
    expect(() => loadConfig(base)).toThrow(/FULCRUM_SECRET_KEY/);
    expect(() => loadConfig({ ...base, FULCRUM_SECRET_KEY: 'abc' })).toThrow(/32 bytes/);
    const ok = loadConfig({ ...base, FULCRUM_SECRET_KEY: KEY_HEX });
    expect(ok.useEmulator).toBe(false);
  });
});

describe('the connect flow through the backend (emulator as Lever)', () => {
  let h: Harness;
  const redirect = 'http://127.0.0.1:8787/oauth/lever/callback';
  beforeAll(async () => {
    const emu = await startEmulator({ port: 0, opportunities: 5 });
    h = await makeHarness({ env: oauthEnv(emu, redirect) });
    // The harness runs its own emulator; this flow talks to `emu` (LEVER_BASE_URL), closed with the harness below.
    const close = h.close;
    h.close = async () => {
      await close();
      await emu.close();
    };
  });
  afterAll(() => h?.close());

  const startFlow = async () => {
    const res = await h.call('POST', '/api/admin/lever/connect', { token: h.adminToken, body: {} });
    expect(res.status).toBe(200);
    return (await res.json()) as { authorizeUrl: string; redirectUri: string; expiresAt: string };
  };

  it('only Fulcrum admins may start it; the URL carries everything Lever requires', async () => {
    expect((await h.call('POST', '/api/admin/lever/connect', { body: {} })).status).toBe(403);
    expect((await h.call('GET', '/api/admin/lever/connection')).status).toBe(403);
    const { authorizeUrl, redirectUri } = await startFlow();
    const u = new URL(authorizeUrl);
    const settings = oauthSettings(h.config);
    expect(u.origin + u.pathname).toBe(settings?.endpoints.authorizeUrl);
    expect(Object.fromEntries(u.searchParams)).toMatchObject({
      client_id: 'emulator-client',
      redirect_uri: redirect,
      response_type: 'code',
      audience: `${settings?.apiBaseUrl}/`,
      prompt: 'consent',
    });
    expect(u.searchParams.get('state')).toMatch(/^[\w-]{43}$/);
    expect(u.searchParams.get('scope')?.split(' ')).toEqual(
      expect.arrayContaining(['offline_access', 'opportunities:read:admin']),
    );
    expect(redirectUri).toBe(redirect);
  });

  it('the callback exchanges the code, stores the tokens encrypted, and the state works once', async () => {
    const { authorizeUrl } = await startFlow();
    const back = await approveAt(authorizeUrl);
    expect(back.origin + back.pathname).toBe(redirect);
    const res = await h.call('GET', `${back.pathname}${back.search}`, { token: null });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('connected to Lever');

    const row = h.store.sqlite.prepare('SELECT * FROM lever_oauth_connections').get() as { ciphertext: string };
    const tokens = await new DbOAuthTokenStore(() => h.store.db, KEY).load();
    expect(tokens.accessToken).toMatch(/^[0-9a-f]{48}$/);
    expect(row.ciphertext).not.toContain(tokens.accessToken);
    expect(row.ciphertext).not.toContain(tokens.refreshToken);

    const status = await h.call('GET', '/api/admin/lever/connection', { token: h.adminToken });
    const info = (await status.json()) as Record<string, unknown>;
    expect(info).toMatchObject({ mode: 'oauth', connected: true, connectedBy: h.adminEmail });
    expect(String(info.scope)).toContain('offline_access');
    expect(JSON.stringify(info)).not.toContain(tokens.accessToken);

    // The same callback again: the state is spent.
    const again = await h.call('GET', `${back.pathname}${back.search}`, { token: null });
    expect(again.status).toBe(400);
    expect(await again.text()).toMatch(/already used/);

    // A client built from the config now talks to Lever with the stored bearer token, within its scopes.
    const lever = leverFromConfig(h.config, { db: () => h.store.db });
    expect((await lever.listStages()).length).toBeGreaterThan(3);
    await expect(collect(lever.listEeoResponsesWithPii())).rejects.toMatchObject({ status: 403 });
  });

  it('a denial is reported and stores nothing; a forged or expired state is refused', async () => {
    h.store.sqlite.prepare('DELETE FROM lever_oauth_connections').run();
    const { authorizeUrl } = await startFlow();
    const back = await approveAt(authorizeUrl, false);
    expect(back.searchParams.get('error')).toBe('access_denied');
    const res = await h.call('GET', `${back.pathname}${back.search}`, { token: null });
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/did not allow Fulcrum access/);
    expect(h.store.sqlite.prepare('SELECT COUNT(*) AS n FROM lever_oauth_connections').get()).toEqual({ n: 0 });

    const forged = await h.call('GET', '/oauth/lever/callback?code=abc&state=made-up', { token: null });
    expect(forged.status).toBe(400);
    const settings = oauthSettings(h.config);
    if (!settings) throw new Error('no settings');
    const old = await startConnect(h.store.db, settings, 'someone', Date.now() - 11 * 60_000);
    await expect(
      completeConnect(h.store.db, settings, KEY, { state: old.state, code: 'whatever' }),
    ).rejects.toBeInstanceOf(ConnectError);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function lines(child: ChildProcessWithoutNullStreams): {
  next(match: RegExp, ms?: number): Promise<string>;
  all(): string;
} {
  let out = '';
  const waiters: Array<() => void> = [];
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString('utf8');
    for (const w of waiters.splice(0)) w();
  });
  child.stderr.on('data', (d: Buffer) => {
    out += d.toString('utf8');
  });
  return {
    all: () => out,
    next: (match, ms = 30_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${match}; got:\n${out}`)), ms);
        const check = () => {
          const m = match.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(m[0]);
          } else waiters.push(check);
        };
        check();
      }),
  };
}

const exited = (child: ChildProcessWithoutNullStreams) =>
  new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));

describe('npm run cli -- lever connect', () => {
  let emu: EmulatorHandle;
  const tmp = makeTempDir('fulcrum-oauth-cli-');
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, opportunities: 5 });
  });
  afterAll(async () => {
    await emu?.close();
    tmp.cleanup();
  });

  const cli = async (args: string[], redirectUri: string) => {
    const { LEVER_API_KEY: _k, ...env } = process.env;
    return spawn(process.execPath, ['--import', 'tsx', 'backend/cli/index.ts', 'lever', ...args], {
      env: { ...env, FULCRUM_DATA_DIR: tmp.dir, LOG_LEVEL: 'silent', ...oauthEnv(emu, redirectUri) },
    });
  };

  it('prints the URL, receives the callback itself, stores the connection and proves it with one read', {
    timeout: 60_000,
  }, async () => {
    const redirectUri = `http://127.0.0.1:${await freePort()}/oauth/lever/callback`;
    const child = await cli(['connect', '--timeout', '40'], redirectUri);
    const out = lines(child);
    const url = await out.next(/http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?\S+/);
    const back = await approveAt(url);
    const page = await fetch(back); // the browser following Lever's redirect to the CLI's listener
    expect(page.status).toBe(200);
    expect(await exited(child)).toBe(0);
    expect(out.all()).toMatch(/Connected\. Lever granted: .*offline_access/);
    expect(out.all()).toMatch(/Lever answered with the tokens: 8 pipeline stages/);

    const status = await cli(['status'], redirectUri);
    const s = lines(status);
    expect(await exited(status)).toBe(0);
    expect(s.all()).toMatch(/connected by cli:/);
    const store = await openStore({ dataDir: tmp.dir });
    const tokens = await new DbOAuthTokenStore(() => store.db, KEY).load();
    await store.close();
    expect(s.all()).not.toContain(tokens.accessToken);
  });

  it('takes the pasted callback address when it cannot listen, and says so when access is denied', {
    timeout: 60_000,
  }, async () => {
    const redirectUri = 'https://fulcrum.example.com/oauth/lever/callback';
    const child = await cli(['connect', '--no-listen', '--timeout', '40'], redirectUri);
    const out = lines(child);
    const url = await out.next(/http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?\S+/);
    await out.next(/paste/);
    const back = await approveAt(url);
    child.stdin.write(`${back.toString()}\n`);
    expect(await exited(child)).toBe(0);

    const denied = await cli(['connect', '--no-listen', '--timeout', '40'], redirectUri);
    const d = lines(denied);
    const url2 = await d.next(/http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?\S+/);
    denied.stdin.write(`${(await approveAt(url2, false)).toString()}\n`);
    expect(await exited(denied)).toBe(1);
    expect(d.all()).toMatch(/did not allow Fulcrum access/);
    expect(d.all()).not.toMatch(/at .*\.ts:\d+/); // a message, not a stack trace
  });
});

describe('refresh under a lock that holds across processes', () => {
  let emu: EmulatorHandle;
  const tmp = makeTempDir('fulcrum-oauth-race-');
  let file: string;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, opportunities: 5 });
    const store = await openStore({ dataDir: tmp.dir });
    file = store.file;
    await store.close();
  });
  afterAll(async () => {
    await emu?.close();
    tmp.cleanup();
  });

  /** Stores an expired access token with a live refresh token, then lets two processes call Lever at once. */
  async function race(lock: 'on' | 'off') {
    const db = await openStore({ file });
    const first = emu.issueOAuthTokens(3600);
    await new DbOAuthTokenStore(() => db.db, KEY).connect(
      { accessToken: 'expired-token', refreshToken: first.refresh_token, expiresAt: Date.now() - 1000 },
      { scope: 'offline_access', connectedBy: 'test' },
    );
    emu.context.oauth.calls = { authorization_code: 0, refresh_token: 0, refused: 0 };
    emu.context.oauth.latencyMs = 400; // a slow token endpoint: both processes are in flight together
    const child = path.join(__dirname, 'helpers', 'oauth-refresh-child.ts');
    const kids = [0, 1].map(() =>
      spawn(process.execPath, ['--import', 'tsx', child, file, KEY_HEX, emu.apiBaseUrl, `${emu.url}/oauth/token`], {
        env: { ...process.env, LOCK: lock },
      }),
    );
    const outs = kids.map(lines);
    await Promise.all(outs.map((o) => o.next(/ready/)));
    for (const k of kids) k.stdin.write('go\n');
    const results = await Promise.all(
      outs.map(async (o) => JSON.parse(await o.next(/\{.*\}/)) as { ok: boolean; token?: string; error?: string }),
    );
    await Promise.all(kids.map(exited));
    const stored = await new DbOAuthTokenStore(() => db.db, KEY).load();
    await db.close();
    return { results, stored, calls: { ...emu.context.oauth.calls } };
  }

  it('two processes refreshing at once make exactly one refresh call and both end up with the new token', {
    timeout: 60_000,
  }, async () => {
    const { results, stored, calls } = await race('on');
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    expect(calls).toEqual({ authorization_code: 0, refresh_token: 1, refused: 0 });
    expect(stored.accessToken).not.toBe('expired-token');
    expect(new Set(results.map((r) => r.token)).size).toBe(1);
    // The rotated refresh token was stored: it is the one Lever will accept next.
    expect(emu.context.refreshTokens.has(stored.refreshToken)).toBe(true);
  });

  it('without the lease the same race spends the refresh token twice and one process is locked out', {
    timeout: 60_000,
  }, async () => {
    const { results, calls } = await race('off');
    expect(calls.refresh_token + calls.refused).toBe(2);
    expect(calls.refused).toBe(1);
    expect(results.filter((r) => !r.ok)).toHaveLength(1);
  });
});
