import { describeAutomationsContract } from './helpers/automations-contract.ts';
import { openTempStore } from './helpers/temp-store.ts';

// SQLite has one writer per database (one backend process): the concurrency case races writers on one store.
describeAutomationsContract('SQLite', async () => {
  const t = await openTempStore();
  return { store: t.store, twin: async () => null, close: t.cleanup };
});
