import { useEffect } from 'react';
import { useApi } from '@/components/ui/api-context';
import { EmptyState, ErrorNotice, Skeleton } from '@/components/ui/Feedback';
import { formatTime } from '@/components/ui/ProvenanceLine';
import { usePanelStore, useSlot } from '@/utils/panel/store';

/** The audit trail for this candidate: what was generated, approved and written, by whom, when, with which model. */
export function HistoryPanel({ opportunityId }: { opportunityId: string }) {
  const api = useApi();
  const load = usePanelStore((state) => state.load);
  const state = useSlot(opportunityId, 'audit');
  const run = () => load(opportunityId, 'audit', () => api.audit({ opportunityId }));
  // The log changes with every action: reload whenever the tab is opened.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload per candidate
  useEffect(() => {
    void run();
  }, [opportunityId]);

  const entries = state.data;
  if (!entries) {
    if (state.status === 'error' && state.error) return <ErrorNotice failure={state.error} onRetry={run} />;
    return <Skeleton label="Loading the history" lines={4} />;
  }
  return (
    <section aria-label="History">
      {state.status === 'error' && state.error && <ErrorNotice failure={state.error} onRetry={run} />}
      {entries.length === 0 ? (
        <EmptyState title="No history yet.">
          <p className="muted">Generated results, approvals and writes to Lever for this candidate appear here.</p>
        </EmptyState>
      ) : (
        <ol className="list">
          {[...entries]
            .sort((a, b) => b.at.localeCompare(a.at) || b.id - a.id)
            .map((entry) => (
              <li key={entry.id} className="card">
                <p>
                  <strong>
                    {entry.capability}: {entry.action}
                  </strong>
                  {entry.decision && <span className="badge"> {entry.decision}</span>}
                </p>
                <p className="muted">
                  {entry.actor} · <time dateTime={entry.at}>{formatTime(entry.at)}</time>
                  {entry.model && ` · ${entry.provider ?? 'model'} ${entry.model}`}
                  {entry.promptVersion && ` · prompt ${entry.promptVersion}`}
                </p>
                {entry.leverIds.length > 0 && <p className="muted mono">Lever: {entry.leverIds.join(', ')}</p>}
              </li>
            ))}
        </ol>
      )}
      <button type="button" onClick={run} disabled={state.status === 'loading'}>
        Refresh
      </button>
    </section>
  );
}
