import { describeAutomationsContract } from '../backend/helpers/automations-contract.ts';
import { freshStore } from './db.ts';

// A fresh database per test, as on SQLite; twin() is a second backend instance (its own pool) on the same database.
describeAutomationsContract('PostgreSQL', async () => {
  const h = await freshStore();
  return { store: h.store, twin: h.another, close: h.close };
});
