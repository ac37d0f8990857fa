import { z } from 'zod';
import type {
  EeoDimension,
  FunnelCell,
  FunnelDimension,
  FunnelGroup,
  FunnelReport,
} from '../../utils/contracts/fairness.ts';

/**
 * The diversity funnel from Lever's anonymous EEO self-reports (`GET /eeo/responses`): how many people of each
 * self-reported group reached each stage, pass rates, and adverse-impact ratios (the four-fifths rule).
 *
 * Privacy promises, which the tests hold us to:
 * - Only self-reported answers are used; nothing is inferred from names or photos, and this module never sees names.
 * - No count below `minCount` is ever returned, zero included ("nobody from group X" about a small group is itself a
 *   disclosure). Every shown count is >= minCount.
 * - Complementary suppression: within a column, group cells add up to the column total, so a lone suppressed cell
 *   could be recovered by subtraction. While a column total is shown, its suppressed cells are at least two and add up
 *   to at least `minCount`; otherwise the smallest shown cell is suppressed too. A total below `minCount` is
 *   suppressed itself (and then every cell of that column is). Totals are the same in every dimension, so they are
 *   suppressed identically everywhere.
 * - Rates are null whenever a count they derive from is suppressed, so no rate reveals a hidden count.
 * This data must never be sent to an LLM and is for admin recruiters only (enforced by the routes that call this).
 */

export const DEFAULT_MIN_COUNT = 5;
/** The four-fifths rule (US Uniform Guidelines on Employee Selection Procedures, 29 CFR 1607.4(D)). */
export const FOUR_FIFTHS = 0.8;
/** Rates are floating point: 0.64 / 0.8 must count as exactly four fifths, not 0.7999999999999999. */
const EPSILON = 1e-9;

/** True when an impact ratio falls below four fifths. */
export function belowFourFifths(impactRatio: number): boolean {
  return impactRatio < FOUR_FIFTHS - EPSILON;
}
export const NOT_STATED = 'Declined / not stated';
export const DIMENSIONS: readonly EeoDimension[] = ['gender', 'race', 'veteran', 'disability'];

const ref = z.union([z.string(), z.looseObject({ id: z.string() })]).nullish();

/** Live data has ms numbers; the docs' example has strings (numeric or ISO dates). Unreadable text counts as absent. */
const when = z
  .union([z.number(), z.string()])
  .nullish()
  .transform((v) => {
    if (typeof v !== 'string') return v;
    const n = /^\d+$/.test(v.trim()) ? Number(v) : Date.parse(v);
    return Number.isFinite(n) ? n : null;
  });

/**
 * One EEO response (Lever's `data: [...]`); every field optional, extra fields ignored. Anonymous responses have no
 * `posting`; only those from `/eeo/responses/pii` do, so only those can be filtered by posting.
 */
export const EeoResponseLikeSchema = z.looseObject({
  gender: z.string().nullish(),
  race: z.string().nullish(),
  veteran: z.string().nullish(),
  disability: z.string().nullish(),
  currentStage: ref,
  appliedAt: when,
  hiredDate: when,
  posting: ref,
});
export type EeoResponseLike = z.input<typeof EeoResponseLikeSchema>;

export type FunnelInput = {
  responses: unknown[];
  /** Pipeline stages in order (Lever `GET /stages`). A final "Hired" column is added from `hiredDate`. */
  stages: Array<{ id: string; text: string }>;
  minCount?: number;
  /** Keep only these postings and/or applications within [appliedFrom, appliedTo] (ms epoch, inclusive). */
  filter?: { postingIds?: string[]; appliedFrom?: number; appliedTo?: number };
};

export class FunnelInputError extends Error {
  override name = 'FunnelInputError';
}

const DECLINED =
  /declin|prefer not|not (?:wish|want) to|don['’]?t wish|do not wish|not (?:stated|specified|disclosed|provided)|unknown|^n\/?a$|^-+$/i;

/** A self-reported answer as a group name; declined, blank or unknown answers are NOT_STATED. */
export function groupOf(answer: string | null | undefined): string {
  const trimmed = answer?.trim();
  return !trimmed || DECLINED.test(trimmed) ? NOT_STATED : trimmed;
}

function idOf(value: z.infer<typeof ref>): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : value.id;
}

