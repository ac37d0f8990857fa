import { useEffect } from 'react';
import { useApi } from '@/components/ui/api-context';
import { EmptyState, ErrorNotice, Skeleton } from '@/components/ui/Feedback';
import { ProvenanceLine } from '@/components/ui/ProvenanceLine';
import type { FeedbackFlag, FeedbackSynthesis } from '@/utils/contracts/ai.ts';
import type { CandidateContext } from '@/utils/contracts/api.ts';
import { usePanelStore, useSlot } from '@/utils/panel/store';

const RECOMMENDATION: Record<FeedbackSynthesis['consensus']['recommendation'], string> = {
  'strong-hire': 'Strong hire',
  hire: 'Hire',
  mixed: 'Mixed',
  'no-hire': 'No hire',
  'strong-no-hire': 'Strong no hire',
  none: 'No recommendation',
};
const AGREEMENT = { agree: 'Interviewers agree', disagree: 'Interviewers disagree', single: 'One interviewer' };
const FLAG: Record<FeedbackFlag['kind'], string> = {
  'protected-trait': 'Mentions a protected trait',
  'culture-fit-without-evidence': '“Culture fit” without evidence',
  'score-without-comment': 'Score without a comment',
};

/** Synthesis of submitted interview feedback; Lever has no per-form URL, so points link to the candidate. */
export function FeedbackPanel({ opportunityId, candidate }: { opportunityId: string; candidate?: CandidateContext }) {
  const api = useApi();
  const load = usePanelStore((state) => state.load);
  const state = useSlot(opportunityId, 'feedback');
  const hasFeedback = (candidate?.feedbackCount ?? 0) > 0;
  const run = (refresh: boolean) =>
    load(
      opportunityId,
      'feedback',
      () => api.feedback({ opportunityId, refresh }),
      refresh ? undefined : () => api.cached({ opportunityId, capability: 'feedback' }),
    );
  // biome-ignore lint/correctness/useExhaustiveDependencies: load once per candidate with feedback
  useEffect(() => {
    if (hasFeedback && state.status === 'idle') void run(false);
  }, [opportunityId, hasFeedback]);

  if (!candidate) return <Skeleton label="Loading the candidate" lines={2} />;
  if (!hasFeedback) {
    return (
      <EmptyState title="No interview feedback yet.">
        <p className="muted">
          When interviewers submit feedback forms in Lever, Fulcrum summarises where they agree and disagree here.
        </p>
      </EmptyState>
    );
  }
  const data = state.data;
  if (!data) {
    if (state.status === 'error' && state.error)
      return <ErrorNotice failure={state.error} onRetry={() => run(false)} />;
    return <Skeleton label="Summarising interview feedback" lines={5} />;
  }
  const max = Math.max(1, ...data.consensus.scoreDistribution.map((bucket) => bucket.count));
  return (
    <section aria-label="Feedback synthesis">
      {state.status === 'error' && state.error && <ErrorNotice failure={state.error} onRetry={() => run(false)} />}
      <p>
        <strong>{RECOMMENDATION[data.consensus.recommendation]}</strong>
        <span className="muted"> · from {data.feedbackCount} feedback forms</span>
      </p>
      <p>{data.consensus.summary}</p>
      <h2>Scores</h2>
      <ul className="list">
        {data.consensus.scoreDistribution.map((bucket) => (
          <li key={bucket.label}>
            <span style={{ display: 'inline-block', minWidth: '9em' }}>{bucket.label}</span>{' '}
            <span className="bar" style={{ width: `${(bucket.count / max) * 40}%` }} aria-hidden="true" />{' '}
            {bucket.count}
          </li>
        ))}
      </ul>
      {data.flags.length > 0 && (
        <div className="warning">
          <h3>Feedback to review</h3>
          <ul className="list">
            {data.flags.map((flag) => (
              <li key={`${flag.feedbackId}-${flag.kind}-${flag.quote}`}>
                <p>
                  <strong>{FLAG[flag.kind]}</strong> <span className="muted">({flag.interviewer})</span>
                </p>
                {flag.quote && <blockquote>“{flag.quote}”</blockquote>}
                <p>{flag.reason}</p>
              </li>
            ))}
          </ul>
        </div>
      )}
      <h2>By criterion</h2>
      {data.criteria.map((criterion) => (
        <div key={criterion.criterionId ?? criterion.criterion} className="card">
          <p>
            <strong>{criterion.criterion}</strong>{' '}
            <span className={`badge ${criterion.agreement === 'disagree' ? 'bad' : 'ok'}`}>
              {AGREEMENT[criterion.agreement]}
            </span>
          </p>
          <ul className="list">
            {criterion.points.map((point) => (
              <li key={`${point.feedbackId}-${point.quote}`}>
                <span className={`stance-${point.stance}`}>{point.stance}</span> · {point.interviewer}
                {point.score !== undefined && <span className="muted"> · score {point.score}</span>}
                <blockquote>“{point.quote}”</blockquote>
                <a href={candidate.leverUrl} target="_blank" rel="noreferrer">
                  {point.interviewer}’s feedback in Lever
                </a>{' '}
                <span className="muted mono">(form {point.feedbackId})</span>
              </li>
            ))}
          </ul>
        </div>
      ))}
      {data.unassessed.length > 0 && (
        <p>
          <span className="muted">Nobody assessed: </span>
          {data.unassessed.join(', ')}
        </p>
      )}
      <ProvenanceLine provenance={data.provenance} />
      <button type="button" onClick={() => run(true)} disabled={state.status === 'loading'}>
        Re-run synthesis
      </button>
    </section>
  );
}
