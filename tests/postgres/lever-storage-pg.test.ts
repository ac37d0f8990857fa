import { openPostgresKysely } from '../../backend/store/postgres.ts';
import { describeLeverStorageContract } from '../backend/helpers/lever-storage-contract.ts';
import { freshDatabase, freshStore } from './db.ts';

// A fresh database per test; a second instance is a second openPostgresStore (its own pg pool) on the same database.
describeLeverStorageContract('PostgreSQL', 'postgres', async () => {
  const h = await freshStore();
  return {
    store: h.store,
    openAnother: h.another,
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
    close: h.close,
  };
});
