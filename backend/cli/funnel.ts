import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import type { FunnelReport } from '../../utils/contracts/fairness.ts';
import { loadConfig } from '../config.ts';
import { auditEeoView, MIN_CELL_FLOOR } from '../fairness/eeo-view-audit.ts';
import { funnelToCsv } from '../fairness/funnel-csv.ts';
import { loadFunnel } from '../fairness/load-funnel.ts';
import { leverFromConfig } from '../lever-config.ts';
import type { CliCommand } from './commands.ts';
import { withCliStore } from './open-store.ts';

const USAGE =
  'Usage: npm run cli -- funnel [--posting ID ...] [--team NAME] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--min N] [--csv | --json]';
const DAY = 86_400_000;

function date(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(ms)) throw new Error(`--${name} must be a date like 2026-01-31, got "${value}"`);
  return ms;
}

const pct = (x: number | null | undefined) => (x == null ? '' : `${Math.round(x * 100)}%`);

/** One table per dimension; suppressed counts print as "—" (hidden to protect small groups). */
export function formatFunnel(report: FunnelReport): string {
  const lines: string[] = [];
  const head = report.columns.map((c) => c.text.slice(0, 12).padStart(13)).join('');
  for (const d of report.dimensions) {
    lines.push(
      `${d.dimension.toUpperCase()}${d.state === 'insufficient-data' ? '  (insufficient data for the four-fifths rule)' : `  (reference group: ${d.referenceGroup})`}`,
    );
    lines.push(`  ${'group'.padEnd(34)}${head}   selected  impact ratio`);
    const row = (label: string, cells: Array<{ value: number | null }>) =>
      `  ${label.slice(0, 33).padEnd(34)}${cells.map((c) => (c.value === null ? '—' : String(c.value)).padStart(13)).join('')}`;
    for (const g of d.groups) {
      const flag = g.fourFifthsFlag ? '  below 4/5' : '';
      lines.push(
        `${row(g.group, g.counts)}   ${pct(g.selectionRate).padStart(8)}  ${g.impactRatio == null ? '' : g.impactRatio.toFixed(2)}${flag}`,
      );
    }
    lines.push(row('All applicants', d.totals), '');
  }
  lines.push(`Counts under ${report.minCount}, and counts that would reveal them, are hidden (—).`);
  return lines.join('\n');
}

/** Who runs the CLI, as the audit log names them: the OS user (a container may have none). */
function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

export const funnelCommand: CliCommand = {
  summary: 'Diversity funnel from Lever EEO self-reports (suppressed small cells, four-fifths rule); admin only',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        posting: { type: 'string', multiple: true },
        team: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        min: { type: 'string' },
        csv: { type: 'boolean' },
        json: { type: 'boolean' },
      },
    });
    if (values.csv && values.json) throw new Error(USAGE);
    const toDate = date('to', values.to, Date.now()) + (values.to ? DAY - 1 : 0);
    const fromDate = date('from', values.from, toDate - 90 * DAY);
    const minCount = values.min === undefined ? undefined : Number(values.min);
    if (minCount !== undefined && !(Number.isInteger(minCount) && minCount >= MIN_CELL_FLOOR && minCount <= 100)) {
      throw new Error(
        `--min must be a whole number from ${MIN_CELL_FLOOR} to 100 (smaller cells could identify individual applicants), got "${values.min}"`,
      );
    }
    const report = await loadFunnel(leverFromConfig(loadConfig()), {
      fromDate,
      toDate,
      ...(values.posting ? { postingIds: values.posting } : {}),
      ...(values.team ? { team: values.team } : {}),
      ...(minCount === undefined ? {} : { minCount }),
    });
    // Audited like the API's funnel views: who ran it (the OS user), with which filters, none of the data.
    await withCliStore(async (store) =>
      auditEeoView(store, {
        actor: cliActor(),
        view: 'funnel.cli',
        filter: {
          ...(values.posting ? { postingIds: values.posting } : {}),
          ...(values.team ? { team: values.team } : {}),
          ...(values.from ? { from: values.from } : {}),
          ...(values.to ? { to: values.to } : {}),
          ...(minCount === undefined ? {} : { minCount }),
        },
      }),
    );
    if (values.csv) process.stdout.write(funnelToCsv(report));
    else console.log(values.json ? JSON.stringify(report, null, 2) : formatFunnel(report));
    return 0;
  },
};
