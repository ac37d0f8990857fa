import { type FormEvent, useEffect, useId, useState } from 'react';
import type { Proposal } from '@/utils/contracts/api.ts';
import type {
  ActResponse,
  RediscoverResponse,
  RediscoveryFilters,
  RediscoveryResult,
  SyncProgress,
} from '@/utils/contracts/rediscovery.ts';
import { type ApiFailure, failureOf } from '@/utils/messaging';
import { useApi } from './api-context';
import { ReviewSheet } from './ReviewSheet';
import { EmptyState, ErrorNotice, Skeleton } from './ui/Feedback';
import { useApiCall } from './ui/use-api-call';

const day = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString().slice(0, 10) : 'never');

function SyncStatus({ sync }: { sync: SyncProgress }) {
  if (sync.status === 'never' || sync.people === 0) {
    return (
      <EmptyState title="No talent pool yet: run npm run cli -- sync">
        <p className="muted">Past applicants are found in a local index of your Lever history, built by a sync.</p>
      </EmptyState>
    );
  }
  const total = sync.detailsTotal ?? sync.listed;
  return (
    <p className="muted" data-testid="sync-progress">
      Talent pool: {sync.people} people, {sync.opportunities} applications.{' '}
      {sync.status === 'running' ? `Sync running: ${sync.detailsDone}/${total} read. ` : ''}
      {sync.status === 'failed' ? `Last sync failed${sync.error ? `: ${sync.error}` : ''}. ` : ''}
      Last run: {day(sync.finishedAt ?? sync.startedAt)}.
    </p>
  );
}

function ResultItem({
  result,
  checked,
  onToggle,
}: {
  result: RediscoveryResult;
  checked: boolean;
  onToggle: () => void;
}) {
  const latest = result.past.applications[0];
  const archiveReason = result.past.applications.find((a) => a.archiveReason)?.archiveReason;
  return (
    <li data-testid="rediscovery-result" className="card">
      <label className="row">
        <input type="checkbox" checked={checked} onChange={onToggle} aria-label={`Select ${result.name}`} />
        <strong>
          #{result.rank} {result.name}
        </strong>
        <span>· score {Math.round(result.score)}</span>
      </label>
      {(result.headline || result.location) && (
        <p className="muted">{[result.headline, result.location].filter(Boolean).join(' · ')}</p>
      )}
      <p>
        Reached: {result.past.bestStage ?? 'unknown'}
        {latest?.postingTitle ? ` (${latest.postingTitle})` : ''} · Archived: {archiveReason ?? '—'} · Last contact:{' '}
        {day(result.past.lastContactAt)}
      </p>
      {result.matched.length > 0 && (
        <ul aria-label={`Matched criteria for ${result.name}`}>
          {result.matched.map((m) => (
            <li key={m.criterion}>
              {m.criterion} ({m.status})
              {m.evidence.map((e) => (
                <blockquote key={`${e.source}-${e.start}`} className="muted">
                  “{e.quote}” <span>({e.source})</span>
                </blockquote>
              ))}
            </li>
          ))}
        </ul>
      )}
      {result.components.length > 0 && (
        <details>
          <summary>Why it ranks here</summary>
          <ul>
            {result.components.map((c) => (
              <li key={c.name}>
                {c.points >= 0 ? '+' : ''}
                {c.points} {c.name}: {c.reason}
              </li>
            ))}
          </ul>
        </details>
      )}
    </li>
  );
}

/**
 * Past applicants for a posting (rediscovery): searches the synced talent pool, lists people ranked with their
 * evidence, and drafts re-engagement for the selected ones. Drafting only creates proposals; each is reviewed and
 * approved in the review sheet before anything is written to Lever.
 */
