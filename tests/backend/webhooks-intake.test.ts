import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsFor } from '../../backend/automations/metrics.ts';
import { signLeverWebhook } from '../../backend/lever/index.ts';
import { type RunningBackend, startBackend } from '../../backend/server.ts';
import { testConfig } from './helpers/test-config.ts';

/**
 * Lever webhook intake over real HTTP: signatures, replay protection, dedupe, the same-transaction enqueue, and a
 * 5,000-delivery burst with duplicates and forged signatures where every valid event is enqueued exactly once.
 */

const WEBHOOK_ID = 'wh-test-1';
const SECRET = randomBytes(24).toString('hex');
let backend: RunningBackend;
let dataDir: string;
let agent: http.Agent;

type Delivery = {
  id: string;
  event: string;
  triggeredAt: number;
  token: string;
  signature: string;
  data: Record<string, unknown>;
};

function delivery(over: Partial<Delivery> = {}, secret = SECRET): Delivery {
  const token = over.token ?? randomBytes(24).toString('hex');
  const triggeredAt = over.triggeredAt ?? Date.now();
  return {
    id: randomUUID(),
    event: 'candidateStageChange',
    data: { opportunityId: randomUUID(), toStageId: 's2', fromStageId: 's1' },
    ...over,
    token,
    triggeredAt,
    signature: over.signature ?? signLeverWebhook(token, triggeredAt, secret),
  };
}

