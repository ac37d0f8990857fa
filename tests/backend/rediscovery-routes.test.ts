import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LeverAccess } from '../../backend/access/lever-access.ts';
import { createGuards } from '../../backend/access/route-rules.ts';
import { OpenAiEmbedder } from '../../backend/ai/embed-texts.ts';
import { createAiEngine } from '../../backend/ai/engine.ts';
import type { AppServices } from '../../backend/app.ts';
import { CandidatePipeline } from '../../backend/candidates/pipeline.ts';
import { createAudit } from '../../backend/http/audit.ts';
import type { AuthEnv, Principal } from '../../backend/http/auth.ts';
import { toHttpError } from '../../backend/http/errors.ts';
import { SqliteQueue } from '../../backend/jobs/sqlite-queue.ts';
import type { EmulatorHandle } from '../../backend/lever-emulator/server.ts';
import { embedPeople } from '../../backend/rediscovery/embed-people.ts';
import type { HybridRanking } from '../../backend/rediscovery/rediscover-hybrid.ts';
import { runSync } from '../../backend/rediscovery/sync.ts';
import { rediscoveryPostingRoutes, rediscoveryRoutes } from '../../backend/routes/rediscovery.ts';
import type { Store } from '../../backend/store/db.ts';
import { RediscoverResponseSchema, SyncProgressSchema } from '../../utils/contracts/rediscovery.ts';
import { startFakeOpenAi } from './helpers/fake-openai.ts';
import { openTempStore } from './helpers/temp-store.ts';
import { clientFor, testEmulator } from './lever-helpers.ts';

let emu: EmulatorHandle;
let t: { store: Store; cleanup(): Promise<void> };
let as: (role: Principal['role'], hybrid?: HybridRanking) => Hono<AuthEnv>;
beforeEach(async () => {
  emu = await testEmulator({ opportunities: 80 });
  t = await openTempStore();
  const lever = clientFor(emu);
  // The caller is the emulated account's super admin: what rediscovery shows follows the Lever role.
  const leverAdmin = emu.context.store.seed.users.find((u) => u.accessRole === 'super admin')!;
  const access = new LeverAccess({ lever, resolveLeverUser: async (p) => p.leverUserId, now: () => Date.now() });
  const ai = createAiEngine();
  const s = {
    store: t.store,
    lever,
    ai,
    queue: new SqliteQueue(t.store),
    clock: () => Date.now(),
    nowDate: () => new Date(),
    proposals: { create: async () => ({ id: 'unused' }) },
    pipeline: new CandidatePipeline({ store: t.store, lever, ai, audit: createAudit(t.store), now: () => Date.now() }),
    access,
    guards: createGuards(access, async () => null),
  } as unknown as AppServices;
  // The lead mounts the router behind requireRecruiter; here a fixed principal stands in for it.
  as = (role, hybrid) => {
    const app = new Hono<AuthEnv>();
    app.onError((err, c) => {
      const h = toHttpError(err);
      return c.json({ error: { code: h.code, message: h.message } }, h.status);
    });
    app.use(async (c, next) => {
      c.set('recruiter', { id: 'r', email: leverAdmin.email, name: 'R', role, leverUserId: leverAdmin.id });
      await next();
    });
    app.route('/api/rediscovery', rediscoveryRoutes({ ...s, hybrid }));
    app.route('/api/postings', rediscoveryPostingRoutes({ ...s, hybrid }));
    return app;
  };
});
afterEach(async () => {
  await emu.close();
  await t.cleanup();
});

const post = (app: Hono<AuthEnv>, url: string, body: unknown) =>
  app.request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('rediscovery routes', () => {
  it('shows sync progress, and lets only admins start a sync', async () => {
    const before = SyncProgressSchema.parse(await (await as('recruiter').request('/api/rediscovery/sync')).json());
    expect(before.status).toBe('never');
    expect((await post(as('recruiter'), '/api/rediscovery/sync', {})).status).toBe(403);
    const started = await post(as('admin'), '/api/rediscovery/sync', { full: true });
    expect(started.status).toBe(202);
    expect(((await started.json()) as { jobId: number }).jobId).toBeGreaterThan(0);
  });

  it('rediscovers for a posting id and explains each result; a bad filter is a 400 that names the stages', async () => {
    await runSync({ store: t.store, lever: clientFor(emu) });
    const postingId = [...emu.context.store.postings.keys()][0]!;
    const res = await post(as('recruiter'), `/api/postings/${postingId}/rediscover`, {
      limit: 5,
      excludeContactedWithinDays: 0,
    });
    expect(res.status).toBe(200);
    const body = RediscoverResponseSchema.parse(await res.json());
    expect(body.results.length).toBeGreaterThan(0);
    expect(body.results.length).toBeLessThanOrEqual(5);
    for (const r of body.results) expect(r.components[0]?.name).toBe('match');

    const bad = await post(as('recruiter'), `/api/postings/${postingId}/rediscover`, {
      filters: { minStage: 'Final round' },
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain('Phone screen');
  });

  it('with an embeddings endpoint, shows the vector index in the sync progress and ranks hybrid', async () => {
    const fake = await startFakeOpenAi();
    try {
      const hybrid = {
        embedder: new OpenAiEmbedder({ baseUrl: fake.baseUrl, model: 'fake-embed', maxRetries: 0 }),
        weight: 20,
      };
      await runSync({ store: t.store, lever: clientFor(emu) });
      const before = SyncProgressSchema.parse(
        await (await as('recruiter', hybrid).request('/api/rediscovery/sync')).json(),
      );
      expect(before.embeddings).toMatchObject({ model: 'fake-embed', status: 'never', embedded: 0 });
      expect(before.embeddings?.pending).toBe(before.people);
      await embedPeople({ store: t.store, embedder: hybrid.embedder });
      const after = SyncProgressSchema.parse(
        await (await as('recruiter', hybrid).request('/api/rediscovery/sync')).json(),
      );
      expect(after.embeddings).toMatchObject({ status: 'idle', embedded: before.people, pending: 0 });

      const postingId = [...emu.context.store.postings.keys()][0]!;
      const res = await post(as('recruiter', hybrid), `/api/postings/${postingId}/rediscover`, {
        excludeContactedWithinDays: 0,
      });
      const body = RediscoverResponseSchema.parse(await res.json());
      expect(body.ranking).toMatchObject({ mode: 'hybrid', embeddingsModel: 'fake-embed', fallback: null });
      for (const r of body.results) expect(r.components.map((c) => c.name)).toContain('semantic similarity');
    } finally {
      await fake.close();
    }
  });
});
