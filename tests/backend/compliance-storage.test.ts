import { describeComplianceContract } from './helpers/compliance-contract.ts';
import { openTempStore } from './helpers/temp-store.ts';

describeComplianceContract('SQLite', async () => {
  const t = await openTempStore();
  return { store: t.store, close: t.cleanup };
});
