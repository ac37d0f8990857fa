import { type ReactNode, useEffect, useState } from 'react';
import { ReviewSheet } from '@/components/review/ReviewSheet';
import { useApi } from '@/components/ui/api-context';
import { EmptyState, ErrorNotice, Skeleton } from '@/components/ui/Feedback';
import { useApiCall } from '@/components/ui/use-api-call';
import type { Proposal } from '@/utils/contracts/api.ts';
import type { JdFinding, JdFindingCategory, JdVerdict } from '@/utils/contracts/fairness.ts';
import { type ApiFailure, failureOf } from '@/utils/shared/messaging';

/**
 * The job-description check for the posting on screen: findings highlighted in the exact text the backend checked,
 * grouped with reason, source and suggestion, and a rewrite the recruiter can propose (written to Lever only after
 * approval in the review sheet). Informs; never blocks publishing.
 */

/** Category → label and highlight colour. Light backgrounds with dark text stay readable in both themes. */
export const CATEGORY_STYLE: Record<JdFindingCategory, { label: string; colour: string }> = {
  'masculine-coded': { label: 'Masculine-coded', colour: '#ffd8a8' },
  'feminine-coded': { label: 'Feminine-coded', colour: '#d0ebff' },
  exclusionary: { label: 'Exclusionary', colour: '#ffc9c9' },
  'age-coded': { label: 'Age-coded', colour: '#e5dbff' },
  jargon: { label: 'Jargon', colour: '#fff3bf' },
  'requirement-inflation': { label: 'Requirement inflation', colour: '#c3fae8' },
  'missing-info': { label: 'Missing information', colour: '#e9ecef' },
};

const ORDER = Object.keys(CATEGORY_STYLE) as JdFindingCategory[];

const VERDICT_TEXT: Record<JdVerdict, string> = {
  'masculine-leaning': 'Masculine-leaning wording',
  'feminine-leaning': 'Feminine-leaning wording',
  balanced: 'Balanced wording',
  neutral: 'Neutral wording (no gender-coded words)',
};

export function describeFinding(f: JdFinding): string {
  return `${CATEGORY_STYLE[f.category].label}: ${f.reason}. Suggestion: ${f.suggestion}`;
}

/** The text with each finding's span in a <mark>; where spans overlap, the earlier one is marked. */
function HighlightedText({ text, findings }: { text: string; findings: JdFinding[] }) {
  const parts: ReactNode[] = [];
  let at = 0;
  for (const f of findings) {
    if (f.end <= f.start || f.start < at) continue;
    if (f.start > at) parts.push(text.slice(at, f.start));
    const description = describeFinding(f);
    // The reason and suggestion are read out right after the marked words (a mark cannot carry its own label).
    parts.push(
      <mark
        key={`${f.start}-${f.category}`}
        data-category={f.category}
        title={description}
        style={{ background: CATEGORY_STYLE[f.category].colour, color: '#1d2330' }}
      >
        {text.slice(f.start, f.end)}
      </mark>,
      <span key={`${f.start}-${f.category}-sr`} className="sr-only">
        {` (${description})`}
      </span>,
    );
    at = f.end;
  }
  parts.push(text.slice(at));
  return (
    <div className="card" data-testid="jd-text" style={{ whiteSpace: 'pre-wrap' }}>
      {parts}
    </div>
  );
}

