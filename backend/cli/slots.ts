import { parseArgs } from 'node:util';
import { ArgError, parseHours } from '../scheduling/cli-args.ts';
import { IcsSource } from '../scheduling/ics-source.ts';
import { findSlots, LIMITS, type PanelMember, SlotRequestError } from '../scheduling/slot-finder.ts';
import { AvailabilityError } from '../scheduling/types.ts';
import { formatIso, isValidTimeZone, parseIsoInstant, wallToInstant } from '../scheduling/tz.ts';
import type { CliCommand } from './commands.ts';

const usage = `Usage: slots --calendar FILE_OR_URL [--calendar ...] --hours 09:00-17:00 --tz ZONE --duration MIN
             --from ISO --to ISO [--buffer MIN] [--max-per-day N] [--candidate-tz ZONE] [--tentative busy|free]
             [--max N] [--json]
Each --calendar is one interviewer; --hours and --tz are given once for all, or once per --calendar in the same
order. --from/--to take an ISO 8601 time with an offset (2026-03-09T09:00-05:00), or a date or local time read in the
first --tz. Output times are ISO 8601 with the offset of the candidate's zone (or of the first --tz).`;

function positiveInt(name: string, v: string | undefined, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > max)
    throw new ArgError(`--${name} must be a whole number from 1 to ${max}, got "${v}".`);
  return Number(v);
}

/** An instant with an offset, or a date / local date-time read in `tz`. */
function instant(name: string, v: string | undefined, tz: string): number {
  if (!v) throw new ArgError(`--${name} is required.\n${usage}`);
  const exact = parseIsoInstant(v);
  if (exact !== null) return exact;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(v);
  if (m) {
    const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0)) as number[];
    const t = wallToInstant(
      {
        year: y as number,
        month: mo as number,
        day: d as number,
        hour: h as number,
        minute: mi as number,
        second: s as number,
      },
      tz,
    );
    if (Number.isFinite(t) && (mo as number) >= 1 && (mo as number) <= 12 && (d as number) >= 1 && (d as number) <= 31)
      return t;
  }
  throw new ArgError(`--${name} must be an ISO 8601 time such as 2026-03-09T09:00:00-05:00, got "${v}".`);
}

function perCalendar(name: string, values: string[] | undefined, n: number): string[] {
  if (!values || values.length === 0) throw new ArgError(`--${name} is required.\n${usage}`);
  if (values.length === 1) return Array.from({ length: n }, () => values[0] as string);
  if (values.length !== n) {
    throw new ArgError(
      `--${name} is given ${values.length} times for ${n} calendars: give it once, or once per --calendar.`,
    );
  }
  return values;
}

async function run(args: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (e) {
    if (e instanceof ArgError) throw e;
    throw new ArgError(`${e instanceof Error ? e.message : String(e)}\n${usage}`);
  }
  const { values } = parsed;
  const calendars = values.calendar ?? [];
  if (calendars.length === 0) throw new ArgError(`At least one --calendar is required.\n${usage}`);
  if (calendars.length > LIMITS.maxPanel) throw new ArgError(`At most ${LIMITS.maxPanel} calendars.`);
  const zones = perCalendar('tz', values.tz, calendars.length);
  for (const z of zones)
    if (!isValidTimeZone(z)) throw new ArgError(`--tz "${z}" is not an IANA time zone (e.g. Europe/London).`);
  const hours = perCalendar('hours', values.hours, calendars.length).map(parseHours);
  const duration = positiveInt('duration', values.duration, LIMITS.maxDurationMin);
  if (!duration) throw new ArgError(`--duration MIN is required.\n${usage}`);
  const from = instant('from', values.from, zones[0] as string);
  const to = instant('to', values.to, zones[0] as string);
  if (to <= from) throw new ArgError('--to must be after --from.');
  const buffer = values.buffer === undefined ? 0 : Number(values.buffer);
  if (!Number.isInteger(buffer) || buffer < 0 || buffer > 240) throw new ArgError('--buffer must be 0 to 240 minutes.');
  const maxPerDay = positiveInt('max-per-day', values['max-per-day'], 50);
  const max = positiveInt('max', values.max, 100) ?? 10;
  const candidateTz = values['candidate-tz'];
  if (candidateTz !== undefined && !isValidTimeZone(candidateTz)) {
    throw new ArgError(`--candidate-tz "${candidateTz}" is not an IANA time zone.`);
  }
  if (values.tentative !== undefined && values.tentative !== 'busy' && values.tentative !== 'free') {
    throw new ArgError('--tentative must be busy or free.');
  }

  const panel: PanelMember[] = await Promise.all(
    calendars.map(async (loc, k) => {
      const tz = zones[k] as string;
      const availability = await new IcsSource(loc).busy({
        from: from - 86_400_000,
        to: to + 86_400_000,
        timeZone: tz,
      });
      for (const w of availability.warnings) console.error(`warning (calendar ${k + 1}): ${w}`);
      return {
        id: `calendar-${k + 1}`,
        name: `calendar ${k + 1}`,
        timeZone: tz,
        hours: { ...(hours[k] as { start: string; end: string }), days: [1, 2, 3, 4, 5] },
        busy: availability.busy,
        tentativeBusy: values.tentative !== 'free',
        maxPerDay: maxPerDay ?? null,
      };
    }),
  );
  const options = findSlots({
    panel,
    sessions: [{ durationMin: duration, interviewerIds: panel.map((m) => m.id) }],
    from,
    to,
    bufferMin: buffer,
    maxOptions: max,
    ...(candidateTz ? { candidate: { timeZone: candidateTz } } : {}),
  });
  const outTz = candidateTz ?? (zones[0] as string);
  const slots = options.map((o) => ({
    start: formatIso(o.start, outTz),
    end: formatIso(o.end, outTz),
    score: o.score,
    reasons: o.reasons,
  }));
  if (values.json) {
    console.log(JSON.stringify({ slots }));
  } else if (slots.length === 0) {
    console.log('No time works for every calendar in that window.');
  } else {
    for (const s of slots) console.log(`${s.start}  ${s.end}  ${String(s.score).padStart(3)}  ${s.reasons.join(' ')}`);
  }
  return 0;
}

function parse(args: string[]) {
  return parseArgs({
    args,
    strict: true,
    options: {
      calendar: { type: 'string', multiple: true },
      hours: { type: 'string', multiple: true },
      tz: { type: 'string', multiple: true },
      duration: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      buffer: { type: 'string' },
      'max-per-day': { type: 'string' },
      'candidate-tz': { type: 'string' },
      tentative: { type: 'string' },
      max: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
}

/** `slots`: times that work for every interviewer's calendar (ICS files or URLs), ranked, as JSON or lines. */
export const slotsCommand: CliCommand = {
  summary: 'slots --calendar FILE_OR_URL ... --hours 09:00-17:00 --tz ZONE --duration MIN --from ISO --to ISO',
  async run(args) {
    try {
      return await run(args);
    } catch (e) {
      if (e instanceof ArgError || e instanceof SlotRequestError) {
        console.error(e.message);
        return 2;
      }
      if (e instanceof AvailabilityError) {
        console.error(e.message);
        return e.retryable ? 1 : 2;
      }
      throw e;
    }
  },
};
