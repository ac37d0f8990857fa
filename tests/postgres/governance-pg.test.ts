import { openPostgresStore } from '../../backend/store/db.ts';
import { describeGovernanceContract } from '../backend/helpers/governance-contract.ts';
import { freshDatabase } from './db.ts';

// A fresh database per test: the contract's tests each start from an empty store, as on SQLite.
describeGovernanceContract('PostgreSQL', async () => {
  const database = await freshDatabase();
  const store = await openPostgresStore(database.url);
  return {
    store,
    async close() {
      await store.close();
      await database.drop();
    },
  };
});
