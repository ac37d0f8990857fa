import { openPostgresStore } from '../../backend/store/db.ts';
import { describeAutomationsContract } from '../backend/helpers/automations-contract.ts';
import { freshDatabase } from './db.ts';

// A fresh database per test, as on SQLite; twin() is a second backend instance (its own pool) on the same database.
describeAutomationsContract('PostgreSQL', async () => {
  const database = await freshDatabase();
  const store = await openPostgresStore(database.url);
  return {
    store,
    twin: () => openPostgresStore(database.url),
    async close() {
      await store.close();
      await database.drop();
    },
  };
});
