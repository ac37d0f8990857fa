import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createAiEngine } from '../../../backend/ai/engine.ts';
import { createApp } from '../../../backend/app.ts';
import { addRecruiter as addRecruiterRow, hashToken } from '../../../backend/auth/recruiters.ts';
import type { Config } from '../../../backend/config.ts';
import { SqliteQueue } from '../../../backend/jobs/sqlite-queue.ts';
import { collect, createLeverClient, type LeverClient, TokenBucket } from '../../../backend/lever/index.ts';
import { type EmulatorHandle, type EmulatorOptions, startEmulator } from '../../../backend/lever-emulator/server.ts';
import { openStore, type Store } from '../../../backend/store/db.ts';
import { TestLeverClient } from '../lever-helpers.ts';
import { testConfig } from './test-config.ts';

/**
 * A real backend for route tests: SQLite in a temp dir, the Lever emulator on a free port, the local AI engine, and
 * createApp() driven through app.request(). Nothing is mocked.
 */
export type Harness = {
  app: ReturnType<typeof createApp>;
  config: Config;
  store: Store;
  lever: LeverClient;
  emulator: EmulatorHandle;
  dataDir: string;
  /** Emulator-side client with a roomy bucket, for assertions (does not share the backend's rate budget). */
  inspect: TestLeverClient;
  /** A Fulcrum recruiter who is the emulator's Lever super admin (sees everything). */
  recruiterToken: string;
  /** A Fulcrum admin who is a Lever admin of the emulated account (the combination admin reports need). */
  adminToken: string;
  recruiterEmail: string;
  adminEmail: string;
  addRecruiter(r: { email: string; name: string; role: 'recruiter' | 'admin' }): Promise<{ id: string; token: string }>;
  revokeToken(token: string): Promise<void>;
  call(
    method: string,
    url: string,
    opts?: { token?: string | null; body?: unknown; headers?: Record<string, string> },
  ): Promise<Response>;
  opportunityIds(n: number): Promise<string[]>;
  noteCount(opportunityId: string, marker?: string): Promise<number>;
  setFaults(f: { errorRate?: number; force429?: number; latencyMs?: number }): Promise<void>;
  close(): Promise<void>;
};

export async function makeHarness(
  opts: { emulator?: EmulatorOptions; env?: Record<string, string>; leverTimeoutMs?: number } = {},
): Promise<Harness> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulcrum-http-'));
  const emulator = await startEmulator({
    port: 0,
    seed: 7,
    opportunities: 40,
    ratePerSecond: 1000,
    burst: 1000,
    ...opts.emulator,
  });
  const config = testConfig(dataDir, {
    emulator,
    env: { CORS_ORIGINS: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop', ...opts.env },
  });
  const store = await openStore({ dataDir });
  const lever = createLeverClient({
    baseUrl: emulator.apiBaseUrl,
    auth: { kind: 'apiKey', apiKey: emulator.apiKey },
    retryBaseMs: 5,
    maxBackoffMs: 40,
    maxRetries: 3,
    timeoutMs: opts.leverTimeoutMs ?? 5_000,
    bucket: new TokenBucket(200, 200),
  });
  const inspect = new TestLeverClient({
    baseUrl: emulator.apiBaseUrl,
    auth: { kind: 'apiKey', apiKey: emulator.apiKey },
    bucket: new TokenBucket(500, 500),
    retryBaseMs: 5,
  });
  const logger = pino({ level: 'silent' });
  const queue = new SqliteQueue(store, { logger });
  const app = createApp({ config, store, lever, ai: createAiEngine(), queue, logger });

  const addRecruiter: Harness['addRecruiter'] = async (r) => {
    const { recruiter, token } = await addRecruiterRow(store, r);
    return { id: recruiter.id, token };
  };

  // Both are real users of the emulated Lever account, so perform_as resolves and the access policy (which follows
  // the Lever role) lets them see the whole demo account: the recruiter is its super admin, the admin a Lever admin.
  const users = await collect(inspect.listUsers());
  const leverUser = users.find((u) => u.email && u.accessRole !== 'interviewer') ?? users[0];
  if (!leverUser?.email) throw new Error('emulator has no users');
  const recruiter = await addRecruiter({
    email: leverUser.email,
    name: leverUser.name ?? 'Alex Rivera',
    role: 'recruiter',
  });
  const leverAdmin = users.find((u) => u.email && u.accessRole === 'admin' && u.id !== leverUser.id);
  if (!leverAdmin?.email) throw new Error('emulator has no Lever admin user');
  const admin = await addRecruiter({ email: leverAdmin.email, name: leverAdmin.name ?? 'Ada Admin', role: 'admin' });

  const call: Harness['call'] = (method, url, o = {}) => {
    const headers: Record<string, string> = { ...o.headers };
    const token = o.token === undefined ? recruiter.token : o.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (o.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
    }
    return Promise.resolve(app.request(url, { method, headers, body }));
  };

  return {
    app,
    config,
    store,
    lever,
    emulator,
    dataDir,
    inspect,
    recruiterToken: recruiter.token,
    adminToken: admin.token,
    recruiterEmail: leverUser.email,
    adminEmail: leverAdmin.email,
    addRecruiter,
    async revokeToken(token) {
      await store.db
        .updateTable('recruiter_tokens')
        .set({ revoked_at: Date.now() })
        .where('token_hash', '=', hashToken(token))
        .execute();
    },
    call,
    async opportunityIds(n) {
      const out: string[] = [];
      for await (const o of inspect.listOpportunities({ archived: false, limit: 50 })) {
        out.push(o.id);
        if (out.length >= n) break;
      }
      return out;
    },
    async noteCount(opportunityId, marker = '[Fulcrum · AI-assisted]') {
      const notes = await collect(inspect.listNotes(opportunityId));
      return notes.filter((n) => (n.fields ?? []).some((f) => f.value?.includes(marker)) || n.text?.includes(marker))
        .length;
    },
    async setFaults(f) {
      const res = await fetch(`${emulator.url}/_admin/faults`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${emulator.apiKey}:`).toString('base64')}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify(f),
      });
      if (!res.ok) throw new Error(`faults: ${res.status} ${await res.text()}`);
    },
    async close() {
      await queue.stop({ timeoutMs: 1000 });
      await store.close();
      await emulator.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