function post(body: unknown, webhookId = WEBHOOK_ID, keepAlive = true): Promise<{ status: number; json: unknown }> {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${backend.url}/webhooks/lever/${webhookId}`,
      {
        method: 'POST',
        agent: keepAlive ? agent : false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown = null;
          try {
            json = JSON.parse(text);
          } catch {
            json = text;
          }
          resolve({ status: res.statusCode ?? 0, json });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function counts(eventId?: string) {
  const db = backend.store.db;
  const events = eventId
    ? await db.selectFrom('webhook_events').select('event_id').where('event_id', '=', eventId).execute()
    : await db.selectFrom('webhook_events').select('event_id').execute();
  const jobs = await db.selectFrom('jobs').select(['payload', 'type']).execute();
  const jobsFor = eventId
    ? jobs.filter((j) => (JSON.parse(j.payload) as { eventId: string }).eventId === eventId)
    : jobs;
  return { events: events.length, jobs: jobsFor.length, jobRows: jobsFor };
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulcrum-wh-'));
  const config = testConfig(dataDir, { env: { WEBHOOK_REPLAY_WINDOW_MS: '600000' } });
  backend = await startBackend(config, { logger: pino({ level: 'silent' }) });
  await backend.store.db
    .insertInto('lever_webhooks')
    .values({
      id: WEBHOOK_ID,
      event: 'candidateStageChange',
      url: 'https://x/webhooks/lever/ignored',
      signature_token: SECRET,
      created_at: Date.now(),
    })
    .execute();
  // Registered by the CLI: addressed by the path token in its URL, not by Lever's id.
  await backend.store.db
    .insertInto('lever_webhooks')
    .values({
      id: 'lever-id-2',
      event: 'applicationCreated',
      url: 'https://fulcrum.example/webhooks/lever/path-token-2',
      signature_token: 'other-secret',
      created_at: Date.now(),
    })
    .execute();
  agent = new http.Agent({ keepAlive: true, maxSockets: 50 });
});

afterAll(async () => {
  agent?.destroy();
  await backend?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('webhook intake', () => {
  it('accepts a signed delivery and enqueues a job of the event type with {eventId, event, data}', async () => {
    const d = delivery();
    const res = await post(d);
    expect(res.status).toBe(200);
    const c = await counts(d.id);
    expect(c.events).toBe(1);
    expect(c.jobs).toBe(1);
    expect(c.jobRows[0]?.type).toBe('candidateStageChange');
    expect(JSON.parse(c.jobRows[0]!.payload)).toEqual({ eventId: d.id, event: d.event, data: d.data });
  });

  it('answers a duplicate delivery 200 and does nothing', async () => {
    const d = delivery();
    expect((await post(d)).status).toBe(200);
    const again = await post(d);
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ duplicate: true });
    expect(await counts(d.id)).toMatchObject({ events: 1, jobs: 1 });
  });

  it('finds webhooks registered by path token and checks their own signature token', async () => {
    const good = delivery({ event: 'applicationCreated' }, 'other-secret');
    expect((await post(good, 'path-token-2')).status).toBe(200);
    const forged = delivery({ event: 'applicationCreated' }); // signed with another webhook's token
    expect((await post(forged, 'path-token-2')).status).toBe(401);
  });

  it('rejects bad signatures (401), unknown webhooks (404), stale deliveries (401), reused tokens (409)', async () => {
    const bad = delivery({ signature: 'a'.repeat(64) });
    const r1 = await post(bad);
    expect(r1.status).toBe(401);
    expect(r1.json).toMatchObject({ error: { code: 'unauthorized', message: expect.stringMatching(/signature/) } });
    const r2 = await post(delivery(), 'no-such-webhook');
    expect(r2.status).toBe(404);
    expect(r2.json).toMatchObject({ error: { code: 'not_found' } });
    const stale = delivery({ triggeredAt: Date.now() - 11 * 60 * 1000 });
    const r3 = await post(stale);
    expect(r3.status).toBe(401);
    expect(r3.json).toMatchObject({ error: { message: expect.stringMatching(/replay window/) } });
    const first = delivery();
    expect((await post(first)).status).toBe(200);
    const replay = delivery({ token: first.token, triggeredAt: first.triggeredAt });
    const r4 = await post(replay);
    expect(r4.status).toBe(409);
    expect(r4.json).toMatchObject({ error: { message: expect.stringMatching(/token was already used/) } });
    for (const d of [bad, stale, replay]) expect(await counts(d.id)).toMatchObject({ events: 0, jobs: 0 });
  });

  it('rejects malformed bodies with 400 and oversized bodies with 413, storing nothing', async () => {
    const before = await counts();
    const r1 = await post('{not json');
    expect(r1.status).toBe(400);
    const r2 = await post({ ...delivery(), triggeredAt: 'yesterday' });
    expect(r2.status).toBe(400);
    expect(r2.json).toMatchObject({
      error: { code: 'invalid_request', message: expect.stringMatching(/triggeredAt/) },
    });
    const r3 = await post({ ...delivery(), event: 'noteCreated' });
    expect(r3.status).toBe(400);
    // Refused before the body is read, so the server drops that connection: send it on its own socket.
    const r4 = await post({ ...delivery(), data: { blob: 'x'.repeat(300 * 1024) } }, WEBHOOK_ID, false);
    expect(r4.status).toBe(413);
    const after = await counts();
    expect(after.events).toBe(before.events);
    expect(after.jobs).toBe(before.jobs);
  });

  it('acknowledges Lever test deliveries (data: {}) without enqueuing anything', async () => {
    const before = await counts();
    const res = await post(delivery({ data: {} }));
    expect(res.status).toBe(200);
    expect((await counts()).jobs).toBe(before.jobs);
  });

  it('burst of 5,000 with 1% duplicates and 1% bad signatures: every valid event enqueued exactly once', async () => {
    const valid = Array.from({ length: 4900 }, () => delivery());
    const duplicates = valid.slice(0, 50);
    const forged = Array.from({ length: 50 }, () => delivery({ signature: randomBytes(32).toString('hex') }));
    const all = [...valid, ...duplicates, ...forged].sort(() => Math.random() - 0.5);
    const before = await counts();
    const started = performance.now();
    const results: Array<{ d: Delivery; status: number }> = [];
    let i = 0;
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (i < all.length) {
          const d = all[i++]!;
          results.push({ d, status: (await post(d)).status });
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const forgedIds = new Set(forged.map((d) => d.id));
    for (const r of results) expect(r.status).toBe(forgedIds.has(r.d.id) ? 401 : 200);
    const after = await counts();
    expect(after.events - before.events).toBe(4900);
    expect(after.jobs - before.jobs).toBe(4900);
    const stored = new Set(
      (await backend.store.db.selectFrom('webhook_events').select('event_id').execute()).map((r) => r.event_id),
    );
    for (const d of valid) expect(stored.has(d.id)).toBe(true);
    for (const d of forged) expect(stored.has(d.id)).toBe(false);
    console.log(`burst: 5000 deliveries in ${seconds.toFixed(2)} s (${Math.round(5000 / seconds)}/s incl. client)`);
  }, 120_000);
});

/** Sends the body in pieces with no Content-Length (Transfer-Encoding: chunked), on its own socket. */
function postChunked(pieces: string[]): Promise<{ status: number; json: unknown; requestId: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${backend.url}/webhooks/lever/${WEBHOOK_ID}`,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            json: JSON.parse(Buffer.concat(chunks).toString('utf8')),
            requestId: res.headers['x-request-id'] as string | undefined,
          }),
        );
      },
    );
    // The server may answer 413 and close before the last piece: that is the behaviour under test.
    req.on('error', (e: NodeJS.ErrnoException) =>
      e.code === 'EPIPE' || e.code === 'ECONNRESET' ? undefined : reject(e),
    );
    for (const p of pieces) req.write(p);
    req.end();
  });
}

