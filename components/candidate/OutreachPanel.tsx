import { useEffect, useId, useRef, useState } from 'react';
import { ReviewSheet } from '@/components/review/ReviewSheet';
import { useApi } from '@/components/ui/api-context';
import { EmptyState, ErrorNotice, Skeleton } from '@/components/ui/Feedback';
import { ProvenanceLine } from '@/components/ui/ProvenanceLine';
import type { OutreachVariant, Tone } from '@/utils/contracts/ai.ts';
import { type ApiFailure, type DraftRecord, failureOf } from '@/utils/shared/messaging';

const TONES: { id: Tone; label: string }[] = [
  { id: 'warm', label: 'Warm' },
  { id: 'concise', label: 'Concise' },
  { id: 'formal', label: 'Formal' },
];
const VARIANTS: { id: OutreachVariant; label: string }[] = [
  { id: 'first-contact', label: 'First contact' },
  { id: 're-engagement', label: 'Re-engagement' },
  { id: 'follow-up', label: 'Follow-up' },
];

export function mailtoUrl(subject: string, body: string): string {
  return `mailto:?subject=${encodeURIComponent(subject)}&body=${encodeURIComponent(body)}`;
}

export function outreachNote(draft: Pick<DraftRecord, 'subject' | 'body' | 'tone' | 'variant'>): string {
  return `Outreach email (${draft.variant}, ${draft.tone})\nSubject: ${draft.subject}\n\n${draft.body}`;
}

/**
 * Drafts outreach in one click; the draft is edited in place and kept (by the background, in IndexedDB) until it is
 * logged to Lever or discarded. This component is keyed by opportunity, so a draft never follows another candidate.
 */
