import type { LeverClient } from '../lever/index.ts';
import { parseSecretKey } from '../lever-oauth/secret-box.ts';
import type { Store } from '../store/db.ts';
import { bookedSessions } from './booking.ts';
import { CalendarConfigRepo, type InterviewerCalendar } from './calendar-config.ts';
import type { PanelMember } from './slot-finder.ts';
import { AvailabilityError } from './types.ts';

/**
 * The panel as the slot finder sees it, shared by the scheduling routes and the stage-change automation: each
 * interviewer's configured calendar (read through one availability cache per store), working hours, caps and the
 * interviews Fulcrum already booked for them.
 */

const DAY = 86_400_000;

/**
 * One calendar repo (and so one availability cache) per store, shared by routes, admin routes and automations. The
 * app passes the token key (FULCRUM_SECRET_KEY) when it builds its routes; callers without config (automations)
 * get the same repo and so the same key.
 */
const repos = new WeakMap<object, CalendarConfigRepo>();
export function calendarsOf(store: Store, now: () => number, secretKey?: Buffer | null): CalendarConfigRepo {
  let r = repos.get(store);
  if (!r) {
    r = new CalendarConfigRepo(store, now, undefined, secretKey ?? null);
    repos.set(store, r);
  } else if (secretKey !== undefined) {
    r.setSecretKey(secretKey);
  }
  return r;
}

/** FULCRUM_SECRET_KEY as the calendar token key (null when unset). */
export function calendarKeyOf(config: { FULCRUM_SECRET_KEY?: string | undefined }): Buffer | null {
  return config.FULCRUM_SECRET_KEY ? parseSecretKey(config.FULCRUM_SECRET_KEY) : null;
}

export type PanelUser = { id: string; name: string; email: string };
export type ReadMember = { member: PanelMember; user: PanelUser; warnings: string[] };

/** A Lever user in the panel has no calendar configured (names them, for a 400 or a skipped automation). */
export class PanelConfigError extends Error {
  constructor(readonly missing: PanelUser[]) {
    super(
      `No calendar is configured for ${missing.map((u) => u.name).join(', ')}. An admin can set one (npm run cli -- calendars set LEVER_USER_ID …, or PUT /api/admin/calendars/:leverUserId).`,
    );
    this.name = 'PanelConfigError';
  }
}

/** A calendar could not be read; `retryable` says whether trying again later may help. */
export class PanelCalendarError extends Error {
  constructor(
    readonly user: PanelUser,
    readonly cause: AvailabilityError,
  ) {
    super(`The calendar of ${user.name} could not be read: ${cause.message}`);
    this.name = 'PanelCalendarError';
  }
  get retryable(): boolean {
    return this.cause.retryable;
  }
}

/**
 * Reads every interviewer's availability for [from, to) (a day either side, for buffers and zones) and their
 * bookings for a week either side (weekly caps). `lookup` turns a Lever user id into a name and e-mail (throws when
 * Lever has no such user).
 */
export async function readPanel(
  deps: { store: Store; calendars: CalendarConfigRepo },
  users: PanelUser[],
  from: number,
  to: number,
  refresh: boolean,
): Promise<ReadMember[]> {
  const { calendars } = deps;
  const configs = await Promise.all(users.map((u) => calendars.get(u.id)));
  const missing = users.filter((_, k) => !configs[k]);
  if (missing.length) throw new PanelConfigError(missing);
  const booked = await bookedSessions(
    deps.store,
    users.map((u) => u.id),
    from - 7 * DAY,
    to + 7 * DAY,
  );
  return Promise.all(
    users.map(async (u, k) => {
      const c = configs[k] as InterviewerCalendar;
      let a: Awaited<ReturnType<typeof calendars.availabilityCache.get>>;
      try {
        a = await calendars.availabilityCache.get(
          u.id,
          calendars.sourceFor(c),
          { from: from - DAY, to: to + DAY, timeZone: c.timeZone },
          { refresh },
        );
      } catch (e) {
        if (e instanceof AvailabilityError) throw new PanelCalendarError(u, e);
        throw e;
      }
      const member: PanelMember = {
        id: u.id,
        name: u.name,
        timeZone: c.timeZone,
        hours: { start: c.workStart, end: c.workEnd, days: c.workDays },
        busy: a.busy,
        tentativeBusy: c.tentativeBusy,
        maxPerDay: c.maxPerDay,
        maxPerWeek: c.maxPerWeek,
        existingInterviews: booked.get(u.id) ?? [],
      };
      return { member, user: u, warnings: a.warnings };
    }),
  );
}

/** A Lever user as the panel names them; null when Lever has no such user. */
export async function leverPanelUser(lever: LeverClient, id: string): Promise<PanelUser | null> {
  const u = await lever.getUser(id).catch(() => null);
  if (!u) return null;
  return { id, name: u.name ?? u.email ?? id, email: u.email ?? '' };
}
