import { z } from 'zod';

/**
 * AI results as they travel from the backend to the side panel. Defined once here; the backend validates what it
 * sends and the extension validates what it receives.
 */

export const ProvenanceSchema = z.object({
  /** 'local' = the deterministic engine; 'openai' = any OpenAI-compatible endpoint. */
  provider: z.enum(['local', 'openai']),
  model: z.string(),
  /** Engine or SDK version. */
  version: z.string(),
  /** Prompt or template version of the capability, bumped whenever its wording changes. */
  promptVersion: z.string(),
  /** sha256 of the redacted input, the cache key. */
  inputHash: z.string(),
  latencyMs: z.number().nonnegative(),
  createdAt: z.string(),
  /** Set when an LLM call failed and the local engine answered instead. */
  fallback: z.object({ from: z.string(), reason: z.string() }).optional(),
  usage: z.object({ promptTokens: z.number(), completionTokens: z.number() }).optional(),
  cached: z.boolean().optional(),
});
export type Provenance = z.infer<typeof ProvenanceSchema>;

/** A quoted span of source text: `quote === sourceText.slice(start, end)`. */
export const EvidenceSchema = z.object({
  source: z.enum(['resume', 'application', 'notes', 'feedback', 'posting', 'profile']),
  quote: z.string(),
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
});
export type Evidence = z.infer<typeof EvidenceSchema>;

export const InjectionFlagSchema = z.object({
  kind: z.literal('prompt-injection'),
  quote: z.string(),
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
  source: EvidenceSchema.shape.source,
  reason: z.string(),
});
export type InjectionFlag = z.infer<typeof InjectionFlagSchema>;

export const CriterionSchema = z.object({
  id: z.string(),
  text: z.string(),
  kind: z.enum(['skill', 'experience', 'education', 'language', 'other']),
  weight: z.number().positive(),
  mustHave: z.boolean(),
});
export type Criterion = z.infer<typeof CriterionSchema>;

/** A recruiter-defined rubric for a posting; overrides the criteria extracted from the posting text. */
export const RubricSchema = z.object({
  postingId: z.string(),
  criteria: z.array(CriterionSchema).min(1).max(40),
});
export type Rubric = z.infer<typeof RubricSchema>;

export const CriterionStatusSchema = z.enum(['met', 'partly', 'not-met', 'unclear']);
export type CriterionStatus = z.infer<typeof CriterionStatusSchema>;

export const CriterionResultSchema = z.object({
  criterion: CriterionSchema,
  status: CriterionStatusSchema,
  evidence: z.array(EvidenceSchema),
  /** One sentence a recruiter can read: why this status. */
  explanation: z.string(),
});
export type CriterionResult = z.infer<typeof CriterionResultSchema>;

/**
 * Candidate text the backend cut before reading it: past the length limit (RESUME_MAX_CHARS), or runs of thousands
 * of characters without a space. `message` is what the side panel shows ("Résumé truncated at 200,000 characters
 * (of 412,345): only the first part was read.").
 */
export const TextTruncationSchema = z.object({
  source: z.enum(['resume', 'application']),
  originalChars: z.number().int().nonnegative(),
  keptChars: z.number().int().nonnegative(),
  longRunsCut: z.number().int().nonnegative(),
  message: z.string(),
});
export type TextTruncation = z.infer<typeof TextTruncationSchema>;

export const VerdictSchema = z.enum(['strong', 'possible', 'weak', 'unclear']);
export type Verdict = z.infer<typeof VerdictSchema>;

export const MatchResultSchema = z.object({
  score: z.number().min(0).max(100),
  verdict: VerdictSchema,
  summary: z.string(),
  criteria: z.array(CriterionResultSchema),
  strengths: z.array(
    z.object({ text: z.string(), criterionId: z.string().optional(), evidence: z.array(EvidenceSchema) }),
  ),
  gaps: z.array(z.object({ text: z.string(), criterionId: z.string().optional(), evidence: z.array(EvidenceSchema) })),
  askCandidate: z.array(z.object({ criterionId: z.string(), question: z.string() })),
  flags: z.array(InjectionFlagSchema),
  rubricSource: z.enum(['extracted', 'recruiter']),
  provenance: ProvenanceSchema,
  /** Set when the score rests on part of the candidate's text (see TextTruncationSchema). */
  truncated: z.array(TextTruncationSchema).optional(),
});
export type MatchResult = z.infer<typeof MatchResultSchema>;

