import { useEffect, useId, useMemo, useState } from 'react';
import { useApi } from '@/components/ui/api-context';
import type { Proposal } from '@/utils/contracts/api';
import type { Booking, InterviewerList, SlotsRequestInput, SlotsResponse } from '@/utils/contracts/scheduling';
import { describeFailure } from '@/utils/shared/describe-failure';
import { failureOf } from '@/utils/shared/messaging';

/**
 * Schedule: pick interviewers (Lever users with a calendar configured), a duration (one panel interview, or
 * back-to-back sessions, one per interviewer in the order picked) and a window, optionally the candidate's stated
 * availability; see the options on a small week grid in the recruiter's time zone with why each ranks where it does;
 * propose one, read exactly what approval writes (the Lever panel, the invitations, the candidate's e-mail) and
 * approve it. The candidate's bookings are listed with their invitation (.ics, through the background like every
 * call), and each can be moved (find times again for the same sessions) or cancelled, again through a proposal.
 */

type Option = SlotsResponse['options'][number];

const MAX_AVAILABILITY_LINES = 50;

/** Offset (ms) of `tz` from UTC at instant `t`. */
function offsetAt(t: number, tz: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(t));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second')) - (t - (t % 1000));
}

/** The instant of a wall-clock time in `tz` (a time a DST change skipped moves forward by the gap). */
function wallToInstant(date: string, time: string, tz: string): number {
  const guess = Date.parse(`${date}T${time}:00Z`);
  const first = guess - offsetAt(guess, tz);
  return guess - offsetAt(first, tz);
}

/**
 * The candidate's stated availability, one range a line, `YYYY-MM-DD HH:MM-HH:MM` in the candidate's zone (an end
 * of 00:00 or before the start runs into the next day). Returns the ranges, or the first line that is not one.
 */
export function parseAvailability(
  text: string,
  tz: string,
): { ranges: Array<{ start: string; end: string }> } | { error: string } {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines.length > MAX_AVAILABILITY_LINES) return { error: `At most ${MAX_AVAILABILITY_LINES} availability lines.` };
  const ranges: Array<{ start: string; end: string }> = [];
  for (const line of lines) {
    const m = /^(\d{4}-\d{2}-\d{2})\s+([01]\d|2[0-3]):([0-5]\d)\s*-\s*([01]\d|2[0-3]):([0-5]\d)$/.exec(line);
    const date = m?.[1];
    if (!m || !date || !Number.isFinite(Date.parse(`${date}T00:00:00Z`))) {
      return { error: `Not a time range: "${line.slice(0, 60)}". Write e.g. 2030-01-08 09:00-12:00.` };
    }
    const start = wallToInstant(date, `${m[2]}:${m[3]}`, tz);
    let end = wallToInstant(date, `${m[4]}:${m[5]}`, tz);
    if (end <= start)
      end = wallToInstant(
        new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10),
        `${m[4]}:${m[5]}`,
        tz,
      );
    ranges.push({ start: new Date(start).toISOString(), end: new Date(end).toISOString() });
  }
  return { ranges };
}

function validZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** What went wrong and what to do, in one line. */
function message(e: unknown): string {
  const advice = describeFailure(failureOf(e));
  return [advice.title, advice.detail, advice.action].filter(Boolean).join(' ');
}

const recruiterZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

function dayKey(t: number, tz: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(t),
  );
}

const clock = (t: number, tz: string) =>
  new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
    new Date(t),
  );

const dayLabel = (t: number, tz: string) =>
  new Intl.DateTimeFormat('en-GB', { timeZone: tz, weekday: 'short', day: 'numeric', month: 'short' }).format(
    new Date(t),
  );

/** Options by recruiter-local day, one column per day of the week that starts at `from`. */
export function weekGrid(options: Option[], from: number, tz: string) {
  const days: Array<{ key: string; label: string; options: Option[] }> = [];
  for (let k = 0; k < 7; k++) {
    const t = from + k * 86_400_000;
    days.push({ key: dayKey(t, tz), label: dayLabel(t, tz), options: [] });
  }
  for (const o of options) {
    const d = days.find((x) => x.key === dayKey(Date.parse(o.start), tz));
    if (d) d.options.push(o);
  }
  for (const d of days) d.options.sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  return days;
}

