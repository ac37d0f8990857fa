import { readFile, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { appendAudit } from '../audit/audit-log.ts';
import { loadConfig } from '../config.ts';
import { LeverNotFoundError } from '../lever/index.ts';
import { leverFromConfig } from '../lever-config.ts';
import { draftLetter } from '../offers/draft-letter.ts';
import { changeHolidays, HolidayDateSchema, holidaysOf, listHolidays } from '../offers/holidays.ts';
import { readOfferData } from '../offers/lever-data.ts';
import { paragraphWriterFromEnv } from '../offers/paragraphs.ts';
import { loadDefaultTemplate, type OfferTemplate, parseTemplate, TemplateError } from '../offers/template.ts';
import { withTransaction } from '../store/dialect.ts';
import type { CliCommand } from './commands.ts';
import { withCliStore } from './open-store.ts';

const USAGE =
  'Usage: npm run cli -- offer draft --opportunity ID [--template FILE] [--justification TEXT] [--json]\n' +
  '       npm run cli -- offer holidays [--add DATE[,DATE...]] [--label TEXT] [--remove DATE[,DATE...]] [--json]';
const ID = /^[A-Za-z0-9_-]{6,100}$/;

/** Bad input: the usage, an unreadable template, an unknown opportunity. Exit code 2, one line, no stack. */
class InputError extends Error {}

async function loadTemplate(file: string | undefined): Promise<OfferTemplate> {
  if (!file) return loadDefaultTemplate();
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) throw new InputError(`Template file not found: ${file}`);
  if (info.size > 200_000) throw new InputError(`Template file ${file} is too large (${info.size} bytes).`);
  try {
    return parseTemplate(await readFile(file, 'utf8'), file);
  } catch (e) {
    if (e instanceof TemplateError) throw new InputError(`Template ${file}: ${e.message}`);
    throw e;
  }
}

async function draft(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      opportunity: { type: 'string' },
      template: { type: 'string' },
      justification: { type: 'string' },
      json: { type: 'boolean' },
    },
    allowPositionals: false,
  });
  const id = values.opportunity?.trim();
  if (!id) throw new InputError(`--opportunity is required. ${USAGE}`);
  if (!ID.test(id)) throw new InputError(`"${id}" is not a Lever opportunity id.`);
  const template = await loadTemplate(values.template);
  const config = loadConfig();
  const lever = leverFromConfig(config);
  const started = performance.now();
  const data = await readOfferData(lever, id).catch((e: unknown) => {
    if (e instanceof LeverNotFoundError) throw new InputError(`Lever has no opportunity ${id}.`);
    throw e;
  });
  if (!data.offer) throw new InputError(`Lever has no offer for opportunity ${id} (create it in Lever first).`);
  const result = await draftLetter(data, template, paragraphWriterFromEnv(), {
    now: new Date(),
    holidays: holidaysOf(config),
    justification: values.justification ?? null,
  });
  const fields = Object.fromEntries(Object.entries(result.fields).map(([k, v]) => [k, v.value]));
  if (values.json) {
    console.log(
      JSON.stringify(
        {
          letter: result.letter,
          checks: result.checks,
          fields,
          sources: Object.fromEntries(Object.entries(result.fields).map(([k, v]) => [k, v.source])),
          template: template.name,
          provenance: result.provenance,
          ms: Math.round(performance.now() - started),
        },
        null,
        2,
      ),
    );
  } else {
    console.log(result.letter.trimEnd());
    console.log('\nChecks');
    for (const c of result.checks) console.log(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
    const failed = result.checks.filter((c) => !c.ok).length;
    console.log(failed ? `\n${failed} check(s) failed: approval is blocked until resolved.` : '\nAll checks passed.');
  }
  // Failed checks are findings, not errors.
  return 0;
}

/**
 * Lists the non-working days of the start-date check, after adding or removing the admins' days (audited as the CLI).
 * OFFER_HOLIDAYS days are listed too but changed only in the environment.
 */
async function holidays(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      add: { type: 'string', multiple: true },
      remove: { type: 'string', multiple: true },
      label: { type: 'string' },
      json: { type: 'boolean' },
    },
    allowPositionals: false,
  });
  const dates = (list: string[] | undefined) => {
    const out = (list ?? [])
      .flatMap((v) => v.split(','))
      .map((d) => d.trim())
      .filter(Boolean);
    for (const d of out) {
      if (!HolidayDateSchema.safeParse(d).success) throw new InputError(`"${d}" is not a calendar date (YYYY-MM-DD).`);
    }
    return out;
  };
  const add = dates(values.add);
  const remove = dates(values.remove);
  const label = values.label?.trim() || null;
  if (label && label.length > 100) throw new InputError('--label is at most 100 characters.');
  if (label && add.length === 0) throw new InputError(`--label goes with --add. ${USAGE}`);
  return withCliStore(async (store, config) => {
    const env = holidaysOf(config);
    const fromEnv = remove.filter((d) => env.includes(d));
    if (fromEnv.length) {
      throw new InputError(`${fromEnv.join(', ')} come from OFFER_HOLIDAYS: change them in the environment.`);
    }
    if (add.length || remove.length) {
      const now = Date.now();
      // The change and its audit entry commit together, or neither does.
      await withTransaction(store.db, async (trx) => {
        const changed = await changeHolidays(trx, { add: add.map((date) => ({ date, label })), remove }, 'cli', now);
        await appendAudit(
          trx,
          {
            actor: 'cli',
            capability: 'offer',
            action: 'offer.holidays.set',
            output: changed,
            decision: 'configured',
          },
          now,
        );
      });
    }
    const list = await listHolidays(store.db, env);
    if (values.json) console.log(JSON.stringify({ holidays: list }, null, 2));
    else if (list.length === 0) console.log('No holidays configured (weekends are always refused).');
    else
      for (const h of list)
        console.log(
          `${h.date}  ${h.source === 'environment' ? 'OFFER_HOLIDAYS' : 'admin'}${h.label ? `  ${h.label}` : ''}`,
        );
    return 0;
  });
}

export const offerCommand: CliCommand = {
  summary:
    'Draft an offer letter from Lever’s offer, requisition and posting, and check it (offer draft --opportunity ID); list or change the holidays a start date may not fall on (offer holidays)',
  async run(args) {
    const [sub, ...rest] = args;
    try {
      if (sub === 'holidays') return await holidays(rest);
      if (sub !== 'draft') throw new InputError(sub ? `Unknown offer command "${sub}". ${USAGE}` : USAGE);
      return await draft(rest);
    } catch (e) {
      if (
        e instanceof InputError ||
        (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS'))
      ) {
        console.error(`Error: ${e.message}`);
        return 2;
      }
      throw e;
    }
  },
};
