import type { AuditPack, PackCell, PackRow, PackTable } from '../../utils/contracts/compliance.ts';
import { complementarySuppression, groupOf, NOT_STATED } from '../fairness/diversity-funnel.ts';

/**
 * The bias-audit data pack (NYC LL144, 6 RCNY § 5-301): from Fulcrum's own recorded scores and verdicts joined to
 * applicants' self-reported sex and race/ethnicity, per category and for the intersections: the number of applicants,
 * the scoring rate (share scoring above the sample's median score) and the selection rate (share with a strong or
 * possible verdict), and impact ratios against the category with the highest rate. For an independent auditor to
 * check and finish; Fulcrum informs, it never decides.
 *
 * - Unknown categories (no self-report, declined) are counted and reported, never a category of their own.
 * - A category under 2% of the sample is reported but left out of the impact ratios (the rules allow the auditor to).
 * - Small cells are suppressed, with complementary suppression over every published total: each table's total (the
 *   sample), and for the intersections each sex's and each race's total, which the other two tables publish. Cells
 *   that are never published (the unknown category's numerators, "known sex, unknown race") take part as hidden
 *   cells, so no suppressed count can be recovered by subtraction. Rates and ratios derived from a hidden count are
 *   null.
 * - "insufficient data" whenever fewer than two categories have a rate to compare, and for the whole pack when no
 *   score or no self-report is in the window.
 * EEO answers stay in this process: never stored, never sent to any AI provider.
 */

export const DEFAULT_MIN_CELL = 5;
export const EXCLUSION_SHARE = 0.02;

export type AssessedApplicant = {
  opportunityId: string;
  score: number;
  verdict: string;
  /** Self-reported answers; null when the applicant gave none (or none was found). */
  sex: string | null;
  race: string | null;
};

export type PackOptions = {
  from: string;
  to: string;
  postingId: string | null;
  minCell?: number;
  generatedAt: Date;
  dataSource: string;
  /** Applicants joined to an EEO self-report (the rest are counted as unknown). */
  withEeo: number;
};

const SELECTED = new Set(['strong', 'possible']);
const known = (answer: string | null) => {
  const g = groupOf(answer);
  return g === NOT_STATED ? null : g;
};

