import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { erasePerson } from '../../backend/governance/erase-person.ts';
import { PgBossQueue } from '../../backend/jobs/pg-queue.ts';
import { openPostgresStore, type Store } from '../../backend/store/db.ts';
import { freshDatabase } from './db.ts';

const silent = { warn() {}, error() {} };

// On PostgreSQL the queue is pg-boss: the jobs naming a person live in pgboss.job (and, once archived,
// pgboss.archive), not in the SQLite queue's `jobs` table, and an erasure must reach them as it does `jobs` on SQLite.
describe('PostgreSQL: erasure reaches the pg-boss queue', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let store: Store;
  let queue: PgBossQueue;
  beforeAll(async () => {
    database = await freshDatabase();
    store = await openPostgresStore(database.url);
    queue = await PgBossQueue.open({ connectionString: database.url, logger: silent });
  });
  afterAll(async () => {
    await queue.close();
    await store.close();
    await database.drop();
  });

  const jobsNaming = async (id: string) => {
    const r = await sql<{
      n: number;
    }>`select count(*)::int as n from pgboss.job where data::text like ${`%${id}%`}`.execute(store.db);
    return Number(r.rows[0]?.n);
  };

  it('deletes the queued and finished pg-boss jobs whose payload names the person, and no one else’s', async () => {
    const data = (opportunityId: string) => ({
      eventId: `e-${opportunityId}`,
      event: 'candidateStageChange',
      data: { opportunityId },
    });
    await queue.enqueue({ type: 'candidateStageChange', payload: data('opp-ada-1') });
    await queue.enqueue({ type: 'candidateStageChange', payload: data('opp-ada-1') });
    await queue.enqueue({ type: 'candidateStageChange', payload: data('opp-bo-1') });
    await sql`update pgboss.job set state = 'completed', completed_on = now()
      where id = (select id from pgboss.job where data::text like '%opp-ada-1%' limit 1)`.execute(store.db);
    expect(await jobsNaming('opp-ada-1')).toBe(2);

    const summary = await erasePerson(
      store.db,
      { scope: 'opportunity', opportunityIds: ['opp-ada-1'], contactIds: [], names: [], emails: [] },
      { actor: 'cli:ops', reason: 'forget' },
    );
    expect(await jobsNaming('opp-ada-1')).toBe(0);
    expect(await jobsNaming('opp-bo-1')).toBe(1);
    expect(summary.removed['queued or finished jobs']).toBe(2);
  });
});
