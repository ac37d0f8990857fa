import { parseArgs } from 'node:util';
import { OpportunityIdSchema } from '../../utils/contracts/api.ts';
import type { RetentionReport } from '../../utils/contracts/compliance.ts';
import { requestErasure, retentionPlan, retentionReport } from '../compliance/retention-policy.ts';
import { parseJurisdictionList } from '../compliance/settings.ts';
import { runRetention } from '../governance/retention.ts';
import { readGovernance } from '../governance/settings.ts';
import type { CliCommand } from './commands.ts';
import { withCliStore } from './open-store.ts';

const USAGE = 'Usage: npm run cli -- retention [--json] | --run | --erase-request OPPORTUNITY_ID';

export function formatRetention(r: RetentionReport): string {
  const lines = [
    `Jurisdictions: ${r.jurisdictions.join(', ') || 'none'} (from ${r.jurisdictionsFrom}); admin retention ${r.adminRetentionDays} days.`,
    '',
  ];
  for (const c of r.classes) {
    lines.push(
      `${c.records}`,
      `  kept: ${c.keepDays === null ? 'never deleted' : `${c.keepDays} days`}; ${c.rows} rows, ${c.heldByLaw} held by law, ${c.dueForDeletion} due for deletion`,
      `  why: ${c.why}`,
      ...c.rules.map((x) => `  law: ${x.citation}`),
    );
  }
  lines.push(
    '',
    `Must go: ${r.mustGo.consentExpired.opportunities} candidates whose Lever consent expired (${r.mustGo.consentExpired.rows} rows left), erasure requests ${r.mustGo.erasureRequests.pending} pending / ${r.mustGo.erasureRequests.done} done; ${r.mustGo.heldByLaw} rows of these still held by law.`,
    ...r.notes.map((n) => `Note: ${n}`),
  );
  return lines.join('\n');
}

/** Retention by law: the report (what is kept and why), a run now, or an erasure request. */
export const retentionCommand: CliCommand = {
  summary: 'Retention by law: report what is kept and why (--json), run it now (--run), record an erasure request',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: { json: { type: 'boolean' }, run: { type: 'boolean' }, 'erase-request': { type: 'string' } },
    });
    if (values.run && values['erase-request']) throw new Error(USAGE);
    return withCliStore(async (store, config) => {
      const env = parseJurisdictionList(config.COMPLIANCE_JURISDICTIONS);
      const now = Date.now();
      if (values['erase-request'] !== undefined) {
        const id = OpportunityIdSchema.safeParse(values['erase-request']);
        if (!id.success) throw new Error(`--erase-request needs a Lever opportunity id (a UUID). ${USAGE}`);
        const req = await requestErasure(store.db, id.data, 'cli', now);
        console.log(`Erasure request ${req} recorded (audited); the next retention run (or --run) carries it out.`);
        return 0;
      }
      if (values.run) {
        const r = await runRetention(store, now, { jurisdictions: env });
        console.log(
          `Deleted ${r.aiResults} AI outputs, ${r.proposals} decided proposals, ${r.jobs} jobs, ${r.webhookEvents} webhook events; must go: ${r.mustGo.deleted} rows deleted, ${r.mustGo.heldByLaw} held by law, ${r.mustGo.erased} erasure requests carried out (${r.mustGo.auditTombstones} audit rows kept as de-identified tombstones).`,
        );
      }
      const { governance } = await readGovernance(store.db);
      const report = await retentionReport(
        store.db,
        await retentionPlan(store.db, governance.retentionDays, env, now),
        now,
      );
      console.log(values.json ? JSON.stringify(report, null, 2) : formatRetention(report));
      return 0;
    });
  },
};
