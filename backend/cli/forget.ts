import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import {
  erasePerson,
  findLeftovers,
  type PersonSelector,
  resolvePerson,
  scrubFiles,
} from '../governance/erase-person.ts';
import { leverFromConfig } from '../lever-config.ts';
import type { CliCommand } from './commands.ts';
import { withCliStore } from './open-store.ts';

const USAGE = 'Usage: npm run cli -- forget --opportunity ID | --contact ID | --email ADDRESS [--offline]';

const LeverId = z.string().uuid();
const Email = z.string().trim().toLowerCase().pipe(z.email());

/** Bad input: the message and exit code 2, as for every usage error of this command. */
class ForgetUsageError extends Error {}

function selectorOf(values: { opportunity?: string; contact?: string; email?: string }): PersonSelector {
  const given = (['opportunity', 'contact', 'email'] as const).filter((k) => values[k] !== undefined);
  if (given.length !== 1) {
    throw new ForgetUsageError(`Name exactly one person: one of --opportunity, --contact or --email. ${USAGE}`);
  }
  if (values.opportunity !== undefined) {
    if (!LeverId.safeParse(values.opportunity).success) {
      throw new ForgetUsageError(`--opportunity must be a Lever opportunity id (a UUID), got "${values.opportunity}"`);
    }
    return { opportunityId: values.opportunity };
  }
  if (values.contact !== undefined) {
    if (!LeverId.safeParse(values.contact).success) {
      throw new ForgetUsageError(`--contact must be a Lever contact id (a UUID), got "${values.contact}"`);
    }
    return { contactId: values.contact };
  }
  const email = Email.safeParse(values.email);
  if (!email.success) throw new ForgetUsageError(`--email must be an email address, got "${values.email}"`);
  return { email: email.data };
}

function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

/**
 * `forget`: erases one person (a Lever contact and every opportunity of theirs) from Fulcrum's database, then
 * VACUUMs and truncates the WAL so their text is gone from the files, and checks that no table still holds their
 * ids, name or email. Lever is asked who the person is (when reachable), never changed: a person still in Lever is
 * indexed again by the next sync, so delete or anonymise them in Lever too. Backups taken before keep their copy.
 */
export const forgetCommand: CliCommand = {
  summary: 'forget --opportunity ID | --contact ID | --email ADDRESS: erase a person from Fulcrum (GDPR erasure)',
  async run(args) {
    let selector: PersonSelector;
    let offline = false;
    try {
      const { values } = parseArgs({
        args,
        options: {
          opportunity: { type: 'string' },
          contact: { type: 'string' },
          email: { type: 'string' },
          offline: { type: 'boolean', default: false },
        },
        allowPositionals: false,
      });
      selector = selectorOf(values);
      offline = values.offline ?? false;
    } catch (e) {
      console.error(e instanceof ForgetUsageError ? e.message : `${(e as Error).message}. ${USAGE}`);
      return 2;
    }
    return withCliStore(async (store, config) => {
      const resolution = await resolvePerson(store.db, selector, offline ? {} : { lever: leverFromConfig(config) });
      const { target } = resolution;
      const what =
        'opportunityId' in selector
          ? `opportunity ${selector.opportunityId}`
          : 'contactId' in selector
            ? `contact ${selector.contactId}`
            : 'that email address';
      if (resolution.leverProblem) {
        console.log(`Lever was not asked (${resolution.leverProblem}): using Fulcrum's own data only.`);
      }
      const summary = await erasePerson(store.db, target, { actor: cliActor(), reason: 'forget' });
      const scrub = await scrubFiles(store.db, { vacuum: true });
      const removedLines = Object.entries(summary.removed).map(([k, n]) => `    ${String(n).padStart(5)}  ${k}`);
      const nothing = removedLines.length === 0 && summary.auditErased === 0;
      console.log(
        nothing
          ? `Nothing to forget: Fulcrum holds no data about ${what}.`
          : `Forgot ${what}: contact${summary.contactIds.length === 1 ? '' : 's'} ${summary.contactIds.join(', ') || '(none known)'}; opportunit${summary.opportunityIds.length === 1 ? 'y' : 'ies'} ${summary.opportunityIds.join(', ') || '(none known)'}.`,
      );
      if (removedLines.length) console.log(['  Removed:', ...removedLines].join('\n'));
      if (summary.auditErased) {
        console.log(
          `  Audit log: ${summary.auditErased} entr${summary.auditErased === 1 ? 'y' : 'ies'} kept in the hash chain with the payload replaced by a tombstone (npm run cli -- audit verify still passes).`,
        );
      }
      console.log(
        store.dialect === 'postgres'
          ? '  Files: PostgreSQL reclaims the deleted rows at its next (auto)vacuum.'
          : `  Files: ${[scrub.vacuumed ? 'VACUUM done' : null, scrub.walTruncated ? 'WAL checkpointed and truncated' : null, 'freed space overwritten (secure_delete)'].filter(Boolean).join(', ')}.`,
      );
      for (const p of scrub.problems) console.log(`  Note: ${p}.`);
      // Tombstoned audit rows keep the opportunity id and Lever ids they were written with (opaque ids of records
      // Lever no longer has): they are what the hash chain covers, so they are not searched for.
      const left = await findLeftovers(
        store.db,
        [...summary.opportunityIds, ...summary.contactIds, ...target.emails, ...target.names],
        { skip: { audit_log: ['opportunity_id', 'lever_ids'] } },
      );
      if (left.length) {
        console.log(
          `  Still found (possibly someone else with the same name): ${left.map((l) => `${l.table} (${l.rows})`).join(', ')}.`,
        );
      } else if (!nothing) {
        console.log('  Checked: no table holds their name, email or ids any more (audit rows keep only the ids).');
      }
      if (resolution.stillInLever.length) {
        console.log(
          `  Still in Lever: ${resolution.stillInLever.join(', ')}. The next sync or webhook indexes them again: delete or anonymise them in Lever as well.`,
        );
      }
      console.log('  Backups taken before now still hold their data: delete or re-take them.');
      return 0;
    });
  },
};
