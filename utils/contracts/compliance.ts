import { z } from 'zod';

/**
 * The compliance kit (issue 21): candidate notices per jurisdiction, opt-outs of automated assessment, explanations a
 * recruiter can send on request, the bias-audit data pack, the proxy check on criteria and retention by law. Built
 * from Fulcrum's own records. Fulcrum informs; it never decides: every output here is a draft or a report for a person.
 */

export const JurisdictionIdSchema = z.enum([
  'generic',
  'nyc-ll144',
  'illinois-hb3773',
  'colorado-ai-act',
  'california-ads',
  'eu-ai-act',
]);
export type JurisdictionId = z.infer<typeof JurisdictionIdSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Settings (admin; settings table key 'compliance')

export const DEFAULT_OPT_OUT_TAG = 'fulcrum:no-automated-assessment';

export const ComplianceSettingsSchema = z.object({
  /** The Lever tag that means "this candidate opted out of automated assessment" (compared case-insensitively). */
  optOutTag: z.string().trim().min(1).max(200),
  /** Whether explanations sent to candidates may show the 0-100 score and the verdict. Off by default. */
  explanationsShowScores: z.boolean(),
  /** Named in the candidate notice ("How Acme uses Fulcrum"). */
  organization: z.string().trim().max(200),
  /** Where candidates ask for an alternative process, a human review or a correction. */
  contactEmail: z.string().trim().max(200),
  /** Where the summary of the latest bias audit is published (NYC LL144). */
  biasAuditUrl: z.string().trim().max(500),
  /**
   * Jurisdictions this install hires in, for retention minimums. Empty = COMPLIANCE_JURISDICTIONS from the
   * environment (and none when that is unset too).
   */
  jurisdictions: z.array(JurisdictionIdSchema.exclude(['generic'])).max(10),
});
export type ComplianceSettings = z.infer<typeof ComplianceSettingsSchema>;

export const DEFAULT_COMPLIANCE_SETTINGS: ComplianceSettings = {
  optOutTag: DEFAULT_OPT_OUT_TAG,
  explanationsShowScores: false,
  organization: '',
  contactEmail: '',
  biasAuditUrl: '',
  jurisdictions: [],
};

// ---------------------------------------------------------------------------------------------------------------
// 1. Candidate notice

export const NoticeSectionSchema = z.object({
  jurisdiction: JurisdictionIdSchema,
  title: z.string(),
  text: z.string(),
  /** True when an admin edited this jurisdiction's template (false = Fulcrum's default wording). */
  edited: z.boolean(),
});

export const NoticeSchema = z.object({
  posting: z.object({ id: z.string(), title: z.string() }),
  /** What Lever says about where the job is (categories.location, categories.allLocations, country). */
  location: z.object({
    location: z.string().nullable(),
    allLocations: z.array(z.string()),
    country: z.string().nullable(),
  }),
  /** Jurisdictions the location matched, each with the text that matched. */
  jurisdictions: z.array(z.object({ id: JurisdictionIdSchema, name: z.string(), matched: z.string() })),
  /** The generic section first, then one per matched jurisdiction. */
  sections: z.array(NoticeSectionSchema),
  /** All sections as one text to paste into the posting or the application form. */
  text: z.string(),
  /** For the recruiter, not the candidate: unknown location, remote roles, settings still to fill in. */
  notes: z.array(z.string()),
});
export type Notice = z.infer<typeof NoticeSchema>;

export const NoticeTemplateSchema = z.object({
  jurisdiction: JurisdictionIdSchema,
  name: z.string(),
  title: z.string(),
  body: z.string(),
  defaultBody: z.string(),
  updatedAt: z.string().nullable(),
  updatedBy: z.string().nullable(),
});
export type NoticeTemplate = z.infer<typeof NoticeTemplateSchema>;

export const NoticeTemplateListSchema = z.object({
  templates: z.array(NoticeTemplateSchema),
  /** Placeholders a template may use, with what each becomes. */
  placeholders: z.array(z.object({ name: z.string(), description: z.string() })),
});
export type NoticeTemplateList = z.infer<typeof NoticeTemplateListSchema>;

/** PUT body: the new template text; `reset: true` goes back to the default wording. */
export const PutNoticeTemplateSchema = z.union([
  z.object({ body: z.string().trim().min(1).max(20_000) }),
  z.object({ reset: z.literal(true) }),
]);

// ---------------------------------------------------------------------------------------------------------------
// 2. Opt-out

export const OptOutSourceSchema = z.enum(['lever-tag', 'cli', 'admin']);

