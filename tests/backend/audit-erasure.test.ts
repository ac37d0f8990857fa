import { createHash } from 'node:crypto';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { describe, expect, it } from 'vitest';
import {
  AUDIT_TOMBSTONE,
  appendAudit,
  eraseAuditPayloads,
  exportAudit,
  listAudit,
  verifyAuditChain,
} from '../../backend/audit/audit-log.ts';
import { openStore } from '../../backend/store/db.ts';
import { migrateUpTo } from '../../backend/store/migrations.ts';
import { cleanupsAfterEach, makeTempDir, openTempStoreUntilCleanup } from './helpers/temp-store.ts';

// The audit chain over content hashes (issue 14): a person's payloads can be erased and the chain still verifies;
// anything else done to a row still breaks it.
const cleanups = cleanupsAfterEach();
const OPP = '0b5c3f1e-6a7d-4c2b-9e8f-1a2b3c4d5e6f';
const entry = (output: unknown, opportunityId: string | null = OPP) => ({
  actor: 'ana@example.com',
  opportunityId,
  capability: 'match',
  action: 'ai.generate',
  output,
  leverIds: opportunityId ? [opportunityId] : [],
});

describe('erasing audit payloads', () => {
  it('replaces the payloads with the tombstone, lists them in an erasure record, and the chain still verifies', async () => {
    const { store } = await openTempStoreUntilCleanup(cleanups);
    await appendAudit(store.db, entry({ summary: 'Zephyrine Quillfeather matches 8 of 9 criteria' }));
    await appendAudit(store.db, entry({ other: 'someone else' }, null));
    await appendAudit(store.db, entry({ note: 'zephyrine@example.org' }));
    const erased = await eraseAuditPayloads(store.db, [1, 3], { actor: 'cli:ops', reason: 'forget' });
    expect(erased).toEqual([1, 3]);

    expect(await verifyAuditChain(store)).toEqual({ ok: true, rows: 4, erased: 2 });
    const dump = JSON.stringify(store.sqlite.prepare('SELECT * FROM audit_log').all());
    expect(dump).not.toContain('Zephyrine');
    expect(dump).not.toContain('zephyrine@');
    expect(dump).toContain('someone else');
    const record = store.sqlite.prepare("SELECT * FROM audit_log WHERE action = 'audit.erase'").get() as {
      output: string;
      actor: string;
    };
    expect(JSON.parse(record.output)).toEqual({ reason: 'forget', erasedAuditIds: [1, 3] });
    expect(record.actor).toBe('cli:ops');
    // The history still shows that something happened, and what the record now holds.
    const history = await listAudit(store, { opportunityId: OPP });
    expect(history.map((h) => h.output)).toEqual([{ erased: true }, { erased: true }]);
    // Erasing again does nothing and records nothing.
    expect(await eraseAuditPayloads(store.db, [1, 3], { actor: 'cli:ops', reason: 'forget' })).toEqual([]);
    expect(await verifyAuditChain(store)).toMatchObject({ ok: true, rows: 4 });
  });

  it('a payload removed without an erasure record, or a forged tombstone, breaks verification', async () => {
    const { store } = await openTempStoreUntilCleanup(cleanups);
    for (let i = 0; i < 4; i++) await appendAudit(store.db, entry({ i }));
    // Quiet "erasure": the tombstone and erased_at, but no record that lists the row.
    store.sqlite.prepare('UPDATE audit_log SET output = ?, erased_at = 1 WHERE id = 2').run(AUDIT_TOMBSTONE);
    expect(await verifyAuditChain(store)).toMatchObject({ ok: false, firstBadId: 2 });

    const other = await openTempStoreUntilCleanup(cleanups);
    for (let i = 0; i < 3; i++) await appendAudit(other.store.db, entry({ i }));
    await eraseAuditPayloads(other.store.db, [2], { actor: 'cli', reason: 'forget' });
    // A row marked erased must hold exactly the tombstone: "erased" is no cover for rewriting it.
    other.store.sqlite.prepare(`UPDATE audit_log SET output = '{"i":99}' WHERE id = 2`).run();
    expect(await verifyAuditChain(other.store)).toMatchObject({ ok: false, firstBadId: 2 });
  });

  it('an edited payload of a row that was not erased still breaks the chain at that row', async () => {
    const { store } = await openTempStoreUntilCleanup(cleanups);
    for (let i = 0; i < 4; i++) await appendAudit(store.db, entry({ score: i }));
    store.sqlite.prepare(`UPDATE audit_log SET output = '{"score":100}' WHERE id = 3`).run();
    expect(await verifyAuditChain(store)).toMatchObject({ ok: false, firstBadId: 3 });
  });

  it('the JSONL export carries the content hash, version and erasure time of each row', async () => {
    const { store } = await openTempStoreUntilCleanup(cleanups);
    await appendAudit(store.db, entry({ a: 1 }));
    await eraseAuditPayloads(store.db, [1], { actor: 'cli', reason: 'forget' });
    let text = '';
    for await (const line of exportAudit(store, { format: 'jsonl' })) text += line;
    const [first] = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(first).toMatchObject({ output: { erased: true }, hashVersion: 2 });
    expect(first.contentHash).toBe(createHash('sha256').update(JSON.stringify('{"a":1}')).digest('hex'));
    expect(first.erasedAt).toMatch(/^\d{4}-/);
  });
});

