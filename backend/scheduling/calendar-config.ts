import type { Selectable } from 'kysely';
import { z } from 'zod';
import { open, SECRET_KEY_HELP, SecretKeyError, seal } from '../lever-oauth/secret-box.ts';
import type { Store } from '../store/db.ts';
import type { InterviewerCalendarsTable } from '../store/schema.ts';
import { AvailabilityCache } from './cache.ts';
import { GoogleFreeBusySource } from './google-freebusy.ts';
import { GraphScheduleSource } from './graph-schedule.ts';
import { IcsSource } from './ics-source.ts';
import { type OAuthToken, OAuthTokenProvider, type TokenStore } from './oauth-token.ts';
import { AvailabilityError, type AvailabilitySource } from './types.ts';
import { isValidTimeZone, parseClock } from './tz.ts';

/**
 * Which calendar each interviewer (by Lever user id) is read from, with their working hours, zone and caps: one row
 * per Lever user in interviewer_calendars, set by an admin (`npm run cli -- calendars set`, PUT
 * /api/admin/calendars/:leverUserId). OAuth tokens live in calendar_tokens and never leave the backend: the wire
 * view says only whether a token is connected, and hides a private ICS address behind its host. The secrets of a
 * token (access token, refresh token, client secret) are encrypted at rest with FULCRUM_SECRET_KEY (AES-256-GCM,
 * the same secret box as the Lever OAuth tokens, each value bound to its row and column); without the key no token
 * is stored.
 */

/** Storing or reading a calendar token needs FULCRUM_SECRET_KEY (and the one the token was stored with). */
export class CalendarTokenKeyError extends Error {
  override name = 'CalendarTokenKeyError';
}

const NO_KEY =
  'FULCRUM_SECRET_KEY is not set: Fulcrum refuses to store calendar OAuth tokens (Google, Microsoft 365) without ' +
  `encrypting them. Set it in the backend's environment and save the calendar again. ${SECRET_KEY_HELP}`;

const SEALED = /^v1\./;
const aad = (leverUserId: string, column: string) => `calendar_tokens:${leverUserId}:${column}`;

export const CalendarSourceKindSchema = z.enum(['ics', 'google', 'microsoft']);

const apiBase = z
  .string()
  .url()
  .refine((u) => /^https:\/\//.test(u) || /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/.test(u), {
    message: 'an API base must be https (or http on loopback, for a local fake)',
  });

export const InterviewerCalendarInputSchema = z
  .object({
    source: CalendarSourceKindSchema,
    /** ICS: http(s)/webcal URL or file path; google: calendar id (usually the email); microsoft: SMTP address. */
    location: z.string().min(1).max(2000),
    apiBase: apiBase.nullish(),
    timeZone: z.string().refine(isValidTimeZone, 'not an IANA time zone (e.g. Europe/London)'),
    workStart: z.string().refine((s) => parseClock(s) !== null, 'HH:MM'),
    workEnd: z.string().refine((s) => parseClock(s) !== null, 'HH:MM'),
    workDays: z.array(z.number().int().min(1).max(7)).min(1).max(7).default([1, 2, 3, 4, 5]),
    maxPerDay: z.number().int().min(1).max(50).nullish(),
    maxPerWeek: z.number().int().min(1).max(200).nullish(),
    tentativeBusy: z.boolean().default(true),
    token: z
      .object({
        accessToken: z.string().min(1).max(8000),
        refreshToken: z.string().max(8000).nullish(),
        expiresAt: z.number().int().nullish(),
        tokenUrl: z.string().url().nullish(),
        clientId: z.string().max(500).nullish(),
        clientSecret: z.string().max(2000).nullish(),
        scope: z.string().max(2000).nullish(),
      })
      .optional(),
  })
  .refine((v) => v.source === 'ics' || v.location.includes('@') || v.source === 'google', {
    message: 'a Microsoft 365 calendar is named by its SMTP address',
    path: ['location'],
  });
export type InterviewerCalendarInput = z.input<typeof InterviewerCalendarInputSchema>;

export type InterviewerCalendar = {
  leverUserId: string;
  source: z.infer<typeof CalendarSourceKindSchema>;
  location: string;
  apiBase: string | null;
  timeZone: string;
  workStart: string;
  workEnd: string;
  workDays: number[];
  maxPerDay: number | null;
  maxPerWeek: number | null;
  tentativeBusy: boolean;
  updatedAt: number;
  updatedBy: string;
};

