import { useEffect, useId, useState } from 'react';
import { useApi } from '@/components/ui/api-context';
import { ErrorNotice, Skeleton } from '@/components/ui/Feedback';
import { useApiCall } from '@/components/ui/use-api-call';
import type {
  EeoDimension,
  FunnelCell,
  FunnelDimension,
  FunnelQuery,
  FunnelReport,
} from '@/utils/contracts/fairness.ts';
import { type ApiFailure, failureOf } from '@/utils/shared/messaging';

/**
 * The diversity funnel (admins only): counts per pipeline stage by self-reported EEO group, small counts hidden so
 * no one can be singled out, and the four-fifths impact ratios. Anonymous, aggregated Lever EEO data only; it is
 * never shown next to a candidate and never sent to an AI model.
 */

const DIMENSIONS: Array<{ id: EeoDimension; label: string }> = [
  { id: 'gender', label: 'Gender' },
  { id: 'race', label: 'Race / ethnicity' },
  { id: 'veteran', label: 'Veteran status' },
  { id: 'disability', label: 'Disability status' },
];

/** Distinguishable for common colour-vision deficiencies (Okabe–Ito). */
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#999999'];

const pct = (x: number | null) => (x === null ? '—' : `${Math.round(x * 100)}%`);
const cellText = (c: FunnelCell | undefined) => (c?.suppressed || c?.value == null ? '—' : String(c.value));