export function medianOf(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

type Counts = { applicants: number; aboveMedian: number; selected: number };
const zero = (): Counts => ({ applicants: 0, aboveMedian: 0, selected: 0 });

type Tally = { categories: Map<string, Counts>; unknown: Counts };

function tally(
  people: AssessedApplicant[],
  median: number,
  categoryOf: (p: AssessedApplicant) => string | null,
): Tally {
  const categories = new Map<string, Counts>();
  const unknown = zero();
  for (const p of people) {
    const c = categoryOf(p);
    const into = c === null ? unknown : (categories.get(c) ?? categories.set(c, zero()).get(c)!);
    into.applicants++;
    if (p.score > median) into.aboveMedian++;
    if (SELECTED.has(p.verdict)) into.selected++;
  }
  return { categories, unknown };
}

const MEASURES = ['applicants', 'aboveMedian', 'selected'] as const;
type Measure = (typeof MEASURES)[number];

/**
 * One suppression problem per measure: a flat list of cells, the ones never published marked hidden from the start,
 * and the groups of cells that add up to a published total.
 */
type Problem = { values: number[]; hidden: boolean[]; groups: number[][] };

export function computeAuditPack(people: AssessedApplicant[], opts: PackOptions): AuditPack {
  const minCell = opts.minCell ?? DEFAULT_MIN_CELL;
  const total = people.length;
  const median = medianOf(people.map((p) => p.score));
  const base = {
    from: opts.from,
    to: opts.to,
    postingId: opts.postingId,
    generatedAt: opts.generatedAt.toISOString(),
    minCell,
    sample: { assessed: total, withEeo: opts.withEeo, medianScore: median },
    dataSource: opts.dataSource,
  };
  if (total === 0 || median === null) {
    const reason = 'Fulcrum recorded no scores in this window, so there is nothing to audit.';
    return {
      ...base,
      state: 'insufficient-data',
      reason,
      tables: [],
      summary: summaryText({ ...base, tables: [] }, reason),
    };
  }

  const sexOf = (p: AssessedApplicant) => known(p.sex);
  const raceOf = (p: AssessedApplicant) => known(p.race);
  const sex = tally(people, median, sexOf);
  const race = tally(people, median, raceOf);
  const both = tally(people, median, (p) => {
    const s = sexOf(p);
    const r = raceOf(p);
    return s && r ? `${s} × ${r}` : null;
  });
  const order = (t: Tally) =>
    [...t.categories.keys()].sort(
      (a, b) => (t.categories.get(b)?.applicants ?? 0) - (t.categories.get(a)?.applicants ?? 0) || a.localeCompare(b),
    );
  const sexNames = order(sex);
  const raceNames = order(race);
  const bothNames = order(both);

  // Cell layout shared by the three measures: sex rows + sex unknown, race rows + race unknown, intersections +
  // intersection unknown, then the never-published "known sex, unknown race" and "unknown sex, known race" cells.
  const sexUnknownRace = sexNames.map((s) => people.filter((p) => sexOf(p) === s && raceOf(p) === null));
  const raceUnknownSex = raceNames.map((r) => people.filter((p) => raceOf(p) === r && sexOf(p) === null));
  const counted = (list: AssessedApplicant[]): Counts => ({
    applicants: list.length,
    aboveMedian: list.filter((p) => p.score > median).length,
    selected: list.filter((p) => SELECTED.has(p.verdict)).length,
  });
  const cells: Array<{ counts: Counts; published: Record<Measure, boolean> }> = [];
  const add = (counts: Counts, published: Record<Measure, boolean>) => cells.push({ counts, published }) - 1;
  const rowPublished = { applicants: true, aboveMedian: true, selected: true };
  // Of the unknown category only the number of applicants is published.
  const unknownPublished = { applicants: true, aboveMedian: false, selected: false };
  const never = { applicants: false, aboveMedian: false, selected: false };
  const sexIdx = sexNames.map((n) => add(sex.categories.get(n)!, rowPublished));
  const sexUnknownIdx = add(sex.unknown, unknownPublished);
  const raceIdx = raceNames.map((n) => add(race.categories.get(n)!, rowPublished));
  const raceUnknownIdx = add(race.unknown, unknownPublished);
  const bothIdx = bothNames.map((n) => add(both.categories.get(n)!, rowPublished));
  const bothUnknownIdx = add(both.unknown, unknownPublished);
  const sexUnknownRaceIdx = sexUnknownRace.map((list) => add(counted(list), never));
  const raceUnknownSexIdx = raceUnknownSex.map((list) => add(counted(list), never));

  const cellOf = (name: string) => bothIdx[bothNames.indexOf(name)];
  const groups: number[][] = [
    [...sexIdx, sexUnknownIdx],
    [...raceIdx, raceUnknownIdx],
    [...bothIdx, bothUnknownIdx],
    // Each sex's total (published in the sex table) = its intersections + the same sex with race unknown.
    ...sexNames.map((s, i) => [
      ...raceNames.map((r) => cellOf(`${s} × ${r}`)).filter((x): x is number => x !== undefined),
      sexUnknownRaceIdx[i]!,
    ]),
    ...raceNames.map((r, i) => [
      ...sexNames.map((s) => cellOf(`${s} × ${r}`)).filter((x): x is number => x !== undefined),
      raceUnknownSexIdx[i]!,
    ]),
  ];
  // Only the number of applicants has published table totals (the sample size); the numerators' totals are not
  // published, so for them only the margins (a sex's or race's own count, shown in the other tables) constrain.
  const tableTotals = groups.slice(0, 3);
  const margins = groups.slice(3);
  const unknownCells = new Set([sexUnknownIdx, raceUnknownIdx, bothUnknownIdx]);
  const hiddenBy = Object.fromEntries(
    MEASURES.map((m) => {
      const problem: Problem = {
        values: cells.map((c) => c.counts[m]),
        // A zero unknown count discloses nothing about anyone; every other count under the minimum is hidden.
        hidden: cells.map(
          (c, i) => !c.published[m] || (unknownCells.has(i) && c.counts[m] === 0 ? false : c.counts[m] < minCell),
        ),
        groups: m === 'applicants' ? [...tableTotals, ...margins] : margins,
      };
      const unpublished = cells.map((c) => !c.published[m]);
      return [m, complementarySuppression(problem.values, problem.hidden, problem.groups, minCell, unpublished)];
    }),
  ) as Record<Measure, boolean[]>;

  const packCell = (i: number, m: Measure): PackCell =>
    hiddenBy[m][i] ? { value: null, suppressed: true } : { value: cells[i]!.counts[m], suppressed: false };

  const table = (dimension: PackTable['dimension'], names: string[], idx: number[], unknownIdx: number): PackTable => {
    const rows: PackRow[] = names.map((category, k) => {
      const i = idx[k]!;
      const applicants = packCell(i, 'applicants');
      const aboveMedian = packCell(i, 'aboveMedian');
      const selected = packCell(i, 'selected');
      const rate = (n: PackCell) => (n.value === null || !applicants.value ? null : n.value / applicants.value);
      return {
        category,
        applicants,
        aboveMedian,
        selected,
        scoringRate: rate(aboveMedian),
        selectionRate: rate(selected),
        scoringImpactRatio: null,
        selectionImpactRatio: null,
        excludedFromRatios: cells[i]!.counts.applicants / total < EXCLUSION_SHARE,
      };
    });
    const ratios = (rateOf: (r: PackRow) => number | null, set: (r: PackRow, v: number) => void) => {
      const rated = rows.filter((r) => !r.excludedFromRatios && rateOf(r) !== null);
      const best = rated.reduce<PackRow | null>((b, r) => (b === null || rateOf(r)! > rateOf(b)! ? r : b), null);
      if (rated.length < 2 || !best || !(rateOf(best)! > 0)) return null;
      for (const r of rated) set(r, rateOf(r)! / rateOf(best)!);
      return best.category;
    };
    const referenceScoring = ratios(
      (r) => r.scoringRate,
      (r, v) => {
        r.scoringImpactRatio = v;
      },
    );
    const referenceSelection = ratios(
      (r) => r.selectionRate,
      (r, v) => {
        r.selectionImpactRatio = v;
      },
    );
    const ok = referenceScoring !== null || referenceSelection !== null;
    return {
      dimension,
      state: ok ? 'ok' : 'insufficient-data',
      reason: ok
        ? null
        : 'Fewer than two categories have a rate that can be shown and compared (categories under 2% of the sample, and rates from suppressed counts, are left out).',
      rows,
      unknown: packCell(unknownIdx, 'applicants'),
      referenceScoring,
      referenceSelection,
    };
  };

  const tables = [
    table('sex', sexNames, sexIdx, sexUnknownIdx),
    table('race-ethnicity', raceNames, raceIdx, raceUnknownIdx),
    table('intersectional', bothNames, bothIdx, bothUnknownIdx),
  ];
  const reason =
    opts.withEeo === 0
      ? 'No assessed applicant in this window has a self-reported EEO answer, so no category can be compared.'
      : tables.every((t) => t.state === 'insufficient-data')
        ? 'No table has two categories with rates that can be shown and compared.'
        : null;
  const pack = { ...base, state: reason ? 'insufficient-data' : 'ok', reason, tables } as const;
  return { ...pack, summary: summaryText(pack, reason) };
}

const pct = (x: number | null) => (x === null ? 'not shown' : `${(x * 100).toFixed(1)}%`);
const ratio = (x: number | null) => (x === null ? '—' : x.toFixed(2));
const count = (c: PackCell) => (c.value === null ? 'fewer than the minimum (suppressed)' : String(c.value));

const DIMENSION_NAMES: Record<PackTable['dimension'], string> = {
  sex: 'Sex',
  'race-ethnicity': 'Race/ethnicity',
  intersectional: 'Intersectional (sex × race/ethnicity)',
};

/** The draft public summary: dates, data source, counts and ratios, with what the auditor still has to add. */
function summaryText(
  p: Omit<AuditPack, 'summary' | 'state' | 'reason'> & { tables: PackTable[] },
  reason: string | null,
): string {
  const lines = [
    'DRAFT summary of the results of a bias audit (NYC Local Law 144): to be reviewed, completed and published by the independent auditor.',
    '',
    'Tool: Fulcrum (assists recruiters by scoring applications against a posting; a recruiter makes every decision).',
    `Period of the data: ${p.from} to ${p.to}${p.postingId ? `, posting ${p.postingId}` : ', all postings'}. Draft prepared: ${p.generatedAt.slice(0, 10)}.`,
    'Auditor, date of the audit and distribution date of the tool: [to be completed by the auditor].',
    `Data source: ${p.dataSource}`,
    `Applicants assessed: ${p.sample.assessed}; with a self-reported EEO answer: ${p.sample.withEeo}. Median score of the sample: ${p.sample.medianScore ?? '—'}.`,
    'Scoring rate: the share of a category scoring above the sample median. Selection rate: the share with a "strong" or "possible" verdict. Impact ratio: a category\'s rate divided by the highest rate among the compared categories.',
    `Counts under ${p.minCell}, and counts that would reveal them by subtraction, are suppressed. Categories under 2% of the sample are reported but not compared.`,
  ];
  if (reason) lines.push('', `Insufficient data: ${reason}`);
  for (const t of p.tables) {
    lines.push(
      '',
      `${DIMENSION_NAMES[t.dimension]}${t.state === 'insufficient-data' ? ' (insufficient data for impact ratios)' : ''}`,
    );
    for (const r of t.rows) {
      lines.push(
        `- ${r.category}: ${count(r.applicants)} applicants; scoring rate ${pct(r.scoringRate)}, impact ratio ${ratio(r.scoringImpactRatio)}; selection rate ${pct(r.selectionRate)}, impact ratio ${ratio(r.selectionImpactRatio)}${r.excludedFromRatios ? '; under 2% of the sample, excluded from the impact ratios' : ''}`,
      );
    }
    lines.push(`- Unknown category: ${count(t.unknown)} applicants`);
  }
  return lines.join('\n');
}

/** The pack as CSV: one line per table row (and one per table for the unknown count); suppressed cells say so. */
export function auditPackToCsv(p: AuditPack): string {
  const esc = (v: string | number | boolean | null) => {
    if (v === null) return '';
    let s = String(v);
    // A spreadsheet runs a cell starting with = + - @ as a formula: category names come from self-reports.
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const c = (x: PackCell) => (x.suppressed ? 'suppressed' : String(x.value));
  const out = [
    'dimension,category,applicants,above_median,selected,scoring_rate,selection_rate,scoring_impact_ratio,selection_impact_ratio,excluded_from_ratios',
  ];
  for (const t of p.tables) {
    for (const r of t.rows) {
      out.push(
        [
          t.dimension,
          r.category,
          c(r.applicants),
          c(r.aboveMedian),
          c(r.selected),
          r.scoringRate,
          r.selectionRate,
          r.scoringImpactRatio,
          r.selectionImpactRatio,
          r.excludedFromRatios,
        ]
          .map((v) => esc(v as string | number | boolean | null))
          .join(','),
      );
    }
    out.push([t.dimension, 'Unknown', c(t.unknown), '', '', '', '', '', '', ''].map((v) => esc(v)).join(','));
  }
  return `${out.join('\n')}\n`;
}
