import { useApi } from '@/components/ui/api-context';
import { ErrorNotice, Skeleton } from '@/components/ui/Feedback';
import { useApiCall } from '@/components/ui/use-api-call';
import type { BiasTestReport } from '@/utils/contracts/fairness.ts';

/**
 * "Test the scorer for bias" (admins): scores real resumes for this posting and copies that differ only in name and
 * pronouns with the active AI engine, and shows whether the scores moved. The backend audits every run.
 */

const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;

export function BiasTestSummary({ report }: { report: BiasTestReport }) {
  const d = report.largestDifference;
  const s = report.selection;
  return (
    <div className="card" data-testid="bias-report">
      <p>
        {report.provider.name}
        {report.provider.model ? ` (${report.provider.model})` : ''}: {report.resumes} resumes, {report.copiesScored}{' '}
        name-swapped copies scored.
      </p>
      {report.zeroDifference ? (
        <p>
          <strong>Zero difference.</strong> Every copy of every resume scored exactly the same: names and pronouns did
          not change the score.
        </p>
      ) : (
        <>
          <p>
            <strong>Scores change with name and pronouns.</strong>
          </p>
          <ul className="list">
            {report.groups.map((g) => (
              <li key={g.group}>
                {g.group}: mean {g.meanScore.toFixed(2)} ({signed(g.meanDifference)} vs the original), selected{' '}
                {Math.round(g.selectionRate * 100)}%
              </li>
            ))}
          </ul>
          {d && (
            <p>
              Largest difference: {d.difference.toFixed(2)} points ({d.high.name}, {d.high.group}: {d.high.score} vs{' '}
              {d.low.name}, {d.low.group}: {d.low.score}).
            </p>
          )}
        </>
      )}
      <p>
        Selection impact ratio:{' '}
        {s.impactRatio === null
          ? 'not computable (no copy reached the threshold)'
          : `${s.impactRatio.toFixed(2)}${s.impactRatio < 1 ? ` (${s.lowestGroup} vs ${s.highestGroup})` : ''}`}
        {s.fourFifthsFlag ? ': below four fifths' : ''}
      </p>
      <p className="muted">
        Threshold {report.threshold} ({report.thresholdSource === 'median' ? 'median score' : 'given'}). Names:{' '}
        {report.namesSource}
      </p>
    </div>
  );
}

export function BiasTestPanel({ postingId }: { postingId: string }) {
  const api = useApi();
  const { data: report, failure, loading: running, run } = useApiCall(() => api.biasTest({ postingId }));

  return (
    <section aria-label="Scorer bias test">
      <h2>Scorer bias test</h2>
      <p className="muted">
        Scores up to 10 real resumes for this posting and copies that differ only in name and pronouns. Recorded in the
        audit trail.
      </p>
      <button type="button" onClick={run} disabled={running}>
        {running ? 'Testing…' : 'Test the scorer for bias'}
      </button>
      {running && <Skeleton label="Scoring name-swapped resumes" lines={3} />}
      {failure && <ErrorNotice failure={failure} onRetry={run} />}
      {report && !running && <BiasTestSummary report={report} />}
    </section>
  );
}
