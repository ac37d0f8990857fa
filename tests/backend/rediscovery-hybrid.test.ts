import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { embedderFromConfig, OpenAiEmbedder } from '../../backend/ai/embed-texts.ts';
import { LlmUnavailableError } from '../../backend/ai/errors.ts';
import type { PostingInput } from '../../backend/ai/types.ts';
import { toPostingInput } from '../../backend/candidates/load-candidate.ts';
import { ConfigError, loadConfig } from '../../backend/config.ts';
import { SqliteQueue } from '../../backend/jobs/sqlite-queue.ts';
import type { EmulatorHandle } from '../../backend/lever-emulator/server.ts';
import { embeddingProgress, embedPeople } from '../../backend/rediscovery/embed-people.ts';
import { indexCounts, indexOpportunities, type SyncedOpportunity } from '../../backend/rediscovery/index-store.ts';
import { registerRediscoveryJobs, SYNC_JOB } from '../../backend/rediscovery/jobs.ts';
import { rediscover } from '../../backend/rediscovery/rediscover.ts';
import { type HybridRanking, rediscoverRanked } from '../../backend/rediscovery/rediscover-hybrid.ts';
import { saveRefData } from '../../backend/rediscovery/ref-store.ts';
import { runSync } from '../../backend/rediscovery/sync.ts';
import { startStack } from './helpers/automations-stack.ts';
import { type FakeOpenAi, startFakeOpenAi } from './helpers/fake-openai.ts';
import { NOW, pastOpportunity } from './helpers/rediscovery-fixtures.ts';
import { type Cleanups, cleanupsAfterEach, openTempStoreUntilCleanup } from './helpers/temp-store.ts';
import { clientFor, testEmulator, waitFor } from './lever-helpers.ts';

const bakery: PostingInput = {
  id: 'post-baker',
  title: 'Baker',
  team: 'Kitchen',
  location: 'Lyon',
  text: 'Our bakery opens at six.',
  requirements: ['Experience with viennoiserie', 'Sourdough bread baked by hand', 'Laminated dough'],
  niceToHave: [],
};

/** Shares the posting's words; not its craft. */
const LITERAL =
  'JEAN DUPONT\njean.dupont@mail.example | +33 6 12 34 56 78\n\nBaker at a supermarket: baked bread from frozen dough, ' +
  'cleaned ovens, stocked shelves, worked the till, customer service, forklift licence.';
/** The craft in other words (croissants, laminating, levain): what an embedding model knows and FTS5 does not. */
const SEMANTIC =
  'MARIE LAMBERT\nmarie.lambert@mail.example\n\nBaker at an artisan boulangerie: croissants, brioche and pain au ' +
  'chocolat every morning; laminating by hand; levain loaves with long fermentation.';
const OTHERS = [
  'Registered nurse on a cardiology ward. Medication rounds, patient charts, triage.',
  'Software developer building React front ends and Node services.',
  'Accountant: month-end close, ledgers, audits and tax returns.',
  'Delivery driver: routes, vans, customer deliveries and logs.',
  'Line cook in a brasserie: sauces, grill, prep and plating.',
];

/** A past applicant in Lyon with a name, an email and a phone the redaction must keep from the endpoint. */
function opp(contact: string, name: string): SyncedOpportunity {
  return pastOpportunity(`o-${contact}`, contact, {
    name,
    location: 'Lyon, France',
    emails: [`${name.toLowerCase().replace(/\s+/g, '.')}@mail.example`],
    phones: ['+33 6 12 34 56 78'],
    postingTitle: 'Baker',
  });
}

const cleanups: Cleanups = cleanupsAfterEach();
let fake: FakeOpenAi;
let hybrid: HybridRanking;
beforeEach(async () => {
  fake = await startFakeOpenAi(undefined, { embeddingDims: 64 });
  cleanups.push(() => fake.close());
  hybrid = {
    embedder: new OpenAiEmbedder({ baseUrl: fake.baseUrl, model: 'fake-embed', batchSize: 3, maxRetries: 0 }),
    weight: 20,
  };
});

