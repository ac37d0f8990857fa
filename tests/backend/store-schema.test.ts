import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../backend/store/db.ts';
import { MIGRATION_NAMES, migrateUpTo } from '../../backend/store/migrations.ts';
import {
  ENSURE_INDEXES,
  ENSURE_TABLES,
  ENSURE_TRIGGERS,
  LAST_MIGRATION_BEFORE_MOVE,
  LEGACY_AUTOMATION_DDL,
  LEGACY_REDISCOVERY_DDL,
} from './helpers/legacy-ensure-ddl.ts';
import { sqliteSchema } from './helpers/sqlite-schema.ts';
import { cleanupsAfterEach, makeTempDir } from './helpers/temp-store.ts';

const cleanups = cleanupsAfterEach();
const ROOT = path.resolve(import.meta.dirname, '../..');

/** Source files under `dir` (relative to the repository root), recursively. */
function sources(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|tsx|mjs|js)$/.test(e.name)) out.push(p);
    }
  };
  walk(path.join(ROOT, dir));
  return out;
}

const rel = (file: string) => path.relative(ROOT, file);

// One query's scratch tables (rediscovery/rediscover.ts: FTS5 stemming of the posting's terms). TEMP tables live
// and die with the connection, so they are not schema.
const TEMP_TABLES = ['temp.rd_stem', 'temp.rd_stem_v', 'temp.rd_fts_v'];
// pg-boss installs and migrates its own schema (`pgboss`) when it starts; the queue keeps its dedupe keys there too,
// next to the jobs they guard, so that table is created with pg-boss's schema, not by the store's migrations.
const OWN_SCHEMA_DDL = { file: path.join('backend', 'jobs', 'pg-queue.ts'), table: '.fulcrum_dedupe (' };

