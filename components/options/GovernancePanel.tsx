import { type FormEvent, useEffect, useId, useState } from 'react';
import { useApi } from '@/components/ui/api-context';
import { downloadText } from '@/components/ui/download';
import { ErrorNotice } from '@/components/ui/Feedback';
import type { Governance, GovernanceResponse, GovernedCapability } from '@/utils/contracts/governance.ts';
import { type ApiFailure, failureOf } from '@/utils/shared/messaging';

/**
 * AI governance (admins): states what the AI may do in this install and lets an admin change it. Shown only to
 * admins (GET /api/status); the backend enforces the switches and the admin role itself.
 */

const CAPABILITIES: Array<{ id: GovernedCapability; label: string; what: string }> = [
  { id: 'match', label: 'Candidate matching', what: 'scores a candidate against the posting, with quoted evidence' },
  { id: 'outreach', label: 'Outreach drafting', what: 'drafts messages a recruiter edits and sends' },
  { id: 'questions', label: 'Interview questions', what: 'suggests questions for the next interview' },
  { id: 'feedback', label: 'Feedback synthesis', what: 'summarises interview feedback forms' },
  { id: 'rediscovery', label: 'Talent rediscovery', what: 'finds past candidates for an open posting' },
];

export function GovernancePanel() {
  const api = useApi();
  const id = useId();
  const [admin, setAdmin] = useState(false);
  const [loaded, setLoaded] = useState<GovernanceResponse>();
  const [draft, setDraft] = useState<Governance>();
  const [failure, setFailure] = useState<ApiFailure>();
  const [saving, setSaving] = useState(false);
  const [message, setMessage] = useState('');
  const [format, setFormat] = useState<'jsonl' | 'csv'>('jsonl');

  const load = async () => {
    setFailure(undefined);
    let isAdmin = false;
    try {
      const status = await api.status({});
      if (status.recruiter.role !== 'admin') return;
      isAdmin = true;
      setAdmin(true);
      const g = await api.getGovernance({});
      setLoaded(g);
      setDraft(g.governance);
    } catch (error) {
      // No token or no backend yet: the connection section above says what to do; stay out of the way.
      if (isAdmin) setFailure(failureOf(error));
    }
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: once on open
  useEffect(() => {
    void load();
  }, []);

  if (!admin) return null;
  if (!draft) {
    return failure ? (
      <section aria-label="AI governance">
        <h2>AI governance</h2>
        <ErrorNotice failure={failure} onRetry={load} />
      </section>
    ) : null;
  }

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    setFailure(undefined);
    setMessage('');
    try {
      const g = await api.putGovernance({ governance: draft });
      setLoaded(g);
      setDraft(g.governance);
      setMessage('Governance saved. It applies to every recruiter at once.');
    } catch (error) {
      setFailure(failureOf(error));
    } finally {
      setSaving(false);
    }
  };

  const exportAudit = async () => {
    setFailure(undefined);
    try {
      const text = await api.auditExport({ format });
      const day = new Date().toISOString().slice(0, 10);
      downloadText(text, `fulcrum-audit-${day}.${format}`, format === 'csv' ? 'text/csv' : 'application/x-ndjson');
    } catch (error) {
      setFailure(failureOf(error));
    }
  };

  const on = CAPABILITIES.filter((c) => loaded?.governance.capabilities[c.id]);

  return (
    <section aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>AI governance</h2>
      <p data-testid="governance-summary">
        The AI may: {on.length ? on.map((c) => c.label.toLowerCase()).join(', ') : 'nothing (every capability is off)'}.
        It never writes to Lever on its own: every note, tag, stage move or posting change waits for a recruiter's
        approval. Webhook automations{' '}
        {loaded?.governance.automationsMayPropose ? 'may create proposals for review' : 'may not create proposals'}.
        Cached AI results, decided proposals, finished jobs and received webhook events are deleted after{' '}
        {loaded?.governance.retentionDays} days.
      </p>
      <form onSubmit={save}>
        <fieldset>
          <legend>Capabilities</legend>
          {CAPABILITIES.map((c) => (
            <div key={c.id}>
              <input
                id={`${id}-${c.id}`}
                type="checkbox"
                checked={draft.capabilities[c.id]}
                onChange={(e) =>
                  setDraft({ ...draft, capabilities: { ...draft.capabilities, [c.id]: e.target.checked } })
                }
              />
              <label htmlFor={`${id}-${c.id}`}>
                {c.label} <span className="muted">({c.what})</span>
              </label>
            </div>
          ))}
        </fieldset>
        <div>
          <input
            id={`${id}-auto`}
            type="checkbox"
            checked={draft.automationsMayPropose}
            onChange={(e) => setDraft({ ...draft, automationsMayPropose: e.target.checked })}
          />
          <label htmlFor={`${id}-auto`}>Webhook automations may create proposals (recruiters still approve)</label>
        </div>
        <label htmlFor={`${id}-days`}>Keep cached AI results, decided proposals and webhook history for (days)</label>
        <input
          id={`${id}-days`}
          type="number"
          min={1}
          max={3650}
          value={draft.retentionDays}
          onChange={(e) => setDraft({ ...draft, retentionDays: Math.trunc(Number(e.target.value)) })}
        />
        <p className="muted" data-testid="governance-thresholds">
          Thresholds: the diversity funnel hides counts under 5 (by default) and flags impact ratios below 0.80 (the
          four-fifths rule); the bias test flags a selection impact ratio below 0.80. The match score that triggers
          automations and the stages they act on are set in the automation policy. The audit log is never deleted:
          export it below.
        </p>
        <button
          type="submit"
          className="primary"
          disabled={saving || !(draft.retentionDays >= 1 && draft.retentionDays <= 3650)}
        >
          {saving ? 'Saving…' : 'Save governance'}
        </button>
      </form>
      {message && <p role="status">{message}</p>}
      <h3>Audit export</h3>
      <p className="muted">
        Every AI action and every write to Lever, hash-chained. From the server:{' '}
        <code>npm run cli -- audit export --format jsonl --out audit.jsonl</code> (verify with{' '}
        <code>npm run cli -- audit verify</code>).
      </p>
      <div className="row">
        <label htmlFor={`${id}-format`}>Format</label>
        <select id={`${id}-format`} value={format} onChange={(e) => setFormat(e.target.value as 'jsonl' | 'csv')}>
          <option value="jsonl">JSON Lines (verifiable)</option>
          <option value="csv">CSV (spreadsheets)</option>
        </select>
        <button type="button" onClick={exportAudit}>
          Download audit log
        </button>
      </div>
      {failure && <ErrorNotice failure={failure} />}
    </section>
  );
}
