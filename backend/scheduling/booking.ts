import { createHash } from 'node:crypto';
import { z } from 'zod';
import { type ScheduleWrite, ScheduleWriteSchema } from '../../utils/contracts/scheduling.ts';
import { collect, type LeverClient, LeverNotFoundError, type PanelInput } from '../lever/index.ts';
import type { ProposalRecord } from '../proposals/repo.ts';
import type { Approver, WriteOutcome } from '../proposals/write-back.ts';
import type { Store } from '../store/db.ts';
import { buildInvitation, type Person } from './invitations.ts';

/**
 * Approval of an 'interview-schedule' proposal: the write to Lever and the booking Fulcrum keeps.
 * - book: `POST /opportunities/:id/panels?perform_as=<approver>` (externally managed), one interview per session;
 * - reschedule: `PUT` of that panel (Lever's full replace), the invitations' SEQUENCE goes up by one;
 * - cancel: `DELETE` of the panel (a 404 means it is already gone), SEQUENCE up, invitations become METHOD:CANCEL.
 * Exactly once per proposal: each Lever write has a write_ledger row keyed by (proposal, operation); a 'started'
 * row means an earlier attempt may have reached Lever, so before creating a panel again we look for ours in Lever
 * by the marker in its note (`[fulcrum-booking:<id>]`) and adopt it. PUT and DELETE are repeatable.
 */

export const bookingMarker = (bookingId: string) => `[fulcrum-booking:${bookingId}]`;

const PlanSchema = z.object({
  schedule: ScheduleWriteSchema,
  organizer: z.object({ name: z.string(), email: z.string() }),
});
export type BookingPlan = z.infer<typeof PlanSchema>;

export type BookingRecord = {
  id: string;
  opportunityId: string;
  panelId: string | null;
  icsUid: string;
  sequence: number;
  status: 'booked' | 'cancelled';
  plan: BookingPlan;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
};

