import { useEffect, useState } from 'react';
import { useApi } from '@/components/ui/api-context';
import { EmptyState, ErrorNotice, Skeleton } from '@/components/ui/Feedback';
import { ProvenanceLine } from '@/components/ui/ProvenanceLine';
import { useApiCall } from '@/components/ui/use-api-call';
import type { OfferView } from '@/utils/contracts/offers.ts';
import { failureOf } from '@/utils/shared/messaging';

/**
 * The Offer view of a candidate in the Offer stage: the letter drafted from Lever's offer (every figure a Lever field),
 * its checks (a failed one blocks approval until resolved, or overridden by an admin with a reason), the approval
 * chain with who approved each step, the diff since the version last approved, and Approve for whoever's step is next.
 * Once every step approved, "File in Lever" approves the proposal that uploads the PDF to the candidate. While the
 * letter is in approval its text can be edited (a new version, checks re-run, the chain restarts), with a written
 * justification when the salary is outside the requisition's band.
 */
export function OfferPanel({ opportunityId }: { opportunityId: string }) {
  const api = useApi();
  const [view, setView] = useState<OfferView | null | undefined>(undefined);
  const load = useApiCall(async () => {
    const r = await api.offer({ opportunityId });
    setView(r.letter);
    return r;
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: once per candidate
  useEffect(() => {
    void load.run();
  }, [opportunityId]);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ReturnType<typeof failureOf>>();
  const run = async (fn: () => Promise<OfferView | null>) => {
    setBusy(true);
    setFailure(undefined);
    try {
      const next = await fn();
      if (next) setView(next);
    } catch (e) {
      setFailure(failureOf(e));
    } finally {
      setBusy(false);
    }
  };

  if (view === undefined) {
    if (load.failure) return <ErrorNotice failure={load.failure} onRetry={load.run} />;
    return <Skeleton label="Loading the offer" lines={4} />;
  }
  if (view === null) {
    return (
      <section aria-label="Offer">
        {failure && <ErrorNotice failure={failure} />}
        <EmptyState title="No offer letter yet.">
          <p className="muted">
            Drafts the letter from the offer, requisition and posting in Lever: every number, date and name comes from
            Lever; only the welcome and the role summary are written.
          </p>
        </EmptyState>
        <button type="button" disabled={busy} onClick={() => run(() => api.draftOffer({ opportunityId }))}>
          Draft the offer letter
        </button>
      </section>
    );
  }
  const failed = view.checks.filter((c) => !c.ok);
  return (
    <section aria-label="Offer">
      {failure && <ErrorNotice failure={failure} />}
      <p>
        <strong>{view.templateName}</strong> · version {view.version} ·{' '}
        <span className="badge" data-testid="offer-status">
          {view.status}
        </span>
      </p>

      <h3>Checks</h3>
      <ul className="list" aria-label="Offer checks">
        {view.checks.map((c) => (
          <li key={c.name} className="card" data-check={c.name}>
            <span className="badge">{c.ok ? 'OK' : c.override ? 'Overridden' : 'Failed'}</span>{' '}
            <strong>{c.name}</strong>
            <p className="muted">{c.detail}</p>
            {c.override && (
              <p className="muted">
                Overridden by {c.override.actor}: “{c.override.reason}”
              </p>
            )}
            {!c.ok && !c.override && view.canOverride && (
              <OverrideForm
                busy={busy}
                onSubmit={(reason) =>
                  run(() => api.overrideOfferCheck({ letterId: view.letterId, check: c.name, reason }))
                }
              />
            )}
          </li>
        ))}
      </ul>
      {view.blocked && failed.length > 0 && (
        <p role="alert">Approval is blocked by {failed.filter((c) => !c.override).length} failed check(s).</p>
      )}

      <h3>Approval chain</h3>
      <ol className="list" aria-label="Approval chain">
        {view.chain.map((s) => (
          <li key={s.name} data-state={s.state}>
            {s.name}: {s.state === 'approved' ? `approved by ${s.decidedBy}` : s.state === 'next' ? 'next' : 'waiting'}
          </li>
        ))}
      </ol>

      {view.diff.fromVersion !== null && (
        <>
          <h3>Changes since version {view.diff.fromVersion}</h3>
          <section aria-label="Changes">
            <pre className="mono">
              {view.diff.lines
                .filter((l) => l.op !== ' ')
                .map((l) => `${l.op} ${l.text}`)
                .join('\n') || 'No changes.'}
            </pre>
          </section>
        </>
      )}

      <h3>Letter</h3>
      <section aria-label="Offer letter">
        <pre className="letter" style={{ whiteSpace: 'pre-wrap' }}>
          {view.text}
        </pre>
      </section>
      {view.provenance && <ProvenanceLine provenance={view.provenance} />}
      {view.justification && <p className="muted">Justification: “{view.justification}”</p>}
      {view.status === 'in-approval' && (
        <LetterEditor
          key={`${view.letterId}:${view.version}`}
          busy={busy}
          text={view.text}
          justification={view.justification}
          outsideBand={view.checks.some((c) => c.name === 'salary_in_band' && !c.ok)}
          onSubmit={(text, justification) =>
            run(() => api.reviseOffer({ letterId: view.letterId, text, ...(justification ? { justification } : {}) }))
          }
        />
      )}

      {view.status === 'in-approval' && (
        <>
          <button
            type="button"
            disabled={busy || !view.canApprove}
            onClick={() => run(() => api.approveOffer({ letterId: view.letterId, version: view.version }))}
          >
            Approve
          </button>
          {view.approveHint && <p className="muted">{view.approveHint}</p>}
        </>
      )}
      {view.proposal && view.proposal.status !== 'written' && (
        <button
          type="button"
          disabled={busy}
          onClick={() =>
            run(async () => {
              await api.approveProposal({ id: view.proposal?.id as string, dryRun: false });
              return (await api.offer({ opportunityId })).letter;
            })
          }
        >
          File in Lever
        </button>
      )}
      {view.status === 'filed' && <p>Filed in Lever as a PDF on the candidate.</p>}
    </section>
  );
}

function OverrideForm({ busy, onSubmit }: { busy: boolean; onSubmit: (reason: string) => void }) {
  const [reason, setReason] = useState('');
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit(reason);
      }}
    >
      <label>
        Override reason
        <input value={reason} onChange={(e) => setReason(e.target.value)} minLength={10} required />
      </label>
      <button type="submit" disabled={busy || reason.trim().length < 10}>
        Override
      </button>
    </form>
  );
}

