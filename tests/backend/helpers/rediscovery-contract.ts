import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { LeverAccess } from '../../../backend/access/lever-access.ts';
import { createGuards } from '../../../backend/access/route-rules.ts';
import { OpenAiEmbedder } from '../../../backend/ai/embed-texts.ts';
import { createAiEngine } from '../../../backend/ai/engine.ts';
import type { AppServices } from '../../../backend/app.ts';
import { toPostingInput } from '../../../backend/candidates/load-candidate.ts';
import { CandidatePipeline } from '../../../backend/candidates/pipeline.ts';
import { createAudit } from '../../../backend/http/audit.ts';
import type { AuthEnv, Principal } from '../../../backend/http/auth.ts';
import { toHttpError } from '../../../backend/http/errors.ts';
import type { JobQueue } from '../../../backend/jobs/queue.ts';
import { collect } from '../../../backend/lever/index.ts';
import type { EmulatorHandle } from '../../../backend/lever-emulator/server.ts';
import { ProposalRepo } from '../../../backend/proposals/repo.ts';
import { ProposalService } from '../../../backend/proposals/service.ts';
import { WriteBack } from '../../../backend/proposals/write-back.ts';
import { embeddingProgress, embedPeople } from '../../../backend/rediscovery/embed-people.ts';
import {
  handleRediscoveryWebhook,
  nextScheduledRun,
  POLL_JOB,
  PollJob,
  SYNC_JOB,
  SyncJob,
  scheduleRediscovery,
  syncIfNeverSynced,
} from '../../../backend/rediscovery/jobs.ts';
import { cachedResults, pollPostings, storedPosting } from '../../../backend/rediscovery/poll-postings.ts';
import { rediscoverRanked } from '../../../backend/rediscovery/rediscover-hybrid.ts';
import { loadStages } from '../../../backend/rediscovery/ref-store.ts';
import { getSyncProgress, runSync, SyncBusyError } from '../../../backend/rediscovery/sync.ts';
import { talentIndexFor } from '../../../backend/rediscovery/talent-index.ts';
import { vectorSearchChoice } from '../../../backend/rediscovery/vector-index.ts';
import { rediscoveryPostingRoutes, rediscoveryRoutes } from '../../../backend/routes/rediscovery.ts';
import type { Store } from '../../../backend/store/db.ts';
import {
  ActResponseSchema,
  OutreachListSchema,
  OutreachRecordSchema,
  PipelineStagesSchema,
  RediscoverResponseSchema,
  SyncProgressSchema,
} from '../../../utils/contracts/rediscovery.ts';
import { admin, clientFor, testEmulator } from '../lever-helpers.ts';
import { startFakeOpenAi } from './fake-openai.ts';
import { cleanupsAfterEach } from './temp-store.ts';

/** One store (and a job queue on it) for a test, on the engine under test, and how to close them. */
export type RediscoveryHarness = { store: Store; queue(): Promise<JobQueue>; close(): Promise<void> };

/**
 * What talent-pool rediscovery promises whatever the store's engine, run unchanged against SQLite
 * (tests/backend/rediscovery-storage.test.ts) and PostgreSQL (tests/postgres/rediscovery-pg.test.ts): the sync indexes
 * one row per person and resumes incrementally, a search finds them, a webhook re-indexes or removes one, the
 * routes (progress, stages, rediscover + result cache, drafts, mark sent) answer alike, and the recurring jobs are
 * scheduled once however many instances start.
 */
