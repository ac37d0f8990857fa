import { Hono } from 'hono';
import type { AppServices } from '../app.ts';
import type { AuthEnv } from '../http/auth.ts';

/** Admin-only views. Signature tokens never leave the backend. */
export function adminRoutes(s: AppServices) {
  return new Hono<AuthEnv>().get('/webhooks', s.guards.fulcrumAdmin(), async (c) => {
    const rows = await s.store.db
      .selectFrom('lever_webhooks')
      .select(['id', 'event', 'url', 'created_at'])
      .orderBy('created_at')
      .execute();
    return c.json({
      webhooks: rows.map((r) => ({
        id: r.id,
        event: r.event,
        url: r.url,
        createdAt: new Date(r.created_at).toISOString(),
      })),
    });
  });
}
