import { useEffect, useId, useRef, useState } from 'react';
import { useApi } from '@/components/ui/api-context';
import { ErrorNotice, Skeleton } from '@/components/ui/Feedback';
import type { Proposal, ProposalKind, ProposalPayload } from '@/utils/contracts/api.ts';
import { type ApiFailure, failureOf } from '@/utils/shared/messaging';

type Phase = 'preparing' | 'ready' | 'saving' | 'approving' | 'written' | 'failed' | 'discarded';

export type ReviewOutcome = 'written' | 'discarded' | 'cancelled';

/**
 * The only way anything is written to Lever: creates a proposal, shows the backend's dry-run preview (the exact
 * note text with its AI label, tags, stage change), lets the recruiter edit it, and writes only on Approve.
 * Approve is disabled while a request is in flight; a failed write offers Retry, which re-approves the same
 * proposal (the backend's ledger makes that non-duplicating).
 */
/** A proposal may be approved once its preview has been shown. */
function ready(proposal: Proposal): boolean {
  return proposal.status === 'pending' || proposal.status === 'failed' || proposal.status === 'approved';
}

export function ReviewSheet({
  opportunityId,
  kind,
  payload,
  reason,
  leverUrl,
  proposalId,
  stageLabel,
  onClose,
}: {
  opportunityId: string;
  kind: ProposalKind;
  payload: ProposalPayload;
  reason: string;
  leverUrl?: string;
  /** Review a proposal that already exists (e.g. from the inbox) instead of creating one. */
  proposalId?: string;
  /** The stage's name, when the proposal moves the candidate (the payload holds only Lever's stage id). */
  stageLabel?: string;
  onClose: (outcome: ReviewOutcome) => void;
}) {
  const api = useApi();
  const titleId = useId();
  const [phase, setPhase] = useState<Phase>('preparing');
  const [proposal, setProposal] = useState<Proposal>();
  const [text, setText] = useState(payload.note?.text ?? '');
  const [savedText, setSavedText] = useState(payload.note?.text ?? '');
  const [failure, setFailure] = useState<ApiFailure>();
  const [failedStep, setFailedStep] = useState<'prepare' | 'edit' | 'approve'>();
  const started = useRef(false);
  const busy = useRef(false);
  const heading = useRef<HTMLHeadingElement>(null);

  const prepare = async () => {
    setPhase('preparing');
    setFailure(undefined);
    try {
      let id = proposal?.id ?? proposalId;
      if (!id) {
        const created = await api.createProposal({ opportunityId, kind, payload, reason });
        setProposal(created);
        id = created.id;
      }
      setProposal(await api.approveProposal({ id, dryRun: true }));
      setPhase('ready');
    } catch (error) {
      setFailure(failureOf(error));
      setFailedStep('prepare');
      setPhase('failed');
    }
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: runs once per sheet
  useEffect(() => {
    // Guarded so React's StrictMode double effect cannot create two proposals.
    if (started.current) return;
    started.current = true;
    heading.current?.focus();
    void prepare();
  }, []);

  const dirty = payload.note !== undefined && text !== savedText;

  const updatePreview = async () => {
    if (!proposal || busy.current) return;
    busy.current = true;
    setPhase('saving');
    setFailure(undefined);
    try {
      await api.editProposal({ id: proposal.id, payload: { ...proposal.payload, note: { text } } });
      setProposal(await api.approveProposal({ id: proposal.id, dryRun: true }));
      setSavedText(text);
      setPhase('ready');
    } catch (error) {
      setFailure(failureOf(error));
      setFailedStep('edit');
      setPhase('ready');
    } finally {
      busy.current = false;
    }
  };

  const approve = async () => {
    if (!proposal || busy.current || dirty || !ready(proposal)) return;
    busy.current = true;
    setPhase('approving');
    setFailure(undefined);
    try {
      const result = await api.approveProposal({ id: proposal.id, dryRun: false });
      setProposal(result);
      if (result.status === 'failed') {
        setFailure({ kind: 'server', message: result.error ?? 'Lever did not accept the write.' });
        setFailedStep('approve');
        setPhase('failed');
      } else {
        setPhase('written');
      }
    } catch (error) {
      setFailure(failureOf(error));
      setFailedStep('approve');
      setPhase('failed');
    } finally {
      busy.current = false;
    }
  };

  const discard = async () => {
    if (busy.current) return;
    if (!proposal) return onClose('cancelled');
    busy.current = true;
    try {
      await api.discardProposal({ id: proposal.id });
      setPhase('discarded');
      onClose('discarded');
    } catch (error) {
      setFailure(failureOf(error));
    } finally {
      busy.current = false;
    }
  };

  const inFlight = phase === 'preparing' || phase === 'saving' || phase === 'approving';
  const link = leverUrl ?? proposal?.result?.leverUrl;
  const p = proposal?.payload ?? payload;

  return (
    <section className="sheet" role="dialog" aria-labelledby={titleId}>
      <h2 id={titleId} ref={heading} tabIndex={-1}>
        {phase === 'written' ? 'Written to Lever' : 'Review before writing to Lever'}
      </h2>
      {phase === 'written' ? (
        <div role="status">
          <p>
            Approved and written.{' '}
            {proposal?.result?.written.length ? `Lever now has: ${proposal.result.written.join(', ')}.` : ''}
          </p>
          {proposal?.result?.noteId && <p className="muted">Note id {proposal.result.noteId}</p>}
          {link && (
            <p>
              <a href={link} target="_blank" rel="noreferrer">
                {p.posting ? 'Open the posting in Lever' : 'Open the candidate in Lever'}
              </a>
            </p>
          )}
          <button type="button" onClick={() => onClose('written')}>
            Done
          </button>
        </div>
      ) : (
        <>
          <p className="muted">{reason}. Nothing is written until you click Approve.</p>
          {phase === 'preparing' && !proposal && <Skeleton label="Preparing the preview" lines={4} />}
          {proposal && (
            <>
              {p.posting ? (
                <>
                  <h3>The posting description will become</h3>
                  <pre data-testid="posting-preview">{p.posting.description}</pre>
                </>
              ) : proposal.preview.noteText !== null ? (
                <h3>This note will be added to the candidate</h3>
              ) : null}
              {p.posting ? null : proposal.preview.noteText !== null ? (
                <pre data-testid="note-preview">{proposal.preview.noteText}</pre>
              ) : (
                <p className="muted">No note.</p>
              )}
              {p.addTags?.length ? <p>Tags to add: {p.addTags.join(', ')}</p> : null}
              {p.removeTags?.length ? <p>Tags to remove: {p.removeTags.join(', ')}</p> : null}
              {p.stageId ? <p>Move to stage: {stageLabel ?? p.stageId}</p> : null}
              {payload.note !== undefined && (
                <>
                  <label htmlFor={`${titleId}-text`}>Edit the note text</label>
                  <textarea
                    id={`${titleId}-text`}
                    value={text}
                    rows={8}
                    onChange={(event) => setText(event.target.value)}
                    disabled={inFlight}
                  />
                  {dirty && <p className="muted">Update the preview to see exactly what will be written.</p>}
                </>
              )}
            </>
          )}
          {failure && (
            <ErrorNotice
              failure={failure}
              onRetry={failedStep === 'approve' ? approve : failedStep === 'edit' ? updatePreview : prepare}
            />
          )}
          <div className="row">
            {dirty && (
              <button type="button" onClick={updatePreview} disabled={inFlight || !text.trim()}>
                Update preview
              </button>
            )}
            <button
              type="button"
              className="primary"
              onClick={approve}
              disabled={!proposal || inFlight || dirty || phase === 'failed'}
            >
              {phase === 'approving' ? 'Writing to Lever…' : 'Approve and write to Lever'}
            </button>
            <button type="button" onClick={discard} disabled={phase === 'approving'}>
              Discard
            </button>
          </div>
        </>
      )}
    </section>
  );
}
