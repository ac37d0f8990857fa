import { z } from 'zod';
import type { BiasGroupResult, BiasTestReport } from '../../utils/contracts/fairness.ts';
import {
  type DetectedName,
  detectName,
  makeCounterfactual,
  NAME_GROUPS,
  NAMES_SOURCE,
  type NameGroup,
  type NameVariant,
  nameVariants,
} from './counterfactual-resume.ts';

/**
 * Scorer bias self-test: score every resume and counterfactual copies of it that differ only in name, pronouns and a
 * few gendered words, then report how scores, shortlist ranks and selection rates move with perceived gender and
 * ethnicity. It measures; it does not correct. A name-blind engine must show exactly zero difference; an LLM's
 * differences are reported as they are. The caller writes the report to the audit trail with provider and model.
 */

export type BiasTestPosting = { id: string; title: string; text: string };
export type BiasTestResume = { id: string; text: string; name?: string };
/**
 * Scores one resume text. `candidate.name` is the name the copy carries (the variant's, or the original's when known),
 * for engines that take the name separately, e.g. to redact it before an LLM call as production does.
 */
export type Scorer = (
  posting: BiasTestPosting,
  resumeText: string,
  candidate: { name: string | null },
) => Promise<number>;

export type BiasTestInput = {
  posting: BiasTestPosting;
  resumes: BiasTestResume[];
  score: Scorer;
  /** Selection threshold on the scorer's scale; default: the median of the original scores. */
  threshold?: number;
  /** Top-k shortlist for rank changes; default 5 (capped at the number of resumes). */
  shortlistSize?: number;
  provider: { name: string; model?: string };
  /** Names per group (default 3): copies per resume = groups x namesPerGroup. */
  namesPerGroup?: number;
  /** Scoring calls in flight at once (default 4). */
  concurrency?: number;
  groups?: readonly NameGroup[];
};

export class BiasTestInputError extends Error {
  override name = 'BiasTestInputError';
}
export class ScorerOutputError extends Error {
  override name = 'ScorerOutputError';
}

const ScoreSchema = z.number().finite();

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0);

/** 1 + how many other resumes scored strictly higher: ties share the better rank. */
function rankAmong(score: number, others: number[]): number {
  return 1 + others.filter((o) => o > score).length;
}

type Copy = { resume: number; variant: NameVariant; score: number };

export async function runBiasTest(input: BiasTestInput): Promise<BiasTestReport> {
  const { posting, resumes, provider } = input;
  if (resumes.length === 0) throw new BiasTestInputError('the bias test needs at least one resume');
  const groups = input.groups ?? NAME_GROUPS;
  const variants = nameVariants(input.namesPerGroup ?? 3, groups);
  const shortlistSize = Math.max(1, Math.min(input.shortlistSize ?? 5, resumes.length));
  const concurrency = input.concurrency ?? 4;

  const score = async (text: string, name: string | null) => {
    const parsed = ScoreSchema.safeParse(await input.score(posting, text, { name }));
    if (!parsed.success)
      throw new ScorerOutputError(`the scorer returned a non-numeric score for posting ${posting.id}`);
    return parsed.data;
  };

  const detected: Array<DetectedName | null> = resumes.map((r) => detectName(r));
  const originals = await mapLimit(resumes, concurrency, (r, i) =>
    score(r.text, r.name ?? (detected[i]?.parts.join(' ') || null)),
  );
  const jobs = resumes.flatMap((r, i) =>
    variants.map((variant) => ({ resume: i, variant, text: makeCounterfactual(r.text, detected[i] ?? null, variant) })),
  );
  const copies: Copy[] = await mapLimit(jobs, concurrency, async (job) => ({
    resume: job.resume,
    variant: job.variant,
    score: await score(job.text, `${job.variant.given} ${job.variant.family}`),
  }));

  const threshold = input.threshold ?? median(originals);
  const othersOf = (i: number) => originals.filter((_, j) => j !== i);
  const originalRank = originals.map((s, i) => rankAmong(s, othersOf(i)));

  const groupResults: BiasGroupResult[] = groups
    .filter((g) => variants.some((v) => v.group === g.id))
    .map((g) => {
      const mine = copies.filter((c) => c.variant.group === g.id);
      const rankChanges = mine.map((c) => originalRank[c.resume]! - rankAmong(c.score, othersOf(c.resume)));
      return {
        group: g.id,
        perceivedGender: g.perceivedGender,
        perceivedEthnicity: g.perceivedEthnicity,
        copies: mine.length,
        meanScore: mean(mine.map((c) => c.score)),
        meanDifference: mean(mine.map((c) => c.score - originals[c.resume]!)),
        selectionRate: mine.length ? mine.filter((c) => c.score >= threshold).length / mine.length : 0,
        shortlist: {
          entered: mine.filter(
            (c, k) =>
              originalRank[c.resume]! > shortlistSize && originalRank[c.resume]! - rankChanges[k]! <= shortlistSize,
          ).length,
          left: mine.filter(
            (c, k) =>
              originalRank[c.resume]! <= shortlistSize && originalRank[c.resume]! - rankChanges[k]! > shortlistSize,
          ).length,
          meanRankChange: mean(rankChanges),
          maxAbsRankChange: Math.max(0, ...rankChanges.map(Math.abs)),
        },
      };
    });

  let largest: BiasTestReport['largestDifference'] = null;
  resumes.forEach((resume, i) => {
    const mine = copies.filter((c) => c.resume === i);
    if (mine.length === 0) return;
    const high = mine.reduce((a, b) => (b.score > a.score ? b : a));
    const low = mine.reduce((a, b) => (b.score < a.score ? b : a));
    const difference = high.score - low.score;
    if (difference > 0 && (largest === null || difference > largest.difference)) {
      const side = (c: Copy) => ({
        group: c.variant.group,
        name: `${c.variant.given} ${c.variant.family}`,
        score: c.score,
      });
      largest = { resumeId: resume.id, difference, high: side(high), low: side(low) };
    }
  });

  const rated = groupResults.filter((g) => g.copies > 0);
  const highest = rated.reduce<BiasGroupResult | null>(
    (a, b) => (a === null || b.selectionRate > a.selectionRate ? b : a),
    null,
  );
  const lowest = rated.reduce<BiasGroupResult | null>(
    (a, b) => (a === null || b.selectionRate < a.selectionRate ? b : a),
    null,
  );
  const impactRatio =
    highest && lowest && highest.selectionRate > 0 ? lowest.selectionRate / highest.selectionRate : null;

  const zeroDifference = resumes.every((_, i) => {
    const scores = copies.filter((c) => c.resume === i).map((c) => c.score);
    return scores.every((s) => s === scores[0]);
  });

  return {
    postingId: posting.id,
    provider: provider.model === undefined ? { name: provider.name } : { name: provider.name, model: provider.model },
    resumes: resumes.length,
    resumesWithoutDetectedName: detected.filter((d) => d === null).length,
    copiesScored: copies.length,
    threshold,
    thresholdSource: input.threshold === undefined ? 'median' : 'given',
    shortlistSize,
    groups: groupResults,
    largestDifference: largest,
    selection: {
      impactRatio,
      fourFifthsFlag: impactRatio === null ? null : impactRatio < 0.8,
      highestGroup: impactRatio === null ? null : (highest?.group ?? null),
      lowestGroup: impactRatio === null ? null : (lowest?.group ?? null),
    },
    zeroDifference,
    namesSource: NAMES_SOURCE,
  };
}
