import { describe, expect, it } from 'vitest';
import { PgBossQueue } from '../../backend/jobs/pg-queue.ts';
import { vectorSearchChoice } from '../../backend/rediscovery/vector-index.ts';
import { openPostgresStore } from '../../backend/store/db.ts';
import { describeRediscoveryContract } from '../backend/helpers/rediscovery-contract.ts';
import { freshDatabase } from './db.ts';

const silent = { warn() {}, error() {} };

// A fresh database per test: the contract's tests each start from an empty store, as on SQLite.
describeRediscoveryContract('PostgreSQL', async () => {
  const database = await freshDatabase();
  const store = await openPostgresStore(database.url);
  const queues: PgBossQueue[] = [];
  return {
    store,
    async queue() {
      const q = await PgBossQueue.open({ connectionString: database.url, pollIntervalMs: 10, logger: silent });
      queues.push(q);
      return q;
    },
    async close() {
      for (const q of queues) await q.close();
      await store.close();
      await database.drop();
    },
  };
});

describe('vector search on PostgreSQL', () => {
  it('detects pgvector and logs that the in-process exact search is used (pgvector is not installed here)', async () => {
    const database = await freshDatabase();
    const store = await openPostgresStore(database.url);
    try {
      const choice = await vectorSearchChoice(store.db);
      expect(choice).toMatchObject({ mode: 'in-process exact search', pgvectorAvailable: false });
      expect(choice.line).toBe(
        'rediscovery vectors: in-process exact search (PostgreSQL; pgvector extension not installed)',
      );
    } finally {
      await store.close();
      await database.drop();
    }
  });
});
