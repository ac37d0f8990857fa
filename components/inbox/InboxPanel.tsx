import { useCallback, useEffect, useState } from 'react';
import { ReviewSheet } from '@/components/review/ReviewSheet';
import { useApi } from '@/components/ui/api-context';
import { EmptyState, ErrorNotice, Skeleton } from '@/components/ui/Feedback';
import type { InboxItem } from '@/utils/contracts/automations.ts';
import { type ApiFailure, failureOf } from '@/utils/shared/messaging';

const KIND_LABELS: Partial<Record<InboxItem['kind'], string>> = {
  'match-summary': 'Match summary',
  outreach: 'Outreach draft',
  'interview-questions': 'Interview questions',
  'feedback-synthesis': 'Feedback synthesis',
  tag: 'Tag',
  rediscovery: 'Rediscovery',
  stage: 'Stage change',
  'posting-rewrite': 'Posting rewrite',
  'offer-letter': 'Offer letter',
};

/**
 * What Fulcrum prepared on its own (from Lever events) and is waiting for this recruiter's review: newest first,
 * for postings they own or follow. Approve/edit go through the review sheet (exact preview, nothing written before
 * Approve); Discard drops the proposal. Works on any page, not only a candidate's.
 */
export function InboxPanel({ onClose }: { onClose?: () => void }) {
  const api = useApi();
  const [items, setItems] = useState<InboxItem[]>();
  const [failure, setFailure] = useState<ApiFailure>();
  const [reviewing, setReviewing] = useState<InboxItem>();
  const [busy, setBusy] = useState<string>();

  const load = useCallback(async () => {
    setFailure(undefined);
    try {
      setItems((await api.inbox({})).items);
    } catch (error) {
      setFailure(failureOf(error));
    }
  }, [api]);

  useEffect(() => {
    void load();
  }, [load]);

  const discard = async (item: InboxItem) => {
    if (busy) return;
    setBusy(item.proposalId);
    try {
      await api.discardProposal({ id: item.proposalId });
      setItems((list) => list?.filter((i) => i.proposalId !== item.proposalId));
    } catch (error) {
      setFailure(failureOf(error));
    } finally {
      setBusy(undefined);
    }
  };

  if (reviewing) {
    return (
      <main className="panel">
        <ReviewSheet
          opportunityId={reviewing.opportunityId}
          kind={reviewing.kind}
          payload={reviewing.payload}
          reason={reviewing.reason.replace(/\.$/, '')}
          proposalId={reviewing.proposalId}
          {...(reviewing.leverUrl ? { leverUrl: reviewing.leverUrl } : {})}
          onClose={(outcome) => {
            const done = reviewing.proposalId;
            setReviewing(undefined);
            if (outcome !== 'cancelled') setItems((list) => list?.filter((i) => i.proposalId !== done));
            void load();
          }}
        />
      </main>
    );
  }

  return (
    <main className="panel">
      <div className="row">
        <h1>Inbox{items ? ` (${items.length})` : ''}</h1>
        <button type="button" onClick={() => void load()}>
          Refresh
        </button>
        {onClose && (
          <button type="button" onClick={onClose}>
            Back
          </button>
        )}
      </div>
      {failure && <ErrorNotice failure={failure} onRetry={() => void load()} />}
      {!items && !failure && <Skeleton label="Loading your inbox" lines={3} />}
      {items && items.length === 0 && (
        <EmptyState title="Nothing waiting for review">
          New applications, interviews and debriefs on your postings show up here.
        </EmptyState>
      )}
      {items && items.length > 0 && (
        <ul className="inbox" aria-label="Proposals waiting for review">
          {items.map((item) => (
            <li key={item.proposalId} data-testid="inbox-item">
              <h2>
                {item.candidateName} · {KIND_LABELS[item.kind] ?? item.kind}
              </h2>
              {item.postingTitle && <p className="muted">{item.postingTitle}</p>}
              <p>{item.summary}</p>
              <p className="muted">Why: {item.reason}</p>
              <div className="row">
                {item.leverUrl && (
                  <a href={item.leverUrl} target="_blank" rel="noreferrer">
                    Open in Lever
                  </a>
                )}
                <button type="button" className="primary" onClick={() => setReviewing(item)}>
                  Review and approve
                </button>
                <button type="button" onClick={() => void discard(item)} disabled={busy === item.proposalId}>
                  Discard
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}
