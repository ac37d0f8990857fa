import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { PgBossQueue } from '../../backend/jobs/pg-queue.ts';
import type { Database } from '../../backend/store/schema.ts';
import { describeQueueContract } from '../backend/helpers/queue-contract.ts';
import { freshDatabase } from './db.ts';

const silent = { warn() {}, error() {} };

describeQueueContract('PgBossQueue', async () => {
  const database = await freshDatabase();
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url }) }),
  });
  const queues: PgBossQueue[] = [];
  return {
    db,
    async queue(opts) {
      const q = await PgBossQueue.open({ connectionString: database.url, pollIntervalMs: 10, logger: silent, ...opts });
      queues.push(q);
      return q;
    },
    async close() {
      for (const q of queues) await q.close();
      await db.destroy();
      await database.drop();
    },
  };
});

describe('PgBossQueue: two instances at once on a new job type', () => {
  it('create the queue once, without deadlock, and one dedupe key gives one job', async () => {
    const database = await freshDatabase();
    const a = await PgBossQueue.open({ connectionString: database.url, logger: silent });
    const b = await PgBossQueue.open({ connectionString: database.url, logger: silent });
    try {
      // Each enqueue of a type neither instance has seen makes it create pg-boss's queue (a partition) first.
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? a : b).enqueue({ type: 'contract.new-type', payload: { i }, dedupeKey: 'same-key' }),
        ),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.id)).size).toBe(1);
      // And many new types at once from both instances.
      const types = Array.from({ length: 8 }, (_, i) => `contract.burst-${i}`);
      await Promise.all(types.flatMap((type) => [a, b].map((q) => q.enqueue({ type, payload: {} }))));
      const stats = await a.stats();
      expect(stats.queued).toBe(1 + types.length * 2);
    } finally {
      await a.close();
      await b.close();
      await database.drop();
    }
  });
});
