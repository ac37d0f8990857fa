import { z } from 'zod';

/**
 * Fair-hiring results (job-description check, diversity funnel, scorer bias self-test) as the backend returns them
 * and the side panel renders them. Fulcrum informs; it never decides: these are reports, not gates.
 */

// ---------------------------------------------------------------------------------------------------------------
// Job-description check

export const JdFindingCategorySchema = z.enum([
  'masculine-coded',
  'feminine-coded',
  'exclusionary',
  'age-coded',
  'jargon',
  'requirement-inflation',
  'missing-info',
]);
export type JdFindingCategory = z.infer<typeof JdFindingCategorySchema>;

/**
 * One highlighted span. `text === checkedText.slice(start, end)` always. A missing-info finding has nothing to
 * point at, so its span is empty (`start === end === 0`, `text === ''`).
 */
export const JdFindingSchema = z.object({
  text: z.string(),
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
  category: JdFindingCategorySchema,
  reason: z.string(),
  /** Citation (paper, rule set, law) the finding rests on. */
  source: z.string(),
  suggestion: z.string(),
});
export type JdFinding = z.infer<typeof JdFindingSchema>;

/** 'neutral' = no gender-coded words at all; 'balanced' = both kinds, neither clearly ahead. */
export const JdVerdictSchema = z.enum(['masculine-leaning', 'feminine-leaning', 'balanced', 'neutral']);
export type JdVerdict = z.infer<typeof JdVerdictSchema>;

export const JdCheckResultSchema = z.object({
  verdict: JdVerdictSchema,
  counts: z.object({
    masculine: z.number().int().nonnegative(),
    feminine: z.number().int().nonnegative(),
    byCategory: z.record(JdFindingCategorySchema, z.number().int().nonnegative()),
  }),
  /** Sorted by start offset, then category. */
  findings: z.array(JdFindingSchema),
});
export type JdCheckResult = z.infer<typeof JdCheckResultSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Diversity funnel (EEO self-reports only; never inferred, never sent to an LLM, admin-only)

export const EeoDimensionSchema = z.enum(['gender', 'race', 'veteran', 'disability']);
export type EeoDimension = z.infer<typeof EeoDimensionSchema>;

/** A count that is either shown (>= minCount) or suppressed (value null). */
export const FunnelCellSchema = z.object({
  value: z.number().int().nonnegative().nullable(),
  suppressed: z.boolean(),
});
export type FunnelCell = z.infer<typeof FunnelCellSchema>;

export const FunnelGroupSchema = z.object({
  group: z.string(),
  /** True for "Declined / not stated": shown, but never a comparison group for the four-fifths rule. */
  notStated: z.boolean(),
  /** One cell per funnel column (the stages in pipeline order, then "Hired"). */
  counts: z.array(FunnelCellSchema),
  /** passRates[k] = counts[k+1] / counts[k]; null when either cell is suppressed or counts[k] is 0. */
  passRates: z.array(z.number().nullable()),
  /** reachRates[k] = counts[k] / counts[0]; null when either is suppressed. */
  reachRates: z.array(z.number().nullable()),
  /** impactRatios[k] = reachRates[k] / highest reachRates[k] among comparable groups; null = insufficient data. */
  impactRatios: z.array(z.number().nullable()),
  /** selectionRate = reachRates of the last column (hired / applied). */
  selectionRate: z.number().nullable(),
  impactRatio: z.number().nullable(),
  /** True when impactRatio < 0.8 (the four-fifths rule); null when it cannot be computed. */
  fourFifthsFlag: z.boolean().nullable(),
});
export type FunnelGroup = z.infer<typeof FunnelGroupSchema>;

export const FunnelDimensionSchema = z.object({
  dimension: EeoDimensionSchema,
  /** 'insufficient-data' when fewer than two comparable groups have a shown selection rate. */
  state: z.enum(['ok', 'insufficient-data']),
  /** The comparable group with the highest selection rate (impact ratios are relative to it). */
  referenceGroup: z.string().nullable(),
  groups: z.array(FunnelGroupSchema),
  /** Column totals over all groups (identical across dimensions, so suppressed identically everywhere). */
  totals: z.array(FunnelCellSchema),
});
export type FunnelDimension = z.infer<typeof FunnelDimensionSchema>;

export const FunnelReportSchema = z.object({
  minCount: z.number().int().positive(),
  /** The funnel columns: pipeline stages in order, then a final 'hired' column. */
  columns: z.array(z.object({ id: z.string(), text: z.string() })),
  /** Responses whose current stage is not in the pipeline; counted as applied only. */
  unknownStage: FunnelCellSchema,
  dimensions: z.array(FunnelDimensionSchema),
});
export type FunnelReport = z.infer<typeof FunnelReportSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Scorer bias self-test

export const BiasGroupIdSchema = z.string();

