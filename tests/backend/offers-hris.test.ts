import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAiEngine } from '../../backend/ai/engine.ts';
import { registerAutomations } from '../../backend/automations/register.ts';
import { SqliteQueue } from '../../backend/jobs/sqlite-queue.ts';
import { collect } from '../../backend/lever/index.ts';
import { generateSeed } from '../../backend/lever-emulator/seed.ts';
import type { EmulatorHandle } from '../../backend/lever-emulator/server.ts';
import { HRIS_HANDOFF } from '../../backend/offers/hris-handoff.ts';
import { openStore, type Store } from '../../backend/store/db.ts';
import { automationsFor } from './helpers/automation-deps.ts';
import { clientFor, type TestLeverClient, testEmulator, waitFor } from './lever-helpers.ts';

/**
 * candidateHired → the signed hand-off to a real local HTTP server, through the real SQLite queue: the receiver
 * fails first (503), the queue retries, the second delivery is accepted; the body verifies against the secret and
 * carries Lever's values; each attempt is an audit row; a repeated candidateHired posts nothing more.
 */
const SECRET = 'hris-test-secret-0123456789';
const OPPS = 300;
const scenario = generateSeed({ opportunities: OPPS }).offerScenarios.find((s) => s.scenario === 'consistent');

type Hit = { headers: Record<string, string | string[] | undefined>; body: string };
let hits: Hit[] = [];
let answers: number[] = [];
let server: Server;
let url: string;
let emu: EmulatorHandle;
let lever: TestLeverClient;
let store: Store;
let queue: SqliteQueue;
let dir: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      hits.push({ headers: req.headers, body });
      res.statusCode = answers.shift() ?? 200;
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hris/hires`;
  emu = await testEmulator({ opportunities: OPPS });
  lever = clientFor(emu);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulcrum-hris-'));
  store = await openStore({ dataDir: dir });
  const logger = pino({ level: 'silent' });
  queue = new SqliteQueue(store, { logger, pollIntervalMs: 20, backoffBaseMs: 50, maxBackoffMs: 100 });
  registerAutomations(
    queue,
    automationsFor({ store, lever, ai: createAiEngine(), queue, hris: { url, secret: SECRET } }),
  );
  queue.start();
}, 60_000);
afterAll(async () => {
  await queue?.stop({ timeoutMs: 1000 });
  await store?.close();
  await emu?.close();
  await new Promise((r) => server?.close(r));
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('HRIS hand-off on candidateHired', () => {
  it('posts a signed payload from Lever, retried durably until accepted, with an audit row per attempt', async () => {
    const id = scenario?.opportunityId as string;
    const hired = (await lever.listArchiveReasons({ type: 'hired' }))[0];
    await lever.setArchived(id, { reason: hired?.id as string });
    hits = [];
    answers = [503, 200];
    await queue.enqueue({
      type: 'candidateHired',
      payload: { eventId: 'evt-1', event: 'candidateHired', data: { opportunityId: id } },
    });

    await waitFor(() => (hits.length >= 2 ? true : undefined), 15_000);
    const last = hits[1] as Hit;
    const t = String(last.headers['x-fulcrum-timestamp']);
    const expected = `sha256=${createHmac('sha256', SECRET).update(`${t}.${last.body}`).digest('hex')}`;
    expect(last.headers['x-fulcrum-signature']).toBe(expected);
    expect(last.headers['x-fulcrum-delivery']).toBe(id);
    expect(createHmac('sha256', 'wrong-secret-000000').update(`${t}.${last.body}`).digest('hex')).not.toBe(expected);

    const body = JSON.parse(last.body) as {
      event: string;
      candidate: { name: string; email: string };
      compensation: { amount: number; currency: string };
      startDate: string;
      role: { title: string; requisitionCode: string };
      manager: { name: string };
    };
    const opp = await lever.getOpportunity(id);
    const offer = (await collect(lever.listOffers(id)))[0];
    const field = (k: string) =>
      offer?.fields?.find((f) => (f as { identifier: string }).identifier === k) as { value: unknown };
    expect(body.event).toBe('candidate.hired');
    expect(body.candidate.name).toBe(opp.name);
    expect(body.candidate.email).toBe(opp.emails?.[0]);
    expect(body.compensation.amount).toBe(field('salary_amount').value);
    expect(body.compensation.currency).toBe(field('compensation_currency').value);
    expect(body.startDate).toBe(new Date(field('anticipated_start_date').value as number).toISOString().slice(0, 10));
    expect(body.role.title).toBeTruthy();
    expect(body.role.requisitionCode).toBeTruthy();
    expect(body.manager.name).toBeTruthy();

    const rows = await waitFor(async () => {
      const r = await store.db
        .selectFrom('audit_log')
        .select(['action', 'decision', 'output'])
        .where('action', '=', 'hris.handoff')
        .execute();
      return r.length >= 2 ? r : undefined;
    });
    expect(rows.map((r) => r.decision)).toEqual(['retry', 'delivered']);
    expect(rows.some((r) => r.output?.includes(opp.name as string))).toBe(false); // no PII in the audit rows
    const state = await store.db
      .selectFrom('hris_handoffs')
      .selectAll()
      .where('opportunity_id', '=', id)
      .executeTakeFirst();
    expect(state?.status).toBe('delivered');

    // Lever delivers candidateHired again: nothing more is posted.
    await queue.enqueue({
      type: 'candidateHired',
      payload: { eventId: 'evt-2', event: 'candidateHired', data: { opportunityId: id } },
    });
    await waitFor(async () => {
      const jobs = await queue.list({ limit: 50 });
      return jobs.filter((j) => j.type === HRIS_HANDOFF).every((j) => j.status === 'done') &&
        jobs.filter((j) => j.type === HRIS_HANDOFF).length === 2
        ? true
        : undefined;
    }, 10_000);
    expect(hits.length).toBe(2);
  }, 60_000);

  it('a 4xx from the receiver is final (dead-lettered, audited as failed)', async () => {
    const other = generateSeed({ opportunities: OPPS }).offerScenarios.filter((s) => s.scenario === 'consistent')[1];
    const id = other?.opportunityId as string;
    const hired = (await lever.listArchiveReasons({ type: 'hired' }))[0];
    await lever.setArchived(id, { reason: hired?.id as string });
    hits = [];
    answers = [422];
    await queue.enqueue({
      type: 'candidateHired',
      payload: { eventId: 'evt-3', event: 'candidateHired', data: { opportunityId: id } },
    });
    const dead = await waitFor(async () => {
      const jobs = await queue.list({ status: 'dead', limit: 50 });
      return jobs.find((j) => j.type === HRIS_HANDOFF);
    }, 10_000);
    expect(dead.attempts).toBe(1);
    expect(hits.length).toBe(1);
    const row = await store.db
      .selectFrom('audit_log')
      .select('decision')
      .where('action', '=', 'hris.handoff')
      .where('opportunity_id', '=', id)
      .executeTakeFirst();
    expect(row?.decision).toBe('failed');
  }, 60_000);
});
