import ICAL from 'ical.js';
import { formatIso } from './tz.ts';

/**
 * What a booking sends besides the Lever panel: iTIP invitations (RFC 5546) and the candidate's e-mail draft.
 * - METHOD:REQUEST for a new or moved interview, METHOD:CANCEL for a cancelled one; one VEVENT per session, each with
 *   a UID that never changes for the booking (`<booking>-<n>@fulcrum`) and a SEQUENCE that grows with every
 *   re-issue, so calendar clients update (or remove) the event they already have instead of adding another.
 * - Times in UTC (no VTIMEZONE needed); text escaped and lines folded by ical.js.
 * - Interviewers get one invitation with every session (each lists who attends it); the candidate one with all.
 */

export type Person = { name: string; email: string };

export type InviteSession = { start: number; end: number; interviewers: Person[]; subject: string };

export type InviteInput = {
  bookingUid: string;
  sequence: number;
  method: 'REQUEST' | 'CANCEL';
  organizer: Person;
  candidate: Person | null;
  sessions: InviteSession[];
  location?: string;
  description?: string;
  /** DTSTAMP: when this version was issued. */
  issuedAt: number;
};

const utc = (t: number) => ICAL.Time.fromJSDate(new Date(t), true);

function attendee(p: Person, role: 'REQ-PARTICIPANT', method: InviteInput['method']): ICAL.Property {
  const prop = new ICAL.Property('attendee');
  prop.setValue(`mailto:${p.email}`);
  prop.setParameter('cn', p.name);
  prop.setParameter('role', role);
  prop.setParameter('partstat', 'NEEDS-ACTION');
  if (method === 'REQUEST') prop.setParameter('rsvp', 'TRUE');
  return prop;
}

export function sessionUid(bookingUid: string, index: number): string {
  return `${bookingUid}-${index + 1}@fulcrum`;
}

/** The .ics text of one invitation (every session), for interviewers and the candidate alike. */
export function buildInvitation(input: InviteInput): string {
  const cal = new ICAL.Component(['vcalendar', [], []]);
  cal.addPropertyWithValue('prodid', '-//Fulcrum//Interview scheduling//EN');
  cal.addPropertyWithValue('version', '2.0');
  cal.addPropertyWithValue('calscale', 'GREGORIAN');
  cal.addPropertyWithValue('method', input.method);
  input.sessions.forEach((s, k) => {
    const ev = new ICAL.Component('vevent');
    ev.addPropertyWithValue('uid', sessionUid(input.bookingUid, k));
    ev.addPropertyWithValue('sequence', input.sequence);
    ev.addPropertyWithValue('dtstamp', utc(input.issuedAt));
    ev.addPropertyWithValue('dtstart', utc(s.start));
    ev.addPropertyWithValue('dtend', utc(s.end));
    ev.addPropertyWithValue('summary', s.subject);
    if (input.description) ev.addPropertyWithValue('description', input.description);
    if (input.location) ev.addPropertyWithValue('location', input.location);
    ev.addPropertyWithValue('status', input.method === 'CANCEL' ? 'CANCELLED' : 'CONFIRMED');
    ev.addPropertyWithValue('transp', 'OPAQUE');
    const org = new ICAL.Property('organizer');
    org.setValue(`mailto:${input.organizer.email}`);
    org.setParameter('cn', input.organizer.name);
    ev.addProperty(org);
    for (const p of s.interviewers) ev.addProperty(attendee(p, 'REQ-PARTICIPANT', input.method));
    if (input.candidate) ev.addProperty(attendee(input.candidate, 'REQ-PARTICIPANT', input.method));
    cal.addSubcomponent(ev);
  });
  return cal.toString().replace(/\r?\n/g, '\r\n').concat('\r\n');
}

const when = (t: number, tz: string) =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone: tz,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(t));

const clockOnly = (t: number, tz: string) =>
  new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
    new Date(t),
  );

/** A plain-text e-mail to the candidate: the options to choose from, or the confirmed (or cancelled) time. */
export function candidateEmail(input: {
  candidateName: string;
  recruiterName: string;
  role: string | null;
  timeZone: string;
  kind: 'options' | 'confirmed' | 'rescheduled' | 'cancelled';
  slots: Array<{ start: number; end: number }>;
}): { subject: string; body: string } {
  const first = input.candidateName.split(/\s+/)[0] || input.candidateName;
  const role = input.role ? ` for the ${input.role} role` : '';
  const line = (s: { start: number; end: number }) =>
    `${when(s.start, input.timeZone)}-${clockOnly(s.end, input.timeZone)} (${input.timeZone}, UTC${formatIso(s.start, input.timeZone).slice(-6)})`;
  const sign = `\n\nBest regards,\n${input.recruiterName}`;
  if (input.kind === 'options') {
    return {
      subject: `Interview times${role}`,
      body: `Hi ${first},\n\nThank you for your time so far. Could you let me know which of these times works best for your interview${role}?\n\n${input.slots.map((s, k) => `${k + 1}. ${line(s)}`).join('\n')}\n\nIf none of them suits you, reply with a few times that do and I will find another.${sign}`,
    };
  }
  const slot = input.slots[0];
  if (input.kind === 'cancelled' || !slot) {
    return {
      subject: `Interview${role} cancelled`,
      body: `Hi ${first},\n\nI am sorry to let you know that your interview${role} has been cancelled. I will be in touch about next steps.${sign}`,
    };
  }
  const verb = input.kind === 'rescheduled' ? 'has moved to' : 'is confirmed for';
  return {
    subject: `Interview${role}: ${when(slot.start, input.timeZone)}`,
    body: `Hi ${first},\n\nYour interview${role} ${verb} ${line({ start: slot.start, end: input.slots[input.slots.length - 1]?.end ?? slot.end })}. A calendar invitation is attached.${sign}`,
  };
}
