import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../backend/store/db.ts';
import { MIGRATION_NAMES, migrateToLatest } from '../../backend/store/migrations.ts';
import { openPostgresKysely } from '../../backend/store/postgres.ts';
import type { Database } from '../../backend/store/schema.ts';
import { sqliteSchema } from '../backend/helpers/sqlite-schema.ts';
import { freshDatabase } from './db.ts';

// SQLite-only: the FTS5 keyword index and its shadow tables. PostgreSQL's counterpart is a column of rd_person.
const FTS5_TABLES = ['rd_fts', 'rd_fts_config', 'rd_fts_data', 'rd_fts_docsize', 'rd_fts_idx'];
const POSTGRES_ONLY_COLUMNS = { rd_person: ['doc_tsv'] };
// PostgreSQL-only: the Lever rate budget several instances share (one process on SQLite needs none), and the
// progress of a copy from SQLite (migrate-to-postgres), whose target is always PostgreSQL, and rediscovery's stem
// document frequencies (SQLite reads FTS5's own).
const POSTGRES_ONLY_TABLES = ['lever_rate_budget', 'store_copy_progress', 'rd_stem_df'];

type Column = { table_name: string; column_name: string; data_type: string };

async function postgresSchema(db: Kysely<Database>) {
  const { rows } = await sql<Column>`
    SELECT table_name, column_name, data_type FROM information_schema.columns
    WHERE table_schema = 'public' AND table_name NOT LIKE 'kysely%'
    ORDER BY table_name, ordinal_position`.execute(db);
  const tables: Record<string, string[]> = {};
  for (const r of rows) {
    tables[r.table_name] ??= [];
    tables[r.table_name]?.push(r.column_name);
  }
  const indexes = await sql<{ indexname: string; indexdef: string }>`
    SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname`.execute(db);
  const triggers = await sql<{ tgname: string }>`
    SELECT tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY tgname`.execute(db);
  return { rows, tables, indexes: indexes.rows, triggers: triggers.rows.map((t) => t.tgname) };
}

