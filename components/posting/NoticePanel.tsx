import { useEffect, useId, useState } from 'react';
import { useApi } from '@/components/ui/api-context';
import { ErrorNotice, Skeleton } from '@/components/ui/Feedback';
import { useApiCall } from '@/components/ui/use-api-call';
import type { NoticeTemplate } from '@/utils/contracts/compliance.ts';
import { type ApiFailure, failureOf } from '@/utils/shared/messaging';

/**
 * The candidate notice for the posting on screen (compliance kit): the generic section and one per jurisdiction of the
 * posting's location, to copy into the posting or the application form. Admins can edit each section's template in
 * place; the backend checks the admin role again.
 */
export function NoticePanel({ postingId, admin }: { postingId: string; admin: boolean }) {
  const api = useApi();
  const id = useId();
  const { data, failure, loading, run } = useApiCall(() => api.notice({ postingId }));
  const [copied, setCopied] = useState('');
  const [editing, setEditing] = useState<NoticeTemplate>();
  const [draft, setDraft] = useState('');
  const [saveFailure, setSaveFailure] = useState<ApiFailure>();
  const [saving, setSaving] = useState(false);

  // biome-ignore lint/correctness/useExhaustiveDependencies: once per posting (the parent is keyed by posting id)
  useEffect(() => {
    void run();
  }, [postingId]);

  const copy = async (text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied('Notice copied: paste it into the posting or the application form in Lever.');
    } catch {
      setCopied('Copying was refused by the browser: select the text and copy it.');
    }
  };

  const edit = async (jurisdiction: NoticeTemplate['jurisdiction']) => {
    setSaveFailure(undefined);
    try {
      const list = await api.noticeTemplates({});
      const t = list.templates.find((x) => x.jurisdiction === jurisdiction);
      if (t) {
        setEditing(t);
        setDraft(t.body);
      }
    } catch (error) {
      setSaveFailure(failureOf(error));
    }
  };

  const save = async (body: string | null) => {
    if (!editing) return;
    setSaving(true);
    setSaveFailure(undefined);
    try {
      await api.putNoticeTemplate({ jurisdiction: editing.jurisdiction, body });
      setEditing(undefined);
      await run();
    } catch (error) {
      setSaveFailure(failureOf(error));
    } finally {
      setSaving(false);
    }
  };

  return (
    <section aria-labelledby={`${id}-title`} data-testid="candidate-notice">
      <h2 id={`${id}-title`}>Candidate notice</h2>
      {!data && !failure && <Skeleton label="Preparing the candidate notice" lines={4} />}
      {failure && <ErrorNotice failure={failure} onRetry={run} />}
      {data && (
        <>
          <p className="muted">
            {data.jurisdictions.length
              ? `For ${data.jurisdictions.map((j) => `${j.name} (from "${j.matched}")`).join(', ')}.`
              : 'Generic notice.'}{' '}
            Paste it into the posting or the application form; it tells candidates what Fulcrum assesses and how to ask
            for an alternative process or a human review.
          </p>
          {data.notes.length > 0 && (
            <ul className="list" aria-label="Notes for the recruiter" data-testid="notice-notes">
              {data.notes.map((n) => (
                <li key={n} className="card">
                  {n}
                </li>
              ))}
            </ul>
          )}
          {data.sections.map((s) => (
            <article key={s.jurisdiction} className="card" data-jurisdiction={s.jurisdiction}>
              <h3>{s.title}</h3>
              <p style={{ whiteSpace: 'pre-wrap' }}>{s.text}</p>
              {admin && (
                <button type="button" onClick={() => edit(s.jurisdiction)}>
                  Edit template{s.edited ? ' (edited)' : ''}
                </button>
              )}
            </article>
          ))}
          <div className="row">
            <button type="button" className="primary" onClick={() => copy(data.text)}>
              Copy notice
            </button>
            <button type="button" onClick={run} disabled={loading}>
              Refresh
            </button>
          </div>
          {copied && <p role="status">{copied}</p>}
        </>
      )}
      {editing && (
        <form
          className="card"
          aria-label={`Template: ${editing.name}`}
          onSubmit={(e) => {
            e.preventDefault();
            void save(draft);
          }}
        >
          <label htmlFor={`${id}-template`}>
            {editing.name}: placeholders such as {'{{contactEmail}}'} and {'{{assessed}}'} are filled per posting.
          </label>
          <textarea id={`${id}-template`} rows={12} value={draft} onChange={(e) => setDraft(e.target.value)} />
          <div className="row">
            <button type="submit" className="primary" disabled={saving || !draft.trim()}>
              Save template
            </button>
            <button type="button" onClick={() => save(null)} disabled={saving}>
              Reset to Fulcrum's wording
            </button>
            <button type="button" onClick={() => setEditing(undefined)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {saveFailure && <ErrorNotice failure={saveFailure} />}
    </section>
  );
}
