import { z } from 'zod';
import { DEFAULT_LIMITS, type FetchLimits, postJson } from './bounded-fetch.ts';
import type { OAuthTokenProvider } from './oauth-token.ts';
import { type Availability, AvailabilityError, type AvailabilityQuery, type AvailabilitySource } from './types.ts';

/**
 * Google Calendar FreeBusy (`POST https://www.googleapis.com/calendar/v3/freeBusy`): request
 * `{timeMin, timeMax, items: [{id}]}` in RFC 3339, answer `{kind: "calendar#freeBusy", calendars: {<id>: {busy:
 * [{start, end}], errors: [{domain, reason}]}}}`. Google reports busy only (no tentative), which is what we keep.
 */

export const GOOGLE_CALENDAR_API = 'https://www.googleapis.com/calendar/v3';

const Rfc3339 = z.string().refine((s) => Number.isFinite(Date.parse(s)), 'not an RFC 3339 time');

const FreeBusyResponse = z.object({
  calendars: z.record(
    z.string(),
    z.object({
      busy: z.array(z.object({ start: Rfc3339, end: Rfc3339 })).optional(),
      errors: z.array(z.object({ domain: z.string().optional(), reason: z.string().optional() })).optional(),
    }),
  ),
});

export class GoogleFreeBusySource implements AvailabilitySource {
  readonly label: string;

  constructor(
    private readonly opts: {
      calendarId: string;
      tokens: OAuthTokenProvider;
      apiBase?: string;
      limits?: FetchLimits;
      now?: () => number;
    },
  ) {
    this.label = `google:${opts.calendarId}`;
  }

  async busy(q: AvailabilityQuery, signal?: AbortSignal): Promise<Availability> {
    const url = `${(this.opts.apiBase ?? GOOGLE_CALENDAR_API).replace(/\/$/, '')}/freeBusy`;
    const body = {
      timeMin: new Date(q.from).toISOString(),
      timeMax: new Date(q.to).toISOString(),
      timeZone: 'UTC',
      items: [{ id: this.opts.calendarId }],
    };
    const limits = this.opts.limits ?? DEFAULT_LIMITS;
    const call = async (token: string) =>
      postJson(url, body, { authorization: `Bearer ${token}` }, limits, 'Google Calendar', signal);
    let res = await call(await this.opts.tokens.accessToken());
    if (res.status === 401) res = await call(await this.opts.tokens.refresh());
    if (res.status !== 200) {
      throw new AvailabilityError(
        `Google Calendar answered HTTP ${res.status} for ${this.opts.calendarId}.`,
        res.status === 429 || res.status >= 500,
      );
    }
    const parsed = FreeBusyResponse.safeParse(res.json);
    if (!parsed.success) throw new AvailabilityError('Google Calendar sent an unexpected FreeBusy answer.', false);
    const cal = parsed.data.calendars[this.opts.calendarId];
    if (!cal) throw new AvailabilityError(`Google Calendar returned nothing for ${this.opts.calendarId}.`, false);
    if (cal.errors?.length) {
      const reason = cal.errors.map((e) => e.reason ?? 'error').join(', ');
      throw new AvailabilityError(
        `Google Calendar cannot read ${this.opts.calendarId}: ${reason}.`,
        reason.includes('internal'),
      );
    }
    return {
      busy: (cal.busy ?? [])
        .map((b) => ({ start: Date.parse(b.start), end: Date.parse(b.end), status: 'busy' as const }))
        .filter((b) => b.end > b.start),
      warnings: [],
      fetchedAt: (this.opts.now ?? Date.now)(),
    };
  }
}