/**
 * Complementary suppression over cells that add up to published totals (the funnel's columns, the audit pack's
 * tables and their margins). `groups` lists, for each total, the cells that sum to it; `suppressed` starts with the
 * small cells (and any cell that is never published) and is widened in place until, in every group, the hidden cells
 * are none, or at least two adding up to at least `minCount`, so no hidden cell can be recovered by subtracting the
 * shown ones from the total. The smallest shown cell of a group is hidden next. Groups sharing cells are revisited
 * until nothing changes (suppression only grows, so this ends). A group whose hidden cells are all `unpublished`
 * ones is left alone: what subtraction would give is no group's count.
 */
export function complementarySuppression(
  values: readonly number[],
  suppressed: boolean[],
  groups: ReadonlyArray<readonly number[]>,
  minCount: number,
  /** Cells that are never published and are not a group of their own: they hide others, need no hiding themselves. */
  unpublished: readonly boolean[] = [],
): boolean[] {
  for (let changed = true; changed; ) {
    changed = false;
    for (const group of groups) {
      for (;;) {
        const hidden = group.filter((i) => suppressed[i]);
        const hiddenSum = hidden.reduce((sum, i) => sum + (values[i] ?? 0), 0);
        const protectedHidden = hidden.some((i) => !unpublished[i]);
        if (!protectedHidden || (hidden.length >= 2 && hiddenSum >= minCount)) break;
        const shown = group.filter((i) => !suppressed[i] && !unpublished[i]);
        if (shown.length === 0) break;
        const smallest = shown.reduce((a, b) => ((values[b] ?? 0) <= (values[a] ?? 0) ? b : a));
        suppressed[smallest] = true;
        changed = true;
      }
    }
  }
  return suppressed;
}

const cell = (value: number, suppressed: boolean): FunnelCell => ({ value: suppressed ? null : value, suppressed });
const ratio = (a: FunnelCell | undefined, b: FunnelCell | undefined): number | null =>
  a?.value == null || b?.value == null || b.value === 0 ? null : a.value / b.value;

export function computeFunnel(input: FunnelInput): FunnelReport {
  const minCount = input.minCount ?? DEFAULT_MIN_COUNT;
  if (!Number.isInteger(minCount) || minCount < 1) throw new FunnelInputError('minCount must be a positive integer');
  if (input.stages.length === 0) throw new FunnelInputError('at least one pipeline stage is needed');
  const columns = [...input.stages.map(({ id, text }) => ({ id, text })), { id: 'hired', text: 'Hired' }];
  const stageIndex = new Map(input.stages.map((s, i) => [s.id, i]));
  const hiredColumn = columns.length - 1;

  const { postingIds, appliedFrom, appliedTo } = input.filter ?? {};
  const postings = postingIds ? new Set(postingIds) : null;
  const people: Array<{ reached: number; answers: Record<EeoDimension, string> }> = [];
  let unknownStage = 0;
  for (const raw of input.responses) {
    const r = EeoResponseLikeSchema.parse(raw);
    if (postings && !r.posting) {
      // An anonymous response would be dropped by every posting filter: say so instead of reporting nobody.
      throw new FunnelInputError(
        'a posting filter needs EEO responses that name their posting (Lever /eeo/responses/pii); anonymous responses do not',
      );
    }
    if (postings && !postings.has(idOf(r.posting) ?? '')) continue;
    if (appliedFrom !== undefined && !(typeof r.appliedAt === 'number' && r.appliedAt >= appliedFrom)) continue;
    if (appliedTo !== undefined && !(typeof r.appliedAt === 'number' && r.appliedAt <= appliedTo)) continue;
    // Lever keeps an archived candidate's last stage as currentStage, so it is the furthest stage reached.
    let reached = typeof r.hiredDate === 'number' ? hiredColumn : stageIndex.get(idOf(r.currentStage) ?? '');
    if (reached === undefined) {
      unknownStage++;
      reached = 0;
    }
    people.push({
      reached,
      answers: {
        gender: groupOf(r.gender),
        race: groupOf(r.race),
        veteran: groupOf(r.veteran),
        disability: groupOf(r.disability),
      },
    });
  }

  const totals = columns.map((_, k) => people.filter((p) => p.reached >= k).length);
  const totalShown = totals.map((t) => t >= minCount);
  return {
    minCount,
    columns,
    unknownStage: cell(unknownStage, unknownStage < minCount),
    dimensions: DIMENSIONS.map((dimension) =>
      funnelFor(dimension, people, columns.length, totals, totalShown, minCount),
    ),
  };
}