/** What a route may show: no token, and a private ICS URL reduced to its host. */
export function publicView(c: InterviewerCalendar, tokenConnected: boolean) {
  let location = c.location;
  if (c.source === 'ics') {
    try {
      location = `${new URL(c.location.replace(/^webcal:/i, 'https:')).host} (private address hidden)`;
    } catch {
      location = c.location.split(/[\\/]/).pop() ?? 'file';
    }
  }
  return { ...c, location, tokenConnected };
}

function fromRow(r: Selectable<InterviewerCalendarsTable>): InterviewerCalendar {
  return {
    leverUserId: r.lever_user_id,
    source: r.source,
    location: r.location,
    apiBase: r.api_base,
    timeZone: r.time_zone,
    workStart: r.work_start,
    workEnd: r.work_end,
    workDays: r.work_days
      .split(',')
      .map(Number)
      .filter((d) => d >= 1 && d <= 7),
    maxPerDay: r.max_per_day,
    maxPerWeek: r.max_per_week,
    tentativeBusy: r.tentative_busy === 1,
    updatedAt: r.updated_at,
    updatedBy: r.updated_by,
  };
}

export class CalendarConfigRepo {
  private readonly cache: AvailabilityCache;

  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
    cache?: AvailabilityCache,
    private secretKey: Buffer | null = null,
  ) {
    this.cache = cache ?? new AvailabilityCache(5 * 60_000, 500, now);
  }

  /** The key that encrypts calendar tokens (FULCRUM_SECRET_KEY, parsed); null = tokens can be neither stored nor read. */
  setSecretKey(key: Buffer | null): void {
    this.secretKey = key;
  }

  get hasSecretKey(): boolean {
    return this.secretKey !== null;
  }

  get availabilityCache(): AvailabilityCache {
    return this.cache;
  }

  async get(leverUserId: string): Promise<InterviewerCalendar | null> {
    const row = await this.store.db
      .selectFrom('interviewer_calendars')
      .selectAll()
      .where('lever_user_id', '=', leverUserId)
      .executeTakeFirst();
    return row ? fromRow(row) : null;
  }

  async list(): Promise<InterviewerCalendar[]> {
    const rows = await this.store.db.selectFrom('interviewer_calendars').selectAll().orderBy('lever_user_id').execute();
    return rows.map(fromRow);
  }

  async hasToken(leverUserId: string): Promise<boolean> {
    const row = await this.store.db
      .selectFrom('calendar_tokens')
      .select('lever_user_id')
      .where('lever_user_id', '=', leverUserId)
      .executeTakeFirst();
    return !!row;
  }

  /** Creates or replaces the interviewer's configuration (and token, when one is given). */
  async set(leverUserId: string, input: InterviewerCalendarInput, by: string): Promise<InterviewerCalendar> {
    const v = InterviewerCalendarInputSchema.parse(input);
    // Refused before anything is written: a configuration whose token could not be kept is not half saved.
    if (v.token && !this.secretKey) throw new CalendarTokenKeyError(NO_KEY);
    const t = this.now();
    const row = {
      lever_user_id: leverUserId,
      source: v.source,
      location: v.location,
      api_base: v.apiBase ?? null,
      time_zone: v.timeZone,
      work_start: v.workStart,
      work_end: v.workEnd,
      work_days: [...new Set(v.workDays)].sort().join(','),
      max_per_day: v.maxPerDay ?? null,
      max_per_week: v.maxPerWeek ?? null,
      tentative_busy: v.tentativeBusy ? 1 : 0,
      updated_at: t,
      updated_by: by,
    };
    await this.store.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('interviewer_calendars')
        .values(row)
        .onConflict((oc) => oc.column('lever_user_id').doUpdateSet(row))
        .execute();
      if (v.source === 'ics') {
        await trx.deleteFrom('calendar_tokens').where('lever_user_id', '=', leverUserId).execute();
      }
    });
    if (v.token) await this.tokenStore(leverUserId).save(v.token);
    this.cache.forget(leverUserId);
    const saved = await this.get(leverUserId);
    if (!saved) throw new Error('calendar configuration vanished after write');
    return saved;
  }

  async remove(leverUserId: string): Promise<boolean> {
    const res = await this.store.db
      .deleteFrom('interviewer_calendars')
      .where('lever_user_id', '=', leverUserId)
      .executeTakeFirst();
    await this.store.db.deleteFrom('calendar_tokens').where('lever_user_id', '=', leverUserId).execute();
    this.cache.forget(leverUserId);
    return Number(res.numDeletedRows) > 0;
  }

  tokenStore(leverUserId: string): TokenStore {
    const db = this.store.db;
    const now = this.now;
    const keyOf = () => this.secretKey;
    const sealed = (key: Buffer, column: string, v: string | null | undefined) =>
      v == null ? null : seal(key, v, aad(leverUserId, column));
    const opened = (key: Buffer | null, column: string, v: string | null) => {
      if (v === null) return { value: null, legacy: false };
      // A token stored before encryption came in: readable once, then sealed in place (below).
      if (!SEALED.test(v)) return { value: v, legacy: true };
      if (!key) {
        throw new AvailabilityError(
          `The calendar token of ${leverUserId} is encrypted and FULCRUM_SECRET_KEY is not set; set the key it was stored with.`,
          false,
        );
      }
      try {
        return { value: open(key, v, aad(leverUserId, column)), legacy: false };
      } catch (e) {
        if (!(e instanceof SecretKeyError)) throw e;
        throw new AvailabilityError(
          `The calendar token of ${leverUserId} cannot be decrypted: FULCRUM_SECRET_KEY is not the key it was stored with (or the row was altered). Restore the key, or save the calendar again with a new token.`,
          false,
        );
      }
    };
    const store: TokenStore = {
      async load(): Promise<OAuthToken | null> {
        const r = await db
          .selectFrom('calendar_tokens')
          .selectAll()
          .where('lever_user_id', '=', leverUserId)
          .executeTakeFirst();
        if (!r) return null;
        const key = keyOf();
        const access = opened(key, 'access_token', r.access_token);
        const refresh = opened(key, 'refresh_token', r.refresh_token);
        const secret = opened(key, 'client_secret', r.client_secret);
        const token: OAuthToken = {
          accessToken: access.value ?? '',
          refreshToken: refresh.value,
          expiresAt: r.expires_at,
          tokenUrl: r.token_url,
          clientId: r.client_id,
          clientSecret: secret.value,
          scope: r.scope,
        };
        if (access.legacy || refresh.legacy || secret.legacy) {
          if (!key)
            throw new AvailabilityError(
              `${NO_KEY} (The calendar token of ${leverUserId} is stored unencrypted.)`,
              false,
            );
          await store.save(token);
        }
        return token;
      },
      async save(tk: OAuthToken): Promise<void> {
        const key = keyOf();
        if (!key) throw new CalendarTokenKeyError(NO_KEY);
        const row = {
          lever_user_id: leverUserId,
          access_token: sealed(key, 'access_token', tk.accessToken) as string,
          refresh_token: sealed(key, 'refresh_token', tk.refreshToken),
          expires_at: tk.expiresAt ?? null,
          token_url: tk.tokenUrl ?? null,
          client_id: tk.clientId ?? null,
          client_secret: sealed(key, 'client_secret', tk.clientSecret),
          scope: tk.scope ?? null,
          updated_at: now(),
        };
        await db
          .insertInto('calendar_tokens')
          .values(row)
          .onConflict((oc) => oc.column('lever_user_id').doUpdateSet(row))
          .execute();
      },
    };
    return store;
  }

  private readonly providers = new Map<string, OAuthTokenProvider>();

  /** The availability source configured for the interviewer. */
  sourceFor(c: InterviewerCalendar): AvailabilitySource {
    if (c.source === 'ics') return new IcsSource(c.location, undefined, this.now);
    let tokens = this.providers.get(c.leverUserId);
    if (!tokens) {
      tokens = new OAuthTokenProvider(this.tokenStore(c.leverUserId), `the calendar of ${c.leverUserId}`, this.now);
      this.providers.set(c.leverUserId, tokens);
    }
    if (c.source === 'google') {
      return new GoogleFreeBusySource({
        calendarId: c.location,
        tokens,
        apiBase: c.apiBase ?? undefined,
        now: this.now,
      });
    }
    if (c.source === 'microsoft') {
      return new GraphScheduleSource({ email: c.location, tokens, apiBase: c.apiBase ?? undefined, now: this.now });
    }
    throw new AvailabilityError(`Unknown calendar source ${String(c.source)}.`, false);
  }
}
