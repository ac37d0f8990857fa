import { type FormEvent, useEffect, useId, useState } from 'react';
import { useApi } from '@/components/ui/api-context';
import { downloadText } from '@/components/ui/download';
import { ErrorNotice } from '@/components/ui/Feedback';
import type { ComplianceSettings, JurisdictionId, RetentionReport } from '@/utils/contracts/compliance.ts';
import { type ApiFailure, failureOf } from '@/utils/shared/messaging';

/**
 * Compliance kit settings (Fulcrum admins, on the options page under AI governance): who the candidate notice names
 * and where candidates write, the bias-audit summary URL, the opt-out tag, whether explanations show scores, and the
 * places this install hires in (which set the retention minimums). Also the bias-audit data pack as CSV and the
 * retention report (what is kept, how long and why). The backend enforces the roles: the audit pack needs a Fulcrum
 * admin who is also a Lever admin, and says so when the caller is not.
 */

const JURISDICTIONS: Array<{ id: Exclude<JurisdictionId, 'generic'>; label: string }> = [
  { id: 'nyc-ll144', label: 'New York City (Local Law 144)' },
  { id: 'illinois-hb3773', label: 'Illinois (HB 3773)' },
  { id: 'colorado-ai-act', label: 'Colorado (AI Act)' },
  { id: 'california-ads', label: 'California (automated-decision systems: records kept 4 years)' },
  { id: 'eu-ai-act', label: 'European Union (AI Act: logs kept at least 6 months)' },
];

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

export function ComplianceAdminPanel() {
  const api = useApi();
  const id = useId();
  const [admin, setAdmin] = useState(false);
  const [draft, setDraft] = useState<ComplianceSettings>();
  const [updatedAt, setUpdatedAt] = useState<string | null>(null);
  const [failure, setFailure] = useState<ApiFailure>();
  const [saving, setSaving] = useState(false);
  const [message, setMessage] = useState('');
  const [from, setFrom] = useState(() => isoDay(new Date(Date.now() - 365 * 86_400_000)));
  const [to, setTo] = useState(() => isoDay(new Date()));
  const [packing, setPacking] = useState(false);
  const [report, setReport] = useState<RetentionReport>();

  const load = async () => {
    setFailure(undefined);
    let isAdmin = false;
    try {
      const status = await api.status({});
      if (status.recruiter.role !== 'admin') return;
      isAdmin = true;
      setAdmin(true);
      const r = await api.complianceSettings({});
      setDraft(r.settings);
      setUpdatedAt(r.updatedAt);
    } catch (error) {
      // No token or no backend yet: the connection section says what to do.
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
      <section aria-label="Compliance">
        <h2>Compliance</h2>
        <ErrorNotice failure={failure} onRetry={load} />
      </section>
    ) : null;
  }

  const set = <K extends keyof ComplianceSettings>(key: K, value: ComplianceSettings[K]) =>
    setDraft({ ...draft, [key]: value });
  const save = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    setFailure(undefined);
    setMessage('');
    try {
      const r = await api.putComplianceSettings({ settings: draft });
      setDraft(r.settings);
      setUpdatedAt(r.updatedAt);
      setMessage('Compliance settings saved.');
    } catch (error) {
      setFailure(failureOf(error));
    } finally {
      setSaving(false);
    }
  };
  const downloadPack = async () => {
    setFailure(undefined);
    setPacking(true);
    try {
      const csv = await api.auditPackCsv({ from, to });
      downloadText(csv, `fulcrum-bias-audit-${from}-${to}.csv`, 'text/csv');
    } catch (error) {
      setFailure(failureOf(error));
    } finally {
      setPacking(false);
    }
  };
  const showReport = async () => {
    setFailure(undefined);
    try {
      setReport(await api.retentionReport({}));
    } catch (error) {
      setFailure(failureOf(error));
    }
  };
  const datesOk = /^\d{4}-\d{2}-\d{2}$/.test(from) && /^\d{4}-\d{2}-\d{2}$/.test(to) && from <= to;

  return (
    <section aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Compliance</h2>
      <form onSubmit={save} aria-label="Compliance settings">
        <label htmlFor={`${id}-org`}>Organisation named in the candidate notice</label>
        <input
          id={`${id}-org`}
          value={draft.organization}
          maxLength={200}
          onChange={(e) => set('organization', e.target.value)}
        />
        <label htmlFor={`${id}-email`}>Contact email for an alternative process, a human review or a correction</label>
        <input
          id={`${id}-email`}
          type="email"
          value={draft.contactEmail}
          maxLength={200}
          onChange={(e) => set('contactEmail', e.target.value)}
        />
        <label htmlFor={`${id}-audit`}>Bias audit summary URL (NYC LL144)</label>
        <input
          id={`${id}-audit`}
          type="url"
          value={draft.biasAuditUrl}
          maxLength={500}
          onChange={(e) => set('biasAuditUrl', e.target.value)}
        />
        <label htmlFor={`${id}-tag`}>Lever tag for an opt-out of automated assessment</label>
        <input
          id={`${id}-tag`}
          value={draft.optOutTag}
          maxLength={200}
          required
          onChange={(e) => set('optOutTag', e.target.value)}
        />
        <div>
          <input
            id={`${id}-scores`}
            type="checkbox"
            checked={draft.explanationsShowScores}
            onChange={(e) => set('explanationsShowScores', e.target.checked)}
          />
          <label htmlFor={`${id}-scores`}>Explanations sent to candidates show the score and verdict</label>
        </div>
        <fieldset>
          <legend>Where you hire (sets the notice sections and the retention minimums)</legend>
          {JURISDICTIONS.map((j) => (
            <div key={j.id}>
              <input
                id={`${id}-${j.id}`}
                type="checkbox"
                checked={draft.jurisdictions.includes(j.id)}
                onChange={(e) =>
                  set(
                    'jurisdictions',
                    e.target.checked ? [...draft.jurisdictions, j.id] : draft.jurisdictions.filter((x) => x !== j.id),
                  )
                }
              />
              <label htmlFor={`${id}-${j.id}`}>{j.label}</label>
            </div>
          ))}
          <p className="muted">None ticked: COMPLIANCE_JURISDICTIONS on the server decides.</p>
        </fieldset>
        <button type="submit" className="primary" disabled={saving || draft.optOutTag.trim().length === 0}>
          {saving ? 'Saving…' : 'Save compliance settings'}
        </button>
        {updatedAt && <p className="muted">Last saved {new Date(updatedAt).toLocaleString()}.</p>}
      </form>
      {message && <p role="status">{message}</p>}

      <h3>Bias-audit data pack</h3>
      <p className="muted">
        Applicants, scoring and selection rates and impact ratios by sex, race/ethnicity and their intersection, from
        the EEO self-reports joined in memory. Needs a Lever admin role and the key's "EEO responses (PII)" permission.
      </p>
      <div className="row">
        <label htmlFor={`${id}-from`}>From</label>
        <input id={`${id}-from`} type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        <label htmlFor={`${id}-to`}>To</label>
        <input id={`${id}-to`} type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        <button type="button" onClick={downloadPack} disabled={packing || !datesOk}>
          {packing ? 'Preparing…' : 'Download audit pack (CSV)'}
        </button>
      </div>

      <h3>Retention</h3>
      <button type="button" onClick={showReport}>
        {report ? 'Refresh the retention report' : 'Show the retention report'}
      </button>
      {report && <RetentionTable report={report} />}
      {failure && <ErrorNotice failure={failure} />}
    </section>
  );
}