function funnelFor(
  dimension: EeoDimension,
  people: Array<{ reached: number; answers: Record<EeoDimension, string> }>,
  columnCount: number,
  totals: number[],
  totalShown: boolean[],
  minCount: number,
): FunnelDimension {
  const raw = new Map<string, number[]>();
  for (const person of people) {
    const group = person.answers[dimension];
    const counts = raw.get(group) ?? new Array<number>(columnCount).fill(0);
    for (let k = 0; k <= person.reached; k++) counts[k] = (counts[k] ?? 0) + 1;
    raw.set(group, counts);
  }
  const names = [...raw.keys()].sort((a, b) => {
    if ((a === NOT_STATED) !== (b === NOT_STATED)) return a === NOT_STATED ? 1 : -1;
    return (raw.get(b)?.[0] ?? 0) - (raw.get(a)?.[0] ?? 0) || a.localeCompare(b);
  });
  const value = (g: string, k: number) => raw.get(g)?.[k] ?? 0;

  const suppressed = new Map(names.map((g) => [g, new Array<boolean>(columnCount).fill(false)]));
  for (let k = 0; k < columnCount; k++) {
    const values = names.map((g) => value(g, k));
    const hidden = values.map((v) => !totalShown[k] || v < minCount);
    if (totalShown[k]) complementarySuppression(values, hidden, [names.map((_, i) => i)], minCount);
    names.forEach((g, i) => {
      suppressed.get(g)![k] = hidden[i]!;
    });
  }

  const groups: FunnelGroup[] = names.map((group) => {
    const counts = Array.from({ length: columnCount }, (_, k) => cell(value(group, k), suppressed.get(group)![k]!));
    const reachRates = counts.map((c) => ratio(c, counts[0]));
    return {
      group,
      notStated: group === NOT_STATED,
      counts,
      passRates: counts.slice(1).map((c, k) => ratio(c, counts[k])),
      reachRates,
      impactRatios: new Array<number | null>(columnCount).fill(null),
      selectionRate: reachRates[columnCount - 1] ?? null,
      impactRatio: null,
      fourFifthsFlag: null,
    };
  });

  // Impact ratios compare self-identified groups only: "Declined / not stated" is shown but is not a group.
  const comparable = groups.filter((g) => !g.notStated);
  for (let k = 1; k < columnCount; k++) {
    const rated = comparable.filter((g) => g.reachRates[k] != null);
    const best = Math.max(...rated.map((g) => g.reachRates[k]!));
    if (rated.length < 2 || !(best > 0)) continue;
    for (const g of rated) g.impactRatios[k] = g.reachRates[k]! / best;
  }
  for (const g of groups) {
    g.impactRatio = g.impactRatios[columnCount - 1] ?? null;
    g.fourFifthsFlag = g.impactRatio === null ? null : belowFourFifths(g.impactRatio);
  }
  const withSelection = comparable.filter((g) => g.selectionRate !== null);
  const reference = withSelection.reduce<FunnelGroup | null>(
    (best, g) => (best === null || g.selectionRate! > best.selectionRate! ? g : best),
    null,
  );
  const state = withSelection.length >= 2 ? 'ok' : 'insufficient-data';
  return {
    dimension,
    state,
    referenceGroup: state === 'ok' ? (reference?.group ?? null) : null,
    groups,
    totals: totals.map((t, k) => cell(t, !totalShown[k])),
  };
}