export const OptOutStatusSchema = z.object({
  optedOut: z.boolean(),
  /** Why: the Lever tag as last read, and/or a local opt-out recorded by the CLI or an admin. */
  sources: z.array(z.object({ source: OptOutSourceSchema, since: z.string().nullable(), by: z.string().nullable() })),
  tag: z.string(),
});
export type OptOutStatus = z.infer<typeof OptOutStatusSchema>;

export const OptOutRequestSchema = z.object({
  optedOut: z.boolean(),
  reason: z.string().trim().max(500).optional(),
});

export const OPTED_OUT_CODE = 'opted_out';
export const OPTED_OUT_MESSAGE = 'candidate opted out of automated assessment';

// ---------------------------------------------------------------------------------------------------------------
// 3. Explanation

export const ExplanationCriterionSchema = z.object({
  criterion: z.string(),
  outcome: z.enum(['met', 'partly met', 'not met', 'could not tell']),
  /** Passages quoted word for word from what the candidate sent (résumé or application answers). */
  evidence: z.array(z.object({ source: z.enum(['resume', 'application']), quote: z.string() })),
  /** What the tool looked for and did not find, when it did not find it. */
  notFound: z.string().nullable(),
});

export const ExplanationSchema = z.object({
  opportunityId: z.string(),
  posting: z.object({ id: z.string(), title: z.string() }),
  generatedAt: z.string(),
  /** When the assessment being explained was made, and by which engine. */
  assessedAt: z.string(),
  engine: z.string(),
  criteria: z.array(ExplanationCriterionSchema),
  /** Present only when an admin enabled scores in explanations. */
  score: z.object({ score: z.number(), verdict: z.string() }).nullable(),
  text: z.string(),
});
export type Explanation = z.infer<typeof ExplanationSchema>;

// ---------------------------------------------------------------------------------------------------------------
// 4. Bias-audit data pack

/** A count that is shown or suppressed (small cell, or a cell that would reveal one by subtraction). */
export const PackCellSchema = z.object({ value: z.number().int().nonnegative().nullable(), suppressed: z.boolean() });
export type PackCell = z.infer<typeof PackCellSchema>;

export const PackRowSchema = z.object({
  category: z.string(),
  applicants: PackCellSchema,
  /** Number scored above the sample's median score. */
  aboveMedian: PackCellSchema,
  /** Number with a strong or possible verdict. */
  selected: PackCellSchema,
  scoringRate: z.number().nullable(),
  selectionRate: z.number().nullable(),
  scoringImpactRatio: z.number().nullable(),
  selectionImpactRatio: z.number().nullable(),
  /** Under 2% of the sample: reported, but left out of the impact ratios (as the DCWP rules allow). */
  excludedFromRatios: z.boolean(),
});
export type PackRow = z.infer<typeof PackRowSchema>;

export const PackTableSchema = z.object({
  dimension: z.enum(['sex', 'race-ethnicity', 'intersectional']),
  state: z.enum(['ok', 'insufficient-data']),
  /** Why the state is insufficient-data, in words. */
  reason: z.string().nullable(),
  rows: z.array(PackRowSchema),
  /** Applicants in the sample whose category is unknown (no answer, declined). */
  unknown: PackCellSchema,
  /** The category each impact ratio is relative to (highest rate among the rated categories). */
  referenceScoring: z.string().nullable(),
  referenceSelection: z.string().nullable(),
});
export type PackTable = z.infer<typeof PackTableSchema>;

export const AuditPackSchema = z.object({
  from: z.string(),
  to: z.string(),
  postingId: z.string().nullable(),
  generatedAt: z.string(),
  minCell: z.number().int().positive(),
  state: z.enum(['ok', 'insufficient-data']),
  reason: z.string().nullable(),
  sample: z.object({
    /** Candidates Fulcrum scored in the window. */
    assessed: z.number().int().nonnegative(),
    /** Of those, with an EEO self-report joined by opportunity id. */
    withEeo: z.number().int().nonnegative(),
    medianScore: z.number().nullable(),
  }),
  dataSource: z.string(),
  tables: z.array(PackTableSchema),
  /** Draft of the public summary (dates, data source, counts, ratios), for the independent auditor to finish. */
  summary: z.string(),
});
export type AuditPack = z.infer<typeof AuditPackSchema>;

export const AuditPackQuerySchema = z.object({
  from: z.iso.date(),
  to: z.iso.date(),
  postingId: z.string().min(1).max(100).optional(),
  format: z.enum(['json', 'csv']).default('json'),
  /** Smallest count shown (default 5). */
  minCell: z.coerce.number().int().min(2).max(100).optional(),
});

// ---------------------------------------------------------------------------------------------------------------
// 5. Proxy check on criteria

export const ProxyKindSchema = z.enum([
  'protected-trait',
  'location-proxy',
  'age-proxy',
  'language-origin',
  'school-prestige',
  'culture-fit',
  'appearance',
  'family-status',
]);

