import pg from 'pg';

/**
 * A lease on a named periodic job, so that with several backend instances only one runs it at a time.
 * `hold()` says whether this process holds the lease now, taking it when it is free; `release()` gives it up for
 * good (the process is stopping).
 */
export interface SingleRunner {
  readonly name: string;
  hold(): Promise<boolean>;
  release(): Promise<void>;
}

/** The embedded SQLite store serves one process, so that process is always the runner. */
export function inProcessRunner(name: string): SingleRunner {
  return { name, hold: async () => true, release: async () => {} };
}

/**
 * PostgreSQL: a session-level `pg_try_advisory_lock` held on a dedicated connection. The lock lives as long as that
 * session, so when the holder dies (even kill -9) the server drops the session and another instance's next `hold()`
 * takes the lease. A dropped connection is noticed and reopened on the next `hold()`.
 */
export function pgSingleRunner(connectionString: string, name: string): SingleRunner {
  let client: pg.Client | undefined;
  let held = false;
  let released = false;
  const drop = () => {
    held = false;
    const c = client;
    client = undefined;
    c?.end().catch(() => {});
  };
  return {
    name,
    async hold() {
      if (released) return false; // a tick still in flight after release() must not take the lease again
      if (client && held) return true;
      if (!client) {
        const c = new pg.Client({ connectionString });
        c.on('error', () => {
          if (client === c) drop();
        });
        await c.connect();
        if (released) {
          await c.end();
          return false;
        }
        client = c;
      }
      try {
        // hashtext maps the name onto the advisory lock's bigint key space; the same name gives the same key.
        const r = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)::bigint) AS ok', [
          name,
        ]);
        held = r.rows[0]?.ok === true;
      } catch (e) {
        drop();
        throw e;
      }
      return held;
    },
    async release() {
      released = true;
      const c = client;
      if (!c) return;
      client = undefined;
      try {
        if (held) await c.query('SELECT pg_advisory_unlock(hashtext($1)::bigint)', [name]);
      } finally {
        held = false;
        await c.end();
      }
    },
  };
}
