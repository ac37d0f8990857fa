import { describeGovernanceContract } from './helpers/governance-contract.ts';
import { openTempStore } from './helpers/temp-store.ts';

describeGovernanceContract('SQLite', async () => {
  const t = await openTempStore();
  return { store: t.store, close: t.cleanup };
});
