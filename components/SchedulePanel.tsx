import { useEffect, useId, useMemo, useState } from 'react';
import type { Proposal } from '@/utils/contracts/api';
import type { InterviewerList, SlotsResponse } from '@/utils/contracts/scheduling';
import { describeFailure } from '@/utils/describe-failure';
import { failureOf } from '@/utils/messaging';
import { useApi } from './api-context';

/**
 * Schedule: pick interviewers (Lever users with a calendar configured), a duration and a window; see the options on
 * a small week grid in the recruiter's time zone with why each ranks where it does; propose one, read exactly what
 * approval writes (the Lever panel, the invitations, the candidate's e-mail) and approve it.
 */

type Option = SlotsResponse['options'][number];

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

export function SchedulePanel({ opportunityId }: { opportunityId: string }) {
  const api = useApi();
  const tz = useMemo(recruiterZone, []);
  const formId = useId();
  const [people, setPeople] = useState<InterviewerList['interviewers']>();
  const [chosen, setChosen] = useState<string[]>([]);
  const [duration, setDuration] = useState(60);
  const [startDay, setStartDay] = useState(() => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10));
  const [candidateTz, setCandidateTz] = useState(tz);
  const [result, setResult] = useState<SlotsResponse>();
  const [selected, setSelected] = useState<Option>();
  const [proposal, setProposal] = useState<Proposal>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  useEffect(() => {
    api.scheduleInterviewers({}).then(
      (r) => setPeople(r.interviewers),
      (e: unknown) => setError(message(e)),
    );
  }, [api]);

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

  const find = () =>
    run(async () => {
      setSelected(undefined);
      setProposal(undefined);
      const r = await api.scheduleSlots({
        request: {
          opportunityId,
          interviewerIds: chosen,
          durationMin: duration,
          from: new Date(from).toISOString(),
          to: new Date(from + 7 * 86_400_000).toISOString(),
          candidateTimeZone: candidateTz,
        },
      });
      setResult(r);
    });

  const propose = (o: Option) =>
    run(async () => {
      const p = await api.proposeSchedule({
        request: { opportunityId, option: { sessions: o.sessions }, candidateTimeZone: candidateTz, timezone: tz },
      });
      setProposal(p);
    });

  const approve = (p: Proposal) =>
    run(async () => {
      setProposal(await api.approveProposal({ id: p.id, dryRun: false }));
    });

  if (!people && !error) return <p className="muted">Loading interviewers…</p>;
  const schedule = proposal?.payload.schedule;
  return (
    <section aria-label="Schedule an interview">
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
          <label>
            Week from <input type="date" value={startDay} onChange={(e) => setStartDay(e.target.value)} />
          </label>{' '}
          <label>
            Candidate time zone <input value={candidateTz} onChange={(e) => setCandidateTz(e.target.value.trim())} />
          </label>
          <p>
            <button type="submit" disabled={busy || chosen.length === 0}>
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
            Review booking
          </button>
        </section>
      )}
      {proposal && schedule && (
        <section aria-label="Review booking">
          <h3>What approval writes to Lever</h3>
          <ul>
            {schedule.sessions.map((x) => (
              <li key={x.start}>
                {x.subject}: {dayLabel(Date.parse(x.start), tz)} {clock(Date.parse(x.start), tz)}-
                {clock(Date.parse(x.end), tz)} with {x.interviewers.map((i) => i.name).join(', ')}
              </li>
            ))}
          </ul>
          <p className="muted">
            A Lever panel (as you), calendar invitations to the interviewers
            {schedule.candidate.email ? ' and the candidate' : ''}, and this e-mail draft for the candidate:
          </p>
          <pre className="draft">{schedule.emailDraft.body}</pre>
          {proposal.status === 'written' ? (
            <p role="status">Booked in Lever.</p>
          ) : (
            <button type="button" disabled={busy} onClick={() => void approve(proposal)}>
              Approve and book
            </button>
          )}
        </section>
      )}
    </section>
  );
}
