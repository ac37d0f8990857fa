import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import { ProposalSchema } from '../../utils/contracts/api.ts';
import {
  type Booking,
  BookingListSchema,
  InterviewerListSchema,
  RescheduleRequestSchema,
  ScheduleProposalRequestSchema,
  type ScheduleWrite,
  SlotsRequestSchema,
  SlotsResponseSchema,
} from '../../utils/contracts/scheduling.ts';
import type { AppServices } from '../app.ts';
import type { AuthEnv } from '../http/auth.ts';
import { HttpError, notFound } from '../http/errors.ts';
import { zodJson, zodParam, zodQuery } from '../http/validate.ts';
import { type BookingRecord, getBooking, invitationOf, listBookings } from '../scheduling/booking.ts';
import { CalendarTokenKeyError, InterviewerCalendarInputSchema, publicView } from '../scheduling/calendar-config.ts';
import { candidateEmail } from '../scheduling/invitations.ts';
import {
  calendarKeyOf,
  calendarsOf,
  leverPanelUser,
  PanelCalendarError,
  PanelConfigError,
  type PanelUser,
  readPanel,
} from '../scheduling/panel.ts';
import { findSlots, type SlotOption, SlotRequestError } from '../scheduling/slot-finder.ts';
import { formatIso, isValidTimeZone } from '../scheduling/tz.ts';

/**
 * Interview scheduling (issue 19). Every route declares its access rule (backend/access/route-rules.ts): slots and
 * bookings for recruiters who may see the opportunity in Lever, booking, moving and cancelling (each a proposal) for
 * those who may act on it; calendar configuration for
 * Fulcrum admins. Writes go through proposals: approving an 'interview-schedule' proposal (POST
 * /api/proposals/:id/approve, the 'proposal' rule) creates, moves or cancels the Lever panel.
 */

const unprocessable = (message: string) => new HttpError(400, 'invalid_request', message);
const BookingParam = z.object({ id: z.string().uuid('booking ids are UUIDs') });

type Lookup = PanelUser;

