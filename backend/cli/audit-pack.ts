import { parseArgs } from 'node:util';
import { appendAudit } from '../audit/audit-log.ts';
import { auditPackToCsv } from '../compliance/audit-pack.ts';
import { loadAuditPack } from '../compliance/load-audit-pack.ts';
import { leverFromConfig } from '../lever-config.ts';
import type { CliCommand } from './commands.ts';
import { withCliStore } from './open-store.ts';

const USAGE =
  'Usage: npm run cli -- audit-pack --from YYYY-MM-DD --to YYYY-MM-DD [--posting ID] [--min N] [--json | --csv]';

/**
 * The LL144 bias-audit data pack from Fulcrum's records and Lever's EEO self-reports (admin only: it runs with the
 * backend's database and Lever key). Prints the draft public summary, or the whole pack as JSON or CSV. Audited.
 */
export const auditPackCommand: CliCommand = {
  summary: 'Bias-audit data pack (LL144 impact ratios by sex, race/ethnicity, intersections); admin only',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        posting: { type: 'string' },
        min: { type: 'string' },
        json: { type: 'boolean' },
        csv: { type: 'boolean' },
      },
    });
    if (!values.from || !values.to || (values.json && values.csv)) throw new Error(USAGE);
    const minCell = values.min === undefined ? undefined : Number(values.min);
    return withCliStore(async (store, config) => {
      const pack = await loadAuditPack(
        { store, lever: leverFromConfig(config), now: new Date() },
        {
          from: values.from as string,
          to: values.to as string,
          ...(values.posting ? { postingId: values.posting } : {}),
          ...(minCell === undefined ? {} : { minCell }),
        },
      );
      await appendAudit(store.db, {
        actor: 'cli',
        opportunityId: null,
        capability: 'compliance',
        action: 'compliance.audit-pack',
        output: { from: pack.from, to: pack.to, postingId: pack.postingId, state: pack.state, sample: pack.sample },
        decision: null,
        leverIds: pack.postingId ? [pack.postingId] : [],
      });
      if (values.csv) process.stdout.write(auditPackToCsv(pack));
      else console.log(values.json ? JSON.stringify(pack, null, 2) : pack.summary);
      return pack.state === 'ok' ? 0 : 3;
    });
  },
};
