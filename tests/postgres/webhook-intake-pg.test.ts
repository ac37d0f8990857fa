import { sql } from 'kysely';
import { PgBossQueue } from '../../backend/jobs/pg-queue.ts';
import { openPostgresStore, type Store } from '../../backend/store/db.ts';
import { describeIntakeContract } from '../backend/helpers/intake-contract.ts';
import { freshDatabase } from './db.ts';

const silent = { warn() {}, error() {} };

// Each instance: its own pool (openPostgresStore) and its own pg-boss queue, on one database.
describeIntakeContract('PostgreSQL', async () => {
  const database = await freshDatabase();
  const stores: Store[] = [];
  const queues: PgBossQueue[] = [];
  return {
    async instance() {
      const store = await openPostgresStore(database.url);
      stores.push(store);
      const queue = await PgBossQueue.open({ connectionString: database.url, logger: silent });
      queues.push(queue);
      return { store, queue };
    },
    async webhookJobs() {
      const r = await sql<{
        n: string;
      }>`select count(*) as n from pgboss.job where name = 'candidateStageChange'`.execute(stores[0]!.db);
      return Number(r.rows[0]?.n);
    },
    async poisonEvents() {
      const db = stores[0]!.db;
      await sql`CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.payload LIKE '%poison%' THEN RAISE EXCEPTION 'poisoned event'; END IF; RETURN NEW; END $$`.execute(
        db,
      );
      await sql`CREATE TRIGGER poison BEFORE INSERT ON webhook_events FOR EACH ROW EXECUTE FUNCTION poison()`.execute(
        db,
      );
    },
    async close() {
      for (const q of queues) await q.close();
      for (const s of stores) await s.close();
      await database.drop();
    },
  };
});
