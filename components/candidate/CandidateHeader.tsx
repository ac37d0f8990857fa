import { ErrorNotice, Skeleton } from '@/components/ui/Feedback';
import type { CandidateContext } from '@/utils/contracts/api.ts';
import type { Load } from '@/utils/panel/store';

/** The candidate's name, current stage and posting; the opportunity id is always shown so the page is identifiable. */
export function CandidateHeader({
  opportunityId,
  state,
  onRetry,
}: {
  opportunityId: string;
  state: Load<CandidateContext>;
  onRetry: () => void;
}) {
  const candidate = state.data?.opportunityId === opportunityId ? state.data : undefined;
  return (
    <header>
      {candidate ? (
        <>
          <h1>{candidate.name}</h1>
          {candidate.headline && <p className="muted">{candidate.headline}</p>}
          <p>
            <span className="muted">Stage: </span>
            {candidate.stage?.text ?? 'No stage'}
            {candidate.archived && <span className="badge bad"> Archived</span>}
          </p>
          <p>
            <span className="muted">Posting: </span>
            {candidate.posting
              ? `${candidate.posting.title || `Posting ${candidate.posting.id}`}${candidate.posting.team ? ` (${candidate.posting.team})` : ''}`
              : 'Not applied to a posting'}
          </p>
        </>
      ) : state.status === 'error' ? (
        <h1>Candidate</h1>
      ) : (
        <>
          <h1 className="sr-only">Candidate</h1>
          <Skeleton label="Loading the candidate" lines={3} />
        </>
      )}
      <p className="muted">
        Opportunity <span data-testid="opportunity-id">{opportunityId}</span>
      </p>
      {state.status === 'error' && state.error && <ErrorNotice failure={state.error} onRetry={onRetry} />}
    </header>
  );
}
