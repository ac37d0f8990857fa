import { lazy, type ReactNode, Suspense, useEffect, useState } from 'react';
import { CandidateHeader } from '@/components/candidate/CandidateHeader';
import { ExplanationPanel } from '@/components/candidate/ExplanationPanel';
import { MatchPanel } from '@/components/candidate/MatchPanel';
import { OptedOutBanner, OptOutControl, useOptOut } from '@/components/candidate/OptOutNotice';
import { useApi } from '@/components/ui/api-context';
import { EmptyState, openSettings, Skeleton } from '@/components/ui/Feedback';
import { type TabDef, Tabs } from '@/components/ui/Tabs';
import { startAfterPaint } from '@/utils/panel/after-paint';
import { type TabId, usePanelStore, useSlot } from '@/utils/panel/store';
import { usePageContext } from '@/utils/panel/use-page-context';

// What the panel shows when it opens (candidate header, Match, the intro) is in the first bundle; every other view is
// loaded when first needed, or in the background once the panel has painted, so opening the panel parses less.
const loaders = {
  outreach: () => import('@/components/candidate/OutreachPanel'),
  interview: () => import('@/components/candidate/InterviewPanel'),
  feedback: () => import('@/components/candidate/FeedbackPanel'),
  history: () => import('@/components/candidate/HistoryPanel'),
  inbox: () => import('@/components/inbox/InboxPanel'),
  posting: () => import('@/components/posting/PostingView'),
  rediscovery: () => import('@/components/posting/RediscoveryPanel'),
  offer: () => import('@/components/candidate/OfferPanel'),
  schedule: () => import('@/components/candidate/SchedulePanel'),
};
const OutreachPanel = lazy(() => loaders.outreach().then((m) => ({ default: m.OutreachPanel })));
const InterviewPanel = lazy(() => loaders.interview().then((m) => ({ default: m.InterviewPanel })));
const FeedbackPanel = lazy(() => loaders.feedback().then((m) => ({ default: m.FeedbackPanel })));
const HistoryPanel = lazy(() => loaders.history().then((m) => ({ default: m.HistoryPanel })));
const InboxPanel = lazy(() => loaders.inbox().then((m) => ({ default: m.InboxPanel })));
const PostingView = lazy(() => loaders.posting().then((m) => ({ default: m.PostingView })));
const RediscoveryPanel = lazy(() => loaders.rediscovery().then((m) => ({ default: m.RediscoveryPanel })));
const OfferPanel = lazy(() => loaders.offer().then((m) => ({ default: m.OfferPanel })));
const SchedulePanel = lazy(() => loaders.schedule().then((m) => ({ default: m.SchedulePanel })));

/** Loads the other views while the recruiter reads the first one, so switching tabs does not wait for a chunk. */
function usePreloadViews() {
  useEffect(() => {
    const preload = () => {
      for (const load of Object.values(loaders)) void load().catch(() => {});
    };
    const timer = setTimeout(preload, 500);
    return () => clearTimeout(timer);
  }, []);
}

function Loading({ children }: { children: ReactNode }) {
  return <Suspense fallback={<Skeleton label="Loading" />}>{children}</Suspense>;
}

const TABS: TabDef<TabId>[] = [
  { id: 'match', label: 'Match' },
  { id: 'outreach', label: 'Outreach' },
  { id: 'interview', label: 'Interview' },
  { id: 'feedback', label: 'Feedback' },
  { id: 'schedule', label: 'Schedule' },
  { id: 'similar', label: 'Similar' },
  { id: 'history', label: 'History' },
];