describe('where the schema lives', () => {
  it('no DDL outside backend/store/ (TEMP tables excepted by name)', () => {
    const ddl =
      /\bCREATE\s+(?:UNIQUE\s+|TEMP\s+|TEMPORARY\s+|VIRTUAL\s+)*(?:TABLE|INDEX|TRIGGER|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?([\w.]+)/gi;
    const builder = /\.schema\s*\.\s*create(?:Table|Index|View)\s*\(/g;
    const found: string[] = [];
    const temps = new Set<string>();
    let ownSchema = 0;
    const files = [...sources('backend'), ...sources('scripts'), ...sources('bench')].filter(
      (f) => !rel(f).startsWith(`backend${path.sep}store${path.sep}`),
    );
    expect(files.length).toBeGreaterThan(100);
    for (const f of files) {
      const text = fs.readFileSync(f, 'utf8');
      for (const m of text.matchAll(ddl)) {
        const name = m[1] ?? '';
        if (TEMP_TABLES.includes(name)) temps.add(name);
        else if (
          rel(f) === OWN_SCHEMA_DDL.file &&
          text.slice(m.index, m.index + m[0].length + 60).includes(OWN_SCHEMA_DDL.table)
        ) {
          ownSchema++;
        } else found.push(`${rel(f)}: ${m[0]}`);
      }
      for (const m of text.matchAll(builder)) found.push(`${rel(f)}: ${m[0]}`);
    }
    expect(found).toEqual([]);
    expect(ownSchema).toBe(1);
    // The exception list names what is there: a TEMP table that went away leaves the list too.
    expect([...temps].sort()).toEqual([...TEMP_TABLES].sort());
  });

  it('no ensure*Schema anywhere: the migrations create every table at start-up', () => {
    const found = [...sources('backend'), ...sources('scripts'), ...sources('bench'), ...sources('tests')]
      .filter((f) => /\bensurew*Schema\b/.test(fs.readFileSync(f, 'utf8')))
      .map(rel);
    expect(found).toEqual([]);
  });
});

/** The legacy DDL alone, on an empty in-memory database: what it made, by name. */
function legacySchema() {
  const sqlite = new BetterSqlite3(':memory:');
  try {
    sqlite.exec(LEGACY_AUTOMATION_DDL);
    sqlite.exec(LEGACY_REDISCOVERY_DDL);
    return sqliteSchema(sqlite);
  } finally {
    sqlite.close();
  }
}

const names = (rows: string[]) => rows.filter((n) => !n.startsWith('sqlite_autoindex'));

/** The rediscovery triggers at work: the keyword index follows rd_person, vectors go stale or go with their person. */
function exerciseRediscoveryTriggers(store: Store, contactId: string) {
  const { sqlite } = store;
  const summary = (name: string) => JSON.stringify({ name, emails: ['ada@example.test'], phones: [] });
  const rid = Number(
    sqlite
      .prepare(
        "INSERT INTO rd_person (contact_id, doc, summary, updated_at) VALUES (?, 'kubernetes engineers', ?, 1) RETURNING rid",
      )
      .pluck()
      .get(contactId, summary('Ada')),
  );
  const match = (q: string) => sqlite.prepare('SELECT rowid FROM rd_fts WHERE rd_fts MATCH ?').pluck().all(q);
  expect(match('engineer')).toContain(rid); // porter stemming, as configured
  sqlite
    .prepare(
      "INSERT INTO rd_vector (rid, model, dims, text_hash, vector, gen, embedded_at) VALUES (?, 'm', 1, 'h', x'00000000', 1, 1)",
    )
    .run(rid);
  const stale = () => sqlite.prepare('SELECT stale FROM rd_vector WHERE rid = ?').pluck().get(rid);
  const deletions = () => sqlite.prepare('SELECT deletions FROM rd_vector_state WHERE id = 1').pluck().get() as number;

  sqlite.prepare('UPDATE rd_person SET summary = ? WHERE rid = ?').run(summary('Ada'), rid);
  expect(stale()).toBe(0); // same name, emails and phones: the embedded text did not change
  sqlite.prepare('UPDATE rd_person SET summary = ? WHERE rid = ?').run(summary('Ada Lovelace'), rid);
  expect(stale()).toBe(1);
  sqlite.prepare('UPDATE rd_vector SET stale = 0 WHERE rid = ?').run(rid);
  sqlite.prepare("UPDATE rd_person SET doc = 'rust developer' WHERE rid = ?").run(rid);
  expect(stale()).toBe(1);
  expect(match('engineer')).not.toContain(rid);
  expect(match('developer')).toContain(rid);

  const before = deletions();
  sqlite.prepare('DELETE FROM rd_person WHERE rid = ?').run(rid);
  expect(sqlite.prepare('SELECT count(*) FROM rd_vector WHERE rid = ?').pluck().get(rid)).toBe(0);
  expect(deletions()).toBe(before + 1);
  expect(match('developer')).not.toContain(rid);
}

describe('the schema the ensure* functions used to create, in migrations', () => {
  it('a fresh store has every table, column, index and trigger of the old ensure* DDL', async () => {
    const store = await openStore({ file: ':memory:' });
    cleanups.push(() => store.close());
    const fresh = sqliteSchema(store.sqlite);
    const legacy = legacySchema();
    expect(Object.keys(legacy.tables).sort()).toEqual(ENSURE_TABLES);
    expect(names(legacy.indexes)).toEqual(ENSURE_INDEXES);
    expect(legacy.triggers).toEqual(ENSURE_TRIGGERS);
    for (const t of ENSURE_TABLES) expect({ t, columns: fresh.tables[t] }).toEqual({ t, columns: legacy.tables[t] });
    expect(fresh.indexes).toEqual(expect.arrayContaining(ENSURE_INDEXES));
    expect(fresh.triggers).toEqual(ENSURE_TRIGGERS);
    // The singleton row the old DDL seeded.
    expect(store.sqlite.prepare('SELECT id, gen, deletions, status FROM rd_vector_state').all()).toEqual([
      { id: 1, gen: 0, deletions: 0, status: 'never' },
    ]);
    exerciseRediscoveryTriggers(store, 'c-fresh');
  });

  it('a database whose tables the old ensure* DDL made migrates cleanly, keeps its rows and ends up identical', async () => {
    const tmp = makeTempDir();
    cleanups.push(tmp.cleanup);
    const file = path.join(tmp.dir, 'fulcrum.sqlite');
    {
      const sqlite = new BetterSqlite3(file);
      const db = new Kysely({ dialect: new SqliteDialect({ database: sqlite }) });
      await migrateUpTo(db, LAST_MIGRATION_BEFORE_MOVE);
      sqlite.exec(LEGACY_AUTOMATION_DDL);
      sqlite.exec(LEGACY_REDISCOVERY_DDL);
      sqlite
        .prepare(
          "INSERT INTO automation_polls (opportunity_id, stage_id, token, updated_at) VALUES ('o1', 's1', 't1', 5)",
        )
        .run();
      sqlite
        .prepare("INSERT INTO rd_person (contact_id, doc, summary, updated_at) VALUES ('c-old', 'golang sre', '{}', 7)")
        .run();
      sqlite.prepare('UPDATE rd_vector_state SET gen = 3, deletions = 2 WHERE id = 1').run();
      await db.destroy();
    }

    const store = await openStore({ file });
    cleanups.push(() => store.close());
    expect(store.sqlite.prepare('SELECT name FROM kysely_migration ORDER BY name').pluck().all()).toEqual(
      MIGRATION_NAMES,
    );
    const fresh = await openStore({ file: ':memory:' });
    cleanups.push(() => fresh.close());
    expect(sqliteSchema(store.sqlite)).toEqual(sqliteSchema(fresh.sqlite));

    expect(store.sqlite.prepare('SELECT token FROM automation_polls').pluck().all()).toEqual(['t1']);
    expect(
      store.sqlite
        .prepare("SELECT contact_id FROM rd_person WHERE rid IN (SELECT rowid FROM rd_fts WHERE rd_fts MATCH 'golang')")
        .pluck()
        .all(),
    ).toEqual(['c-old']);
    expect(store.sqlite.prepare('SELECT gen, deletions FROM rd_vector_state').all()).toEqual([
      { gen: 3, deletions: 2 },
    ]);
    exerciseRediscoveryTriggers(store, 'c-new');
  });
});
