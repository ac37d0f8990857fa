import type { FunnelReport } from '../../utils/contracts/fairness.ts';
import { belowFourFifths } from './diversity-funnel.ts';

/**
 * The funnel as CSV, one row per dimension, group and stage, plus an "All applicants" row per stage. Suppressed
 * counts are empty with `suppressed=yes`: the file carries exactly what the report shows, nothing more.
 */

const HEADER = [
  'dimension',
  'group',
  'stage',
  'count',
  'suppressed',
  'reach_rate',
  'pass_rate_from_previous',
  'impact_ratio',
  'four_fifths_flag',
];

/** Quotes every field and defuses spreadsheet formulas (a cell starting with =, +, - or @). */
function field(value: string | number | null): string {
  if (value === null) return '';
  let text = typeof value === 'number' ? String(value) : value;
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) || typeof value === 'string' ? `"${text.replace(/"/g, '""')}"` : text;
}

const rate = (value: number | null | undefined) => (value == null ? null : Number(value.toFixed(4)));

export function funnelToCsv(report: FunnelReport): string {
  const rows: Array<Array<string | number | null>> = [HEADER];
  for (const dim of report.dimensions) {
    report.columns.forEach((column, k) => {
      const total = dim.totals[k];
      rows.push([
        dim.dimension,
        'All applicants',
        column.text,
        total?.value ?? null,
        total?.suppressed ? 'yes' : 'no',
        null,
        null,
        null,
        null,
      ]);
    });
    for (const g of dim.groups) {
      report.columns.forEach((column, k) => {
        const c = g.counts[k];
        const flag =
          k === 0 ? null : g.impactRatios[k] == null ? null : belowFourFifths(g.impactRatios[k]!) ? 'yes' : 'no';
        rows.push([
          dim.dimension,
          g.group,
          column.text,
          c?.value ?? null,
          c?.suppressed ? 'yes' : 'no',
          rate(g.reachRates[k]),
          k === 0 ? null : rate(g.passRates[k - 1]),
          rate(g.impactRatios[k]),
          flag,
        ]);
      });
    }
  }
  return `${rows.map((r) => r.map(field).join(',')).join('\r\n')}\r\n`;
}
