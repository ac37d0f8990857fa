import { Hono } from 'hono';
import { type Kysely, sql } from 'kysely';
import type { AppServices } from '../app.ts';
import type { Store } from '../store/db.ts';
import type { Database } from '../store/schema.ts';

const REQUIRED_TABLES = [
  'proposals',
  'webhook_events',
  'jobs',
  'write_ledger',
  'lever_notes',
  'audit_log',
  'lever_webhooks',
];

/** How many of `names` exist as tables, on either engine (PostgreSQL: in the connection's current schema). */
async function countTables(db: Kysely<Database>, dialect: 'sqlite' | 'postgres', names: string[]): Promise<number> {
  const list = sql.join(names.map((n) => sql.lit(n)));
  const q =
    dialect === 'postgres'
      ? sql<{ n: number | string }>`select count(*) as n from information_schema.tables
          where table_schema = current_schema() and table_name in (${list})`
      : sql<{ n: number | string }>`select count(*) as n from sqlite_master where type = 'table' and name in (${list})`;
  const r = await q.execute(db);
  return Number(r.rows[0]?.n ?? 0); // count(*) is a bigint (a string) on PostgreSQL
}

/**
 * Liveness (the process answers) and readiness (the database answers and is migrated; not shutting down). Readiness
 * names the engine it checked (`engine`: sqlite or postgres), so a load balancer's log shows what each instance runs
 * on. Nothing is read at build time: the store is only queried per request, through Kysely.
 */
export function healthRoutes(
  s: Pick<AppServices, 'isReady'> & {
    store: Pick<Store, 'db' | 'dialect'>;
    guards: Pick<AppServices['guards'], 'public'>;
  },
) {
  const engine = s.store.dialect;
  return new Hono()
    .get('/healthz', s.guards.public(), (c) => c.json({ status: 'ok' }))
    .get('/readyz', s.guards.public(), async (c) => {
      if (s.isReady && !s.isReady()) {
        return c.json({ status: 'not-ready', engine, reason: 'starting or shutting down' }, 503);
      }
      try {
        const tables = await countTables(s.store.db, engine, REQUIRED_TABLES);
        const migrated = await countTables(s.store.db, engine, ['kysely_migration']);
        if (tables !== REQUIRED_TABLES.length || migrated !== 1) {
          return c.json({ status: 'not-ready', engine, reason: 'database migrations have not run' }, 503);
        }
        return c.json({ status: 'ready', engine });
      } catch {
        return c.json({ status: 'not-ready', engine, reason: 'database unreachable' }, 503);
      }
    });
}
