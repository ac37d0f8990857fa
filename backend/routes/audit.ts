import { Hono } from 'hono';
import { z } from 'zod';
import { type AuditEntry, AuditListSchema, OpportunityIdSchema } from '../../utils/contracts/api.ts';
import type { AppServices } from '../app.ts';
import { listAudit } from '../audit/audit-log.ts';
import type { AuthEnv } from '../http/auth.ts';
import { zodQuery } from '../http/validate.ts';

/** `GET /api/audit?opportunityId=`: the trail of AI actions and Lever writes for one candidate. */
export function auditRoutes(s: AppServices) {
  return new Hono<AuthEnv>().get('/', zodQuery(z.object({ opportunityId: OpportunityIdSchema })), async (c) => {
    const { opportunityId } = c.req.valid('query');
    const entries: AuditEntry[] = await listAudit(s.store, { opportunityId });
    return c.json(AuditListSchema.parse({ entries }));
  });
}