export const BiasGroupResultSchema = z.object({
  /** e.g. 'white-female', 'black-male', 'hispanic-female', 'asian-male'. */
  group: BiasGroupIdSchema,
  perceivedGender: z.enum(['female', 'male']),
  perceivedEthnicity: z.string(),
  copies: z.number().int().nonnegative(),
  meanScore: z.number(),
  /** Mean of (copy score - original score) over every copy in the group. */
  meanDifference: z.number(),
  /** Share of copies scoring >= threshold. */
  selectionRate: z.number(),
  /** The copy's rank among the other resumes' original scores, compared with the original's rank. */
  shortlist: z.object({
    entered: z.number().int().nonnegative(),
    left: z.number().int().nonnegative(),
    meanRankChange: z.number(),
    maxAbsRankChange: z.number().int().nonnegative(),
  }),
});
export type BiasGroupResult = z.infer<typeof BiasGroupResultSchema>;

export const BiasTestReportSchema = z.object({
  postingId: z.string(),
  provider: z.object({ name: z.string(), model: z.string().optional() }),
  resumes: z.number().int().nonnegative(),
  /** Resumes where no name could be found; their copies got the variant name as a first line instead. */
  resumesWithoutDetectedName: z.number().int().nonnegative(),
  copiesScored: z.number().int().nonnegative(),
  threshold: z.number(),
  /** 'given' = passed by the caller; 'median' = median of the original scores. */
  thresholdSource: z.enum(['given', 'median']),
  shortlistSize: z.number().int().positive(),
  groups: z.array(BiasGroupResultSchema),
  /** The resume whose copies' scores spread the most, and the two copies at the ends; null when no copy differs. */
  largestDifference: z
    .object({
      resumeId: z.string(),
      difference: z.number(),
      high: z.object({ group: z.string(), name: z.string(), score: z.number() }),
      low: z.object({ group: z.string(), name: z.string(), score: z.number() }),
    })
    .nullable(),
  selection: z.object({
    /** min/max of the groups' selection rates; null when no copy reached the threshold. */
    impactRatio: z.number().nullable(),
    fourFifthsFlag: z.boolean().nullable(),
    highestGroup: z.string().nullable(),
    lowestGroup: z.string().nullable(),
  }),
  /** True when every copy of every resume scored exactly what the other copies of that resume scored. */
  zeroDifference: z.boolean(),
  namesSource: z.string(),
});
export type BiasTestReport = z.infer<typeof BiasTestReportSchema>;

// ---------------------------------------------------------------------------------------------------------------
// HTTP shapes (backend/routes/fairness.ts)

/** GET /api/postings/:postingId/jd-check: the check plus the exact text its offsets point into. */
export const JdCheckResponseSchema = JdCheckResultSchema.extend({
  posting: z.object({ id: z.string(), title: z.string() }),
  text: z.string(),
});
export type JdCheckResponse = z.infer<typeof JdCheckResponseSchema>;

export const FunnelQuerySchema = z.object({
  postingId: z.string().min(1).max(100).optional(),
  team: z.string().min(1).max(200).optional(),
  /** YYYY-MM-DD (UTC); default: 90 days before `to`. */
  from: z.iso.date().optional(),
  /** YYYY-MM-DD (UTC), inclusive; default: today. */
  to: z.iso.date().optional(),
  /** Smallest count shown; at least 5 (smaller cells single people out), like DEFAULT_MIN_COUNT. */
  minCount: z.coerce
    .number()
    .int()
    .min(5, 'must be at least 5: smaller cells could identify individual applicants')
    .max(100)
    .optional(),
});
export type FunnelQuery = z.infer<typeof FunnelQuerySchema>;

/** At most 20 resumes: each one is scored 1 + groups x names times by the active engine. */
export const BIAS_TEST_MAX_RESUMES = 20;

export const BiasTestRequestSchema = z.object({
  postingId: z.string().min(1).max(100),
  resumes: z.number().int().min(1).max(BIAS_TEST_MAX_RESUMES).default(10),
  threshold: z.number().finite().optional(),
});
export type BiasTestRequest = z.input<typeof BiasTestRequestSchema>;

/**
 * Routes:
 * - GET  /api/postings/:postingId/jd-check            → JdCheckResponse (whoever may see the posting in Lever)
 * - POST /api/postings/:postingId/rewrite             → Proposal (kind 'posting-rewrite', 201; the posting's owner,
 *                                                       hiring manager or a Lever admin)
 * - GET  /api/admin/funnel?postingId=&team=&from=&to=&minCount=   → FunnelReport (Fulcrum admin and Lever admin)
 * - GET  /api/admin/funnel.csv?(same)                 → text/csv (Fulcrum admin and Lever admin)
 * - POST /api/admin/bias-test   BiasTestRequest       → BiasTestReport (Fulcrum admin and Lever admin)
 */