export function describeRediscoveryContract(name: string, open: () => Promise<RediscoveryHarness>): void {
  const cleanups = cleanupsAfterEach();
  async function setup(opportunities = 60): Promise<{ h: RediscoveryHarness; emu: EmulatorHandle }> {
    const emu = await testEmulator({ opportunities });
    cleanups.push(() => emu.close());
    const h = await open();
    cleanups.push(() => h.close());
    return { h, emu };
  }

  describe(`rediscovery storage contract: ${name}`, () => {
    it('a sync indexes one row per person, a search finds them, an incremental sync and a webhook keep it fresh', async () => {
      const { h, emu } = await setup();
      const lever = clientFor(emu);
      const progress = await runSync({ store: h.store, lever });
      const visible = emu.context.store.seed.opportunities.filter((o) => o.confidentiality === 'non-confidential');
      const contacts = new Set(visible.map((o) => o.contact));
      expect(progress).toMatchObject({ status: 'idle', phase: 'done', mode: 'full', listed: visible.length });
      expect(progress).toMatchObject({ opportunities: visible.length, people: contacts.size });
      expect(await getSyncProgress(h.store)).toEqual(progress);

      const index = talentIndexFor(h.store);
      const someone = await index.personByContact(visible[0]!.contact);
      expect(someone?.doc).toContain('EXPERIENCE');
      expect(someone?.summary.opportunities.map((o) => o.id)).toContain(visible[0]!.id);

      const posting = toPostingInput(await lever.getPosting([...emu.context.store.postings.keys()][0]!));
      const res = await rediscoverRanked(h.store, posting, { limit: 5, excludeContactedWithinDays: 0 });
      expect(res.results.length).toBeGreaterThan(0);
      for (const r of res.results) expect(contacts.has(r.contactId)).toBe(true);

      const again = await runSync({ store: h.store, lever });
      expect(again).toMatchObject({ status: 'idle', mode: 'incremental', people: contacts.size });

      // A candidateDeleted for an opportunity Lever no longer has removes it (and its person, when it was the last).
      const gone = visible.find((o) => visible.filter((x) => x.contact === o.contact).length === 1)!;
      await admin(emu, 'DELETE', `/opportunities/${gone.id}`);
      const outcome = await handleRediscoveryWebhook(
        { store: h.store, lever },
        { event: 'candidateDeleted', data: { opportunityId: gone.id } },
      );
      expect(outcome).toBe('removed');
      expect(await index.personByContact(gone.contact)).toBeNull();
      expect((await index.counts()).people).toBe(contacts.size - 1);
    });

    it('two syncs started at once (two instances): one runs, the other is refused and nothing is indexed twice', async () => {
      const { h, emu } = await setup(40);
      const results = await Promise.allSettled([
        runSync({ store: h.store, lever: clientFor(emu) }),
        runSync({ store: h.store, lever: clientFor(emu) }),
      ]);
      const ok = results.filter((r) => r.status === 'fulfilled');
      const refused = results.filter((r) => r.status === 'rejected');
      expect(ok).toHaveLength(1);
      expect(refused.map((r) => (r as PromiseRejectedResult).reason)).toEqual([expect.any(SyncBusyError)]);
      const visible = emu.context.store.seed.opportunities.filter((o) => o.confidentiality === 'non-confidential');
      expect(await getSyncProgress(h.store)).toMatchObject({
        status: 'idle',
        opportunities: visible.length,
        people: new Set(visible.map((o) => o.contact)).size,
      });
    });

    it('the routes answer alike: progress, stages, rediscover with its cache, drafts and mark sent', async () => {
      const { h, emu } = await setup(80);
      const lever = clientFor(emu);
      const clock = () => Date.now();
      const leverAdmin = emu.context.store.seed.users.find((u) => u.accessRole === 'super admin')!;
      const access = new LeverAccess({ lever, resolveLeverUser: async (p) => p.leverUserId, now: clock });
      const ai = createAiEngine();
      const proposals = new ProposalService(
        new ProposalRepo(h.store, clock),
        new WriteBack(h.store, lever, clock),
        createAudit(h.store),
        clock,
        async () => leverAdmin.id,
      );
      const s = {
        store: h.store,
        lever,
        ai,
        queue: await h.queue(),
        clock,
        nowDate: () => new Date(),
        proposals,
        pipeline: new CandidatePipeline({ store: h.store, lever, ai, audit: createAudit(h.store), now: clock }),
        access,
        guards: createGuards(access, async () => null),
      } as unknown as AppServices;
      const app = (role: Principal['role']) => {
        const a = new Hono<AuthEnv>();
        a.onError((err, c) => {
          const e = toHttpError(err);
          return c.json({ error: { code: e.code, message: e.message } }, e.status);
        });
        a.use(async (c, next) => {
          c.set('recruiter', { id: 'r', email: leverAdmin.email, name: 'R', role, leverUserId: leverAdmin.id });
          await next();
        });
        a.route('/api/rediscovery', rediscoveryRoutes(s));
        a.route('/api/postings', rediscoveryPostingRoutes(s));
        return a;
      };
      const post = (url: string, body: unknown) =>
        app('recruiter').request(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });

      const never = SyncProgressSchema.parse(await (await app('recruiter').request('/api/rediscovery/sync')).json());
      expect(never).toMatchObject({ status: 'never', people: 0 });
      await runSync({ store: h.store, lever });
      const synced = SyncProgressSchema.parse(await (await app('recruiter').request('/api/rediscovery/sync')).json());
      expect(synced).toMatchObject({ status: 'idle', phase: 'done' });
      expect(synced.people).toBeGreaterThan(0);

      const stages = PipelineStagesSchema.parse(
        await (await app('recruiter').request('/api/rediscovery/stages')).json(),
      );
      expect(stages.source).toBe('lever');
      expect((await loadStages(h.store.db)).map((x) => x.id)).toEqual(stages.stages.map((x) => x.id));

      const postingId = [...emu.context.store.postings.keys()][0]!;
      const found = await post(`/api/postings/${postingId}/rediscover`, { limit: 5, excludeContactedWithinDays: 0 });
      expect(found.status).toBe(200);
      const body = RediscoverResponseSchema.parse(await found.json());
      expect(body.results.length).toBeGreaterThan(0);
      const cached = await cachedResults(h.store.db, postingId);
      expect(cached?.response.results.map((r) => r.contactId)).toEqual(body.results.map((r) => r.contactId));
      expect(typeof cached?.computedAt).toBe('number');
      const bad = await post(`/api/postings/${postingId}/rediscover`, { filters: { minStage: 'Final round' } });
      expect(bad.status).toBe(400);

      const top = body.results[0]!;
      const acted = await post('/api/rediscovery/act', {
        postingId,
        contactIds: [top.contactId, 'no-such-contact'],
        tone: 'warm',
      });
      expect(acted.status).toBe(201);
      const act = ActResponseSchema.parse(await acted.json());
      expect(act.outreach).toHaveLength(1);
      expect(act.skipped.map((x) => x.contactId)).toEqual(['no-such-contact']);
      const draft = act.outreach[0]!;
      expect(draft).toMatchObject({ contactId: top.contactId, postingId, stageProposalId: null, sentAt: null });

      const list = OutreachListSchema.parse(
        await (await app('recruiter').request(`/api/rediscovery/outreach?postingId=${postingId}`)).json(),
      );
      expect(list.outreach.map((o) => [o.id, o.tagProposalStatus])).toEqual([[draft.id, 'pending']]);

      const stage = stages.stages[2]!;
      const sent = await post(`/api/rediscovery/outreach/${draft.id}/sent`, { stageId: stage.id });
      expect(sent.status).toBe(200);
      const rec = OutreachRecordSchema.parse(await sent.json());
      expect(rec.stageProposalId).not.toBeNull();
      expect(typeof rec.sentAt).toBe('number');
      // Repeating it keeps the one stage move.
      const twice = OutreachRecordSchema.parse(
        await (await post(`/api/rediscovery/outreach/${draft.id}/sent`, { stageId: stage.id })).json(),
      );
      expect(twice).toEqual(rec);
      expect((await proposals.mustGet(rec.stageProposalId!)).payload).toMatchObject({ stageId: stage.id });
      const unknown = await post(`/api/rediscovery/outreach/${draft.id}/sent`, { stageId: 'no-such-stage' });
      expect(unknown.status).toBe(400);
      const missing = await post('/api/rediscovery/outreach/00000000-0000-4000-8000-000000000000/sent', {
        stageId: stage.id,
      });
      expect(missing.status).toBe(404);
    });

    it('embeds the pool (resuming where it stopped) and ranks hybrid with the in-process vector index', async () => {
      const { h, emu } = await setup(40);
      const fake = await startFakeOpenAi();
      cleanups.push(() => fake.close());
      const embedder = new OpenAiEmbedder({ baseUrl: fake.baseUrl, model: 'fake-embed', maxRetries: 0 });
      const lever = clientFor(emu);
      const { people } = await runSync({ store: h.store, lever });
      expect(await embeddingProgress(h.store.db, embedder.key)).toMatchObject({ status: 'never', pending: people });
      await embedPeople({ store: h.store, embedder, maxPeople: 3 });
      expect(await embeddingProgress(h.store.db, embedder.key)).toMatchObject({ embedded: 3, pending: people - 3 });
      const done = await embedPeople({ store: h.store, embedder });
      expect(done).toMatchObject({ status: 'idle', embedded: people, pending: 0 });
      // Nothing changed: a second run sends nothing.
      const calls = fake.requests.length;
      await embedPeople({ store: h.store, embedder });
      expect(fake.requests.length).toBe(calls);

      const posting = toPostingInput(await lever.getPosting([...emu.context.store.postings.keys()][0]!));
      const res = await rediscoverRanked(h.store, posting, { excludeContactedWithinDays: 0 }, { embedder, weight: 20 });
      expect(res.ranking).toMatchObject({ mode: 'hybrid', embeddingsModel: 'fake-embed', fallback: null });
      expect(res.ranking?.vectorCoverage).toMatchObject({ embedded: people, people });
      for (const r of res.results) expect(r.components.map((c) => c.name)).toContain('semantic similarity');
    });

    it('the posting poll stores postings, rediscovers each new open one once and caches its results', async () => {
      const { h, emu } = await setup(40);
      const lever = clientFor(emu);
      await runSync({ store: h.store, lever });
      const first = await pollPostings({ store: h.store, lever }, { limit: 5 });
      const postings = await collect(lever.listPostings({}));
      expect(first.seen).toBe(postings.length);
      const open = postings.filter((p) => p.state !== 'closed' && p.state !== 'draft').map((p) => p.id);
      expect(first.fresh.sort()).toEqual(open.sort());
      for (const id of first.fresh) {
        expect((await storedPosting(h.store.db, id))?.id).toBe(id);
        expect((await cachedResults(h.store.db, id))?.response.postingId).toBe(id);
      }
      const again = await pollPostings({ store: h.store, lever }, { limit: 5 });
      expect(again.fresh).toEqual([]);
    });

    it('says which vector search it uses: the in-process exact scan', async () => {
      const { h } = await setup(1);
      const choice = await vectorSearchChoice(h.store.db);
      expect(choice.mode).toBe('in-process exact search');
      expect(choice.line).toContain('in-process exact search');
    });

    it('two instances starting schedule each recurring job once, and a finished run joins a later start', async () => {
      const { h } = await setup(1);
      const [a, b] = [await h.queue(), await h.queue()];
      const every = 60_000;
      const t0 = Date.now();
      const opts = { syncEveryMs: every, pollEveryMs: every, now: t0 };
      await scheduleRediscovery(a, opts);
      await scheduleRediscovery(b, opts);
      const pending = async (type: string) =>
        (await a.list({ status: 'queued', limit: 100 })).filter((j) => j.type === type);
      expect(await pending(SYNC_JOB)).toHaveLength(1);
      expect(await pending(POLL_JOB)).toHaveLength(1);

      // The follow-up a run enqueues when it finishes in this period, and an instance starting later in the same
      // period, name the same next run.
      const followUp = await a.enqueue(nextScheduledRun(SyncJob, every, t0 + 1_000));
      expect(followUp.created).toBe(false);
      await scheduleRediscovery(b, { ...opts, now: t0 + 2_000 });
      await b.enqueue(nextScheduledRun(PollJob, every, t0 + 3_000));
      expect(await pending(SYNC_JOB)).toHaveLength(1);
      expect(await pending(POLL_JOB)).toHaveLength(1);
      const [job] = await pending(SYNC_JOB);
      expect(job!.runAt).toBe((Math.floor(t0 / every) + 1) * every);
    });

    it('a pool never synced is synced at start-up, once for two instances; a synced one waits for its period', async () => {
      const { h, emu } = await setup(5);
      const [a, b] = [await h.queue(), await h.queue()];
      expect(await syncIfNeverSynced(h.store, a)).toBe(true);
      expect(await syncIfNeverSynced(h.store, b)).toBe(true);
      const queued = (await a.list({ status: 'queued', limit: 100 })).filter((j) => j.type === SYNC_JOB);
      expect(queued).toHaveLength(1);
      await runSync({ store: h.store, lever: clientFor(emu) });
      expect(await syncIfNeverSynced(h.store, a)).toBe(false);
    });
  });
}
