import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createAiEngine } from '../../backend/ai/engine.ts';
import { createServices } from '../../backend/app.ts';
import { CandidatePipeline, POSTING_TTL_MS } from '../../backend/candidates/pipeline.ts';
import { createAudit } from '../../backend/http/audit.ts';
import { SqliteQueue } from '../../backend/jobs/sqlite-queue.ts';
import type { LeverClient, Opportunity } from '../../backend/lever/index.ts';
import type { EmulatorHandle } from '../../backend/lever-emulator/server.ts';
import type { Store } from '../../backend/store/db.ts';
import { ProvenanceSchema } from '../../utils/contracts/ai.ts';
import { openTempStore } from './helpers/temp-store.ts';
import { testConfig } from './helpers/test-config.ts';
import { clientFor, testEmulator } from './lever-helpers.ts';

/**
 * The capability pipeline (candidates/pipeline.ts) against the Lever emulator and a real store: one posting cache,
 * results cached by input hash and audited once, and one instance shared by the routes and the automations.
 */

let emu: EmulatorHandle;
let t: { store: Store; dir: string; cleanup(): Promise<void> };
let lever: LeverClient;
/** Lever's getPosting calls made through `lever`. */
let postingReads: string[];
let now: number;

beforeAll(async () => {
  emu = await testEmulator({ opportunities: 10 });
  t = await openTempStore();
  const real = clientFor(emu);
  postingReads = [];
  lever = new Proxy(real, {
    get(target, prop, receiver) {
      if (prop === 'getPosting') {
        return (id: string) => {
          postingReads.push(id);
          return target.getPosting(id);
        };
      }
      return Reflect.get(target, prop, receiver);
    },
  });
});
afterAll(async () => {
  await t.cleanup();
  await emu.close();
});

const pipeline = () =>
  new CandidatePipeline({ store: t.store, lever, ai: createAiEngine(), audit: createAudit(t.store), now: () => now });

const appliedTo = (postingId: string) =>
  ({ id: 'opp-test', applications: [{ id: 'app-test', posting: postingId }] }) as unknown as Opportunity;

describe('the posting cache', () => {
  it('serves a posting for POSTING_TTL_MS, re-reads it after, and always re-reads for fresh', async () => {
    const id = [...emu.context.store.postings.keys()][0]!;
    const p = pipeline();
    now = 1_000_000;
    postingReads.length = 0;
    const first = await p.postings.get(id);
    expect((await p.postings.ofOpportunity(appliedTo(id)))?.id).toBe(first.id);
    expect(postingReads).toEqual([id]);

    const posting = emu.context.store.postings.get(id)!;
    const title = posting.text;
    posting.text = `${title} (renamed)`;
    try {
      // Within the TTL the cached copy is served; fresh asks Lever and keeps what it got.
      now += POSTING_TTL_MS - 1;
      expect((await p.postings.get(id)).text).toBe(title);
      expect((await p.postings.fresh(id)).text).toBe(`${title} (renamed)`);
      expect((await p.postings.get(id)).text).toBe(`${title} (renamed)`);
      expect(postingReads).toEqual([id, id]);
      now += POSTING_TTL_MS;
      await p.postings.get(id);
      expect(postingReads).toEqual([id, id, id]);
    } finally {
      posting.text = title;
    }
  });

  it('answers null for a posting Lever does not have, and for an opportunity applied to none', async () => {
    const p = pipeline();
    expect(await p.postings.ofOpportunity(appliedTo('no-such-posting'))).toBeNull();
    expect(await p.postings.ofOpportunity({ id: 'opp-none', applications: [] } as unknown as Opportunity)).toBeNull();
  });
});

describe('running a capability', () => {
  const Result = z.object({ value: z.number(), provenance: ProvenanceSchema });
  const provenance = {
    provider: 'local' as const,
    model: 'test',
    version: '1',
    promptVersion: 'p1',
    inputHash: 'h',
    latencyMs: 0,
    createdAt: new Date(0).toISOString(),
  };
  const audited = () =>
    t.store.sqlite
      .prepare("SELECT actor, output FROM audit_log WHERE capability = 'pipeline-test' AND action = 'ai.generate'")
      .all() as Array<{ actor: string; output: string }>;

  it('generates once per input hash, stores and audits the fresh result, and regenerates on refresh', async () => {
    const p = pipeline();
    let calls = 0;
    const run = (inputs: unknown, refresh = false) =>
      p.run({
        capability: 'pipeline-test',
        schema: Result,
        inputs,
        opportunityId: 'opp-test',
        actor: 'tester@example.com',
        refresh,
        generate: async () => ({ value: ++calls, provenance }),
        auditOutput: (r) => ({ value: r.value }),
      });
    expect(await run({ a: 1 })).toEqual({ result: { value: 1, provenance }, fresh: true });
    expect(await run({ a: 1 })).toEqual({ result: { value: 1, provenance }, fresh: false });
    expect(await run({ a: 2 })).toMatchObject({ result: { value: 2 }, fresh: true });
    expect(await run({ a: 1 }, true)).toMatchObject({ result: { value: 3 }, fresh: true });
    expect(await run({ a: 1 })).toMatchObject({ result: { value: 3 }, fresh: false });
    expect(calls).toBe(3);
    expect(audited().map((r) => [r.actor, JSON.parse(r.output)])).toEqual([
      ['tester@example.com', { value: 1 }],
      ['tester@example.com', { value: 2 }],
      ['tester@example.com', { value: 3 }],
    ]);
  });
});

describe('the composition root', () => {
  it('builds each service once and hands the same ones to the routes and the automations', () => {
    const logger = pino({ level: 'silent' });
    const s = createServices({
      config: testConfig(t.dir),
      store: t.store,
      lever,
      ai: createAiEngine(),
      queue: new SqliteQueue(t.store, { logger }),
      logger,
    });
    expect(s.automations.proposals).toBe(s.proposals);
    expect(s.automations.pipeline).toBe(s.pipeline);
    expect(s.automations.audit).toBe(s.audit);
  });
});
