import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import {
  CalendarConfigRepo,
  CalendarTokenKeyError,
  type InterviewerCalendarInput,
  publicView,
} from '../scheduling/calendar-config.ts';
import { parseHours, ArgError as UsageError } from '../scheduling/cli-args.ts';
import { calendarKeyOf } from '../scheduling/panel.ts';
import { AvailabilityError } from '../scheduling/types.ts';
import { formatIso, parseIsoInstant } from '../scheduling/tz.ts';
import type { CliCommand } from './commands.ts';
import { withCliStore } from './open-store.ts';

const usage = `Usage:
  calendars set LEVER_USER_ID (--ics URL_OR_FILE | --google CALENDAR_ID | --microsoft EMAIL) --tz ZONE
                [--hours 09:00-17:00] [--days 1,2,3,4,5] [--max-per-day N] [--max-per-week N]
                [--tentative busy|free] [--api-base URL] [--token-file FILE.json]
  calendars list
  calendars remove LEVER_USER_ID
  calendars check LEVER_USER_ID --from ISO --to ISO     (reads the calendar now and prints its busy times)
--token-file holds {"accessToken", "refreshToken", "tokenUrl", "clientId", "clientSecret", "expiresAt"} for a
Google or Microsoft calendar (a file, so no token shows in the process list or the shell history).`;

const TokenFile = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().nullish(),
  tokenUrl: z.string().url().nullish(),
  clientId: z.string().nullish(),
  clientSecret: z.string().nullish(),
  expiresAt: z.number().int().nullish(),
  scope: z.string().nullish(),
});

function days(v: string | undefined): number[] | undefined {
  if (v === undefined) return undefined;
  const m = /^([1-7])-([1-7])$/.exec(v);
  if (m) {
    const out: number[] = [];
    for (let d = Number(m[1]); d <= Number(m[2]); d++) out.push(d);
    if (out.length) return out;
  }
  const list = v.split(',').map((s) => Number(s.trim()));
  if (list.length === 0 || list.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) {
    throw new UsageError(`--days takes ISO weekdays (1 = Monday), e.g. 1-5 or 1,2,4; got "${v}".`);
  }
  return list;
}

function int(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name} must be a whole number, got "${v}".`);
  return Number(v);
}

async function set(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ics: { type: 'string' },
      google: { type: 'string' },
      microsoft: { type: 'string' },
      tz: { type: 'string' },
      hours: { type: 'string' },
      days: { type: 'string' },
      'max-per-day': { type: 'string' },
      'max-per-week': { type: 'string' },
      tentative: { type: 'string' },
      'api-base': { type: 'string' },
      'token-file': { type: 'string' },
    },
  });
  const [userId, ...extra] = positionals;
  if (!userId || extra.length) throw new UsageError(usage);
  const kinds = (['ics', 'google', 'microsoft'] as const).filter((k) => values[k] !== undefined);
  if (kinds.length !== 1) throw new UsageError(`Pass exactly one of --ics, --google, --microsoft.\n${usage}`);
  const source = kinds[0] as 'ics' | 'google' | 'microsoft';
  if (!values.tz) throw new UsageError('--tz ZONE is required (e.g. America/New_York).');
  const hours = parseHours(values.hours ?? '09:00-17:00');
  if (values.tentative && values.tentative !== 'busy' && values.tentative !== 'free') {
    throw new UsageError('--tentative must be busy or free.');
  }
  let token: z.infer<typeof TokenFile> | undefined;
  if (values['token-file']) {
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(values['token-file'], 'utf8'));
    } catch {
      throw new UsageError(`Cannot read --token-file ${values['token-file']} as JSON.`);
    }
    const parsed = TokenFile.safeParse(raw);
    if (!parsed.success) throw new UsageError(`--token-file: ${z.prettifyError(parsed.error)}`);
    token = parsed.data;
  }
  if (source !== 'ics' && !token) {
    console.error('Note: no --token-file given; this calendar cannot be read until a token is connected.');
  }
  const input: InterviewerCalendarInput = {
    source,
    location: values[source] as string,
    apiBase: values['api-base'] ?? null,
    timeZone: values.tz,
    workStart: hours.start,
    workEnd: hours.end,
    workDays: days(values.days) ?? [1, 2, 3, 4, 5],
    maxPerDay: int('max-per-day', values['max-per-day']) ?? null,
    maxPerWeek: int('max-per-week', values['max-per-week']) ?? null,
    tentativeBusy: values.tentative !== 'free',
    ...(token ? { token } : {}),
  };
  const saved = await withCliStore(async (store, config) => {
    const repo = new CalendarConfigRepo(store, Date.now, undefined, calendarKeyOf(config));
    const s = await repo.set(userId, input, 'cli');
    return publicView(s, await repo.hasToken(userId));
  });
  console.log(JSON.stringify(saved, null, 2));
  return 0;
}

async function check(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { from: { type: 'string' }, to: { type: 'string' } },
  });
  const [userId] = positionals;
  const from = values.from ? parseIsoInstant(values.from) : null;
  const to = values.to ? parseIsoInstant(values.to) : null;
  if (!userId || from === null || to === null || to <= from) {
    throw new UsageError('calendars check LEVER_USER_ID --from ISO --to ISO (with offsets, --to after --from)');
  }
  return withCliStore(async (store, config) => {
    const repo = new CalendarConfigRepo(store, Date.now, undefined, calendarKeyOf(config));
    const c = await repo.get(userId);
    if (!c) throw new UsageError(`No calendar is configured for Lever user ${userId}.`);
    const a = await repo.sourceFor(c).busy({ from, to, timeZone: c.timeZone });
    for (const b of a.busy.sort((x, y) => x.start - y.start)) {
      console.log(`${formatIso(b.start, c.timeZone)}  ${formatIso(b.end, c.timeZone)}  ${b.status}`);
    }
    for (const w of a.warnings) console.error(`warning: ${w}`);
    console.error(`${a.busy.length} busy interval(s).`);
    return 0;
  });
}

/** `calendars set|list|remove|check`: which calendar each interviewer (Lever user) is read from (admin). */
export const calendarsCommand: CliCommand = {
  summary: 'calendars set LEVER_USER_ID --ics URL|--google ID|--microsoft EMAIL --tz ZONE ... | list | remove | check',
  async run(args) {
    const [sub, ...rest] = args;
    try {
      if (sub === 'set') return await set(rest);
      if (sub === 'check') return await check(rest);
      if (sub === 'list') {
        const list = await withCliStore(async (store) => {
          const repo = new CalendarConfigRepo(store);
          return Promise.all((await repo.list()).map(async (c) => publicView(c, await repo.hasToken(c.leverUserId))));
        });
        console.log(JSON.stringify({ calendars: list }, null, 2));
        return 0;
      }
      if (sub === 'remove') {
        const [userId] = rest;
        if (!userId) throw new UsageError(usage);
        const removed = await withCliStore((store) => new CalendarConfigRepo(store).remove(userId));
        console.log(removed ? `Removed the calendar of ${userId}.` : `No calendar was configured for ${userId}.`);
        return removed ? 0 : 1;
      }
      throw new UsageError(usage);
    } catch (e) {
      if (e instanceof UsageError || e instanceof z.ZodError || (e instanceof TypeError && 'code' in e)) {
        console.error(e instanceof z.ZodError ? z.prettifyError(e) : e.message);
        return 2;
      }
      if (e instanceof CalendarTokenKeyError) {
        console.error(e.message);
        return 2;
      }
      if (e instanceof AvailabilityError) {
        console.error(e.message);
        return 1;
      }
      throw e;
    }
  },
};
