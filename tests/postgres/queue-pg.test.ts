import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
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
