import { createHash } from 'node:crypto';
import type { PolicySettings } from '../../utils/contracts/automations.ts';
import type { ScheduleWrite } from '../../utils/contracts/scheduling.ts';
import type { Opportunity, Posting } from '../lever/index.ts';
import { listBookings } from '../scheduling/booking.ts';
import { candidateEmail } from '../scheduling/invitations.ts';
import { calendarsOf, PanelCalendarError, type PanelUser, readPanel } from '../scheduling/panel.ts';
import { findSlots, type SlotOption } from '../scheduling/slot-finder.ts';
import { formatIso } from '../scheduling/tz.ts';
import { type AutomationDeps, senderFor, type UpsertOutcome, upsertProposal, userIdOf } from './context.ts';

/**
 * Interview stage → a scheduling proposal (policy `scheduleInterviews`). The panel is the policy's
 * `schedulingPanel`, or else the posting's hiring team (hiring manager, owner, followers) who have a calendar
 * configured. The slot finder ranks times over the next `schedulingWindowDays` days from tomorrow; the proposal
 * holds every ranked option with its reasons and, as what approval would book, the best one, plus the candidate's
 * e-mail draft listing the options. Nothing is written to Lever until a recruiter approves; the Schedule view lets
 * them pick another option (which proposes that one, re-checked against the calendars).
 */

const DAY = 86_400_000;
const MAX_OPTIONS = 5;

export type ScheduleSkip =
  | 'no-panel'
  | 'panel-without-calendar'
  | 'already-booked'
  | 'no-time'
  | 'calendar-unreadable'
  | UpsertOutcome;

/** A UUID (version 4 layout) derived from the text: the same stage of the same candidate keeps one booking id. */
function stableUuid(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  const variant = ((Number.parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

async function panelUsers(deps: AutomationDeps, policy: PolicySettings, posting: Posting) {
  const named = policy.schedulingPanel.length > 0;
  const ids = named
    ? [...new Set(policy.schedulingPanel)]
    : [
        ...new Set(
          [posting.hiringManager, posting.owner, ...(posting.followers ?? [])]
            .map(userIdOf)
            .filter((x): x is string => !!x),
        ),
      ];
  const calendars = calendarsOf(deps.store, deps.now);
  const users: PanelUser[] = [];
  for (const id of ids) {
    // A named panel must be complete; the hiring team is whoever of it has a calendar and an active Lever user.
    const configured = await calendars.get(id);
    const u = configured ? await deps.lever.getUser(id).catch(() => null) : null;
    if (!configured || !u || u.deactivatedAt) {
      if (named) return { users: [], skip: 'panel-without-calendar' as const };
      continue;
    }
    users.push({ id, name: u.name ?? u.email ?? id, email: u.email ?? '' });
    if (users.length >= 12) break;
  }
  if (users.length === 0) return { users, skip: named ? ('panel-without-calendar' as const) : ('no-panel' as const) };
  return { users, skip: null };
}

/** Proposes interview times for a candidate who entered an interview stage; returns what happened. */
export async function proposeInterviewSchedule(
  deps: AutomationDeps,
  opp: Opportunity,
  posting: Posting,
  stage: { id: string; text: string },
  policy: PolicySettings,
): Promise<ScheduleSkip> {
  const bookings = await listBookings(deps.store, opp.id);
  if (
    bookings.some((b) => b.status === 'booked' && b.plan.schedule.sessions.some((x) => Date.parse(x.end) > deps.now()))
  )
    return 'already-booked';
  const { users, skip } = await panelUsers(deps, policy, posting);
  if (skip) return skip;

  const from = deps.now() + DAY;
  const to = from + policy.schedulingWindowDays * DAY;
  const calendars = calendarsOf(deps.store, deps.now);
  let members: Awaited<ReturnType<typeof readPanel>>;
  try {
    members = await readPanel({ store: deps.store, calendars }, users, from, to, false);
  } catch (e) {
    // A calendar API that is down may be back when the queue retries; a refused token will not (no proposal).
    if (e instanceof PanelCalendarError && !e.retryable) return 'calendar-unreadable';
    throw e;
  }
  const zone = members[0]?.member.timeZone ?? 'UTC';
  const options: SlotOption[] = findSlots({
    panel: members.map((m) => m.member),
    sessions: [{ durationMin: policy.schedulingDurationMin, interviewerIds: users.map((u) => u.id) }],
    from,
    to,
    bufferMin: 10,
    maxOptions: MAX_OPTIONS,
    candidate: { timeZone: zone },
  });
  const best = options[0];
  if (!best) return 'no-time';

  const sender = await senderFor(deps, posting);
  const candidate = { name: opp.name ?? 'there', email: opp.emails?.[0] ?? null, timeZone: zone };
  const byId = new Map(users.map((u) => [u.id, u]));
  const sessionsOf = (o: SlotOption) =>
    o.sessions.map((x) => ({
      start: formatIso(x.start, zone),
      end: formatIso(x.end, zone),
      interviewerIds: x.interviewerIds,
    }));
  const schedule: ScheduleWrite = {
    action: 'book',
    bookingId: stableUuid(`${opp.id}\n${stage.id}`),
    timezone: zone,
    candidate,
    sessions: best.sessions.map((x) => ({
      start: new Date(x.start).toISOString(),
      end: new Date(x.end).toISOString(),
      subject: `Interview (${stage.text}): ${candidate.name}`,
      interviewers: x.interviewerIds.map((id) => byId.get(id) as PanelUser),
    })),
    emailDraft: candidateEmail({
      candidateName: candidate.name,
      recruiterName: sender.name,
      role: posting.text ?? null,
      timeZone: zone,
      kind: 'options',
      slots: options,
    }),
    options: options.map((o) => ({
      start: formatIso(o.start, zone),
      end: formatIso(o.end, zone),
      score: o.score,
      reasons: o.reasons,
      sessions: sessionsOf(o),
    })),
  };
  const { outcome } = await upsertProposal(deps, {
    opportunityId: opp.id,
    kind: 'interview-schedule',
    subject: `automation.schedule:${stage.id}`,
    payload: { schedule },
    reason: `Moved to ${stage.text}: ${options.length} time${options.length === 1 ? '' : 's'} that work for ${users.map((u) => u.name).join(', ')}; approving books the first (${formatIso(best.start, zone)}), or pick another in the Schedule view.`,
    provenance: null,
  });
  return outcome;
}