async function bakeryPool() {
  const t = await openTempStoreUntilCleanup(cleanups);
  await saveRefData(t.store.db, { stages: [], archiveReasons: [], postingTitles: new Map() });
  indexOpportunities(t.store.sqlite, [
    { opportunity: opp('literal', 'Jean Dupont'), resumeText: LITERAL },
    { opportunity: opp('semantic', 'Marie Lambert'), resumeText: SEMANTIC },
    ...OTHERS.map((text, i) => ({ opportunity: opp(`other${i}`, `Other Person${i}`), resumeText: text })),
  ]);
  return t.store;
}

describe('hybrid rediscovery (vector index + keyword)', () => {
  it('promotes the past applicant whose resume means what the posting asks for, and shows the points it added', async () => {
    const store = await bakeryPool();
    await embedPeople({ store, embedder: hybrid.embedder });

    const keyword = rediscover(store, bakery, { now: NOW });
    const kIds = keyword.results.map((r) => r.contactId);
    expect(kIds.indexOf('literal')).toBeLessThan(kIds.indexOf('semantic'));
    expect(keyword.ranking).toMatchObject({ mode: 'keyword+skills', fallback: null });

    const res = await rediscoverRanked(store, bakery, { now: NOW }, hybrid);
    const ids = res.results.map((r) => r.contactId);
    expect(ids[0]).toBe('semantic');
    expect(ids.indexOf('semantic')).toBeLessThan(ids.indexOf('literal'));
    expect(res.ranking).toMatchObject({
      mode: 'hybrid',
      embeddingsModel: 'fake-embed',
      semanticWeight: 20,
      vectorCoverage: { embedded: 7, people: 7 },
      fallback: null,
    });
    // The vector half is its own, readable part of each score; the parts add up to the score.
    for (const r of res.results) {
      const sem = r.components.find((c) => c.name === 'semantic similarity');
      expect(sem?.reason).toMatch(/cosine \d\.\d\d .*fake-embed/);
      expect(r.score).toBeCloseTo(
        r.components.reduce((n, c) => n + c.points, 0),
        0,
      );
    }
    const top = res.results[0]!.components.find((c) => c.name === 'semantic similarity')!;
    const literal = res.results.find((r) => r.contactId === 'literal')!;
    expect(top.points).toBe(20);
    expect(literal.components.find((c) => c.name === 'semantic similarity')!.points).toBeLessThan(top.points);
    // The posting was embedded once; a second search reuses it.
    const calls = fake.embeddingRequests().length;
    await rediscoverRanked(store, bakery, { now: NOW }, hybrid);
    expect(fake.embeddingRequests().length).toBe(calls);
  });

  it('speaks the real wire protocol: base64 float32 vectors, batched requests', async () => {
    const store = await bakeryPool();
    const done = await embedPeople({ store, embedder: hybrid.embedder });
    expect(done).toMatchObject({ status: 'idle', embedded: 7, pending: 0, done: 7, total: 7 });
    const reqs = fake.embeddingRequests();
    expect(reqs).toHaveLength(3); // 7 people, 3 per request
    for (const r of reqs) {
      expect(r).toMatchObject({ model: 'fake-embed', encoding_format: 'base64' });
      expect((r.input as string[]).length).toBeLessThanOrEqual(3);
    }
  });

  it('answers on keyword + skills, and says so, when the embeddings endpoint fails; the embedding run resumes later', async () => {
    const store = await bakeryPool();
    await embedPeople({ store, embedder: hybrid.embedder, maxPeople: 3 });
    expect(await embeddingProgress(store.db, 'fake-embed')).toMatchObject({ embedded: 3, pending: 4 });

    fake.setEmbeddingsFault({ status: 503 });
    const res = await rediscoverRanked(store, bakery, { now: NOW }, hybrid);
    expect(res.ranking).toMatchObject({
      mode: 'keyword+skills',
      fallback: { from: 'embeddings:fake-embed', reason: expect.stringContaining('503') },
    });
    expect(res.results.map((r) => r.contactId)).toEqual(
      rediscover(store, bakery, { now: NOW }).results.map((r) => r.contactId),
    );
    for (const r of res.results) expect(r.components.map((c) => c.name)).not.toContain('semantic similarity');

    // The run fails with a retryable error and keeps what it had; nothing is lost or redone.
    await expect(embedPeople({ store, embedder: hybrid.embedder })).rejects.toBeInstanceOf(LlmUnavailableError);
    expect(await embeddingProgress(store.db, 'fake-embed')).toMatchObject({
      status: 'failed',
      embedded: 3,
      pending: 4,
      error: expect.stringContaining('503'),
    });
    fake.setEmbeddingsFault(null);
    const before = fake.embeddedTexts().length;
    const after = await embedPeople({ store, embedder: hybrid.embedder });
    expect(after).toMatchObject({ status: 'idle', embedded: 7, pending: 0, error: null });
    expect(fake.embeddedTexts().length - before).toBe(4);
  });

  it('a timeout is a fallback too, not a hung search', async () => {
    const store = await bakeryPool();
    await embedPeople({ store, embedder: hybrid.embedder });
    const slow: HybridRanking = {
      embedder: new OpenAiEmbedder({ baseUrl: fake.baseUrl, model: 'fake-embed', timeoutMs: 200, maxRetries: 0 }),
      weight: 20,
    };
    fake.setEmbeddingsFault({ delayMs: 3_000 });
    const t0 = Date.now();
    const res = await rediscoverRanked(store, { ...bakery, id: 'p2', text: 'A new text, never embedded.' }, {}, slow);
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(res.ranking?.fallback?.reason).toMatch(/timed out|unreachable/i);
    expect(res.results.length).toBeGreaterThan(0);
  });

  it('with embeddings configured but nobody embedded yet, says the vector index is still empty', async () => {
    const store = await bakeryPool();
    const res = await rediscoverRanked(store, bakery, { now: NOW }, hybrid);
    expect(res.ranking).toMatchObject({
      mode: 'keyword+skills',
      fallback: { reason: expect.stringContaining('No one in the talent pool has an embedding yet') },
    });
  });
});

