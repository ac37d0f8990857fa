import { type FormEvent, useEffect, useId, useState } from 'react';
import { browser } from 'wxt/browser';
import { useApi } from '@/components/ui/api-context';
import { createDexieStore } from '@/utils/background/db';
import { dropLocalData } from '@/utils/background/local-data';
import { clearSnapshots } from '@/utils/panel/snapshot';
import { type ConnectionReport, failureOf } from '@/utils/shared/messaging';
import {
  backendUrlItem,
  DEFAULT_BACKEND_URL,
  isBuiltInBackend,
  normalizeBackendUrl,
  originPattern,
  tokenItem,
} from '@/utils/shared/settings';
import { ComplianceAdminPanel } from './ComplianceAdminPanel';
import { GovernancePanel } from './GovernancePanel';

/** Sign-out: cached results, drafts and panel snapshots leave the browser (local-data.ts). */
async function forgetLocalData(): Promise<void> {
  clearSnapshots();
  await dropLocalData(createDexieStore()).catch(() => {});
}

/** Asks for the optional host permission of a backend that the manifest does not already cover. */
async function ensureHostPermission(backendUrl: string): Promise<boolean> {
  if (isBuiltInBackend(backendUrl)) return true;
  const origins = [originPattern(backendUrl)];
  try {
    // request() directly (no contains() first): an await before it would lose the click's user gesture. It resolves
    // true at once when the permission is already granted.
    return await browser.permissions.request({ origins });
  } catch {
    return false;
  }
}

function Check({ label, result }: { label: string; result: { ok: boolean; message: string } | null }) {
  return (
    <li>
      <strong className={result === null ? 'muted' : result.ok ? 'ok' : 'bad'}>
        {result === null ? 'Not checked' : result.ok ? 'OK' : 'Problem'}
      </strong>{' '}
      {label}: {result?.message ?? 'not checked (fix the step above first)'}
    </li>
  );
}

export function OptionsPage() {
  const api = useApi();
  const id = useId();
  const [url, setUrl] = useState('');
  const [token, setToken] = useState('');
  const [loaded, setLoaded] = useState(false);
  const [message, setMessage] = useState('');
  const [report, setReport] = useState<ConnectionReport>();
  const [testing, setTesting] = useState(false);

  useEffect(() => {
    Promise.all([backendUrlItem.getValue(), tokenItem.getValue()]).then(([savedUrl, savedToken]) => {
      setUrl(savedUrl);
      setToken(savedToken);
      setLoaded(true);
    });
  }, []);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setMessage('');
    const backendUrl = normalizeBackendUrl(url);
    if (!backendUrl) {
      setMessage('The backend URL must be an http:// or https:// address, e.g. http://127.0.0.1:8787.');
      return;
    }
    // Must run first, while the click still counts as a user gesture.
    if (!(await ensureHostPermission(backendUrl))) {
      setMessage(`Not saved: Fulcrum needs permission to reach ${new URL(backendUrl).origin}.`);
      return;
    }
    await backendUrlItem.setValue(backendUrl);
    const previous = await tokenItem.getValue();
    await tokenItem.setValue(token.trim());
    setUrl(backendUrl);
    // Another token is another sign-in: what the browser kept for the previous one goes (local-data.ts).
    if (previous && previous !== token.trim()) await forgetLocalData();
    setMessage('Saved.');
  };

  const signOut = async () => {
    await tokenItem.setValue('');
    setToken('');
    setReport(undefined);
    await forgetLocalData();
    setMessage(
      'Signed out: the token and the candidate data this browser kept (results, drafts, snapshots) are removed.',
    );
  };

  const test = async () => {
    const backendUrl = normalizeBackendUrl(url);
    if (!backendUrl) {
      setMessage('The backend URL must be an http:// or https:// address, e.g. http://127.0.0.1:8787.');
      return;
    }
    setMessage('');
    setTesting(true);
    if (!(await ensureHostPermission(backendUrl))) {
      setTesting(false);
      setMessage(`Fulcrum needs permission to reach ${new URL(backendUrl).origin} before it can test it.`);
      return;
    }
    try {
      setReport(await api.testConnection({ backendUrl, token: token.trim() }));
    } catch (error) {
      setMessage(`The test could not run: ${failureOf(error).message}`);
    } finally {
      setTesting(false);
    }
  };

  return (
    <main className="panel">
      <h1>Fulcrum settings</h1>
      <form onSubmit={save} aria-busy={!loaded}>
        <label htmlFor={`${id}-url`}>Backend URL</label>
        <input
          id={`${id}-url`}
          type="url"
          value={url}
          placeholder={DEFAULT_BACKEND_URL}
          onChange={(event) => setUrl(event.target.value)}
          aria-describedby={`${id}-url-help`}
        />
        <p id={`${id}-url-help`} className="muted">
          Where the Fulcrum backend runs. Default: {DEFAULT_BACKEND_URL} (start it with <code>npm start</code>).
        </p>
        <label htmlFor={`${id}-token`}>Recruiter token</label>
        <input
          id={`${id}-token`}
          type="password"
          autoComplete="off"
          value={token}
          onChange={(event) => setToken(event.target.value)}
          aria-describedby={`${id}-token-help`}
        />
        <p id={`${id}-token-help`} className="muted">
          Ask your admin, or create one with <code>npm run cli -- recruiters add EMAIL --role recruiter</code>.
        </p>
        <div className="row">
          <button type="submit" className="primary" disabled={!loaded}>
            Save
          </button>
          <button type="button" onClick={test} disabled={!loaded || testing}>
            {testing ? 'Testing…' : 'Test connection'}
          </button>
          <button type="button" onClick={signOut} disabled={!loaded}>
            Sign out
          </button>
        </div>
      </form>
      {message && <p role="status">{message}</p>}
      {report && (
        <section aria-label="Connection test">
          <h2>Connection test</h2>
          <ul className="list">
            <Check label="Backend" result={report.backend} />
            <Check label="Token" result={report.token} />
            <Check label="Lever" result={report.lever} />
            <Check label="AI" result={report.ai} />
          </ul>
        </section>
      )}
      <GovernancePanel />
      <ComplianceAdminPanel />
    </main>
  );
}
