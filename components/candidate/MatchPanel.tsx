import { useEffect, useLayoutEffect } from 'react';
import { useApi } from '@/components/ui/api-context';
import { EmptyState, ErrorNotice, Skeleton } from '@/components/ui/Feedback';
import { ProvenanceLine } from '@/components/ui/ProvenanceLine';
import type { CriterionStatus, Evidence, Verdict } from '@/utils/contracts/ai.ts';
import { startAfterPaint } from '@/utils/panel/after-paint';
import { markPanel } from '@/utils/panel/marks';
import { usePanelStore, useSlot } from '@/utils/panel/store';

export const STATUS_LABEL: Record<CriterionStatus, string> = {
  met: 'Met',
  partly: 'Partly met',
  'not-met': 'Not met',
  unclear: 'Unclear',
};
const VERDICT_LABEL: Record<Verdict, string> = {
  strong: 'Strong match',
  possible: 'Possible match',
  weak: 'Weak match',
  unclear: 'Unclear',
};

export function EvidenceQuote({ evidence }: { evidence: Evidence }) {
  return (
    <blockquote>
      “{evidence.quote}” <span className="muted">({evidence.source})</span>
    </blockquote>
  );
}

export function MatchPanel({ opportunityId }: { opportunityId: string }) {
  const api = useApi();
  const load = usePanelStore((state) => state.load);
  const state = useSlot(opportunityId, 'match');
  const run = (refresh: boolean) =>
    load(
      opportunityId,
      'match',
      () => api.match({ opportunityId, refresh }),
      refresh ? undefined : () => api.cached({ opportunityId, capability: 'match' }),
    );
  // A cached score is painted first; the refresh starts after that frame.
  // biome-ignore lint/correctness/useExhaustiveDependencies: load once per candidate
  useEffect(
    () =>
      startAfterPaint(state.data !== undefined, () => {
        if ((usePanelStore.getState().byOpportunity[opportunityId]?.match.status ?? 'idle') === 'idle') void run(false);
      }),
    [opportunityId],
  );

  const match = state.data;
  // The first score in the DOM (before it is painted), for the end-to-end test's timing breakdown.
  useLayoutEffect(() => {
    if (match) markPanel('match-in-dom');
  }, [match]);
  if (!match) {
    if (state.status === 'error' && state.error)
      return <ErrorNotice failure={state.error} onRetry={() => run(false)} />;
    return <Skeleton label="Scoring the candidate against the posting" lines={5} />;
  }
  return (
    <section aria-label="Match">
      {/* The status line is always there (a live region, and a line's height whether empty or not), so the score
          does not move when a refresh starts or ends, or when the panel's snapshot gives way to the live view. */}
      <p className="muted status-line" role="status">
        {state.status === 'loading' || (state.status === 'idle' && state.fromCache)
          ? state.fromCache
            ? 'Showing the saved result; refreshing…'
            : 'Re-running the match…'
          : ''}
      </p>
      {state.status === 'error' && state.error && <ErrorNotice failure={state.error} onRetry={() => run(false)} />}
      {/* elementtiming: the browser records when the score is first painted (the end-to-end test prints it). */}
      <p className="score" elementtiming="match-score">
        <span data-testid="match-score">{Math.round(match.score)}</span>
        <span className="muted">/100</span> · {VERDICT_LABEL[match.verdict]}
      </p>
      <p>{match.summary}</p>
      {match.truncated && match.truncated.length > 0 && (
        <div className="warning" data-testid="match-truncated">
          {match.truncated.map((t) => (
            <p key={t.source}>{t.message}</p>
          ))}
        </div>
      )}
      {match.flags.length > 0 && (
        <div className="warning">
          <h3>Possible prompt injection in the candidate’s documents</h3>
          <p>Fulcrum ignored these instructions when scoring. Read them yourself before relying on the result.</p>
          <ul className="list">
            {match.flags.map((flag) => (
              <li key={`${flag.source}-${flag.start}`}>
                <blockquote>
                  “{flag.quote}” <span className="muted">({flag.source})</span>
                </blockquote>
                <p className="muted">{flag.reason}</p>
              </li>
            ))}
          </ul>
        </div>
      )}
      <h2>Criteria</h2>
      {match.criteria.length === 0 ? (
        <EmptyState title="No criteria found for this posting.">
          <p className="muted">Add a rubric for the posting, or check the posting text in Lever.</p>
        </EmptyState>
      ) : (
        <ul className="list">
          {match.criteria.map((result) => (
            <li key={result.criterion.id} className="card">
              <p>
                <span className={`badge status-${result.status}`}>{STATUS_LABEL[result.status]}</span>{' '}
                <strong>{result.criterion.text}</strong>
                {result.criterion.mustHave && <span className="muted"> · must have</span>}
              </p>
              <p>{result.explanation}</p>
              {result.evidence.length === 0 ? (
                <p className="muted">No evidence quoted.</p>
              ) : (
                result.evidence.map((evidence) => (
                  <EvidenceQuote key={`${evidence.source}-${evidence.start}-${evidence.end}`} evidence={evidence} />
                ))
              )}
            </li>
          ))}
        </ul>
      )}
      {match.askCandidate.length > 0 && (
        <>
          <h2>Ask the candidate</h2>
          <ul>
            {match.askCandidate.map((item) => (
              <li key={`${item.criterionId}-${item.question}`}>{item.question}</li>
            ))}
          </ul>
        </>
      )}
      <p className="muted">
        Criteria {match.rubricSource === 'recruiter' ? 'from the recruiter’s rubric' : 'extracted from the posting'}.
      </p>
      <ProvenanceLine provenance={match.provenance} />
      <button type="button" onClick={() => run(true)} disabled={state.status === 'loading'}>
        Re-run match
      </button>
    </section>
  );
}
