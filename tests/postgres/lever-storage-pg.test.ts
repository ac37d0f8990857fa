import { openPostgresStore } from '../../backend/store/db.ts';
import { openPostgresKysely } from '../../backend/store/postgres.ts';
import { describeLeverStorageContract } from '../backend/helpers/lever-storage-contract.ts';
import { freshDatabase } from './db.ts';

// A fresh database per test; a second instance is a second openPostgresStore (its own pg pool) on the same database.
describeLeverStorageContract('PostgreSQL', 'postgres', async () => {
  const database = await freshDatabase();
  const store = await openPostgresStore(database.url);
  return {
    store,
    openAnother: () => openPostgresStore(database.url),
    async openUnmigrated() {
      const empty = await freshDatabase();
      const db = openPostgresKysely(empty.url);
      return {
        db,
        async close() {
          await db.destroy();
          await empty.drop();
        },
      };
    },
    async close() {
      await store.close();
      await database.drop();
    },
  };
});
