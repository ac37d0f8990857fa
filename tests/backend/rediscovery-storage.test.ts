import { SqliteQueue } from '../../backend/jobs/sqlite-queue.ts';
import { describeRediscoveryContract } from './helpers/rediscovery-contract.ts';
import { openTempStore } from './helpers/temp-store.ts';

describeRediscoveryContract('SQLite', async () => {
  const t = await openTempStore();
  return { store: t.store, queue: async () => new SqliteQueue(t.store), close: t.cleanup };
});
