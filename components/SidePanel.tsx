import { usePageContext } from '@/utils/use-page-context';

export function SidePanel() {
  const context = usePageContext();
  if (!context) return <main aria-busy="true" className="panel" />;
  if (context.kind === 'none') {
    return (
      <main className="panel">
        <h1>Fulcrum</h1>
        <p>
          Open a candidate in Lever (a page like <code>hire.lever.co/candidates/…</code>) and Fulcrum shows the match
          against the posting, drafts outreach, and prepares interview questions here.
        </p>
      </main>
    );
  }
  if (context.kind === 'posting') {
    return (
      <main className="panel">
        <h1>Posting</h1>
        <p data-testid="posting-id">{context.postingId}</p>
      </main>
    );
  }
  return (
    <main className="panel">
      <h1>Candidate</h1>
      <p>
        Opportunity <span data-testid="opportunity-id">{context.opportunityId}</span>
      </p>
    </main>
  );
}