export function RediscoveryPanel({ postingId }: { postingId: string }) {
  const api = useApi();
  const ids = useId();
  const sync = useApiCall(() => api.rediscoverySync({}));
  const [filters, setFilters] = useState({ location: '', minStage: '', lastContactBefore: '' });
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const search = useApiCall<RediscoverResponse>(() => {
    const f: RediscoveryFilters = {};
    if (filters.location.trim()) f.location = filters.location.trim();
    const stage = filters.minStage.trim();
    if (stage) f.minStage = /^\d+$/.test(stage) ? Number(stage) : stage;
    if (filters.lastContactBefore) {
      const ms = Date.parse(filters.lastContactBefore);
      if (!Number.isNaN(ms)) f.lastContactBefore = ms;
    }
    return api.rediscover({ postingId, filters: f });
  });
  const [drafted, setDrafted] = useState<ActResponse>();
  const [drafting, setDrafting] = useState(false);
  const [failure, setFailure] = useState<ApiFailure>();
  const [reviewing, setReviewing] = useState<Proposal>();
  const [reviewed, setReviewed] = useState<Set<string>>(new Set());

  // biome-ignore lint/correctness/useExhaustiveDependencies: once per posting
  useEffect(() => {
    void sync.run();
  }, [postingId]);

  const find = async (event?: FormEvent) => {
    event?.preventDefault();
    setSelected(new Set());
    setDrafted(undefined);
    await search.run();
  };

  const toggle = (contactId: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(contactId)) next.delete(contactId);
      else next.add(contactId);
      return next;
    });

  const draft = async () => {
    if (drafting || selected.size === 0) return;
    setDrafting(true);
    setFailure(undefined);
    try {
      setDrafted(await api.rediscoveryAct({ postingId, contactIds: [...selected], tone: 'warm' }));
    } catch (error) {
      setFailure(failureOf(error));
    } finally {
      setDrafting(false);
    }
  };

  // The sheet needs the proposal's real payload (note text and tags): its dry-run preview carries it.
  const open = async (proposalId: string) => {
    setFailure(undefined);
    try {
      setReviewing(await api.approveProposal({ id: proposalId, dryRun: true }));
    } catch (error) {
      setFailure(failureOf(error));
    }
  };

  const results = search.data?.results;
  const names = new Map(results?.map((r) => [r.contactId, r.name]));

  if (reviewing) {
    return (
      <section aria-label="Past applicants">
        <ReviewSheet
          opportunityId={reviewing.opportunityId}
          kind={reviewing.kind}
          payload={reviewing.payload}
          reason={reviewing.reason.replace(/\.$/, '')}
          proposalId={reviewing.id}
          onClose={(outcome) => {
            const done = reviewing.id;
            setReviewing(undefined);
            if (outcome !== 'cancelled') setReviewed((s) => new Set(s).add(done));
          }}
        />
      </section>
    );
  }

  return (
    <section aria-labelledby={`${ids}-title`}>
      <h2 id={`${ids}-title`}>Past applicants</h2>
      {sync.failure && <ErrorNotice failure={sync.failure} onRetry={() => void sync.run()} />}
      {!sync.data && !sync.failure && <Skeleton label="Loading the talent pool status" lines={1} />}
      {sync.data && <SyncStatus sync={sync.data} />}
      <form onSubmit={(event) => void find(event)} aria-label="Rediscovery filters">
        <label htmlFor={`${ids}-loc`}>Location</label>
        <input
          id={`${ids}-loc`}
          type="text"
          value={filters.location}
          placeholder="Remote, Dublin…"
          onChange={(e) => setFilters({ ...filters, location: e.target.value })}
        />
        <label htmlFor={`${ids}-stage`}>Minimum stage reached</label>
        <input
          id={`${ids}-stage`}
          type="text"
          value={filters.minStage}
          placeholder="Phone screen"
          onChange={(e) => setFilters({ ...filters, minStage: e.target.value })}
        />
        <label htmlFor={`${ids}-before`}>Last contacted before</label>
        <input
          id={`${ids}-before`}
          type="date"
          value={filters.lastContactBefore}
          onChange={(e) => setFilters({ ...filters, lastContactBefore: e.target.value })}
        />
        <div className="row">
          <button type="submit" className="primary" disabled={search.loading}>
            Find past applicants
          </button>
        </div>
      </form>
      {search.failure && <ErrorNotice failure={search.failure} onRetry={() => void find()} />}
      {search.loading && <Skeleton label="Searching past applicants" lines={3} />}
      {!search.loading && results && results.length === 0 && (
        <EmptyState title="No past applicants match">
          <p className="muted">
            {search.data?.candidatesConsidered ?? 0} people considered
            {Object.entries(search.data?.excluded ?? {})
              .map(([why, n]) => `; ${n} excluded (${why})`)
              .join('')}
            .
          </p>
        </EmptyState>
      )}
      {!search.loading && results && results.length > 0 && (
        <>
          <p className="muted">
            {results.length} of {search.data?.candidatesConsidered} people considered.
          </p>
          <ul className="inbox" aria-label="Past applicants, ranked">
            {results.map((r) => (
              <ResultItem
                key={r.contactId}
                result={r}
                checked={selected.has(r.contactId)}
                onToggle={() => toggle(r.contactId)}
              />
            ))}
          </ul>
          <div className="row">
            <button type="button" className="primary" disabled={selected.size === 0 || drafting} onClick={draft}>
              Draft re-engagement{selected.size ? ` (${selected.size})` : ''}
            </button>
          </div>
        </>
      )}
      {drafting && <Skeleton label="Drafting re-engagement emails" lines={2} />}
      {failure && <ErrorNotice failure={failure} />}
      {drafted && (
        <section aria-label="Drafted re-engagement">
          <p>
            <strong>{drafted.outreach.length} drafted for review</strong>
          </p>
          <ul className="inbox">
            {drafted.outreach.map((o) => (
              <li key={o.id} data-testid="drafted-outreach">
                <p>
                  {names.get(o.contactId) ?? o.contactId}: {o.subject}
                </p>
                {reviewed.has(o.tagProposalId) ? (
                  <p className="muted">Reviewed</p>
                ) : (
                  <button type="button" onClick={() => void open(o.tagProposalId)}>
                    Review and approve
                  </button>
                )}
              </li>
            ))}
          </ul>
          {drafted.skipped.map((s) => (
            <p key={s.contactId} className="muted">
              Skipped {names.get(s.contactId) ?? s.contactId}: {s.reason}
            </p>
          ))}
        </section>
      )}
    </section>
  );
}