describe('the migrations on PostgreSQL', () => {
  let pgdb: Awaited<ReturnType<typeof freshDatabase>>;
  let db: Kysely<Database>;
  let applied: string[];
  beforeAll(async () => {
    pgdb = await freshDatabase();
    db = openPostgresKysely(pgdb.url);
    applied = await migrateToLatest(db);
  });
  afterAll(async () => {
    await db?.destroy();
    await pgdb?.drop();
  });

  it('run on a fresh database and make the same tables and columns as on SQLite', async () => {
    expect(applied).toEqual(MIGRATION_NAMES);
    const store = await openStore({ file: ':memory:' });
    const lite = sqliteSchema(store.sqlite);
    await store.close();
    const expected = Object.fromEntries(Object.entries(lite.tables).filter(([t]) => !FTS5_TABLES.includes(t)));
    for (const t of FTS5_TABLES) expect(lite.tables).toHaveProperty(t);
    const { tables } = await postgresSchema(db);
    const withoutPgOnly = Object.fromEntries(
      Object.entries(tables)
        .filter(([t]) => !POSTGRES_ONLY_TABLES.includes(t))
        .map(([t, cols]) => [
          t,
          cols.filter((c) => !(POSTGRES_ONLY_COLUMNS as Record<string, string[]>)[t]?.includes(c)),
        ]),
    );
    expect(withoutPgOnly).toEqual(expected);
    // Every index of SQLite's exists under the same name (FTS5 has none; SQLite's automatic ones have no name to match).
    const pgIndexes = (await postgresSchema(db)).indexes.map((i) => i.indexname);
    expect(pgIndexes).toEqual(expect.arrayContaining(lite.indexes.filter((i) => !i.startsWith('sqlite_autoindex'))));
  });

  it('hold epoch milliseconds and auto-assigned ids in bigint', async () => {
    const { rows } = await postgresSchema(db);
    const msColumn = (c: string) =>
      c === 'at' || c.endsWith('_at') || ['since', 'high_water_mark', 'lease_until'].includes(c);
    const ms = rows.filter((r) => msColumn(r.column_name));
    expect(ms.length).toBeGreaterThan(60);
    expect(ms.filter((r) => r.data_type !== 'bigint')).toEqual([]);
    const identity = await sql<{ column: string; data_type: string }>`
      SELECT table_name || '.' || column_name AS column, data_type FROM information_schema.columns
      WHERE table_schema = 'public' AND is_identity = 'YES' ORDER BY 1`.execute(db);
    expect(identity.rows).toEqual(
      [
        'audit_log.id',
        'compliance_erasure_requests.id',
        'jobs.id',
        'offer_decisions.id',
        'rd_person.rid',
        'webhook_events.id',
      ].map((column) => ({ column, data_type: 'bigint' })),
    );
    const at = Date.UTC(2300, 0, 1); // past 2^31 seconds and far past 2^31 ms
    const row = await db
      .insertInto('webhook_events')
      .values({
        event_id: 'e1',
        token: 't1',
        event: 'candidateHired',
        triggered_at: at,
        received_at: at,
        payload: '{}',
      })
      .returning(['id', 'received_at'])
      .executeTakeFirstOrThrow();
    // pg returns int8 as a string by default; openPostgresKysely reads them as numbers, like SQLite.
    expect(row).toEqual({ id: 1, received_at: at });
  });

  it('index rd_person with a generated tsvector under GIN, and keep vectors in step with triggers', async () => {
    const { indexes, triggers } = await postgresSchema(db);
    expect(indexes.find((i) => i.indexname === 'rd_person_doc_tsv')?.indexdef).toMatch(/USING gin \(doc_tsv\)/);
    expect(triggers).toEqual([
      'rd_person_vector_ad',
      'rd_person_vector_doc',
      'rd_person_vector_pii',
      'rd_stem_df_del',
      'rd_stem_df_ins',
      'rd_stem_df_truncate',
      'rd_stem_df_upd',
      'rd_vector_ad',
    ]);
    const q = (text: TemplateStringsArray, ...values: unknown[]) => sql(text, ...values).execute(db);
    const summary = (name: string) => JSON.stringify({ name, emails: ['ada@example.test'], phones: [] });
    const inserted = await q`INSERT INTO rd_person (contact_id, doc, summary, updated_at)
      VALUES ('c1', 'kubernetes engineers', ${summary('Ada')}, 1) RETURNING rid`;
    const rid = (inserted.rows[0] as { rid: number }).rid;
    expect(rid).toBe(1); // assigned by the identity column, read as a number
    const match = async (word: string) =>
      (
        (await q`SELECT rid FROM rd_person WHERE doc_tsv @@ to_tsquery('english', ${word})`).rows as Array<{
          rid: number;
        }>
      ).map((r) => r.rid);
    expect(await match('engineer')).toEqual([rid]); // stemmed, as FTS5's porter tokenizer does
    await q`INSERT INTO rd_vector (rid, model, dims, text_hash, vector, gen, embedded_at)
      VALUES (${rid}, 'm', 1, 'h', '\\x00000000'::bytea, 1, 1)`;
    const stale = async () =>
      ((await q`SELECT stale FROM rd_vector WHERE rid = ${rid}`).rows[0] as { stale: number } | undefined)?.stale;
    const deletions = async () =>
      ((await q`SELECT deletions FROM rd_vector_state WHERE id = 1`).rows[0] as { deletions: number }).deletions;

    await q`UPDATE rd_person SET summary = ${summary('Ada')} WHERE rid = ${rid}`;
    expect(await stale()).toBe(0);
    await q`UPDATE rd_person SET summary = ${summary('Ada Lovelace')} WHERE rid = ${rid}`;
    expect(await stale()).toBe(1);
    await q`UPDATE rd_vector SET stale = 0 WHERE rid = ${rid}`;
    await q`UPDATE rd_person SET doc = 'rust developer' WHERE rid = ${rid}`;
    expect(await stale()).toBe(1);
    expect(await match('engineer')).toEqual([]);
    expect(await match('developer')).toEqual([rid]);

    expect(await deletions()).toBe(0);
    await q`DELETE FROM rd_person WHERE rid = ${rid}`;
    expect(await stale()).toBeUndefined();
    expect(await deletions()).toBe(1);
  });

  it('running migrateToLatest again is a no-op', async () => {
    const before = await postgresSchema(db);
    expect(await migrateToLatest(db)).toEqual([]);
    expect(await postgresSchema(db)).toEqual(before);
  });
});
