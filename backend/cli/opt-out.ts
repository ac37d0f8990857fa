import { parseArgs } from 'node:util';
import { OpportunityIdSchema } from '../../utils/contracts/api.ts';
import { localOptOutStatus, optOutStatusOf, recordOptOut, withdrawOptOut } from '../compliance/opt-out.ts';
import { leverFromConfig } from '../lever-config.ts';
import type { CliCommand } from './commands.ts';
import { withCliStore } from './open-store.ts';

const USAGE = 'Usage: npm run cli -- opt-out --opportunity ID [--undo] [--reason TEXT]';

/**
 * Records (or with --undo withdraws) a candidate's opt-out of automated assessment, audited as actor 'cli'. Lever is
 * read for the person's contact id (so rediscovery leaves out their other applications too) and the current tag;
 * when Lever cannot be reached the opt-out is still recorded, by opportunity only, and the command says so.
 */
export const optOutCommand: CliCommand = {
  summary: 'Record or withdraw (--undo) a candidate opt-out of automated assessment',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: { opportunity: { type: 'string' }, undo: { type: 'boolean' }, reason: { type: 'string' } },
    });
    const id = OpportunityIdSchema.safeParse(values.opportunity ?? '');
    if (!id.success) throw new Error(`--opportunity must be a Lever opportunity id (a UUID). ${USAGE}`);
    const reason = values.reason?.slice(0, 500);
    return withCliStore(async (store, config) => {
      let opp: { id: string; tags?: readonly unknown[] | null; contact?: unknown } | null = null;
      try {
        opp = await leverFromConfig(config).getOpportunity(id.data);
      } catch (e) {
        console.error(`Lever could not be read (${(e as Error).message}); recording by opportunity id only.`);
      }
      const now = Date.now();
      if (values.undo) {
        const n = await withdrawOptOut(store.db, {
          opportunityId: id.data,
          by: 'cli',
          now,
          ...(reason ? { reason } : {}),
        });
        console.log(n ? 'Opt-out withdrawn (audited).' : 'There was no CLI or admin opt-out to withdraw.');
      } else {
        const contact = opp?.contact;
        const contactId =
          typeof contact === 'string'
            ? contact
            : contact && typeof contact === 'object' && 'id' in contact && typeof contact.id === 'string'
              ? contact.id
              : null;
        const created = await recordOptOut(store.db, {
          opportunityId: id.data,
          contactId,
          source: 'cli',
          ...(reason ? { reason } : {}),
          by: 'cli',
          now,
        });
        console.log(created ? 'Opt-out recorded (audited).' : 'An opt-out from the CLI was already recorded.');
      }
      const status = opp ? await optOutStatusOf(store.db, opp, now) : await localOptOutStatus(store.db, id.data);
      console.log(
        status.optedOut
          ? `Opted out of automated assessment (${status.sources.map((s) => s.source).join(', ')}): no scoring, ranking, rediscovery or automation proposals.`
          : `Not opted out${opp ? '' : ' locally'}; the Lever tag "${status.tag}" also opts a candidate out.`,
      );
      return 0;
    });
  },
};