export const ToneSchema = z.enum(['warm', 'concise', 'formal']);
export const OutreachVariantSchema = z.enum(['first-contact', 're-engagement', 'follow-up']);
export type Tone = z.infer<typeof ToneSchema>;
export type OutreachVariant = z.infer<typeof OutreachVariantSchema>;

export const OutreachRequestSchema = z.object({
  tone: ToneSchema.default('warm'),
  variant: OutreachVariantSchema.default('first-contact'),
  maxWords: z.number().int().min(40).max(400).default(160),
});
export type OutreachRequest = z.infer<typeof OutreachRequestSchema>;

export const OutreachDraftSchema = z.object({
  subject: z.string(),
  body: z.string(),
  tone: ToneSchema,
  variant: OutreachVariantSchema,
  /** Every specific claim about the candidate in the draft, with the evidence it came from. */
  claims: z.array(z.object({ text: z.string(), evidence: EvidenceSchema })),
  /** ISO date (YYYY-MM-DD) to follow up if there is no reply. */
  followUpDate: z.string(),
  provenance: ProvenanceSchema,
});
export type OutreachDraft = z.infer<typeof OutreachDraftSchema>;

export const RoleFamilySchema = z.enum(['engineering', 'sales', 'design', 'support', 'operations', 'other']);
export type RoleFamily = z.infer<typeof RoleFamilySchema>;

export const InterviewQuestionSchema = z.object({
  id: z.string(),
  criterionId: z.string(),
  criterion: z.string(),
  question: z.string(),
  /** What a strong answer shows. */
  strongAnswer: z.string(),
  reason: z.enum(['gap', 'unclear', 'core']),
});
export type InterviewQuestion = z.infer<typeof InterviewQuestionSchema>;

export const InterviewQuestionsSchema = z.object({
  stage: z.string(),
  roleFamily: RoleFamilySchema,
  questions: z.array(InterviewQuestionSchema),
  provenance: ProvenanceSchema,
});
export type InterviewQuestions = z.infer<typeof InterviewQuestionsSchema>;

export const FeedbackPointSchema = z.object({
  feedbackId: z.string(),
  interviewer: z.string(),
  /** positive / negative / neutral reading of this interviewer on this criterion. */
  stance: z.enum(['positive', 'negative', 'neutral']),
  quote: z.string(),
  score: z.number().optional(),
});

export const FeedbackFlagSchema = z.object({
  feedbackId: z.string(),
  interviewer: z.string(),
  kind: z.enum(['protected-trait', 'culture-fit-without-evidence', 'score-without-comment']),
  quote: z.string(),
  reason: z.string(),
});
export type FeedbackFlag = z.infer<typeof FeedbackFlagSchema>;

export const FeedbackSynthesisSchema = z.object({
  feedbackCount: z.number().int().nonnegative(),
  consensus: z.object({
    recommendation: z.enum(['strong-hire', 'hire', 'mixed', 'no-hire', 'strong-no-hire', 'none']),
    scoreDistribution: z.array(z.object({ label: z.string(), count: z.number().int().nonnegative() })),
    summary: z.string(),
  }),
  criteria: z.array(
    z.object({
      criterion: z.string(),
      criterionId: z.string().optional(),
      agreement: z.enum(['agree', 'disagree', 'single']),
      points: z.array(FeedbackPointSchema),
    }),
  ),
  /** Rubric criteria nobody assessed. */
  unassessed: z.array(z.string()),
  flags: z.array(FeedbackFlagSchema),
  provenance: ProvenanceSchema,
});
export type FeedbackSynthesis = z.infer<typeof FeedbackSynthesisSchema>;