export function JdCheckPanel({ postingId }: { postingId: string }) {
  const api = useApi();
  const { data, failure, loading, run } = useApiCall(() => api.jdCheck({ postingId }));
  const [proposing, setProposing] = useState(false);
  const [proposal, setProposal] = useState<Proposal>();
  const [proposeFailure, setProposeFailure] = useState<ApiFailure>();
  const [outcome, setOutcome] = useState<string>();

  // biome-ignore lint/correctness/useExhaustiveDependencies: once per posting (the parent is keyed by posting id)
  useEffect(() => {
    void run();
  }, [postingId]);

  const propose = async () => {
    setProposing(true);
    setProposeFailure(undefined);
    setOutcome(undefined);
    try {
      setProposal(await api.proposeRewrite({ postingId }));
    } catch (error) {
      setProposeFailure(failureOf(error));
    } finally {
      setProposing(false);
    }
  };

  if (!data) {
    if (failure) return <ErrorNotice failure={failure} onRetry={run} />;
    return <Skeleton label="Checking the job description" lines={5} />;
  }

  const present = ORDER.filter((c) => data.findings.some((f) => f.category === c));
  const highlighted = present.filter((c) => data.findings.some((f) => f.category === c && f.end > f.start));

  return (
    <section aria-label="Job description check">
      {failure && <ErrorNotice failure={failure} onRetry={run} />}
      <h2>{data.posting.title}</h2>
      <p data-testid="jd-verdict">
        <strong>{VERDICT_TEXT[data.verdict]}</strong>{' '}
        <span className="muted">
          ({data.counts.masculine} masculine-coded, {data.counts.feminine} feminine-coded words)
        </span>
      </p>
      {data.findings.length === 0 ? (
        <EmptyState title="No findings.">
          <p className="muted">The check found no coded, exclusionary or inflated wording and no missing basics.</p>
        </EmptyState>
      ) : (
        <>
          {highlighted.length > 0 && (
            <ul
              className="row"
              aria-label="Highlight colours"
              style={{ listStyle: 'none', padding: 0, flexWrap: 'wrap' }}
            >
              {highlighted.map((c) => (
                <li key={c}>
                  <span
                    aria-hidden="true"
                    style={{
                      display: 'inline-block',
                      width: '0.9em',
                      height: '0.9em',
                      marginRight: '0.3em',
                      background: CATEGORY_STYLE[c].colour,
                      border: '1px solid #868e96',
                    }}
                  />
                  {CATEGORY_STYLE[c].label}
                </li>
              ))}
            </ul>
          )}
          <HighlightedText text={data.text} findings={data.findings} />
          <h3>Findings</h3>
          {present.map((c) => {
            const items = data.findings.filter((f) => f.category === c);
            return (
              <section key={c} aria-label={`${CATEGORY_STYLE[c].label} findings`}>
                <h4>
                  {CATEGORY_STYLE[c].label} ({items.length})
                </h4>
                <ul className="list">
                  {items.map((f) => (
                    <li key={`${f.start}-${f.end}-${f.reason}`} className="card">
                      {f.text && (
                        <p>
                          <q>{f.text}</q>
                        </p>
                      )}
                      <p>{f.reason}</p>
                      <p>
                        <strong>Suggestion:</strong> {f.suggestion}
                      </p>
                      <p className="muted">Source: {f.source}</p>
                    </li>
                  ))}
                </ul>
              </section>
            );
          })}
        </>
      )}
      <div className="row">
        <button type="button" className="primary" onClick={propose} disabled={proposing || !!proposal}>
          {proposing ? 'Preparing the rewrite…' : 'Propose rewrite'}
        </button>
        <button type="button" onClick={run} disabled={loading}>
          Check again
        </button>
      </div>
      <p className="muted">
        The rewrite replaces only words with a direct alternative; nothing changes in Lever until you approve it.
      </p>
      {proposeFailure && <ErrorNotice failure={proposeFailure} onRetry={propose} />}
      {outcome && <p role="status">{outcome}</p>}
      {proposal && (
        <ReviewSheet
          opportunityId={postingId}
          kind="posting-rewrite"
          payload={proposal.payload}
          reason={proposal.reason}
          proposalId={proposal.id}
          onClose={(result) => {
            setProposal(undefined);
            if (result === 'written') {
              setOutcome('The posting description was updated in Lever.');
              void run();
            } else if (result === 'discarded') setOutcome('Rewrite discarded; the posting is unchanged.');
          }}
        />
      )}
    </section>
  );
}