export function OutreachPanel({ opportunityId, leverUrl }: { opportunityId: string; leverUrl?: string }) {
  const api = useApi();
  const id = useId();
  const [draft, setDraft] = useState<DraftRecord | null>();
  const [tone, setTone] = useState<Tone>('warm');
  const [variant, setVariant] = useState<OutreachVariant>('first-contact');
  const [generating, setGenerating] = useState(false);
  const [failure, setFailure] = useState<ApiFailure>();
  const [notice, setNotice] = useState('');
  const [reviewing, setReviewing] = useState(false);
  const saveTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const pending = useRef<DraftRecord | null>(null);

  useEffect(() => {
    let alive = true;
    api
      .getDraft({ opportunityId })
      .then((saved) => {
        if (!alive) return;
        setDraft(saved);
        if (saved) {
          setTone(saved.tone);
          setVariant(saved.variant);
        }
      })
      .catch(() => alive && setDraft(null));
    return () => {
      alive = false;
      // Flush an edit typed just before the panel closed or switched candidate.
      clearTimeout(saveTimer.current);
      if (pending.current) void api.saveDraft({ draft: pending.current }).catch(() => {});
    };
  }, [api, opportunityId]);

  const generate = async () => {
    setGenerating(true);
    setFailure(undefined);
    setNotice('');
    try {
      const result = await api.outreach({ opportunityId, tone, variant, refresh: draft != null });
      setDraft({
        opportunityId,
        subject: result.subject,
        body: result.body,
        tone: result.tone,
        variant: result.variant,
        followUpDate: result.followUpDate,
        provenance: result.provenance,
        updatedAt: new Date().toISOString(),
      });
    } catch (error) {
      setFailure(failureOf(error));
    } finally {
      setGenerating(false);
    }
  };

  const edit = (change: Partial<Pick<DraftRecord, 'subject' | 'body'>>) => {
    if (!draft) return;
    const next = { ...draft, ...change, updatedAt: new Date().toISOString() };
    setDraft(next);
    pending.current = next;
    clearTimeout(saveTimer.current);
    saveTimer.current = setTimeout(() => {
      pending.current = null;
      void api.saveDraft({ draft: next }).catch((error) => setFailure(failureOf(error)));
    }, 400);
  };

  const discard = async () => {
    clearTimeout(saveTimer.current);
    pending.current = null;
    setDraft(null);
    setNotice('Draft discarded.');
    await api.deleteDraft({ opportunityId }).catch((error) => setFailure(failureOf(error)));
  };

  const copy = async () => {
    if (!draft) return;
    try {
      await navigator.clipboard.writeText(`Subject: ${draft.subject}\n\n${draft.body}`);
      setNotice('Copied to the clipboard.');
    } catch {
      setNotice('Could not copy: select the text and copy it yourself.');
    }
  };

  if (draft === undefined) return <Skeleton label="Loading the saved draft" lines={2} />;

  if (reviewing && draft) {
    return (
      <ReviewSheet
        opportunityId={opportunityId}
        kind="outreach"
        payload={{ note: { text: outreachNote(draft) } }}
        reason="Log the outreach email on the candidate"
        leverUrl={leverUrl}
        onClose={(outcome) => {
          setReviewing(false);
          if (outcome === 'written') {
            // Sent and logged: the draft's job is done.
            clearTimeout(saveTimer.current);
            pending.current = null;
            setDraft(null);
            setNotice('Logged to Lever. The draft was cleared.');
            void api.deleteDraft({ opportunityId }).catch(() => {});
          }
        }}
      />
    );
  }

  return (
    <section aria-label="Outreach">
      <div className="row">
        <div className="grow">
          <label htmlFor={`${id}-tone`}>Tone</label>
          <select id={`${id}-tone`} value={tone} onChange={(event) => setTone(event.target.value as Tone)}>
            {TONES.map((option) => (
              <option key={option.id} value={option.id}>
                {option.label}
              </option>
            ))}
          </select>
        </div>
        <div className="grow">
          <label htmlFor={`${id}-variant`}>Message</label>
          <select
            id={`${id}-variant`}
            value={variant}
            onChange={(event) => setVariant(event.target.value as OutreachVariant)}
          >
            {VARIANTS.map((option) => (
              <option key={option.id} value={option.id}>
                {option.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="row">
        <button type="button" className="primary" onClick={generate} disabled={generating}>
          {generating ? 'Drafting…' : draft ? 'Draft again' : 'Draft outreach'}
        </button>
      </div>
      {failure && <ErrorNotice failure={failure} onRetry={generate} />}
      {notice && (
        <p role="status" className="muted">
          {notice}
        </p>
      )}
      {generating && !draft && <Skeleton label="Drafting the message" lines={4} />}
      {!draft && !generating && (
        <EmptyState title="No draft yet.">
          <p className="muted">
            Pick a tone and a message type, then draft. You can edit the draft here, copy it or open it in your mail
            app, and log it to Lever once sent.
          </p>
        </EmptyState>
      )}
      {draft && (
        <div>
          <label htmlFor={`${id}-subject`}>Subject</label>
          <input
            id={`${id}-subject`}
            type="text"
            value={draft.subject}
            onChange={(event) => edit({ subject: event.target.value })}
          />
          <label htmlFor={`${id}-body`}>Message</label>
          <textarea
            id={`${id}-body`}
            rows={12}
            value={draft.body}
            onChange={(event) => edit({ body: event.target.value })}
          />
          <p>
            <span className="muted">Follow up on </span>
            <time dateTime={draft.followUpDate}>{draft.followUpDate}</time>
            <span className="muted"> if there is no reply.</span>
          </p>
          <div className="row">
            <button type="button" onClick={copy}>
              Copy
            </button>
            <a href={mailtoUrl(draft.subject, draft.body)} target="_blank" rel="noreferrer">
              Open in mail app
            </a>
            <button type="button" onClick={() => setReviewing(true)} disabled={!draft.body.trim()}>
              Log to Lever
            </button>
            <button type="button" onClick={discard}>
              Discard draft
            </button>
          </div>
          <ProvenanceLine provenance={draft.provenance} />
        </div>
      )}
    </section>
  );
}