const JUSTIFICATION_MIN = 10;

/**
 * Edits the letter's free text as a new version. The figures stay Lever's: the checks run again on the new text, so
 * a number typed here that is not a Lever field fails "numbers_match_lever". A salary outside the band needs a
 * justification (10+ characters) before the edit is sent; it is kept with the version and shown to every approver.
 */
function LetterEditor(props: {
  busy: boolean;
  text: string;
  justification: string | null;
  outsideBand: boolean;
  onSubmit: (text: string, justification: string | null) => void;
}) {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState(props.text);
  const [justification, setJustification] = useState(props.justification ?? '');
  const j = justification.trim();
  const justificationOk = j.length === 0 ? !props.outsideBand : j.length >= JUSTIFICATION_MIN;
  const changed = text !== props.text || j !== (props.justification ?? '');
  if (!open) {
    return (
      <button type="button" disabled={props.busy} onClick={() => setOpen(true)}>
        {props.outsideBand && !props.justification ? 'Edit the letter or justify the salary' : 'Edit the letter'}
      </button>
    );
  }
  return (
    <form
      aria-label="Edit the offer letter"
      onSubmit={(e) => {
        e.preventDefault();
        props.onSubmit(text, j || null);
      }}
    >
      <label>
        Letter text
        <textarea value={text} onChange={(e) => setText(e.target.value)} rows={14} maxLength={50_000} required />
      </label>
      <p className="muted">Numbers, dates and names must stay as Lever has them: the checks run again on save.</p>
      <label>
        {props.outsideBand ? 'Justification for the salary outside the band (required)' : 'Justification (optional)'}
        <textarea
          value={justification}
          onChange={(e) => setJustification(e.target.value)}
          rows={3}
          maxLength={2000}
          aria-invalid={!justificationOk}
        />
      </label>
      {!justificationOk && (
        <p className="muted" role="status">
          {props.outsideBand && j.length === 0
            ? 'The salary is outside the band: say why, for the approvers.'
            : `At least ${JUSTIFICATION_MIN} characters.`}
        </p>
      )}
      <button type="submit" disabled={props.busy || !changed || !justificationOk || text.trim().length === 0}>
        Save as a new version
      </button>
      <button type="button" onClick={() => setOpen(false)}>
        Cancel
      </button>
    </form>
  );
}