describe('a backend started with embeddings configured', () => {
  it('hands the vector index to its routes: the talent-pool status reports the embedding run', async () => {
    const stack = await startStack({
      opportunities: 3,
      env: { EMBEDDINGS_BASE_URL: fake.baseUrl, EMBEDDINGS_MODEL: 'fake-embed', EMBEDDINGS_DIMENSIONS: '64' },
    });
    cleanups.push(() => stack.close());
    const res = await stack.api('GET', '/api/rediscovery/sync', stack.admin.token);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { embeddings: unknown };
    // Null would mean the routes rank on keywords alone although the server embeds the pool.
    expect(body.embeddings).toMatchObject({ model: expect.stringContaining('fake-embed') });
  }, 120_000);
});

describe('the vector index over a synced talent pool', () => {
  let emu: EmulatorHandle;
  afterEach(async () => emu?.close());

  it('never sends a name, email, phone or link to the embeddings endpoint', async () => {
    emu = await testEmulator({ opportunities: 60 });
    const { store } = await openTempStoreUntilCleanup(cleanups);
    await runSync({ store, lever: clientFor(emu) });
    const p = await embedPeople({ store, embedder: hybrid.embedder });
    expect(p.embedded + p.refused).toBe(indexCounts(store.sqlite).people);
    expect(p.embedded).toBeGreaterThan(30);

    const sent = fake.embeddedTexts().join('\n\u0000\n');
    expect(sent).toContain('[CANDIDATE_NAME]');
    expect(sent).toContain('[EMAIL_1]');
    const lower = sent.toLowerCase();
    for (const o of emu.context.store.seed.opportunities) {
      expect(lower).not.toContain(o.name.toLowerCase());
      for (const e of o.emails) expect(lower).not.toContain(e.toLowerCase());
      for (const ph of o.phones) expect(sent).not.toContain(ph.value);
      for (const l of o.links) expect(lower).not.toContain(l.toLowerCase().replace(/^https?:\/\//, ''));
    }
  });

  it('re-indexing does not re-embed unchanged people; a changed resume is embedded again', async () => {
    emu = await testEmulator({ opportunities: 40 });
    const { store } = await openTempStoreUntilCleanup(cleanups);
    const lever = clientFor(emu);
    await runSync({ store, lever });
    const first = await embedPeople({ store, embedder: hybrid.embedder });
    const sent = fake.embeddedTexts().length;
    expect(sent).toBe(first.embedded);

    // A full re-sync rewrites every person from Lever: same text, so nothing is pending and nothing is sent.
    await runSync({ store, lever }, { full: true });
    expect((await embeddingProgress(store.db, 'fake-embed')).pending).toBe(0);
    await embedPeople({ store, embedder: hybrid.embedder });
    expect(fake.embeddedTexts().length).toBe(sent);

    // A stage move changes the person's record but not their text: still nothing to embed.
    const row = store.sqlite.prepare('SELECT data FROM rd_opportunity LIMIT 1').get() as { data: string };
    const o = JSON.parse(row.data) as SyncedOpportunity;
    indexOpportunities(store.sqlite, [{ opportunity: { ...o, stageText: 'Moved', bestStageIndex: 9 } }]);
    expect((await embeddingProgress(store.db, 'fake-embed')).pending).toBe(0);

    // A new resume: that one person, once.
    indexOpportunities(store.sqlite, [{ opportunity: o, resumeText: 'Pastry chef: croissants and brioche.' }]);
    expect((await embeddingProgress(store.db, 'fake-embed')).pending).toBe(1);
    await embedPeople({ store, embedder: hybrid.embedder });
    expect(fake.embeddedTexts().slice(sent)).toEqual([expect.stringContaining('croissants and brioche')]);

    // Another model means new vectors for everyone.
    const other = new OpenAiEmbedder({ baseUrl: fake.baseUrl, model: 'fake-embed', dimensions: 32, maxRetries: 0 });
    expect((await embeddingProgress(store.db, other.key)).pending).toBe(first.embedded);
  });

  it('embeds after a sync in the job queue, without a separate trigger', async () => {
    emu = await testEmulator({ opportunities: 30 });
    const { store } = await openTempStoreUntilCleanup(cleanups);
    const queue = new SqliteQueue(store, { pollIntervalMs: 20, logger: pino({ level: 'silent' }) });
    cleanups.push(() => queue.stop({ timeoutMs: 500 }));
    registerRediscoveryJobs(queue, { store, lever: clientFor(emu), hybrid });
    await queue.enqueue({ type: SYNC_JOB, payload: { full: true } });
    queue.start();
    const done = await waitFor(async () => {
      const p = await embeddingProgress(store.db, 'fake-embed');
      return p.status === 'idle' && p.embedded > 0 ? p : undefined;
    }, 20_000);
    expect(done.embedded).toBe(indexCounts(store.sqlite).people);
    const posting = toPostingInput(await clientFor(emu).getPosting([...emu.context.store.postings.keys()][0]!));
    const res = await rediscoverRanked(store, posting, { excludeContactedWithinDays: 0 }, hybrid);
    expect(res.ranking?.mode).toBe('hybrid');
    expect(res.results.length).toBeGreaterThan(0);
  });
});

describe('embeddings configuration', () => {
  it('needs an endpoint, borrows the AI key only together with the AI endpoint, and is off when unset', async () => {
    expect(() => loadConfig({ EMBEDDINGS_MODEL: 'text-embedding-3-small' })).toThrow(ConfigError);
    expect(() => loadConfig({ EMBEDDINGS_MODEL: 'text-embedding-3-small' })).toThrow(/EMBEDDINGS_MODEL/);
    expect(embedderFromConfig(loadConfig({ AI_BASE_URL: fake.baseUrl, EMBEDDINGS_MODEL: '' }))).toBeUndefined();

    const borrowed = embedderFromConfig(
      loadConfig({
        AI_BASE_URL: fake.baseUrl,
        AI_API_KEY: 'sk-ai-key',
        EMBEDDINGS_MODEL: 'm',
        EMBEDDINGS_DIMENSIONS: '16',
      }),
    )!;
    expect(borrowed.key).toBe('m@16');
    const [v] = await borrowed.embed(['hello world']);
    expect(v).toHaveLength(16);
    expect(fake.requests.at(-1)?.headers.authorization).toBe('Bearer sk-ai-key');
    expect(fake.embeddingRequests().at(-1)).toMatchObject({ model: 'm', dimensions: 16 });

    const own = embedderFromConfig(
      loadConfig({
        AI_BASE_URL: 'https://api.openai.com/v1',
        AI_API_KEY: 'sk-ai-key',
        EMBEDDINGS_BASE_URL: fake.baseUrl,
        EMBEDDINGS_MODEL: 'm',
      }),
    )!;
    await own.embed(['hello world']);
    expect(fake.requests.at(-1)?.headers.authorization).not.toContain('sk-ai-key');
  });
});
