import type BetterSqlite3 from 'better-sqlite3';

/** A SQLite database's schema as names: tables with their columns, indexes, triggers (Kysely's own tables left out). */
export type SqliteSchema = {
  tables: Record<string, string[]>;
  indexes: string[];
  triggers: string[];
};

export function sqliteSchema(sqlite: BetterSqlite3.Database): SqliteSchema {
  const names = (type: string) =>
    (
      sqlite
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = ? AND name NOT LIKE 'kysely%' AND name NOT LIKE 'sqlite%' ORDER BY name",
        )
        .all(type) as Array<{ name: string }>
    ).map((r) => r.name);
  const tables: Record<string, string[]> = {};
  for (const t of names('table')) {
    tables[t] = (
      sqlite.prepare('SELECT name FROM pragma_table_info(?) ORDER BY cid').all(t) as Array<{ name: string }>
    ).map((c) => c.name);
  }
  return { tables, indexes: names('index'), triggers: names('trigger') };
}
