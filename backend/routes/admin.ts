import { Hono } from 'hono';
import type { AppServices } from '../app.ts';
import type { AuthEnv } from '../http/auth.ts';
import { policyRoutes } from './automations.ts';
import { complianceAdminRoutes } from './compliance.ts';
import { fairnessAdminRoutes } from './fairness.ts';
import { governanceRoutes } from './governance.ts';
import { leverOAuthAdminRoutes } from './lever-oauth.ts';
import { calendarAdminRoutes } from './scheduling.ts';

/**
 * Everything under /api/admin, in one router: Lever webhooks (here; signature tokens never leave the backend), the
 * Lever OAuth connection, AI governance and the audit export, automation policy, interviewer calendars, the
 * compliance kit's settings, the diversity funnel and the bias test. Each route keeps its own access rule.
 */
export function adminRoutes(s: AppServices) {
  return new Hono<AuthEnv>()
    .get('/webhooks', s.guards.fulcrumAdmin(), async (c) => {
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
    })
    .route('/', leverOAuthAdminRoutes(s))
    .route('/', governanceRoutes(s))
    .route('/policy', policyRoutes(s))
    .route('/calendars', calendarAdminRoutes(s))
    .route('/compliance', complianceAdminRoutes(s))
    .route('/', fairnessAdminRoutes(s));
}
