import { useEffect, useState } from 'react';
import { useApi } from '@/components/ui/api-context';
import { BiasTestPanel } from './BiasTestPanel';
import { CriteriaCheckPanel } from './CriteriaCheckPanel';
import { FunnelPanel } from './FunnelPanel';
import { JdCheckPanel } from './JdCheckPanel';
import { NoticePanel } from './NoticePanel';
import { RediscoveryPanel } from './RediscoveryPanel';

/**
 * A Lever posting page: the job-description check for everyone, and the diversity funnel and the scorer bias test
 * for admins. The role comes from GET /api/status; the backend enforces it again (403) either way.
 */
export function PostingView({ postingId }: { postingId: string }) {
  const api = useApi();
  const [admin, setAdmin] = useState(false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: once per posting
  useEffect(() => {
    let live = true;
    api.status({}).then(
      (s) => live && setAdmin(s.recruiter.role === 'admin'),
      // Without a status the admin sections stay hidden; the check itself shows any connection problem.
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [postingId]);

  return (
    <main className="panel">
      <h1>Job description</h1>
      <p className="muted">
        Posting <span data-testid="posting-id">{postingId}</span>
      </p>
      <JdCheckPanel postingId={postingId} />
      <NoticePanel postingId={postingId} admin={admin} />
      <CriteriaCheckPanel postingId={postingId} admin={admin} />
      <RediscoveryPanel postingId={postingId} />
      {admin && (
        <>
          <FunnelPanel postingId={postingId} />
          <BiasTestPanel postingId={postingId} />
        </>
      )}
    </main>
  );
}