function FunnelChart({ report, dim }: { report: FunnelReport; dim: FunnelDimension }) {
  const patternId = useId();
  const height = 140;
  const bar = 10;
  const gap = 14;
  const groups = dim.groups;
  const clusterWidth = Math.max(groups.length, 1) * bar;
  const width = report.columns.length * (clusterWidth + gap) + gap;
  const max = Math.max(1, ...groups.flatMap((g) => g.counts.map((c) => c.value ?? 0)));
  const label = `Bar chart: ${DIMENSIONS.find((d) => d.id === dim.dimension)?.label} counts at each stage. The table below has the same numbers.`;
  return (
    <svg
      role="img"
      aria-label={label}
      viewBox={`0 0 ${width} ${height + 44}`}
      width="100%"
      data-testid="funnel-chart"
      style={{ maxWidth: `${Math.max(width, 280)}px` }}
    >
      <defs>
        <pattern id={patternId} patternUnits="userSpaceOnUse" width="4" height="4" patternTransform="rotate(45)">
          <rect width="4" height="4" fill="#e9ecef" />
          <line x1="0" y1="0" x2="0" y2="4" stroke="#868e96" strokeWidth="1.5" />
        </pattern>
      </defs>
      <line x1={0} y1={height} x2={width} y2={height} stroke="currentColor" strokeWidth={0.5} />
      {report.columns.map((column, k) => {
        const x0 = gap + k * (clusterWidth + gap);
        return (
          <g key={column.id}>
            {groups.map((g, i) => {
              const c = g.counts[k];
              const x = x0 + i * bar;
              if (!c || c.suppressed || c.value === null) {
                return (
                  <g key={g.group} data-suppressed="true">
                    <title>{`${g.group}, ${column.text}: hidden (fewer than ${report.minCount})`}</title>
                    <rect x={x} y={height - 16} width={bar - 1} height={16} fill={`url(#${patternId})`} />
                    <text x={x + bar / 2} y={height - 19} fontSize={8} textAnchor="middle" fill="currentColor">
                      —
                    </text>
                  </g>
                );
              }
              const h = (c.value / max) * (height - 24);
              return (
                <rect
                  key={g.group}
                  x={x}
                  y={height - h}
                  width={bar - 1}
                  height={h}
                  fill={PALETTE[i % PALETTE.length]}
                  data-group={g.group}
                >
                  <title>{`${g.group}, ${column.text}: ${c.value}`}</title>
                </rect>
              );
            })}
            <text x={x0 + clusterWidth / 2} y={height + 12} fontSize={8} textAnchor="middle" fill="currentColor">
              {column.text.length > 12 ? `${column.text.slice(0, 11)}…` : column.text}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

export function FunnelPanel({ postingId }: { postingId: string }) {
  const api = useApi();
  const id = useId();
  const [dimension, setDimension] = useState<EeoDimension>('gender');
  const [scope, setScope] = useState<'posting' | 'all'>('posting');
  const [exportFailure, setExportFailure] = useState<ApiFailure>();

  const query: FunnelQuery = scope === 'posting' ? { postingId } : {};
  const { data: report, failure, loading, run } = useApiCall(() => api.funnel({ query }));
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload when the scope changes
  useEffect(() => {
    void run();
  }, [postingId, scope]);

  const exportCsv = async () => {
    setExportFailure(undefined);
    try {
      const csv = await api.funnelCsv({ query });
      const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = scope === 'posting' ? `diversity-funnel-${postingId}.csv` : 'diversity-funnel.csv';
      document.body.append(a);
      a.click();
      a.remove();
      // Revoked after the click has been handled, so the download has started.
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (error) {
      setExportFailure(failureOf(error));
    }
  };

  const dim = report?.dimensions.find((d) => d.dimension === dimension);
  const comparable = dim?.groups.filter((g) => !g.notStated) ?? [];

  return (
    <section aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Diversity funnel</h2>
      <p className="muted">
        Anonymous EEO self-reports from Lever, for admins. Never shown per candidate, never sent to an AI model.
      </p>
      <div className="row">
        <label htmlFor={`${id}-dim`}>Group by</label>
        <select id={`${id}-dim`} value={dimension} onChange={(e) => setDimension(e.target.value as EeoDimension)}>
          {DIMENSIONS.map((d) => (
            <option key={d.id} value={d.id}>
              {d.label}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-scope`}>Applicants</label>
        <select id={`${id}-scope`} value={scope} onChange={(e) => setScope(e.target.value as 'posting' | 'all')}>
          <option value="posting">This posting</option>
          <option value="all">All postings</option>
        </select>
      </div>
      {failure && <ErrorNotice failure={failure} onRetry={run} />}
      {!report && !failure && <Skeleton label="Loading the diversity funnel" lines={4} />}
      {report && dim && (
        <div aria-busy={loading}>
          <FunnelChart report={report} dim={dim} />
          <ul className="row" aria-label="Groups" style={{ listStyle: 'none', padding: 0, flexWrap: 'wrap' }}>
            {dim.groups.map((g, i) => (
              <li key={g.group}>
                <span aria-hidden="true" style={{ color: PALETTE[i % PALETTE.length] }}>
                  ■{' '}
                </span>
                {g.group}
              </li>
            ))}
          </ul>
          <table data-testid="funnel-table">
            <caption className="sr-only">Applicants per stage by group</caption>
            <thead>
              <tr>
                <th scope="col">Group</th>
                {report.columns.map((c) => (
                  <th key={c.id} scope="col">
                    {c.text}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {dim.groups.map((g) => (
                <tr key={g.group}>
                  <th scope="row">{g.group}</th>
                  {report.columns.map((c, k) => (
                    <td
                      key={c.id}
                      title={g.counts[k]?.suppressed ? `hidden: fewer than ${report.minCount}` : undefined}
                    >
                      {cellText(g.counts[k])}
                    </td>
                  ))}
                </tr>
              ))}
              <tr>
                <th scope="row">All applicants</th>
                {report.columns.map((c, k) => (
                  <td key={c.id}>{cellText(dim.totals[k])}</td>
                ))}
              </tr>
            </tbody>
          </table>
          <p className="muted" data-testid="suppression-note">
            — hidden: fewer than {report.minCount} (and any count that would reveal one), so no one can be singled out.
          </p>
          <h3>Four-fifths rule (hired ÷ applied)</h3>
          {dim.state === 'insufficient-data' ? (
            <p data-testid="insufficient-data">
              Not enough data to compare groups: fewer than two groups have a selection rate that can be shown.
            </p>
          ) : (
            <>
              <p className="muted">Impact ratio = a group's selection rate ÷ the highest ({dim.referenceGroup}).</p>
              <ul className="list">
                {comparable.map((g) => (
                  <li key={g.group} data-testid="impact-ratio">
                    <strong>{g.group}</strong>: selected {pct(g.selectionRate)}, impact ratio{' '}
                    {g.impactRatio === null ? '— (not enough data)' : g.impactRatio.toFixed(2)}
                    {g.fourFifthsFlag && (
                      <span className="badge" style={{ color: 'var(--bad)' }}>
                        {' '}
                        Below four-fifths
                      </span>
                    )}
                  </li>
                ))}
              </ul>
            </>
          )}
          <div className="row">
            <button type="button" onClick={exportCsv}>
              Export CSV
            </button>
            <button type="button" onClick={run} disabled={loading}>
              Refresh
            </button>
          </div>
          {exportFailure && <ErrorNotice failure={exportFailure} onRetry={exportCsv} />}
        </div>
      )}
    </section>
  );
}
