import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit, eraseAuditPayloads, verifyAuditChain } from '../../backend/audit/audit-log.ts';
import { openPostgresStore, openStoreFromConfig, SqliteOnlyError, type Store } from '../../backend/store/db.ts';
import { freshDatabase } from './db.ts';

let database: Awaited<ReturnType<typeof freshDatabase>>;
let a: Store;
let b: Store;

beforeAll(async () => {
  database = await freshDatabase();
  a = await openPostgresStore(database.url);
  // A second instance on the same database: its own pool, like a second backend process.
  // The second one as the backend opens it: from the configuration's DATABASE_URL (the data dir is not used).
  b = await openStoreFromConfig({ dataDir: '/nonexistent', DATABASE_URL: database.url });
});

afterAll(async () => {
  await a?.close();
  await b?.close();
  await database?.drop();
});

const entry = (i: number) => ({ actor: 'system', capability: 'test', action: 'append', output: { i } });

describe('the store on PostgreSQL', () => {
  it('opens migrated, masks the password for logs, and refuses raw SQLite use loudly', async () => {
    expect(a.dialect).toBe('postgres');
    expect(b.dialect).toBe('postgres');
    expect(a.file).not.toMatch(/:[^:@/]+@/);
    const tables = await a.db.introspection.getTables();
    expect(tables.map((t) => t.name)).toContain('audit_log');
    expect(() => a.sqlite).toThrow(SqliteOnlyError);
  });

  it('keeps one unforked audit chain when two instances append at once', async () => {
    await Promise.all(Array.from({ length: 60 }, (_, i) => appendAudit((i % 2 ? a : b).db, entry(i))));
    const verified = await verifyAuditChain(a);
    expect(verified).toMatchObject({ ok: true, rows: 60 });
  });

  it('appends inside a caller transaction that rolls back, leaving no entry', async () => {
    const before = await verifyAuditChain(a);
    await expect(
      a.db.transaction().execute(async (trx) => {
        await appendAudit(trx, entry(999));
        throw new Error('caller fails after the append');
      }),
    ).rejects.toThrow(/caller fails/);
    expect((await verifyAuditChain(a)).rows).toBe(before.rows);
  });

  it('erases payloads and records the erasure; the chain still verifies', async () => {
    const erased = await eraseAuditPayloads(a.db, [3, 1, 3], { actor: 'cli', reason: 'forget' });
    expect(erased).toEqual([1, 3]);
    expect(await eraseAuditPayloads(b.db, [1, 3], { actor: 'cli', reason: 'forget' })).toEqual([]);
    expect(await verifyAuditChain(b)).toMatchObject({ ok: true, erased: 2 });
  });
});