describe('webhook intake on the node:http fast path', () => {
  it('reads chunked bodies, answers with a request id, and refuses chunked bodies over the limit with 413', async () => {
    const d = delivery();
    const text = JSON.stringify(d);
    const ok = await postChunked([text.slice(0, 40), text.slice(40)]);
    expect(ok.status).toBe(200);
    expect(ok.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await counts(d.id)).toMatchObject({ events: 1, jobs: 1 });

    const before = await counts();
    const huge = JSON.stringify({ ...delivery(), data: { blob: 'x'.repeat(300 * 1024) } });
    const pieces = Array.from({ length: Math.ceil(huge.length / 16_384) }, (_, i) =>
      huge.slice(i * 16_384, (i + 1) * 16_384),
    );
    const refused = await postChunked(pieces);
    expect(refused.status).toBe(413);
    expect(refused.json).toMatchObject({
      error: { code: 'invalid_request', message: expect.stringMatching(/too large/) },
    });
    expect((await counts()).events).toBe(before.events);
  });

  it('counts deliveries per event and outcome for /metrics', async () => {
    const metrics = metricsFor(backend.store);
    const count = async (outcome: string) => {
      const text = metrics.render(await backend.queue.stats(), backend.lever.stats);
      const line = text
        .split('\n')
        .find((l) => l.startsWith(`fulcrum_webhooks_total{event="candidateStageChange",outcome="${outcome}"} `));
      return Number(line?.split(' ')[1] ?? 0);
    };
    const ok = await count('ok');
    const unauthorized = await count('401');
    expect((await post(delivery())).status).toBe(200);
    expect((await post(delivery({ signature: 'f'.repeat(64) }))).status).toBe(401);
    expect(await count('ok')).toBe(ok + 1);
    expect(await count('401')).toBe(unauthorized + 1);
  });

  it('leaves every other request to the API: GET on a webhook URL is a JSON 404, /healthz answers', async () => {
    const get = await fetch(`${backend.url}/webhooks/lever/${WEBHOOK_ID}`);
    expect(get.status).toBe(404);
    expect(await get.json()).toMatchObject({ error: { code: 'not_found' } });
    expect((await fetch(`${backend.url}/healthz`)).status).toBe(200);
  });

  it('checkpoints the WAL on its own thread: the main file grows while the server connection never auto-checkpoints', async () => {
    expect(backend.store.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const mainFile = () => fs.statSync(backend.store.file).size;
    const before = mainFile();
    for (let i = 0; i < 300; i++) expect((await post(delivery())).status).toBe(200);
    const deadline = Date.now() + 10_000;
    while (mainFile() <= before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(mainFile()).toBeGreaterThan(before);
  });
});