export function schedulingRoutes(s: AppServices) {
  const calendars = calendarsOf(s.store, s.clock, calendarKeyOf(s.config));
  const g = s.guards;

  async function leverUser(id: string): Promise<Lookup> {
    const u = await leverPanelUser(s.lever, id);
    if (!u) throw unprocessable(`Lever has no user "${id}".`);
    return u;
  }

  async function candidateOf(opportunityId: string): Promise<{ name: string; email: string | null }> {
    const o = await s.lever.getOpportunity(opportunityId);
    return { name: o.name ?? 'there', email: o.emails?.[0] ?? null };
  }

  /** The panel as the slot finder sees it: each interviewer's configured calendar, hours, caps and bookings. */
  async function panelOf(ids: string[], from: number, to: number, refresh: boolean) {
    const users = await Promise.all(ids.map(leverUser));
    try {
      return await readPanel({ store: s.store, calendars }, users, from, to, refresh);
    } catch (e) {
      if (e instanceof PanelConfigError) throw unprocessable(e.message);
      if (e instanceof PanelCalendarError) throw new HttpError(502, 'calendar_unavailable', e.message);
      throw e;
    }
  }

  function find(req: Parameters<typeof findSlots>[0]): SlotOption[] {
    try {
      return findSlots(req);
    } catch (e) {
      if (e instanceof SlotRequestError) throw new HttpError(400, 'invalid_request', e.message);
      throw e;
    }
  }

  const toWireBooking = (b: BookingRecord): Booking => ({
    id: b.id,
    opportunityId: b.opportunityId,
    panelId: b.panelId,
    status: b.status,
    sequence: b.sequence,
    sessions: b.plan.schedule.sessions.map((x) => ({
      start: x.start,
      end: x.end,
      subject: x.subject,
      interviewerIds: x.interviewers.map((i) => i.id),
    })),
    candidateTimeZone: b.plan.schedule.candidate.timeZone,
    updatedAt: new Date(b.updatedAt).toISOString(),
  });

  /** Builds the schedule of a proposal from chosen sessions, after checking they still fit every rule. */
  async function scheduleFor(
    opportunityId: string,
    sessions: Array<{ start: string; end: string; interviewerIds: string[] }>,
    candidateTz: string,
    timezone: string,
    action: ScheduleWrite['action'],
    bookingId: string,
    note: string | undefined,
    ignoreBooking?: string,
  ): Promise<ScheduleWrite> {
    if (!isValidTimeZone(candidateTz) || !isValidTimeZone(timezone)) {
      throw new HttpError(400, 'invalid_request', 'Time zones are IANA names (e.g. Europe/London).');
    }
    const ids = [...new Set(sessions.flatMap((x) => x.interviewerIds))];
    const start = Date.parse(sessions[0]?.start ?? '');
    const end = Date.parse(sessions[sessions.length - 1]?.end ?? '');
    const members = await panelOf(ids, start, end, true);
    if (ignoreBooking) {
      // A reschedule may overlap the booking it replaces.
      const own = await getBooking(s.store, ignoreBooking);
      const mine = new Set(
        (own?.plan.schedule.sessions ?? []).map((x) => `${Date.parse(x.start)}-${Date.parse(x.end)}`),
      );
      for (const m of members) {
        m.member.existingInterviews = (m.member.existingInterviews ?? []).filter(
          (i) => !mine.has(`${i.start}-${i.end}`),
        );
        m.member.busy = m.member.busy.filter((b) => !mine.has(`${b.start}-${b.end}`));
      }
    }
    const gaps = sessions.slice(1).map((x, k) => Date.parse(x.start) - Date.parse(sessions[k]?.end ?? ''));
    const gap = gaps[0] ?? 0;
    if (gaps.some((x) => x !== gap || x < 0))
      throw new HttpError(400, 'invalid_request', 'Sessions must run back to back with equal gaps.');
    const check = find({
      panel: members.map((m) => m.member),
      sessions: sessions.map((x) => ({
        durationMin: Math.round((Date.parse(x.end) - Date.parse(x.start)) / 60_000),
        interviewerIds: x.interviewerIds,
      })),
      gapMin: Math.round(gap / 60_000),
      from: start,
      to: end,
      stepMin: 5,
      maxOptions: 1,
      candidate: { timeZone: candidateTz },
    });
    if (check[0]?.start !== start) {
      throw new HttpError(
        409,
        'conflict',
        'That time no longer works for every interviewer (a calendar changed, or it breaks working hours or a cap). Find slots again.',
      );
    }
    const candidate = await candidateOf(opportunityId);
    const users = new Map(members.map((m) => [m.user.id, m.user]));
    const n = sessions.length;
    return {
      action,
      bookingId,
      timezone,
      candidate: { ...candidate, timeZone: candidateTz },
      sessions: sessions.map((x, k) => ({
        start: new Date(Date.parse(x.start)).toISOString(),
        end: new Date(Date.parse(x.end)).toISOString(),
        subject: `Interview${n > 1 ? ` ${k + 1}/${n}` : ''}: ${candidate.name}`,
        interviewers: x.interviewerIds.map((id) => users.get(id) as Lookup),
      })),
      ...(note ? { note } : {}),
      emailDraft: { subject: '', body: '' },
    };
  }

  async function propose(
    c: { get: (k: 'recruiter') => AuthEnv['Variables']['recruiter'] },
    schedule: ScheduleWrite,
    opportunityId: string,
    reason: string,
  ) {
    const actor = c.get('recruiter');
    const kind =
      schedule.action === 'cancel' ? 'cancelled' : schedule.action === 'reschedule' ? 'rescheduled' : 'confirmed';
    schedule.emailDraft = candidateEmail({
      candidateName: schedule.candidate.name,
      recruiterName: actor.name || actor.email,
      role: null,
      timeZone: schedule.candidate.timeZone,
      kind,
      slots: schedule.sessions.map((x) => ({ start: Date.parse(x.start), end: Date.parse(x.end) })),
    });
    const p = await s.proposals.create(actor, {
      opportunityId,
      kind: 'interview-schedule',
      payload: { schedule },
      reason,
      sourceCapability: 'scheduling',
    });
    return ProposalSchema.parse(s.proposals.wire(p, actor));
  }

  // A booking is read by whoever may see its opportunity; moving or cancelling it proposes a Lever write, so it needs
  // a role that may act on the opportunity (an interviewer sees the booking, proposes nothing). Missing and out of
  // scope answer alike; seen but not the caller's to change is a 403.
  const bookingRule = (need: 'see' | 'act') =>
    g.custom(`booking of an opportunity the caller may ${need === 'see' ? 'see' : 'act on'}`, async (c, v) => {
      const b = await getBooking(s.store, c.req.param('id') ?? '');
      if (!b) throw notFound('No such booking.');
      const d = await s.access.opportunity(v, b.opportunityId);
      if (!d?.see) throw notFound('No such booking.');
      if (need === 'act') await s.access.requireOpportunity(v, b.opportunityId, 'act');
    });

  return new Hono<AuthEnv>()
    .get('/interviewers', g.leverUser(), async (c) => {
      // Interviewers a recruiter can pick: Lever users with a calendar configured (names and zones, no calendar data).
      const list = await calendars.list();
      const people = await Promise.all(
        list.map(async (x) => {
          const u = await s.lever.getUser(x.leverUserId).catch(() => null);
          return u && !u.deactivatedAt
            ? {
                id: x.leverUserId,
                name: u.name ?? u.email ?? x.leverUserId,
                timeZone: x.timeZone,
                workStart: x.workStart,
                workEnd: x.workEnd,
              }
            : null;
        }),
      );
      return c.json(InterviewerListSchema.parse({ interviewers: people.filter((p) => p !== null) }));
    })
    .post('/slots', zodJson(SlotsRequestSchema), g.opportunity('see', 'json:opportunityId'), async (c) => {
      const r = c.req.valid('json');
      const from = Date.parse(r.from);
      const to = Date.parse(r.to);
      const members = await panelOf(r.interviewerIds, from, to, r.refresh);
      const sessions = r.sessions ?? [{ durationMin: r.durationMin ?? 60, interviewerIds: r.interviewerIds }];
      const options = find({
        panel: members.map((m) => m.member),
        sessions,
        gapMin: r.gapMin,
        from: Math.max(from, s.clock()),
        to,
        bufferMin: r.bufferMin,
        maxOptions: r.maxOptions,
        ...(r.candidateTimeZone
          ? {
              candidate: {
                timeZone: r.candidateTimeZone,
                ...(r.candidateAvailability
                  ? {
                      availability: r.candidateAvailability.map((a) => ({
                        start: Date.parse(a.start),
                        end: Date.parse(a.end),
                      })),
                    }
                  : {}),
              },
            }
          : {}),
      });
      const tz = r.candidateTimeZone ?? 'UTC';
      const candidate = options.length ? await candidateOf(r.opportunityId) : null;
      const recruiter = c.get('recruiter');
      return c.json(
        SlotsResponseSchema.parse({
          options: options.map((o) => ({
            start: formatIso(o.start, tz),
            end: formatIso(o.end, tz),
            score: o.score,
            reasons: o.reasons,
            sessions: o.sessions.map((x) => ({
              start: formatIso(x.start, tz),
              end: formatIso(x.end, tz),
              interviewerIds: x.interviewerIds,
            })),
          })),
          interviewers: members.map((m) => ({
            id: m.user.id,
            name: m.user.name,
            timeZone: m.member.timeZone,
            warnings: m.warnings,
          })),
          emailDraft: candidate
            ? candidateEmail({
                candidateName: candidate.name,
                recruiterName: recruiter.name || recruiter.email,
                role: null,
                timeZone: tz,
                kind: 'options',
                slots: options.slice(0, 5),
              })
            : null,
        }),
      );
    })
    .post(
      '/proposals',
      zodJson(ScheduleProposalRequestSchema),
      // Proposes a Lever write: a role that may act on the candidate (the proposal rule checks the approver again).
      g.opportunity('act', 'json:opportunityId'),
      async (c) => {
        const r = c.req.valid('json');
        const schedule = await scheduleFor(
          r.opportunityId,
          r.option.sessions,
          r.candidateTimeZone,
          r.timezone,
          'book',
          randomUUID(),
          r.note,
        );
        return c.json(
          await propose(c, schedule, r.opportunityId, 'Book the interview at the time the recruiter chose.'),
          201,
        );
      },
    )
    .get(
      '/bookings',
      zodQuery(z.object({ opportunityId: z.string().min(1) })),
      g.opportunity('see', 'query:opportunityId'),
      async (c) => {
        const list = await listBookings(s.store, c.req.valid('query').opportunityId);
        return c.json(BookingListSchema.parse({ bookings: list.map(toWireBooking) }));
      },
    )
    .get('/bookings/:id/invitation.ics', zodParam(BookingParam), bookingRule('see'), async (c) => {
      const b = (await getBooking(s.store, c.req.valid('param').id)) as BookingRecord;
      return c.body(invitationOf(b), 200, {
        'content-type': `text/calendar; charset=utf-8; method=${b.status === 'cancelled' ? 'CANCEL' : 'REQUEST'}`,
        'content-disposition': 'attachment; filename="interview.ics"',
      });
    })
    .post(
      '/bookings/:id/reschedule',
      zodParam(BookingParam),
      zodJson(RescheduleRequestSchema),
      bookingRule('act'),
      async (c) => {
        const b = (await getBooking(s.store, c.req.valid('param').id)) as BookingRecord;
        if (b.status !== 'booked')
          throw new HttpError(409, 'conflict', 'This interview was cancelled; book a new one.');
        const sched = b.plan.schedule;
        const schedule = await scheduleFor(
          b.opportunityId,
          c.req.valid('json').option.sessions,
          sched.candidate.timeZone,
          sched.timezone,
          'reschedule',
          b.id,
          sched.note,
          b.id,
        );
        return c.json(
          await propose(c, schedule, b.opportunityId, 'Move the interview to the time the recruiter chose.'),
          201,
        );
      },
    )
    .post('/bookings/:id/cancel', zodParam(BookingParam), bookingRule('act'), async (c) => {
      const b = (await getBooking(s.store, c.req.valid('param').id)) as BookingRecord;
      if (b.status !== 'booked') throw new HttpError(409, 'conflict', 'This interview is already cancelled.');
      const schedule: ScheduleWrite = { ...b.plan.schedule, action: 'cancel' };
      return c.json(
        await propose(c, schedule, b.opportunityId, 'Cancel the interview in Lever and send cancellations.'),
        201,
      );
    });
}