/** The version-1 chain, as audit-log.ts computed it before migration 0003. */
function legacyRow(id: number, prev: string, output: string, at = 1_700_000_000_000 + id) {
  const fields = {
    id,
    at,
    actor: 'ana@example.com',
    opportunity_id: OPP,
    capability: 'match',
    action: 'ai.generate',
    provider: 'local',
    model: 'm',
    model_version: '1',
    prompt_version: 'p@1',
    input_hash: 'h',
    output,
    decision: null,
    lever_ids: JSON.stringify([OPP]),
  };
  const material = JSON.stringify([
    fields.id,
    fields.at,
    fields.actor,
    fields.opportunity_id,
    fields.capability,
    fields.action,
    fields.provider,
    fields.model,
    fields.model_version,
    fields.prompt_version,
    fields.input_hash,
    fields.output,
    fields.decision,
    fields.lever_ids,
  ]);
  return { ...fields, prev_hash: prev, hash: createHash('sha256').update(prev).update(material).digest('hex') };
}

/** A database as it was before issue 14 (migration 0001 only), with `rows` audit entries in the old chain. */
async function legacyDatabase(rows: number, tamper?: (sqlite: BetterSqlite3.Database) => void) {
  const tmp = makeTempDir();
  cleanups.push(tmp.cleanup);
  const file = path.join(tmp.dir, 'fulcrum.sqlite');
  const sqlite = new BetterSqlite3(file);
  const db = new Kysely({ dialect: new SqliteDialect({ database: sqlite }) });
  await migrateUpTo(db, '0001_initial');
  let prev = '';
  const insert = sqlite.prepare(
    `INSERT INTO audit_log (id, at, actor, opportunity_id, capability, action, provider, model, model_version,
       prompt_version, input_hash, output, decision, lever_ids, prev_hash, hash)
     VALUES (@id, @at, @actor, @opportunity_id, @capability, @action, @provider, @model, @model_version,
       @prompt_version, @input_hash, @output, @decision, @lever_ids, @prev_hash, @hash)`,
  );
  const hashes: string[] = [];
  sqlite.transaction(() => {
    for (let i = 1; i <= rows; i++) {
      const r = legacyRow(i, prev, JSON.stringify({ i }));
      insert.run(r);
      hashes.push(r.hash);
      prev = r.hash;
    }
  })();
  tamper?.(sqlite);
  await db.destroy();
  return { file, hashes };
}

describe('migration 0003 (audit chain over content hashes)', () => {
  it('re-chains an intact old log: it verifies, keeps each old hash, and its payloads can then be erased', async () => {
    const { file, hashes } = await legacyDatabase(1_205);
    const store = await openStore({ file });
    cleanups.push(() => store.close());
    expect(await verifyAuditChain(store)).toEqual({ ok: true, rows: 1_205 });
    const first = store.sqlite.prepare('SELECT hash_version, legacy_hash, hash FROM audit_log WHERE id = 1').get() as {
      hash_version: number;
      legacy_hash: string;
      hash: string;
    };
    expect(first.hash_version).toBe(2);
    expect(first.legacy_hash).toBe(hashes[0]);
    expect(first.hash).not.toBe(hashes[0]);
    // New rows chain on; an old row's payload can now be erased like a new one's.
    await appendAudit(store.db, entry({ after: 'upgrade' }));
    await eraseAuditPayloads(store.db, [10], { actor: 'cli', reason: 'forget' });
    expect(await verifyAuditChain(store)).toEqual({ ok: true, rows: 1_207, erased: 1 });
  });

  it('does not launder tampering from before the upgrade: the break is still reported at the same row', async () => {
    const { file } = await legacyDatabase(6, (sqlite) =>
      sqlite.prepare(`UPDATE audit_log SET output = '{"i":42}' WHERE id = 4`).run(),
    );
    const store = await openStore({ file });
    cleanups.push(() => store.close());
    expect(await verifyAuditChain(store)).toMatchObject({ ok: false, firstBadId: 4 });
    const versions = store.sqlite.prepare('SELECT id, hash_version FROM audit_log ORDER BY id').all();
    expect(versions).toEqual([
      { id: 1, hash_version: 2 },
      { id: 2, hash_version: 2 },
      { id: 3, hash_version: 2 },
      { id: 4, hash_version: 1 },
      { id: 5, hash_version: 1 },
      { id: 6, hash_version: 1 },
    ]);
  });
});