/** Everything about one candidate. Keyed by opportunity id by its parent, so no local state crosses candidates. */
export function CandidateView({ opportunityId }: { opportunityId: string }) {
  const api = useApi();
  const load = usePanelStore((state) => state.load);
  const tab = usePanelStore((state) => state.tab);
  const setTab = usePanelStore((state) => state.setTab);
  const candidateState = useSlot(opportunityId, 'candidate');
  const loadCandidate = () =>
    load(
      opportunityId,
      'candidate',
      () => api.candidate({ opportunityId }),
      () => api.cached({ opportunityId, capability: 'candidate' }),
    );
  // Refresh the candidate every time it comes on screen (stage and feedback change); cached data shows meanwhile,
  // and is painted before the refresh starts.
  // biome-ignore lint/correctness/useExhaustiveDependencies: once per candidate
  useEffect(
    () =>
      startAfterPaint(candidateState.data !== undefined, () => {
        if (usePanelStore.getState().byOpportunity[opportunityId]?.candidate.status !== 'loading') void loadCandidate();
      }),
    [opportunityId],
  );
  const candidate = candidateState.data;
  // Opted out of automated assessment (compliance kit): only the manual tools (History) are offered.
  const optOut = useOptOut(opportunityId);
  const optedOut = optOut.status?.optedOut === true;
  // The Offer view exists only while the candidate is in Lever's Offer stage.
  const inOffer = /\boffer\b/i.test(candidate?.stage?.text ?? '');
  const tabs = optedOut
    ? TABS.filter((t) => t.id === 'history')
    : inOffer
      ? [{ id: 'offer' as const, label: 'Offer' }, ...TABS]
      : TABS;
  const shown = optedOut ? 'history' : tab === 'offer' && !inOffer ? 'match' : tab;
  const settled = candidateState.status === 'ready' || candidateState.status === 'error' || candidate !== undefined;

  return (
    // data-opportunity-id: the side panel keeps a snapshot of this view per candidate (utils/panel/snapshot.ts).
    <main className="panel" data-opportunity-id={opportunityId}>
      <CandidateHeader opportunityId={opportunityId} state={candidateState} onRetry={loadCandidate} />
      {optedOut && optOut.status && <OptedOutBanner status={optOut.status} />}
      <Tabs label="Fulcrum tools" tabs={tabs} selected={shown} onSelect={setTab} idPrefix="fulcrum">
        {shown === 'match' && <MatchPanel opportunityId={opportunityId} />}
        <Loading>
          {shown === 'outreach' && <OutreachPanel opportunityId={opportunityId} leverUrl={candidate?.leverUrl} />}
          {shown === 'interview' && (
            <InterviewPanel opportunityId={opportunityId} candidate={candidate} candidateSettled={settled} />
          )}
          {shown === 'feedback' && <FeedbackPanel opportunityId={opportunityId} candidate={candidate} />}
          {shown === 'offer' && <OfferPanel opportunityId={opportunityId} />}
          {shown === 'schedule' && <SchedulePanel opportunityId={opportunityId} />}
          {shown === 'similar' && <SimilarPastApplicants posting={candidate?.posting} settled={settled} />}
          {shown === 'history' && (
            <>
              <OptOutControl opportunityId={opportunityId} status={optOut.status} onChange={optOut.setStatus} />
              <ExplanationPanel opportunityId={opportunityId} />
              <HistoryPanel opportunityId={opportunityId} />
            </>
          )}
        </Loading>
      </Tabs>
    </main>
  );
}

/**
 * "Similar past applicants" from a candidate page: the talent pool ranked for the posting this candidate applied
 * to (the same Rediscovery view a posting page shows).
 */
function SimilarPastApplicants({
  posting,
  settled,
}: {
  posting: { id: string; title: string } | null | undefined;
  settled: boolean;
}) {
  if (posting) {
    return (
      <section aria-label="Similar past applicants">
        <p className="muted">Past applicants who fit {posting.title}, the posting this candidate applied to.</p>
        <RediscoveryPanel postingId={posting.id} />
      </section>
    );
  }
  if (!settled) return <Skeleton label="Loading the candidate's posting" />;
  return (
    <EmptyState title="No posting to compare against">
      This candidate is not attached to a posting, so there is nothing to rank past applicants against. Open a posting
      in Lever to rediscover past applicants for it.
    </EmptyState>
  );
}

export function Intro() {
  return (
    <main className="panel">
      <h1>Fulcrum</h1>
      <p>
        Open a candidate in Lever (a page like <code>hire.lever.co/candidates/…</code>) and Fulcrum shows how they match
        the posting, with the evidence, drafts outreach, and prepares interview questions here.
      </p>
      <h2>How to use it</h2>
      <ol>
        <li>Start the Fulcrum backend and paste your recruiter token in Settings.</li>
        <li>Open a candidate profile in Lever Hire; this panel follows the tab and the candidate you are viewing.</li>
        <li>Review what Fulcrum suggests. Nothing is written to Lever until you approve it.</li>
      </ol>
      <button type="button" onClick={openSettings}>
        Open Settings
      </button>
    </main>
  );
}

/** The panel for the current page, with the Inbox one click away on every page (candidate or not). */
export function SidePanel() {
  const [inbox, setInbox] = useState(false);
  usePreloadViews();
  if (inbox)
    return (
      <Loading>
        <InboxPanel onClose={() => setInbox(false)} />
      </Loading>
    );
  return (
    <>
      <nav className="row panel-nav">
        <button type="button" onClick={() => setInbox(true)}>
          Inbox
        </button>
      </nav>
      <PageView />
    </>
  );
}

function PageView() {
  const context = usePageContext();
  if (!context) return <main aria-busy="true" className="panel" />;
  if (context.kind === 'none') return <Intro />;
  if (context.kind === 'posting')
    return (
      <Loading>
        <PostingView key={context.postingId} postingId={context.postingId} />
      </Loading>
    );
  return <CandidateView key={context.opportunityId} opportunityId={context.opportunityId} />;
}