function bookingLine(b: Booking, tz: string, names: Map<string, string>): string {
  return b.sessions
    .map(
      (x) =>
        `${dayLabel(Date.parse(x.start), tz)} ${clock(Date.parse(x.start), tz)}-${clock(Date.parse(x.end), tz)} with ${x.interviewerIds.map((id) => names.get(id) ?? id).join(', ')}`,
    )
    .join('; ');
}

export function SchedulePanel({ opportunityId }: { opportunityId: string }) {
  const api = useApi();
  const tz = useMemo(recruiterZone, []);
  const formId = useId();
  const [people, setPeople] = useState<InterviewerList['interviewers']>();
  const [chosen, setChosen] = useState<string[]>([]);
  const [duration, setDuration] = useState(60);
  const [backToBack, setBackToBack] = useState(false);
  const [gapMin, setGapMin] = useState(0);
  const [startDay, setStartDay] = useState(() => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10));
  const [candidateTz, setCandidateTz] = useState(tz);
  const [availability, setAvailability] = useState('');
  const [result, setResult] = useState<SlotsResponse>();
  const [selected, setSelected] = useState<Option>();
  const [proposal, setProposal] = useState<Proposal>();
  const [bookings, setBookings] = useState<Booking[]>();
  /** The booking being moved: the form then finds times for its sessions, and the review proposes a reschedule. */
  const [moving, setMoving] = useState<Booking>();
  const [invitation, setInvitation] = useState<{ bookingId: string; url: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  useEffect(() => {
    api.scheduleInterviewers({}).then(
      (r) => setPeople(r.interviewers),
      (e: unknown) => setError(message(e)),
    );
  }, [api]);

  const loadBookings = useMemo(
    () => () =>
      api.scheduleBookings({ opportunityId }).then(
        (r) => setBookings(r.bookings),
        (e: unknown) => setError(message(e)),
      ),
    [api, opportunityId],
  );
  useEffect(() => {
    void loadBookings();
  }, [loadBookings]);

  useEffect(() => () => invitation && URL.revokeObjectURL(invitation.url), [invitation]);

  const names = useMemo(() => new Map((people ?? []).map((p) => [p.id, p.name])), [people]);
  const from = Date.parse(`${startDay}T00:00:00Z`);
  const run = async <T,>(fn: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(undefined);
    try {
      return await fn();
    } catch (e) {
      setError(message(e));
      return undefined;
    } finally {
      setBusy(false);
    }
  };

  /** The sessions to find times for: the booking's when moving one, else the form's. */
  function sessionsSpec(): Pick<SlotsRequestInput, 'interviewerIds' | 'durationMin' | 'sessions' | 'gapMin'> {
    if (moving) {
      const s = moving.sessions;
      const gaps = s.slice(1).map((x, k) => Date.parse(x.start) - Date.parse(s[k]?.end ?? x.start));
      return {
        interviewerIds: [...new Set(s.flatMap((x) => x.interviewerIds))],
        sessions: s.map((x) => ({
          durationMin: Math.round((Date.parse(x.end) - Date.parse(x.start)) / 60_000),
          interviewerIds: x.interviewerIds,
        })),
        gapMin: Math.round((gaps[0] ?? 0) / 60_000),
      };
    }
    if (backToBack && chosen.length > 1) {
      return {
        interviewerIds: chosen,
        sessions: chosen.map((id) => ({ durationMin: duration, interviewerIds: [id] })),
        gapMin,
      };
    }
    return { interviewerIds: chosen, durationMin: duration };
  }

  const find = () =>
    run(async () => {
      setSelected(undefined);
      setProposal(undefined);
      if (!validZone(candidateTz)) throw new Error(`"${candidateTz}" is not a time zone (e.g. Europe/London).`);
      const stated = parseAvailability(availability, candidateTz);
      if ('error' in stated) throw new Error(stated.error);
      const r = await api.scheduleSlots({
        request: {
          opportunityId,
          ...sessionsSpec(),
          from: new Date(from).toISOString(),
          to: new Date(from + 7 * 86_400_000).toISOString(),
          candidateTimeZone: candidateTz,
          ...(stated.ranges.length ? { candidateAvailability: stated.ranges } : {}),
        },
      });
      setResult(r);
    });

  const propose = (o: Option) =>
    run(async () => {
      const p = moving
        ? await api.rescheduleBooking({ bookingId: moving.id, request: { option: { sessions: o.sessions } } })
        : await api.proposeSchedule({
            request: { opportunityId, option: { sessions: o.sessions }, candidateTimeZone: candidateTz, timezone: tz },
          });
      setProposal(p);
    });

  const cancel = (b: Booking) =>
    run(async () => {
      setMoving(undefined);
      setResult(undefined);
      setSelected(undefined);
      setProposal(await api.cancelBooking({ bookingId: b.id }));
    });

  const approve = (p: Proposal) =>
    run(async () => {
      const done = await api.approveProposal({ id: p.id, dryRun: false });
      setProposal(done);
      if (done.status === 'written') {
        setMoving(undefined);
        await loadBookings();
      }
    });

  const download = (b: Booking) =>
    run(async () => {
      const text = await api.bookingInvitation({ bookingId: b.id });
      const url = URL.createObjectURL(new Blob([text], { type: 'text/calendar' }));
      setInvitation({ bookingId: b.id, url });
    });

  if (!people && !error) return <p className="muted">Loading interviewers…</p>;
  const schedule = proposal?.payload.schedule;
  const action = schedule?.action ?? 'book';
  const approveLabel =
    action === 'cancel' ? 'Approve and cancel' : action === 'reschedule' ? 'Approve and move' : 'Approve and book';
  const doneLabel =
    action === 'cancel' ? 'Cancelled in Lever.' : action === 'reschedule' ? 'Moved in Lever.' : 'Booked in Lever.';
  const booked = (bookings ?? []).filter((b) => b.status === 'booked');
  return (
    <section aria-label="Schedule an interview">
      {bookings && bookings.length > 0 && (
        <section aria-label="Booked interviews">
          <h3>Interviews</h3>
          <ul>
            {bookings.map((b) => (
              <li key={b.id}>
                <span>
                  {bookingLine(b, tz, names)}
                  {b.status === 'cancelled' ? ' (cancelled)' : ''}
                </span>{' '}
                <button type="button" disabled={busy} onClick={() => void download(b)}>
                  Invitation (.ics)
                </button>
                {invitation?.bookingId === b.id && (
                  <a href={invitation.url} download={`interview-${b.id.slice(0, 8)}.ics`}>
                    Download interview.ics
                  </a>
                )}
                {b.status === 'booked' && (
                  <>
                    {' '}
                    <button
                      type="button"
                      disabled={busy}
                      aria-label={`Reschedule ${bookingLine(b, tz, names)}`}
                      onClick={() => {
                        setMoving(b);
                        setResult(undefined);
                        setSelected(undefined);
                        setProposal(undefined);
                      }}
                    >
                      Reschedule
                    </button>{' '}
                    <button
                      type="button"
                      disabled={busy}
                      aria-label={`Cancel ${bookingLine(b, tz, names)}`}
                      onClick={() => void cancel(b)}
                    >
                      Cancel interview
                    </button>
                  </>
                )}
              </li>
            ))}
          </ul>
          {booked.length === 0 && <p className="muted">No interview is booked now.</p>}
        </section>
      )}
      {people && people.length === 0 && (
        <p className="muted">
          No interviewer has a calendar configured yet. An admin sets one per Lever user (
          <code>npm run cli -- calendars set</code>).
        </p>
      )}
      {people && people.length > 0 && (
        <form
          aria-labelledby={`${formId}-t`}
          onSubmit={(e) => {
            e.preventDefault();
            void find();
          }}
        >
          {moving ? (
            <>
              <h3 id={`${formId}-t`}>Move the interview</h3>
              <p>
                Finding new times for {bookingLine(moving, tz, names)}.{' '}
                <button type="button" onClick={() => setMoving(undefined)}>
                  Keep it
                </button>
              </p>
            </>
          ) : (
            <>
              <h3 id={`${formId}-t`}>Interviewers</h3>
              {people.map((p) => (
                <label key={p.id} className="row">
                  <input
                    type="checkbox"
                    checked={chosen.includes(p.id)}
                    onChange={(e) => setChosen(e.target.checked ? [...chosen, p.id] : chosen.filter((x) => x !== p.id))}
                  />{' '}
                  {p.name}{' '}
                  <span className="muted">
                    ({p.timeZone}, {p.workStart}-{p.workEnd})
                  </span>
                </label>
              ))}
              <label>
                Duration{' '}
                <select value={duration} onChange={(e) => setDuration(Number(e.target.value))}>
                  {[30, 45, 60, 90].map((m) => (
                    <option key={m} value={m}>
                      {m} min
                    </option>
                  ))}
                </select>
              </label>{' '}
              <label className="row">
                <input type="checkbox" checked={backToBack} onChange={(e) => setBackToBack(e.target.checked)} />{' '}
                Back-to-back sessions (one per interviewer, in the order picked)
              </label>
              {backToBack && (
                <label>
                  Break between sessions{' '}
                  <input
                    type="number"
                    min={0}
                    max={120}
                    step={5}
                    value={gapMin}
                    onChange={(e) => setGapMin(Math.max(0, Math.min(120, Number(e.target.value) || 0)))}
                  />{' '}
                  min
                </label>
              )}
            </>
          )}{' '}
          <label>
            Week from <input type="date" value={startDay} onChange={(e) => setStartDay(e.target.value)} />
          </label>{' '}
          <label>
            Candidate time zone <input value={candidateTz} onChange={(e) => setCandidateTz(e.target.value.trim())} />
          </label>
          <label>
            Candidate's stated availability (optional, one range a line in their zone, e.g. 2030-01-08 09:00-12:00)
            <textarea
              rows={3}
              maxLength={4000}
              value={availability}
              onChange={(e) => setAvailability(e.target.value)}
            />
          </label>
          <p>
            <button type="submit" disabled={busy || (!moving && chosen.length === 0)}>
              Find times
            </button>
          </p>
        </form>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {result && result.options.length === 0 && <p>No time that week works for everyone. Try another week.</p>}
      {result && result.options.length > 0 && (
        <>
          <p className="muted">Times in your zone ({tz}).</p>
          <table className="week-grid" aria-label="Options this week">
            <thead>
              <tr>
                {weekGrid(result.options, from, tz).map((d) => (
                  <th key={d.key} scope="col">
                    {d.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              <tr>
                {weekGrid(result.options, from, tz).map((d) => (
                  <td key={d.key}>
                    {d.options.map((o) => (
                      <button
                        key={o.start}
                        type="button"
                        aria-pressed={selected?.start === o.start}
                        onClick={() => setSelected(o)}
                        title={o.reasons.join(' ')}
                      >
                        {clock(Date.parse(o.start), tz)}-{clock(Date.parse(o.end), tz)} · {o.score}
                      </button>
                    ))}
                  </td>
                ))}
              </tr>
            </tbody>
          </table>
        </>
      )}
      {selected && !proposal && (
        <section aria-label="Chosen time">
          <ul>
            {selected.reasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
          <button type="button" disabled={busy} onClick={() => void propose(selected)}>
            {moving ? 'Review new time' : 'Review booking'}
          </button>
        </section>
      )}
      {proposal && schedule && (
        <section aria-label="Review booking">
          <h3>What approval writes to Lever</h3>
          {action === 'cancel' && <p>Cancels the Lever panel and sends cancellations (METHOD:CANCEL) for:</p>}
          <ul>
            {schedule.sessions.map((x) => (
              <li key={x.start}>
                {x.subject}: {dayLabel(Date.parse(x.start), tz)} {clock(Date.parse(x.start), tz)}-
                {clock(Date.parse(x.end), tz)} with {x.interviewers.map((i) => i.name).join(', ')}
              </li>
            ))}
          </ul>
          {action !== 'cancel' && (
            <p className="muted">
              {action === 'reschedule'
                ? 'The Lever panel moved (as you), updated invitations'
                : 'A Lever panel (as you), calendar invitations'}{' '}
              to the interviewers
              {schedule.candidate.email ? ' and the candidate' : ''}, and this e-mail draft for the candidate:
            </p>
          )}
          <pre className="draft">{schedule.emailDraft.body}</pre>
          {proposal.status === 'written' ? (
            <p role="status">{doneLabel}</p>
          ) : (
            <button type="button" disabled={busy} onClick={() => void approve(proposal)}>
              {approveLabel}
            </button>
          )}
        </section>
      )}
    </section>
  );
}
