import { useEffect, useId, useState } from 'react';
import { useApi } from '@/components/ui/api-context';
import { ErrorNotice, Skeleton } from '@/components/ui/Feedback';
import { useApiCall } from '@/components/ui/use-api-call';
import type { CriterionCheck } from '@/utils/contracts/compliance.ts';
import { type ApiFailure, failureOf } from '@/utils/shared/messaging';

const KIND_TEXT: Record<CriterionCheck['flags'][number]['kind'], string> = {
  'protected-trait': 'Protected trait',
  'location-proxy': 'Location proxy',
  'age-proxy': 'Age proxy',
  'language-origin': 'National-origin proxy',
  'school-prestige': 'School prestige',
  'culture-fit': 'Culture fit',
  appearance: 'Appearance',
  'family-status': 'Family status',
};

function Flags({ check }: { check: CriterionCheck }) {
  return (
    <ul className="list">
      {check.flags.map((f) => (
        <li key={`${f.kind}-${f.start}`}>
          <strong>{KIND_TEXT[f.kind]}</strong> (<q>{f.quote}</q>): {f.reason} <em>Suggestion:</em> {f.suggestion}
        </li>
      ))}
    </ul>
  );
}

/**
 * Proxy check (compliance kit): the posting's requirements that name a protected trait or a stand-in for one, which
 * Fulcrum leaves out of scoring until an admin confirms them, and a box to check a requirement or rubric line before
 * adding it. The backend enforces the admin role.
 */
export function CriteriaCheckPanel({ postingId, admin }: { postingId: string; admin: boolean }) {
  const api = useApi();
  const id = useId();
  const { data, failure, run } = useApiCall(() => api.postingCriteria({ postingId }));
  const [draft, setDraft] = useState('');
  const [checked, setChecked] = useState<CriterionCheck>();
  const [actionFailure, setActionFailure] = useState<ApiFailure>();
  // biome-ignore lint/correctness/useExhaustiveDependencies: once per posting (the parent is keyed by posting id)
  useEffect(() => {
    void run();
  }, [postingId]);

  const act = async (f: () => Promise<unknown>) => {
    setActionFailure(undefined);
    try {
      await f();
    } catch (error) {
      setActionFailure(failureOf(error));
    }
  };
  const flagged = data?.criteria.filter((c) => c.flags.length > 0) ?? [];

  return (
    <section aria-labelledby={`${id}-title`} data-testid="criteria-check">
      <h2 id={`${id}-title`}>Proxy check on requirements</h2>
      {!data && !failure && <Skeleton label="Checking the requirements" lines={2} />}
      {failure && <ErrorNotice failure={failure} onRetry={run} />}
      {data && flagged.length === 0 && (
        <p className="muted">No requirement of this posting names a protected trait or a known stand-in for one.</p>
      )}
      {flagged.map((c) => (
        <article key={c.text} className="card">
          <p>
            <q>{c.text}</q>{' '}
            {c.ignoredInScoring ? <span>Left out of scoring.</span> : <span>Scored: an admin confirmed it.</span>}
          </p>
          <Flags check={c} />
          {admin && (
            <button
              type="button"
              onClick={() =>
                act(async () => {
                  await api.confirmCriterion({ postingId, text: c.text, confirmed: c.ignoredInScoring });
                  await run();
                })
              }
            >
              {c.ignoredInScoring ? 'Confirm: score it anyway' : 'Withdraw the confirmation'}
            </button>
          )}
        </article>
      ))}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void act(async () => setChecked((await api.checkCriteria({ criteria: [draft] })).criteria[0]));
        }}
      >
        <label htmlFor={`${id}-draft`}>Check a requirement or rubric line before you add it</label>
        <input id={`${id}-draft`} value={draft} maxLength={2000} onChange={(e) => setDraft(e.target.value)} />
        <button type="submit" disabled={!draft.trim()}>
          Check
        </button>
      </form>
      {checked &&
        (checked.flags.length ? (
          <div role="status" className="card">
            <Flags check={checked} />
          </div>
        ) : (
          <p role="status">Nothing flagged.</p>
        ))}
      {actionFailure && <ErrorNotice failure={actionFailure} />}
    </section>
  );
}