/** Admin: which calendar each interviewer (Lever user) is read from. Tokens are accepted, never returned. */
export function calendarAdminRoutes(s: AppServices) {
  const calendars = calendarsOf(s.store, s.clock, calendarKeyOf(s.config));
  const Param = z.object({ leverUserId: z.string().min(1).max(100) });
  return new Hono<AuthEnv>()
    .get('/', s.guards.fulcrumAdmin(), async (c) => {
      const list = await calendars.list();
      return c.json({
        calendars: await Promise.all(list.map(async (x) => publicView(x, await calendars.hasToken(x.leverUserId)))),
      });
    })
    .put(
      '/:leverUserId',
      zodParam(Param),
      zodJson(InterviewerCalendarInputSchema),
      s.guards.fulcrumAdmin(),
      async (c) => {
        const id = c.req.valid('param').leverUserId;
        const saved = await calendars.set(id, c.req.valid('json'), c.get('recruiter').email).catch((e: unknown) => {
          if (e instanceof CalendarTokenKeyError) throw new HttpError(409, 'not_configured', e.message);
          throw e;
        });
        return c.json(publicView(saved, await calendars.hasToken(id)));
      },
    )
    .delete('/:leverUserId', zodParam(Param), s.guards.fulcrumAdmin(), async (c) => {
      const removed = await calendars.remove(c.req.valid('param').leverUserId);
      if (!removed) throw notFound('No calendar is configured for that Lever user.');
      return c.body(null, 204);
    });
}