export const ProxyFlagSchema = z.object({
  kind: ProxyKindSchema,
  /** The words that triggered the flag: `criterion.slice(start, end)`. */
  quote: z.string(),
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
  reason: z.string(),
  suggestion: z.string(),
});
export type ProxyFlag = z.infer<typeof ProxyFlagSchema>;

export const CriterionCheckSchema = z.object({
  text: z.string(),
  flags: z.array(ProxyFlagSchema),
  /** For a posting's criteria: an admin confirmed this flagged criterion, so the engine scores it. */
  confirmed: z.boolean(),
  /** Flagged and not confirmed: the local engine leaves it out of scoring. */
  ignoredInScoring: z.boolean(),
});
export type CriterionCheck = z.infer<typeof CriterionCheckSchema>;

export const CriteriaCheckRequestSchema = z.object({
  criteria: z.array(z.string().max(2_000)).min(1).max(60),
});
export const CriteriaCheckResponseSchema = z.object({ criteria: z.array(CriterionCheckSchema) });
export type CriteriaCheckResponse = z.infer<typeof CriteriaCheckResponseSchema>;

export const PostingCriteriaCheckSchema = z.object({
  posting: z.object({ id: z.string(), title: z.string() }),
  criteria: z.array(CriterionCheckSchema),
});
export type PostingCriteriaCheck = z.infer<typeof PostingCriteriaCheckSchema>;

export const ConfirmCriterionRequestSchema = z.object({
  text: z.string().trim().min(1).max(2_000),
  confirmed: z.boolean().default(true),
});

// ---------------------------------------------------------------------------------------------------------------
// 6. Retention by law

export const RetentionClassSchema = z.enum(['ai-outputs', 'decisions', 'audit-log', 'operational']);

export const RetentionReportSchema = z.object({
  generatedAt: z.string(),
  jurisdictions: z.array(JurisdictionIdSchema),
  jurisdictionsFrom: z.enum(['admin', 'environment', 'none']),
  adminRetentionDays: z.number().int(),
  classes: z.array(
    z.object({
      class: RetentionClassSchema,
      records: z.string(),
      /** Days the records are kept: the admin's period, raised to the longest legal minimum that applies. */
      keepDays: z.number().int().nullable(),
      rules: z.array(z.object({ jurisdiction: JurisdictionIdSchema, minDays: z.number().int(), citation: z.string() })),
      why: z.string(),
      rows: z.number().int().nonnegative(),
      /** Older than the admin's period but kept because a law requires it. */
      heldByLaw: z.number().int().nonnegative(),
      dueForDeletion: z.number().int().nonnegative(),
    }),
  ),
  mustGo: z.object({
    consentExpired: z.object({ opportunities: z.number().int().nonnegative(), rows: z.number().int().nonnegative() }),
    erasureRequests: z.object({ pending: z.number().int().nonnegative(), done: z.number().int().nonnegative() }),
    /** Rows of people who must go that a law still requires kept: why, and until when at the latest. */
    heldByLaw: z.number().int().nonnegative(),
  }),
  notes: z.array(z.string()),
});
export type RetentionReport = z.infer<typeof RetentionReportSchema>;

/**
 * Routes:
 * - GET  /api/postings/:postingId/notice                    → Notice (any recruiter)
 * - GET  /api/postings/:postingId/criteria-check            → PostingCriteriaCheck (any recruiter)
 * - POST /api/compliance/criteria-check  CriteriaCheckRequest → CriteriaCheckResponse (before a rubric is saved)
 * - GET  /api/candidates/:opportunityId/opt-out             → OptOutStatus
 * - GET  /api/candidates/:opportunityId/explanation?postingId=&format=json|text|pdf → Explanation | text | PDF
 * - PUT  /api/admin/compliance/opt-out/:opportunityId  OptOutRequest → OptOutStatus (admin)
 * - GET|PUT /api/admin/compliance/settings                  → ComplianceSettings (admin)
 * - GET  /api/admin/compliance/notice-templates             → NoticeTemplateList (admin)
 * - PUT  /api/admin/compliance/notice-templates/:jurisdiction → NoticeTemplate (admin)
 * - PUT  /api/admin/compliance/postings/:postingId/criteria  ConfirmCriterionRequest → PostingCriteriaCheck (admin)
 * - GET  /api/admin/compliance/audit-pack?from=&to=&postingId=&format=json|csv → AuditPack | text/csv (admin)
 * - GET  /api/admin/compliance/retention                    → RetentionReport (admin)
 * AI routes answer 409 {error: {code: 'opted_out', message: 'candidate opted out of automated assessment'}}.
 */
