import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { openPostgresStore, type Store } from '../../backend/store/db.ts';

/**
 * An empty database in the tier's throwaway cluster, for one test file: its connection string, and `drop()` for
 * afterAll. Each file gets its own database, so files can run in parallel.
 */
export async function freshDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = inject('pgUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/**
 * A migrated store on a fresh database (one backend instance), `another()` for one more instance on the same
 * database (its own pool, as a second process would have), and `close()` for afterAll/afterEach: closes every
 * instance opened here, then drops the database.
 */
export async function freshStore(): Promise<{
  store: Store;
  url: string;
  another(): Promise<Store>;
  close(): Promise<void>;
}> {
  const database = await freshDatabase();
  const opened: Store[] = [];
  const another = async () => {
    const s = await openPostgresStore(database.url);
    opened.push(s);
    return s;
  };
  const store = await another();
  return {
    store,
    url: database.url,
    another,
    async close() {
      for (const s of opened) await s.close();
      await database.drop();
    },
  };
}
