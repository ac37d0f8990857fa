import { z } from 'zod';
import { DEFAULT_LIMITS, type FetchLimits, postJson } from './bounded-fetch.ts';
import type { OAuthTokenProvider } from './oauth-token.ts';
import {
  type Availability,
  AvailabilityError,
  type AvailabilityQuery,
  type AvailabilitySource,
  type BusyInterval,
} from './types.ts';
import { isValidTimeZone, wallToInstant } from './tz.ts';

/**
 * Microsoft Graph `POST /me/calendar/getSchedule`: request `{schedules: [smtp], startTime: {dateTime, timeZone},
 * endTime, availabilityViewInterval}` (with `Prefer: outlook.timezone="UTC"` so answers come in UTC), answer
 * `{value: [{scheduleId, availabilityView, scheduleItems: [{status, start: {dateTime, timeZone}, end}], error}]}`.
 * scheduleItems are used when present; otherwise the availabilityView string (one digit per interval: 0 free,
 * 1 tentative, 2 busy, 3 out of office, 4 working elsewhere).
 */

export const GRAPH_API = 'https://graph.microsoft.com/v1.0';
const INTERVAL_MIN = 15;

const DateTimeTz = z.object({ dateTime: z.string().max(40), timeZone: z.string().max(64).optional() });

const ScheduleResponse = z.object({
  value: z.array(
    z.object({
      scheduleId: z.string().optional(),
      availabilityView: z.string().max(100_000).optional(),
      scheduleItems: z
        .array(z.object({ status: z.string().optional(), start: DateTimeTz, end: DateTimeTz }))
        .optional(),
      error: z.object({ message: z.string().optional(), responseCode: z.string().optional() }).nullish(),
    }),
  ),
});

function graphTime(t: z.infer<typeof DateTimeTz>): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(t.dateTime);
  if (!m) throw new AvailabilityError('Microsoft Graph sent a time it could not read.', false);
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const zone = t.timeZone ?? 'UTC';
  if (zone === 'UTC' || zone === 'tzone://Microsoft/Utc') return Date.UTC(y, mo - 1, d, h, mi, s);
  if (!isValidTimeZone(zone))
    throw new AvailabilityError(`Microsoft Graph answered in an unknown zone "${zone}".`, false);
  return wallToInstant({ year: y, month: mo, day: d, hour: h, minute: mi, second: s }, zone);
}

function toStatus(s: string | undefined): 'busy' | 'tentative' | null {
  switch ((s ?? 'busy').toLowerCase()) {
    case 'free':
    case 'workingelsewhere':
      return null;
    case 'tentative':
      return 'tentative';
    default:
      return 'busy'; // busy, oof, unknown
  }
}

export class GraphScheduleSource implements AvailabilitySource {
  readonly label: string;

  constructor(
    private readonly opts: {
      email: string;
      tokens: OAuthTokenProvider;
      apiBase?: string;
      limits?: FetchLimits;
      now?: () => number;
    },
  ) {
    this.label = `microsoft:${opts.email}`;
  }

  async busy(q: AvailabilityQuery, signal?: AbortSignal): Promise<Availability> {
    const url = `${(this.opts.apiBase ?? GRAPH_API).replace(/\/$/, '')}/me/calendar/getSchedule`;
    const iso = (t: number) => new Date(t).toISOString().slice(0, 19);
    const body = {
      schedules: [this.opts.email],
      startTime: { dateTime: iso(q.from), timeZone: 'UTC' },
      endTime: { dateTime: iso(q.to), timeZone: 'UTC' },
      availabilityViewInterval: INTERVAL_MIN,
    };
    const limits = this.opts.limits ?? DEFAULT_LIMITS;
    const call = async (token: string) =>
      postJson(
        url,
        body,
        { authorization: `Bearer ${token}`, prefer: 'outlook.timezone="UTC"' },
        limits,
        'Microsoft Graph',
        signal,
      );
    let res = await call(await this.opts.tokens.accessToken());
    if (res.status === 401) res = await call(await this.opts.tokens.refresh());
    if (res.status !== 200) {
      throw new AvailabilityError(
        `Microsoft Graph answered HTTP ${res.status} for ${this.opts.email}.`,
        res.status === 429 || res.status >= 500,
      );
    }
    const parsed = ScheduleResponse.safeParse(res.json);
    if (!parsed.success) throw new AvailabilityError('Microsoft Graph sent an unexpected getSchedule answer.', false);
    const info =
      parsed.data.value.find((v) => v.scheduleId?.toLowerCase() === this.opts.email.toLowerCase()) ??
      parsed.data.value[0];
    if (!info) throw new AvailabilityError(`Microsoft Graph returned no schedule for ${this.opts.email}.`, false);
    if (info.error) {
      throw new AvailabilityError(
        `Microsoft Graph cannot read ${this.opts.email}: ${(info.error.message ?? info.error.responseCode ?? 'error').slice(0, 120)}.`,
        false,
      );
    }
    const busy: BusyInterval[] = [];
    if (info.scheduleItems && info.scheduleItems.length > 0) {
      for (const item of info.scheduleItems) {
        const status = toStatus(item.status);
        if (!status) continue;
        const start = graphTime(item.start);
        const end = graphTime(item.end);
        if (end > start) busy.push({ start, end, status });
      }
    } else if (info.availabilityView) {
      const step = INTERVAL_MIN * 60_000;
      const view = info.availabilityView;
      for (let k = 0; k < view.length; k++) {
        const c = view[k];
        const status = c === '1' ? 'tentative' : c === '2' || c === '3' ? 'busy' : null;
        if (status) busy.push({ start: q.from + k * step, end: Math.min(q.to, q.from + (k + 1) * step), status });
      }
    }
    return { busy, warnings: [], fetchedAt: (this.opts.now ?? Date.now)() };
  }
}
