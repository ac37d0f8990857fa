import { Hono } from 'hono';
import type { AppServices } from '../app.ts';

const REQUIRED_TABLES = [
  'proposals',
  'webhook_events',
  'jobs',
  'write_ledger',
  'lever_notes',
  'audit_log',
  'lever_webhooks',
];

/** Liveness (the process answers) and readiness (the database answers and is migrated; not shutting down). */
export function healthRoutes(s: AppServices) {
  const tables = s.store.sqlite.prepare(
    `SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN (${REQUIRED_TABLES.map(() => '?').join(',')})`,
  );
  const migrated = s.store.sqlite.prepare(
    "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'kysely_migration'",
  );
  return new Hono()
    .get('/healthz', s.guards.public(), (c) => c.json({ status: 'ok' }))
    .get('/readyz', s.guards.public(), (c) => {
      if (s.isReady && !s.isReady()) return c.json({ status: 'not-ready', reason: 'starting or shutting down' }, 503);
      try {
        const t = tables.get(...REQUIRED_TABLES) as { n: number };
        const m = migrated.get() as { n: number };
        if (t.n !== REQUIRED_TABLES.length || m.n !== 1) {
          return c.json({ status: 'not-ready', reason: 'database migrations have not run' }, 503);
        }
        return c.json({ status: 'ready' });
      } catch {
        return c.json({ status: 'not-ready', reason: 'database unreachable' }, 503);
      }
    });
}