function RetentionTable({ report }: { report: RetentionReport }) {
  return (
    <section aria-label="Retention report">
      <p>
        Jurisdictions: {report.jurisdictions.length ? report.jurisdictions.join(', ') : 'none configured'} (
        {report.jurisdictionsFrom === 'admin'
          ? 'these settings'
          : report.jurisdictionsFrom === 'environment'
            ? 'COMPLIANCE_JURISDICTIONS'
            : 'not set'}
        ); admin retention period {report.adminRetentionDays} days.
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">Records</th>
            <th scope="col">Kept</th>
            <th scope="col">Rows</th>
            <th scope="col">Held by law</th>
            <th scope="col">Due for deletion</th>
          </tr>
        </thead>
        <tbody>
          {report.classes.map((c) => (
            <tr key={c.class} data-class={c.class}>
              <th scope="row">
                {c.records}
                <p className="muted">{c.why}</p>
              </th>
              <td>{c.keepDays === null ? 'never deleted' : `${c.keepDays} days`}</td>
              <td>{c.rows}</td>
              <td>{c.heldByLaw}</td>
              <td>{c.dueForDeletion}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p data-testid="retention-must-go">
        Must go: {report.mustGo.consentExpired.opportunities} candidates whose Lever consent expired (
        {report.mustGo.consentExpired.rows} rows left); erasure requests {report.mustGo.erasureRequests.pending}{' '}
        pending, {report.mustGo.erasureRequests.done} done.
      </p>
      <ul className="muted">
        {report.notes.map((n) => (
          <li key={n}>{n}</li>
        ))}
      </ul>
    </section>
  );
}
