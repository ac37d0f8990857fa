import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { OpenAiEmbedder } from '../../backend/ai/embed-texts.ts';
import { verifyAuditChain } from '../../backend/audit/audit-log.ts';
import { toPostingInput } from '../../backend/candidates/load-candidate.ts';
import { auditCommand } from '../../backend/cli/audit.ts';
import { forgetCommand } from '../../backend/cli/forget.ts';
import { findLeftovers } from '../../backend/governance/erase-person.ts';
import { embedPeople } from '../../backend/rediscovery/embed-people.ts';
import { cacheResults } from '../../backend/rediscovery/poll-postings.ts';
import { rediscoverRanked } from '../../backend/rediscovery/rediscover-hybrid.ts';
import { runSync } from '../../backend/rediscovery/sync.ts';
import { DB_FILE_NAME } from '../../backend/store/db.ts';
import { type Stack, startStack, waitFor } from './helpers/automations-stack.ts';
import { type FakeOpenAi, startFakeOpenAi } from './helpers/fake-openai.ts';

/**
 * `npm run cli -- forget` against a backend that has been used: a candidate applied (webhook → automations: score,
 * proposals, follow-up, audit), was read and scored in the panel, synced into the talent pool (FTS5, skills), embedded
 * (vector index), and appears in a cached rediscovery. After forget, a byte search of the database files finds
 * neither their name nor their email, and the audit chain still verifies.
 */

const NAME = 'Zephyrine Quillfeather';
const EMAIL = 'zephyrine.quillfeather@example.org';
/** What a byte search looks for, lower-cased; the porter stems too, which is how the FTS5 index stores the words. */
const NEEDLES = ['zephyrine', 'zephyrin', 'quillfeather', 'quillfeath', EMAIL, 'zephyrine.quillfeather'];

let s: Stack;
let fake: FakeOpenAi;
let opportunityId: string;
let contactId: string;

function dbFiles(dir: string): string[] {
  return [DB_FILE_NAME, `${DB_FILE_NAME}-wal`, `${DB_FILE_NAME}-shm`]
    .map((f) => path.join(dir, f))
    .filter((f) => fs.existsSync(f));
}

/** Which needles occur in which database file, byte for byte, ignoring ASCII case. */
function byteSearch(dir: string, needles: string[]): string[] {
  const hits: string[] = [];
  for (const f of dbFiles(dir)) {
    const text = fs.readFileSync(f).toString('latin1').toLowerCase();
    for (const n of needles) if (text.includes(n.toLowerCase())) hits.push(`${path.basename(f)}: ${n}`);
  }
  return hits;
}

async function idle(): Promise<void> {
  await waitFor(async () => {
    const st = await s.backend.queue.stats();
    return st.running === 0 && st.queued === 0;
  }, 15_000);
}

