import { sql } from 'kysely';
import { SqliteQueue } from '../../backend/jobs/sqlite-queue.ts';
import { openStore, type Store } from '../../backend/store/db.ts';
import { describeIntakeContract } from './helpers/intake-contract.ts';
import { makeTempDir } from './helpers/temp-store.ts';

// Two "instances" are two connections to one SQLite file (WAL), as a second process on the machine would have.
describeIntakeContract('SQLite', async () => {
  const tmp = makeTempDir();
  const stores: Store[] = [];
  const instance = async () => {
    const store = await openStore({ dataDir: tmp.dir });
    stores.push(store);
    return { store, queue: new SqliteQueue(store) };
  };
  const db = () => stores[0]!.db;
  return {
    instance,
    async webhookJobs() {
      const r = await db()
        .selectFrom('jobs')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('type', '=', 'candidateStageChange')
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async poisonEvents() {
      await sql`CREATE TRIGGER poison BEFORE INSERT ON webhook_events WHEN NEW.payload LIKE '%poison%'
        BEGIN SELECT RAISE(ABORT, 'poisoned event'); END`.execute(db());
    },
    async close() {
      for (const s of stores) await s.close();
      tmp.cleanup();
    },
  };
});
