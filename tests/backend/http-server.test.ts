import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addRecruiter } from '../../backend/auth/recruiters.ts';
import { collect } from '../../backend/lever/index.ts';
import { type EmulatorHandle, startEmulator } from '../../backend/lever-emulator/server.ts';
import { type RunningBackend, startBackend } from '../../backend/server.ts';
import { CandidateContextSchema, StatusResponseSchema } from '../../utils/contracts/api.ts';
import { testConfig } from './helpers/test-config.ts';

/**
 * The backend as it runs: startBackend() on a real port, talking to the Lever emulator by URL and key from the
 * config. Checks the wiring (health, readiness, auth, Lever) and graceful shutdown: a request in flight when
 * close() starts still gets its answer, readiness flips to 503 and new connections are refused afterwards.
 */

let emulator: EmulatorHandle;
let backend: RunningBackend;
let dataDir: string;
let token: string;
let opportunityId: string;

async function setLatency(latencyMs: number) {
  await fetch(`${emulator.url}/_admin/faults`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${emulator.apiKey}:`).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ latencyMs }),
  });
}

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, seed: 3, opportunities: 5 });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulcrum-server-'));
  const config = testConfig(dataDir, { emulator });
  backend = await startBackend(config, { logger: pino({ level: 'silent' }), drainTimeoutMs: 5_000 });
  // A Lever user of the emulated account (its super admin): what a recruiter may read follows their Lever role.
  const leverUser = emulator.context.store.seed.users.find((u) => u.accessRole === 'super admin');
  if (!leverUser) throw new Error('the emulator has no super admin');
  token = (await addRecruiter(backend.store, { email: leverUser.email, role: 'recruiter', name: 'Sam Server' })).token;
  const opps = await collect(backend.lever.listOpportunities({ limit: 5 }));
  opportunityId = opps[0]!.id;
});

afterAll(async () => {
  await backend?.close();
  await emulator?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('startBackend', () => {
  it('serves health, readiness and the authenticated API over real HTTP', async () => {
    expect((await fetch(`${backend.url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${backend.url}/readyz`)).json()).toEqual({ status: 'ready', engine: 'sqlite' });
    const unauth = await fetch(`${backend.url}/api/status`);
    expect(unauth.status).toBe(401);
    expect(await unauth.json()).toMatchObject({ error: { code: 'unauthorized' } });
    expect(unauth.headers.get('x-request-id')).toBeTruthy();
    const status = await fetch(`${backend.url}/api/status`, { headers: { authorization: `Bearer ${token}` } });
    expect(status.status).toBe(200);
    expect(StatusResponseSchema.parse(await status.json()).lever).toMatchObject({ mode: 'emulator', reachable: true });
  });

  it('shuts down gracefully: the in-flight request completes, then the port is closed', async () => {
    await setLatency(600);
    const inFlight = fetch(`${backend.url}/api/candidates/${opportunityId}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await new Promise((r) => setTimeout(r, 150));
    const closing = backend.close();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(CandidateContextSchema.parse(await res.json()).opportunityId).toBe(opportunityId);
    await closing;
    await setLatency(0);
    await expect(fetch(`${backend.url}/healthz`)).rejects.toThrow();
  });
});
