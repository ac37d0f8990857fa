import { Hono } from 'hono';
import { z } from 'zod';
import {
  InboxResponseSchema,
  PolicyResponseSchema,
  PutPolicyRequestSchema,
} from '../../utils/contracts/automations.ts';
import { isLeverAdmin } from '../access/policy.ts';
import type { AppServices } from '../app.ts';
import { MarkSentBodySchema, markSent } from '../automations/follow-up.ts';
import { listInbox } from '../automations/inbox.ts';
import { metricsFor } from '../automations/metrics.ts';
import { getPolicy, PolicyTargetSchema, setPolicy } from '../automations/policy.ts';
import type { AuthEnv } from '../http/auth.ts';
import { zodJson, zodParam, zodQuery } from '../http/validate.ts';

/**
 * Automations over HTTP (mounted by app.ts):
 * - GET  /api/inbox                       → InboxResponse (pending proposals for the recruiter's postings, filtered by
 *                                           what their Lever role may see)
 * - POST /api/proposals/:id/mark-sent     {followUpAt?} → {proposalId, followUpAt} (schedules the follow-up)
 * - GET  /api/admin/policy?postingId=&team= (admin) → PolicyResponse
 * - PUT  /api/admin/policy {scope, settings} (admin) → PolicyResponse
 * - GET  /metrics (admin bearer token) → Prometheus text
 */

export function inboxRoutes(s: AppServices) {
  return new Hono<AuthEnv>().get('/', s.guards.filtered('inbox: proposals the caller may see'), async (c) => {
    const v = await s.guards.viewer(c);
    // Everything for Lever admins; for everyone else what they own or follow, then only what their role may see.
    const all = await listInbox(s.store, {
      email: v.email,
      role: isLeverAdmin(v) ? 'admin' : 'recruiter',
      leverUserId: v.leverUserId,
    });
    const items = await s.access.filterProposals(v, all);
    return c.json(InboxResponseSchema.parse({ items, count: items.length }));
  });
}

export function markSentRoutes(s: AppServices) {
  return new Hono<AuthEnv>().post(
    '/:id/mark-sent',
    zodParam(z.object({ id: z.string().uuid('proposal ids are UUIDs') })),
    s.guards.proposal('approve'),
    zodJson(MarkSentBodySchema),
    async (c) =>
      c.json(await markSent(s.automations, c.get('recruiter'), c.req.valid('param').id, c.req.valid('json'))),
  );
}

export function policyRoutes(s: AppServices) {
  return new Hono<AuthEnv>()
    .get('/', s.guards.fulcrumAdmin(), zodQuery(PolicyTargetSchema), async (c) => {
      const q = c.req.valid('query');
      return c.json(PolicyResponseSchema.parse(await getPolicy(s.store, q)));
    })
    .put('/', s.guards.fulcrumAdmin(), zodJson(PutPolicyRequestSchema), async (c) => {
      const { scope, settings } = c.req.valid('json');
      const actor = c.get('recruiter');
      await setPolicy(s.store, scope, settings, actor.email, s.clock());
      await s.audit({
        actor: actor.email,
        opportunityId: null,
        capability: 'automation',
        action: 'policy.set',
        provenance: null,
        output: { scope, settings },
        decision: null,
        leverIds: [],
      });
      const target =
        scope.level === 'posting' ? { postingId: scope.postingId } : scope.level === 'team' ? { team: scope.team } : {};
      return c.json(PolicyResponseSchema.parse(await getPolicy(s.store, target)));
    });
}

/** Prometheus exposition. Guarded by the admin bearer token (configure it as the scrape job's bearer_token). */
export function metricsRoutes(s: AppServices) {
  return new Hono<AuthEnv>().get('/', s.guards.fulcrumAdmin(), async (c) => {
    const text = metricsFor(s.store).render(await s.queue.stats(), s.lever.stats);
    return c.text(text, 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
  });
}
