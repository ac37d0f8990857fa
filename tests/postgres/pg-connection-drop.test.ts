import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore, type Store } from '../../backend/store/db.ts';
import { freshDatabase } from './db.ts';

// PostgreSQL ending a connection (restart, failover, pg_terminate_backend) must fail the work on it, not the process:
// an 'error' event nobody listens to is an uncaught exception that ends the backend.
describe('PostgreSQL: a connection the server drops', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let store: Store;
  let admin: pg.Client;
  beforeAll(async () => {
    database = await freshDatabase();
    store = await openPostgresStore(database.url);
    admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin.end();
    await store.close();
    await database.drop();
  });

  const terminate = (pid: number) => admin.query('select pg_terminate_backend($1)', [pid]);
  const backendPid = async (db: Store['db']) =>
    Number((await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db)).rows[0]?.pid);

  /** Runs `tx` (a transaction the server ends): it must fail, nothing may be uncaught, and the store still answers. */
  async function failsAlone(tx: () => Promise<unknown>) {
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => uncaught.push(e);
    process.on('uncaughtException', onUncaught);
    try {
      await expect(tx()).rejects.toThrow();
      await sleep(100);
      expect(uncaught).toEqual([]);
      expect((await sql<{ one: number }>`select 1 as one`.execute(store.db)).rows[0]?.one).toBe(1);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  }

  it('while a transaction holds it between statements: the transaction fails, the store goes on', async () => {
    await failsAlone(() =>
      store.db.transaction().execute(async (trx) => {
        await terminate(await backendPid(trx));
        await sleep(300); // the termination arrives while no statement runs on this connection
        await sql`select 1`.execute(trx);
      }),
    );
  });

  it('during a statement: the statement fails, the store goes on', async () => {
    await failsAlone(() =>
      store.db.transaction().execute(async (trx) => {
        const pid = await backendPid(trx);
        setTimeout(() => void terminate(pid), 200);
        await sql`select pg_sleep(3)`.execute(trx);
      }),
    );
  });
});
