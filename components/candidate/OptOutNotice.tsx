import { useEffect, useState } from 'react';
import { useApi } from '@/components/ui/api-context';
import { ErrorNotice } from '@/components/ui/Feedback';
import type { OptOutStatus } from '@/utils/contracts/compliance.ts';
import { type ApiFailure, failureOf } from '@/utils/shared/messaging';

/**
 * Whether the candidate on screen opted out of automated assessment (compliance kit), read from the backend, which
 * re-reads the Lever tag and its own opt-out records. While opted out the panel offers only manual tools.
 */
export function useOptOut(opportunityId: string) {
  const api = useApi();
  const [status, setStatus] = useState<OptOutStatus>();
  // biome-ignore lint/correctness/useExhaustiveDependencies: once per candidate (the view is keyed by opportunity id)
  useEffect(() => {
    let live = true;
    api.optOut({ opportunityId }).then(
      (s) => live && setStatus(s),
      // Unknown (no backend, no access): the AI routes still refuse an opted-out candidate themselves (409).
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [opportunityId]);
  return { status, setStatus };
}

const SOURCE_TEXT = { 'lever-tag': 'a Lever tag', cli: 'the Fulcrum CLI', admin: 'a recruiter in Fulcrum' } as const;

export function OptedOutBanner({ status }: { status: OptOutStatus }) {
  return (
    <div className="card" role="note" data-testid="opted-out">
      <strong>Opted out of automated assessment.</strong> This candidate asked for their application to be reviewed
      without Fulcrum's AI (recorded via{' '}
      {status.sources.map((s) => `${SOURCE_TEXT[s.source]}${s.since ? ` on ${s.since.slice(0, 10)}` : ''}`).join(', ')}
      ). No score, ranking, drafts or suggestions are made for them; review the application in Lever yourself. The
      History tab keeps what was recorded before.
    </div>
  );
}

/** Records the candidate's request to opt out (any recruiter who may act on them); withdrawing is for admins. */
export function OptOutControl({
  opportunityId,
  status,
  onChange,
}: {
  opportunityId: string;
  status: OptOutStatus | undefined;
  onChange: (s: OptOutStatus) => void;
}) {
  const api = useApi();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ApiFailure>();
  const set = async (optedOut: boolean) => {
    setBusy(true);
    setFailure(undefined);
    try {
      onChange(await api.setOptOut({ opportunityId, optedOut }));
    } catch (error) {
      setFailure(failureOf(error));
    } finally {
      setBusy(false);
    }
  };
  if (!status) return null;
  const local = status.sources.some((s) => s.source !== 'lever-tag');
  return (
    <div className="row">
      {!status.optedOut && (
        <button type="button" onClick={() => set(true)} disabled={busy}>
          Candidate asked to opt out of automated assessment
        </button>
      )}
      {local && (
        <button type="button" onClick={() => set(false)} disabled={busy}>
          Withdraw the opt-out (admins)
        </button>
      )}
      {failure && <ErrorNotice failure={failure} />}
    </div>
  );
}