beforeAll(async () => {
  s = await startStack();
  fake = await startFakeOpenAi(undefined, { embeddingDims: 32 });
  const adminAuth = `Basic ${Buffer.from(`${s.emulator.apiKey}:`).toString('base64')}`;
  const res = await fetch(`${s.emulator.url}/_admin/applications`, {
    method: 'POST',
    headers: { authorization: adminAuth, 'content-type': 'application/json' },
    body: JSON.stringify({
      postingId: s.postingId,
      name: NAME,
      email: EMAIL,
      phone: '+44 20 7946 0321',
      resumeText: `${NAME}\n${EMAIL}\n\n${s.strongResume}`,
      origin: 'applied',
    }),
  });
  expect(res.status).toBe(201);
  ({ opportunityId, contactId } = ((await res.json()) as { data: { opportunityId: string; contactId: string } }).data);
  // Someone else, who must be left alone.
  await s.apply({ strong: true, name: 'Bartholomew Keepme' });
  // The applicationCreated automations: score, match summary, tag and outreach proposals, follow-up, audit.
  await waitFor(async () => {
    const n = s.backend.store.sqlite
      .prepare('SELECT count(*) AS n FROM proposals WHERE opportunity_id = ?')
      .get(opportunityId) as {
      n: number;
    };
    return n.n >= 3;
  }, 10_000);
  await idle();
  // The recruiter opens the candidate in the panel and scores them.
  expect((await s.api('GET', `/api/candidates/${opportunityId}`, s.admin.token)).status).toBe(200);
  expect((await s.api('POST', `/api/candidates/${opportunityId}/match`, s.admin.token, { refresh: true })).status).toBe(
    200,
  );
  // The talent pool: sync (FTS5 + skills), embeddings (vector index), a cached rediscovery of the posting.
  await runSync({ store: s.backend.store, lever: s.backend.lever });
  const embedder = new OpenAiEmbedder({ baseUrl: fake.baseUrl, model: 'fake-embed', batchSize: 16, maxRetries: 0 });
  await embedPeople({ store: s.backend.store, embedder });
  // Later archived (a past applicant), so a rediscovery of the posting finds them; cached as the poller caches it,
  // and a re-engagement draft for them. The archive webhook and the sync bring the index up to date.
  const reason = (await s.inspect.listArchiveReasons({ type: 'non-hired' }))[0];
  if (!reason) throw new Error('the emulator has no archive reason');
  await s.inspect.setArchived(opportunityId, { reason: reason.id });
  await idle();
  await runSync({ store: s.backend.store, lever: s.backend.lever }, { full: true });
  await embedPeople({ store: s.backend.store, embedder });
  const posting = toPostingInput(await s.inspect.getPosting(s.postingId));
  const found = await rediscoverRanked(s.backend.store, posting, { limit: 200, excludeContactedWithinDays: 0 });
  expect(found.results.map((r) => r.contactId)).toContain(contactId);
  await cacheResults(s.backend.store.db, found, Date.now());
  const other = { id: s.postingId };
  const act = await s.api('POST', '/api/rediscovery/act', s.admin.token, {
    postingId: other.id,
    contactIds: [contactId],
  });
  expect(act.status).toBeLessThan(300);
}, 90_000);

afterAll(async () => {
  await fake?.close();
  await s?.close();
});

