import { useState } from 'react';
import { useApi } from '@/components/ui/api-context';
import { ErrorNotice } from '@/components/ui/Feedback';
import type { Explanation } from '@/utils/contracts/compliance.ts';
import { type ApiFailure, failureOf } from '@/utils/shared/messaging';

/**
 * "Explain to the candidate" (compliance kit): the explanation of the recorded automated assessment, to send on
 * request, as text to copy or a PDF to attach. Quotes are the candidate's own words; scores appear only when an admin
 * enabled them. Each explanation is audited by the backend.
 */
export function ExplanationPanel({ opportunityId }: { opportunityId: string }) {
  const api = useApi();
  const [explanation, setExplanation] = useState<Explanation>();
  const [failure, setFailure] = useState<ApiFailure>();
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState('');
  const run = async <T,>(f: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setFailure(undefined);
    try {
      return await f();
    } catch (error) {
      setFailure(failureOf(error));
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  const plain = (e: Explanation) => e.text.replace(/^#{1,2} /gm, '');
  const pdf = async () => {
    const b64 = await run(() => api.explanationPdf({ opportunityId }));
    if (!b64) return;
    const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
    const url = URL.createObjectURL(new Blob([bytes], { type: 'application/pdf' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `explanation-${opportunityId}.pdf`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <section aria-label="Explanation for the candidate">
      <div className="row">
        <button
          type="button"
          onClick={async () => setExplanation(await run(() => api.explanation({ opportunityId })))}
          disabled={busy}
        >
          Explanation for the candidate
        </button>
        {explanation && (
          <>
            <button
              type="button"
              onClick={() =>
                navigator.clipboard.writeText(plain(explanation)).then(
                  () => setStatus('Explanation copied.'),
                  () => setStatus('Copying was refused: select the text and copy it.'),
                )
              }
            >
              Copy text
            </button>
            <button type="button" onClick={pdf} disabled={busy}>
              Download PDF
            </button>
          </>
        )}
      </div>
      {status && <p role="status">{status}</p>}
      {failure && <ErrorNotice failure={failure} />}
      {explanation && (
        <pre className="card" data-testid="explanation" style={{ whiteSpace: 'pre-wrap' }}>
          {plain(explanation)}
        </pre>
      )}
    </section>
  );
}
