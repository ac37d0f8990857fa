import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { openStore } from '../../backend/store/db.ts';
import type { Database } from '../../backend/store/schema.ts';
import { describeLeverStorageContract } from './helpers/lever-storage-contract.ts';
import { openTempStore } from './helpers/temp-store.ts';

// A SQLite file in a temp dir per test; a second instance is a second connection to the same file.
describeLeverStorageContract('SQLite', 'sqlite', async () => {
  const t = await openTempStore();
  return {
    store: t.store,
    openAnother: () => openStore({ file: t.store.file }),
    async openUnmigrated() {
      const db = new Kysely<Database>({
        dialect: new SqliteDialect({ database: new BetterSqlite3(path.join(t.dir, 'empty.sqlite')) }),
      });
      return { db, close: () => db.destroy() };
    },
    close: () => t.cleanup(),
  };
});