export async function getBooking(store: Store, id: string): Promise<BookingRecord | null> {
  const r = await store.db.selectFrom('interview_bookings').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) return null;
  return {
    id: r.id,
    opportunityId: r.opportunity_id,
    panelId: r.panel_id,
    icsUid: r.ics_uid,
    sequence: r.sequence,
    status: r.status,
    plan: PlanSchema.parse(JSON.parse(r.plan)),
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export async function listBookings(store: Store, opportunityId: string): Promise<BookingRecord[]> {
  const rows = await store.db
    .selectFrom('interview_bookings')
    .select('id')
    .where('opportunity_id', '=', opportunityId)
    .orderBy('created_at', 'desc')
    .limit(50)
    .execute();
  const out: BookingRecord[] = [];
  for (const r of rows) {
    const b = await getBooking(store, r.id);
    if (b) out.push(b);
  }
  return out;
}

/** Interviews Fulcrum booked for these Lever users that touch [from, to): they count toward the caps. */
export async function bookedSessions(
  store: Store,
  leverUserIds: string[],
  from: number,
  to: number,
): Promise<Map<string, Array<{ start: number; end: number }>>> {
  const out = new Map<string, Array<{ start: number; end: number }>>();
  if (leverUserIds.length === 0) return out;
  const rows = await store.db
    .selectFrom('interview_booking_sessions')
    .selectAll()
    .where('lever_user_id', 'in', leverUserIds)
    .where('end_at', '>', from)
    .where('start_at', '<', to)
    .execute();
  for (const r of rows) {
    const list = out.get(r.lever_user_id) ?? [];
    list.push({ start: r.start_at, end: r.end_at });
    out.set(r.lever_user_id, list);
  }
  return out;
}

function panelInput(s: ScheduleWrite): PanelInput {
  return {
    timezone: s.timezone,
    note: `${s.note ? `${s.note}\n\n` : ''}Scheduled with Fulcrum (AI-assisted). ${bookingMarker(s.bookingId)}`,
    interviews: s.sessions.map((x) => ({
      subject: x.subject,
      interviewers: x.interviewers.map((i) => ({ id: i.id })),
      date: Date.parse(x.start),
      duration: Math.round((Date.parse(x.end) - Date.parse(x.start)) / 60_000),
    })),
  };
}

const key = (proposalId: string, operation: string) =>
  createHash('sha256').update(`${proposalId}\nschedule-${operation}`).digest('hex');

/** The invitation a booking sends now (REQUEST while booked, CANCEL once cancelled), at its current SEQUENCE. */
export function invitationOf(b: BookingRecord): string {
  const s = b.plan.schedule;
  const cancelled = b.status === 'cancelled';
  return buildInvitation({
    bookingUid: b.icsUid,
    sequence: b.sequence,
    method: cancelled ? 'CANCEL' : 'REQUEST',
    organizer: b.plan.organizer,
    candidate: s.candidate.email ? ({ name: s.candidate.name, email: s.candidate.email } satisfies Person) : null,
    sessions: s.sessions.map((x) => ({
      start: Date.parse(x.start),
      end: Date.parse(x.end),
      subject: x.subject,
      interviewers: x.interviewers.map((i) => ({ name: i.name, email: i.email })),
    })),
    description: `Interview scheduled in Lever by ${b.plan.organizer.name}.`,
    issuedAt: b.updatedAt,
  });
}

export class BookingWriter {
  constructor(
    private readonly store: Store,
    private readonly lever: LeverClient,
    private readonly now: () => number,
  ) {}

  async execute(p: ProposalRecord, approver: Approver): Promise<WriteOutcome> {
    const schedule = p.payload.schedule;
    if (!schedule) throw new Error('interview-schedule proposal has no schedule');
    const performAs = { performAs: approver.leverUserId };
    const organizer = { name: approver.name, email: approver.email };
    const base = this.lever.baseUrl.replace(/\/v1$/, '');
    const leverUrl = `${base}/candidates/${p.opportunityId}`;
    const existing = await getBooking(this.store, schedule.bookingId);

    if (schedule.action === 'book') {
      if (existing && existing.status === 'booked' && existing.panelId) {
        return {
          result: { leverUrl, written: ['panel', 'invitations'] },
          leverIds: [p.opportunityId, existing.panelId],
        };
      }
      const panelId = await this.once(p, 'create', async (previouslyStarted) => {
        if (previouslyStarted) {
          const adopted = await this.findPanel(p.opportunityId, schedule.bookingId);
          if (adopted) return adopted;
        }
        const created = await this.lever.createPanel(p.opportunityId, panelInput(schedule), performAs);
        return created.id;
      });
      await this.save(p, schedule, organizer, panelId, 0, 'booked', approver.email);
      return { result: { leverUrl, written: ['panel', 'invitations'] }, leverIds: [p.opportunityId, panelId] };
    }

    if (!existing || existing.opportunityId !== p.opportunityId) {
      throw new Error(`No booking ${schedule.bookingId} for this candidate to ${schedule.action}.`);
    }
    if (!existing.panelId) throw new Error('The booking has no Lever panel.');
    const panelId = existing.panelId;
    if (schedule.action === 'reschedule') {
      await this.once(p, 'update', async () => {
        await this.lever.updatePanel(p.opportunityId, panelId, panelInput(schedule), performAs);
        return panelId;
      });
      await this.save(p, schedule, organizer, panelId, existing.sequence + 1, 'booked', existing.createdBy, existing);
      return { result: { leverUrl, written: ['panel', 'invitations'] }, leverIds: [p.opportunityId, panelId] };
    }
    await this.once(p, 'delete', async () => {
      try {
        await this.lever.deletePanel(p.opportunityId, panelId, performAs);
      } catch (e) {
        if (!(e instanceof LeverNotFoundError)) throw e;
      }
      return panelId;
    });
    await this.save(
      p,
      { ...existing.plan.schedule, action: 'cancel', emailDraft: schedule.emailDraft },
      organizer,
      panelId,
      existing.sequence + 1,
      'cancelled',
      existing.createdBy,
      existing,
    );
    return { result: { leverUrl, written: ['panel', 'invitations'] }, leverIds: [p.opportunityId, panelId] };
  }

  private async findPanel(opportunityId: string, bookingId: string): Promise<string | null> {
    const panels = await collect(this.lever.listPanels(opportunityId));
    const marker = bookingMarker(bookingId);
    return panels.find((x) => typeof x.note === 'string' && x.note.includes(marker) && !x.canceledAt)?.id ?? null;
  }

  /** Runs one Lever write once per (proposal, operation); returns the panel id recorded. */
  private async once(p: ProposalRecord, op: string, write: (previouslyStarted: boolean) => Promise<string>) {
    const k = key(p.id, op);
    const row = await this.store.db
      .selectFrom('write_ledger')
      .selectAll()
      .where('idempotency_key', '=', k)
      .executeTakeFirst();
    if (row?.status === 'done' && row.lever_object_id) return row.lever_object_id;
    if (!row) {
      await this.store.db
        .insertInto('write_ledger')
        .values({
          idempotency_key: k,
          proposal_id: p.id,
          opportunity_id: p.opportunityId,
          operation: `schedule-${op}`,
          status: 'started',
          lever_object_id: null,
          request: null,
          created_at: this.now(),
          completed_at: null,
        })
        .onConflict((oc) => oc.column('idempotency_key').doNothing())
        .execute();
    }
    const id = await write(row !== undefined);
    await this.store.db
      .updateTable('write_ledger')
      .set({ status: 'done', lever_object_id: id, completed_at: this.now() })
      .where('idempotency_key', '=', k)
      .execute();
    return id;
  }

  private async save(
    p: ProposalRecord,
    schedule: ScheduleWrite,
    organizer: { name: string; email: string },
    panelId: string,
    sequence: number,
    status: 'booked' | 'cancelled',
    createdBy: string,
    existing?: BookingRecord,
  ): Promise<void> {
    const t = this.now();
    const plan = JSON.stringify({ schedule, organizer } satisfies BookingPlan);
    await this.store.db.transaction().execute(async (trx) => {
      if (existing) {
        await trx
          .updateTable('interview_bookings')
          .set({ panel_id: panelId, sequence, status, plan, updated_at: t })
          .where('id', '=', existing.id)
          .execute();
      } else {
        await trx
          .insertInto('interview_bookings')
          .values({
            id: schedule.bookingId,
            opportunity_id: p.opportunityId,
            panel_id: panelId,
            ics_uid: schedule.bookingId,
            sequence,
            status,
            plan,
            created_by: createdBy,
            created_at: t,
            updated_at: t,
          })
          .execute();
      }
      await trx.deleteFrom('interview_booking_sessions').where('booking_id', '=', schedule.bookingId).execute();
      if (status === 'booked') {
        for (const s of schedule.sessions) {
          for (const i of s.interviewers) {
            await trx
              .insertInto('interview_booking_sessions')
              .values({
                booking_id: schedule.bookingId,
                lever_user_id: i.id,
                start_at: Date.parse(s.start),
                end_at: Date.parse(s.end),
              })
              .execute();
          }
        }
      }
    });
  }
}
