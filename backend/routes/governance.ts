import { Hono } from 'hono';
import { stream } from 'hono/streaming';
import { z } from 'zod';
import { type GovernanceResponse, GovernanceSchema } from '../../utils/contracts/governance.ts';
import type { AppServices } from '../app.ts';
import { exportAudit } from '../audit/audit-log.ts';
import { readGovernance, writeGovernance } from '../governance/settings.ts';
import type { AuthEnv } from '../http/auth.ts';
import { zodJson, zodQuery } from '../http/validate.ts';

const ExportQuery = z.object({
  format: z.enum(['jsonl', 'csv']).default('jsonl'),
  since: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
});

/**
 * Admin governance: what the AI may do (settings table, Fulcrum admins), and the audit log as a download (it names
 * every candidate, so a Fulcrum admin who is a Lever admin too).
 */
export function governanceRoutes(s: AppServices) {
  const response = async (): Promise<GovernanceResponse> => {
    const { governance, updatedAt } = await readGovernance(s.store.db);
    return { governance, updatedAt: updatedAt === null ? null : new Date(updatedAt).toISOString() };
  };
  return new Hono<AuthEnv>()
    .get('/governance', s.guards.fulcrumAdmin(), async (c) => c.json(await response()))
    .put('/governance', s.guards.fulcrumAdmin(), zodJson(GovernanceSchema), async (c) => {
      const before = (await readGovernance(s.store.db)).governance;
      const after = c.req.valid('json');
      await writeGovernance(s.store.db, after, s.clock());
      // Who changed what the AI may do belongs in the same trail as what the AI did.
      await s.audit({
        actor: c.get('recruiter').email,
        opportunityId: null,
        capability: 'governance',
        action: 'governance.update',
        provenance: null,
        output: { before, after },
        decision: null,
        leverIds: [],
      });
      return c.json(await response());
    })
    .get('/audit/export', s.guards.fulcrumAndLeverAdmin(), zodQuery(ExportQuery), (c) => {
      const { format, since } = c.req.valid('query');
      const stamp = s.nowDate().toISOString().slice(0, 10);
      c.header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
      c.header('content-disposition', `attachment; filename="fulcrum-audit-${stamp}.${format}"`);
      c.header('cache-control', 'no-store');
      // Streamed row by row: the log grows without bound and must not be held in memory.
      return stream(c, async (out) => {
        for await (const line of exportAudit(s.store, { format, ...(since ? { since: new Date(since) } : {}) })) {
          await out.write(line);
        }
      });
    });
}
