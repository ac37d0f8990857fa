import { Hono } from 'hono';
import { z } from 'zod';
import { type AuditEntry, AuditListSchema, OpportunityIdSchema } from '../../utils/contracts/api.ts';
import type { AppServices } from '../app.ts';
import { listAudit } from '../audit/audit-log.ts';
import type { AuthEnv } from '../http/auth.ts';
import { zodQuery } from '../http/validate.ts';

/**
 * `GET /api/audit?opportunityId=`: the trail of AI actions and Lever writes for one candidate. Filtered, not refused:
 * for a candidate the caller may not see it is empty, exactly as for one that never existed.
 */
export function auditRoutes(s: AppServices) {
  return new Hono<AuthEnv>().get(
    '/',
    zodQuery(z.object({ opportunityId: OpportunityIdSchema })),
    s.guards.filtered('audit trail of one candidate the caller may see'),
    async (c) => {
      const { opportunityId } = c.req.valid('query');
      const decision = await s.access.opportunity(await s.guards.viewer(c), opportunityId);
      const entries: AuditEntry[] = decision?.see ? await listAudit(s.store, { opportunityId }) : [];
      return c.json(AuditListSchema.parse({ entries }));
    },
  );
}
