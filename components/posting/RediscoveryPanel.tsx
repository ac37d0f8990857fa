import { type FormEvent, useEffect, useId, useState } from 'react';
import { type ReviewOutcome, ReviewSheet } from '@/components/review/ReviewSheet';
import { useApi } from '@/components/ui/api-context';
import { EmptyState, ErrorNotice, Skeleton } from '@/components/ui/Feedback';
import { useApiCall } from '@/components/ui/use-api-call';
import type { Proposal } from '@/utils/contracts/api.ts';
import type {
  ActResponse,
  OutreachRecord,
  PipelineStages,
  RankingInfo,
  RediscoverResponse,
  RediscoveryFilters,
  RediscoveryResult,
  SyncProgress,
} from '@/utils/contracts/rediscovery.ts';
import { type ApiFailure, failureOf } from '@/utils/shared/messaging';

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
      Last run: {day(sync.finishedAt ?? sync.startedAt)}.{sync.embeddings && <EmbeddingStatus e={sync.embeddings} />}
    </p>
  );
}

/** The vector index behind semantic ranking: how much of the pool is embedded, and a failed run's reason. */
function EmbeddingStatus({ e }: { e: NonNullable<SyncProgress['embeddings']> }) {
  const people = e.embedded + e.pending + e.refused;
  return (
    <span data-testid="embedding-progress">
      {' '}
      Semantic index ({e.model}): {e.embedded} of {people} people embedded
      {e.status === 'running' ? `, embedding ${e.done}/${e.total}` : ''}
      {e.status === 'failed' && e.error ? `; the last run failed (${e.error}) and resumes with the next sync` : ''}.
    </span>
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

/** How the list was ranked, and why semantic ranking was not used when embeddings are configured but failed. */
function RankingNote({ ranking }: { ranking: RankingInfo | undefined }) {
  if (ranking?.fallback) {
    return (
      <p className="muted" data-testid="ranking-note">
        Ranked by keywords and skills only: semantic ranking is unavailable ({ranking.fallback.reason}).
      </p>
    );
  }
  if (ranking?.mode !== 'hybrid') return null;
  const c = ranking.vectorCoverage;
  return (
    <p className="muted" data-testid="ranking-note">
      Ranked by keywords, skills and meaning ({ranking.embeddingsModel}, up to {ranking.semanticWeight} points)
      {c && c.embedded < c.people ? `; ${c.people - c.embedded} of ${c.people} people not embedded yet` : ''}.
    </p>
  );
}

/** The stage a re-engagement usually moves to once the email is out ("Reached out" in Lever's default pipeline). */
const REACHED_OUT = /reached out|contacted|outreach/i;

/**
 * "Mark email sent" for an approved re-engagement draft: the recruiter sent it from their own mailbox (Lever has no
 * send endpoint) and picks the stage to move the candidate to; that creates a stage-move proposal to approve.
 */
function MarkSent({
  record,
  stages,
  busy,
  onMark,
}: {
  record: OutreachRecord;
  stages: PipelineStages['stages'];
  busy: boolean;
  onMark: (stageId: string) => void;
}) {
  const id = useId();
  const [stageId, setStageId] = useState(() => stages.find((s) => REACHED_OUT.test(s.text))?.id ?? '');
  return (
    <div className="row">
      <label htmlFor={`${id}-stage`}>Move to stage</label>
      <select id={`${id}-stage`} value={stageId} onChange={(e) => setStageId(e.target.value)} disabled={busy}>
        <option value="">Choose a stage…</option>
        {stages.map((s) => (
          <option key={s.id} value={s.id}>
            {s.text}
          </option>
        ))}
      </select>
      <button type="button" disabled={!stageId || busy} onClick={() => onMark(stageId)}>
        {busy ? 'Proposing the stage move…' : `Mark email sent${record.sentAt ? ' again' : ''}`}
      </button>
    </div>
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
  const [reviewing, setReviewing] = useState<{ proposal: Proposal; stageLabel?: string }>();
  /** How the review of each proposal (tag + note, or stage move) ended. */
  const [outcomes, setOutcomes] = useState<Map<string, ReviewOutcome>>(new Map());
  const stages = useApiCall(() => api.rediscoveryStages({}));
  const [marking, setMarking] = useState<string>();

  // biome-ignore lint/correctness/useExhaustiveDependencies: once per posting
  useEffect(() => {
    void sync.run();
    // Drafts made earlier for this posting (the panel may have been closed since): pick up where each stands.
    let current = true;
    api.rediscoveryOutreach({ postingId }).then(
      ({ outreach }) => {
        if (!current || outreach.length === 0) return;
        setDrafted((d) => d ?? { outreach, skipped: [] });
        setOutcomes((known) => {
          const next = new Map(known);
          for (const o of outreach) {
            for (const [id, status] of [
              [o.tagProposalId, o.tagProposalStatus],
              [o.stageProposalId, o.stageProposalStatus],
            ] as const) {
              if (id && !next.has(id) && (status === 'written' || status === 'discarded')) next.set(id, status);
            }
          }
          return next;
        });
      },
      // Not finding earlier drafts is not worth an error: the search and drafting still work.
      () => {},
    );
    return () => {
      current = false;
    };
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
  const open = async (proposalId: string, stageLabel?: string) => {
    setFailure(undefined);
    try {
      const proposal = await api.approveProposal({ id: proposalId, dryRun: true });
      setReviewing(stageLabel ? { proposal, stageLabel } : { proposal });
    } catch (error) {
      setFailure(failureOf(error));
    }
  };

  const stageText = (id: string) => stages.data?.stages.find((s) => s.id === id)?.text;

  // Once a draft is approved, its "Mark email sent" needs Lever's stages: read them once.
  const anyWritten = drafted?.outreach.some((o) => outcomes.get(o.tagProposalId) === 'written') ?? false;
  // biome-ignore lint/correctness/useExhaustiveDependencies: once, when the first draft is written
  useEffect(() => {
    if (anyWritten && !stages.data && !stages.loading) void stages.run();
  }, [anyWritten]);

  const markSent = async (record: OutreachRecord, stageId: string) => {
    if (marking) return;
    setMarking(record.id);
    setFailure(undefined);
    try {
      const updated = await api.rediscoveryMarkSent({ outreachId: record.id, stageId });
      setDrafted((d) => d && { ...d, outreach: d.outreach.map((o) => (o.id === updated.id ? updated : o)) });
      if (updated.stageProposalId) await open(updated.stageProposalId, stageText(stageId));
    } catch (error) {
      setFailure(failureOf(error));
    } finally {
      setMarking(undefined);
    }
  };

  /** What the draft's row offers: review the draft, then mark sent with a stage, then review the stage move. */
  const nextStep = (o: OutreachRecord) => {
    const tag = outcomes.get(o.tagProposalId);
    if (tag === 'discarded') return <p className="muted">Discarded</p>;
    if (tag !== 'written') {
      return (
        <button type="button" onClick={() => void open(o.tagProposalId)}>
          Review and approve
        </button>
      );
    }
    const move = o.stageProposalId ? outcomes.get(o.stageProposalId) : undefined;
    if (o.stageProposalId && move === 'written') {
      return <p data-testid="stage-moved">Email sent; moved in Lever.</p>;
    }
    if (o.stageProposalId && move !== 'discarded') {
      return (
        <>
          <p className="muted">Email marked sent; the stage move waits for your approval.</p>
          <button type="button" onClick={() => void open(o.stageProposalId as string)}>
            Review the stage move
          </button>
        </>
      );
    }
    return (
      <>
        <p className="muted">Approved: tagged and noted in Lever. Send the email, then mark it sent.</p>
        {stages.failure && <ErrorNotice failure={stages.failure} onRetry={() => void stages.run()} />}
        {!stages.data && !stages.failure && <Skeleton label="Loading the pipeline stages" lines={1} />}
        {stages.data && (
          <MarkSent
            record={o}
            stages={stages.data.stages}
            busy={marking === o.id}
            onMark={(stageId) => void markSent(o, stageId)}
          />
        )}
      </>
    );
  };

  const results = search.data?.results;
  const names = new Map(results?.map((r) => [r.contactId, r.name]));

  if (reviewing) {
    const r = reviewing.proposal;
    return (
      <section aria-label="Past applicants">
        <ReviewSheet
          opportunityId={r.opportunityId}
          kind={r.kind}
          payload={r.payload}
          reason={r.reason.replace(/\.$/, '')}
          proposalId={r.id}
          {...(reviewing.stageLabel ? { stageLabel: reviewing.stageLabel } : {})}
          onClose={(outcome) => {
            setReviewing(undefined);
            if (outcome !== 'cancelled') setOutcomes((m) => new Map(m).set(r.id, outcome));
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
          <RankingNote ranking={search.data?.ranking} />
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
                {nextStep(o)}
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