describe('forget', () => {
  it('erases the person from every table, index and file, keeps everyone else, and the audit chain verifies', async () => {
    const { sqlite } = s.backend.store;
    const ridOf = () =>
      sqlite.prepare('SELECT rid FROM rd_person WHERE contact_id = ?').get(contactId) as { rid: number } | undefined;
    const rid = ridOf()?.rid;
    expect(rid, 'the sync indexed the person').toBeDefined();
    expect(sqlite.prepare('SELECT count(*) AS n FROM rd_vector WHERE rid = ?').get(rid)).toEqual({ n: 1 });
    expect(sqlite.prepare("SELECT rowid FROM rd_fts WHERE rd_fts MATCH 'quillfeather'").all()).toHaveLength(1);
    const before = (await findLeftovers(s.backend.store.db, [NAME, EMAIL, opportunityId, contactId])).map(
      (l) => l.table,
    );
    console.log(`[forget] tables holding the person before: ${before.join(', ')}`);
    expect(before).toEqual(
      expect.arrayContaining([
        'proposals',
        'ai_results',
        'audit_log',
        'rd_opportunity',
        'rd_person',
        'automation_watchers',
      ]),
    );
    expect(byteSearch(s.dataDir, NEEDLES).length).toBeGreaterThan(0);

    vi.stubEnv('FULCRUM_DATA_DIR', s.dataDir);
    vi.stubEnv('LEVER_BASE_URL', s.emulator.apiBaseUrl);
    vi.stubEnv('LEVER_EMULATOR_KEY', s.emulator.apiKey);
    vi.stubEnv('LEVER_API_KEY', '');
    const out: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    try {
      expect(await forgetCommand.run(['--email', EMAIL.toUpperCase()])).toBe(0);
      const text = out.join('\n');
      console.info(`[forget] summary:\n${text}`);
      expect(text).toContain(`Forgot that email address: contact ${contactId}; opportunity ${opportunityId}.`);
      expect(text).toMatch(/\d+ +proposals/);
      expect(text).toMatch(/talent-pool people/);
      expect(text).toMatch(/Audit log: \d+ entr(y|ies) kept in the hash chain/);
      expect(text).toContain('VACUUM done, WAL checkpointed and truncated');
      expect(text).toContain('Checked: no table holds their name, email or ids any more');
      expect(text).toContain(`Still in Lever: ${opportunityId}`);
      expect(text).not.toContain(NAME);
      expect(text).not.toContain(EMAIL);

      // Nothing of them in any file of the database, while the backend still runs.
      expect(byteSearch(s.dataDir, NEEDLES)).toEqual([]);
      expect(ridOf()).toBeUndefined();
      expect(sqlite.prepare("SELECT rowid FROM rd_fts WHERE rd_fts MATCH 'quillfeather OR zephyrine'").all()).toEqual(
        [],
      );
      expect(sqlite.prepare('SELECT count(*) AS n FROM rd_vector WHERE rid = ?').get(rid)).toEqual({ n: 0 });
      expect(await findLeftovers(s.backend.store.db, [NAME, EMAIL, contactId], {})).toEqual([]);
      // The other applicant is untouched.
      expect(
        sqlite.prepare("SELECT count(*) AS n FROM proposals WHERE payload LIKE '%Bartholomew%'").get(),
      ).not.toEqual({
        n: 0,
      });
      expect(byteSearch(s.dataDir, ['bartholomew'])).not.toEqual([]);

      // The audit chain verifies, with their entries erased in place.
      const verified = await verifyAuditChain(s.backend.store);
      expect(verified.ok).toBe(true);
      expect(verified.erased).toBeGreaterThan(0);
      out.length = 0;
      expect(await auditCommand.run(['verify'])).toBe(0);
      expect(out.join('\n')).toMatch(/Audit chain intact: \d+ entries verified \(\d+ of them erased/);

      // Forgetting again finds nothing and says so.
      out.length = 0;
      expect(await forgetCommand.run(['--contact', contactId, '--offline'])).toBe(0);
      expect(out.join('\n')).toContain(`Nothing to forget: Fulcrum holds no data about contact ${contactId}.`);
    } finally {
      log.mockRestore();
      vi.unstubAllEnvs();
    }
    // And still nothing once the backend has stopped and SQLite has checkpointed on close.
    await s.backend.close();
    expect(byteSearch(s.dataDir, NEEDLES)).toEqual([]);
  }, 60_000);
});

describe('forget: bad input', () => {
  it('exits 2 with a message, touching nothing', async () => {
    const err: string[] = [];
    const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
    try {
      for (const [args, message] of [
        [[], /Name exactly one person: one of --opportunity, --contact or --email/],
        [['--email', 'a@b.co', '--contact', '0b5c3f1e-6a7d-4c2b-9e8f-1a2b3c4d5e6f'], /Name exactly one person/],
        [['--opportunity', '42'], /--opportunity must be a Lever opportunity id \(a UUID\), got "42"/],
        [['--contact', 'x'], /--contact must be a Lever contact id/],
        [['--email', 'not-an-email'], /--email must be an email address, got "not-an-email"/],
        [['--name', 'Ann'], /Unknown option '--name'.*Usage: npm run cli -- forget/],
        [['--email'], /--email.*argument missing|Option '--email <value>' argument missing/],
      ] as const) {
        err.length = 0;
        expect(await forgetCommand.run([...args]), args.join(' ')).toBe(2);
        expect(err.join('\n'), args.join(' ')).toMatch(message);
      }
    } finally {
      error.mockRestore();
    }
  });
});
