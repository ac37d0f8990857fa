import { z } from 'zod';

/**
 * Interview scheduling on the wire (issue 19): the slot request the side panel sends, the options it gets back,
 * and the `schedule` part of an 'interview-schedule' proposal (what approval writes to Lever: a panel with one
 * interview per session, plus invitations and the candidate's e-mail draft). Times are ISO 8601 with an offset.
 */

const Iso = z
  .string()
  .max(40)
  .refine((s) => /(Z|[+-]\d{2}:\d{2})$/i.test(s) && Number.isFinite(Date.parse(s)), 'an ISO 8601 time with an offset');
const Zone = z.string().min(1).max(64);
const LeverId = z.string().min(1).max(100);

export const SlotsRequestSchema = z.object({
  opportunityId: LeverId,
  /** Lever user ids, each with a calendar configured by an admin. */
  interviewerIds: z.array(LeverId).min(1).max(12),
  /** One panel interview of this length with everyone… */
  durationMin: z.number().int().min(5).max(480).optional(),
  /** …or sessions back to back, each with its own interviewers. */
  sessions: z
    .array(z.object({ durationMin: z.number().int().min(5).max(480), interviewerIds: z.array(LeverId).min(1).max(12) }))
    .min(1)
    .max(8)
    .optional(),
  from: Iso,
  to: Iso,
  bufferMin: z.number().int().min(0).max(240).default(10),
  gapMin: z.number().int().min(0).max(120).default(0),
  candidateTimeZone: Zone.optional(),
  candidateAvailability: z
    .array(z.object({ start: Iso, end: Iso }))
    .max(50)
    .optional(),
  /** Read every calendar again instead of the 5-minute cache. */
  refresh: z.boolean().default(false),
  maxOptions: z.number().int().min(1).max(30).default(8),
});
export type SlotsRequest = z.infer<typeof SlotsRequestSchema>;

export const SlotSessionSchema = z.object({
  start: Iso,
  end: Iso,
  interviewerIds: z.array(LeverId),
});

export const SlotOptionSchema = z.object({
  start: Iso,
  end: Iso,
  score: z.number(),
  reasons: z.array(z.string()),
  sessions: z.array(SlotSessionSchema),
});

export const SlotsResponseSchema = z.object({
  options: z.array(SlotOptionSchema),
  interviewers: z.array(z.object({ id: LeverId, name: z.string(), timeZone: Zone, warnings: z.array(z.string()) })),
  /** A draft asking the candidate to choose among the options. */
  emailDraft: z.object({ subject: z.string(), body: z.string() }).nullable(),
});
export type SlotsResponse = z.infer<typeof SlotsResponseSchema>;

export const SchedulePersonSchema = z.object({ id: LeverId, name: z.string().max(200), email: z.string().max(320) });

/** The `schedule` part of an 'interview-schedule' proposal payload. */
export const ScheduleWriteSchema = z.object({
  action: z.enum(['book', 'reschedule', 'cancel']),
  /** Stable for the booking across reschedules: the invitations' UID is derived from it. */
  bookingId: z.string().uuid(),
  timezone: Zone,
  candidate: z.object({ name: z.string().max(200), email: z.string().max(320).nullable(), timeZone: Zone }),
  sessions: z
    .array(
      z.object({
        start: Iso,
        end: Iso,
        subject: z.string().min(1).max(300),
        interviewers: z.array(SchedulePersonSchema).min(1).max(12),
      }),
    )
    .max(8),
  note: z.string().max(2000).optional(),
  emailDraft: z.object({ subject: z.string().max(300), body: z.string().max(10_000) }),
  /**
   * Set by the stage-change automation: every ranked option it found (best first, `sessions` above is the first).
   * Approving books `sessions`; the recruiter picks another option in the Schedule view, which proposes it anew.
   */
  options: z.array(SlotOptionSchema).max(10).optional(),
});
export type ScheduleWrite = z.infer<typeof ScheduleWriteSchema>;

export const ScheduleProposalRequestSchema = z.object({
  opportunityId: LeverId,
  option: z.object({ sessions: z.array(SlotSessionSchema).min(1).max(8) }),
  candidateTimeZone: Zone,
  /** The recruiter's zone (panel timezone in Lever). */
  timezone: Zone,
  note: z.string().max(2000).optional(),
});

export const RescheduleRequestSchema = z.object({
  option: z.object({ sessions: z.array(SlotSessionSchema).min(1).max(8) }),
});
export type RescheduleRequest = z.infer<typeof RescheduleRequestSchema>;

export const BookingSchema = z.object({
  id: z.string(),
  opportunityId: z.string(),
  panelId: z.string().nullable(),
  status: z.enum(['booked', 'cancelled']),
  sequence: z.number().int(),
  sessions: z.array(z.object({ start: Iso, end: Iso, subject: z.string(), interviewerIds: z.array(z.string()) })),
  candidateTimeZone: Zone,
  updatedAt: Iso,
});
export type Booking = z.infer<typeof BookingSchema>;
export const BookingListSchema = z.object({ bookings: z.array(BookingSchema) });
export type BookingList = z.infer<typeof BookingListSchema>;

export const InterviewerListSchema = z.object({
  interviewers: z.array(
    z.object({ id: LeverId, name: z.string(), timeZone: Zone, workStart: z.string(), workEnd: z.string() }),
  ),
});
export type InterviewerList = z.infer<typeof InterviewerListSchema>;
export type SlotsRequestInput = z.input<typeof SlotsRequestSchema>;
export type ScheduleProposalInput = z.input<typeof ScheduleProposalRequestSchema>;
