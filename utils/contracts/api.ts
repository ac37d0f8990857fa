import { z } from 'zod';
import {
  FeedbackSynthesisSchema,
  InterviewQuestionsSchema,
  MatchResultSchema,
  OutreachDraftSchema,
  OutreachRequestSchema,
} from './ai.ts';
import { ScheduleWriteSchema } from './scheduling.ts';

/**
 * The HTTP API between the extension (background worker) and the backend. Every route takes
 * `Authorization: Bearer <recruiter token>`. Errors are always `{error: {code, message}}` with a 4xx/5xx status.
 */

export const ApiErrorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
export type ApiError = z.infer<typeof ApiErrorSchema>;

/** Error codes the panel turns into instructions for the recruiter. */
export const ErrorCodes = {
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  notFound: 'not_found',
  validation: 'invalid_request',
  leverAuth: 'lever_auth',
  leverPermission: 'lever_permission',
  leverUnavailable: 'lever_unavailable',
  rateLimited: 'rate_limited',
  conflict: 'conflict',
  /** The candidate's résumé file is over a limit or could not be read within the sandbox's time or memory. */
  resumeUnreadable: 'resume_unreadable',
  internal: 'internal',
} as const;

export const OpportunityIdSchema = z.string().uuid();

export const CandidateContextSchema = z.object({
  opportunityId: z.string(),
  contactId: z.string().nullable(),
  name: z.string(),
  headline: z.string().nullable(),
  location: z.string().nullable(),
  stage: z.object({ id: z.string(), text: z.string() }).nullable(),
  posting: z.object({ id: z.string(), title: z.string(), team: z.string().nullable() }).nullable(),
  archived: z.object({ reason: z.string().nullable(), archivedAt: z.number().nullable() }).nullable(),
  /** Link to the candidate in Lever Hire (or the emulator's page). */
  leverUrl: z.string(),
  feedbackCount: z.number().int().nonnegative(),
  fetchedAt: z.string(),
});
export type CandidateContext = z.infer<typeof CandidateContextSchema>;

export const MatchRequestSchema = z.object({ refresh: z.boolean().default(false) });
export const OutreachApiRequestSchema = OutreachRequestSchema.extend({ refresh: z.boolean().default(false) });
export const QuestionsRequestSchema = z.object({
  stage: z.string().max(200).optional(),
  refresh: z.boolean().default(false),
});
export const FeedbackRequestSchema = z.object({ refresh: z.boolean().default(false) });

export const MatchResponseSchema = MatchResultSchema;
export const OutreachResponseSchema = OutreachDraftSchema;
export const QuestionsResponseSchema = InterviewQuestionsSchema;
export const FeedbackResponseSchema = FeedbackSynthesisSchema;

/** What a proposal would write to Lever, exactly. */
export const ProposalPayloadSchema = z.object({
  /** Note text as the recruiter approved it; the backend appends the AI-assisted label when writing. */
  note: z.object({ text: z.string().min(1).max(20_000) }).optional(),
  addTags: z.array(z.string().min(1).max(200)).max(20).optional(),
  removeTags: z.array(z.string().min(1).max(200)).max(20).optional(),
  stageId: z.string().optional(),
  /** Only for kind 'posting-rewrite': the new posting description (the proposal's opportunityId is the posting id). */
  posting: z.object({ description: z.string().min(1).max(50_000) }).optional(),
  /** Only for kind 'interview-schedule': the Lever panel to create, move or cancel (utils/contracts/scheduling.ts). */
  schedule: ScheduleWriteSchema.optional(),
  /** Only for kind 'offer-letter': the approved letter version to render as PDF and upload to the opportunity. */
  file: z
    .object({
      offerLetterId: z.string().min(1),
      version: z.number().int().positive(),
      name: z.string().min(1).max(200),
    })
    .optional(),
});
export type ProposalPayload = z.infer<typeof ProposalPayloadSchema>;

export const ProposalKindSchema = z.enum([
  'match-summary',
  'outreach',
  'interview-questions',
  'feedback-synthesis',
  'tag',
  'rediscovery',
  'stage',
  'posting-rewrite',
  'interview-schedule',
  'offer-letter',
]);
export type ProposalKind = z.infer<typeof ProposalKindSchema>;

export const ProposalStatusSchema = z.enum(['pending', 'approved', 'written', 'failed', 'discarded']);
export type ProposalStatus = z.infer<typeof ProposalStatusSchema>;

export const ProposalSchema = z.object({
  id: z.string(),
  opportunityId: z.string(),
  kind: ProposalKindSchema,
  status: ProposalStatusSchema,
  payload: ProposalPayloadSchema,
  /** Why this was proposed, shown to the recruiter. */
  reason: z.string(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  decidedBy: z.string().nullable(),
  result: z
    .object({ noteId: z.string().optional(), leverUrl: z.string().optional(), written: z.array(z.string()) })
    .nullable(),
  error: z.string().nullable(),
  /** The exact text that is (or would be) written, label included. */
  preview: z.object({ noteText: z.string().nullable() }),
});
export type Proposal = z.infer<typeof ProposalSchema>;

export const CreateProposalRequestSchema = z.object({
  opportunityId: OpportunityIdSchema,
  kind: ProposalKindSchema,
  payload: ProposalPayloadSchema,
  reason: z.string().max(500).default('Requested by the recruiter'),
});
export const EditProposalRequestSchema = z.object({ payload: ProposalPayloadSchema });
export const ApproveProposalRequestSchema = z.object({ dryRun: z.boolean().default(false) });

export const AuditEntrySchema = z.object({
  id: z.number(),
  at: z.string(),
  actor: z.string(),
  opportunityId: z.string().nullable(),
  capability: z.string(),
  action: z.string(),
  provider: z.string().nullable(),
  model: z.string().nullable(),
  promptVersion: z.string().nullable(),
  inputHash: z.string().nullable(),
  output: z.unknown(),
  decision: z.string().nullable(),
  leverIds: z.array(z.string()),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

export const StatusResponseSchema = z.object({
  backend: z.object({ version: z.string() }),
  recruiter: z.object({
    email: z.string(),
    role: z.enum(['recruiter', 'admin']),
    leverUserId: z.string().nullable(),
    /** The Lever user's accessRole, which decides what Fulcrum shows them; null when no active Lever user matches. */
    leverAccessRole: z.string().nullable().optional(),
  }),
  lever: z.object({ mode: z.enum(['emulator', 'lever']), reachable: z.boolean(), message: z.string().nullable() }),
  ai: z.object({ provider: z.enum(['local', 'openai']), model: z.string() }),
});
export type StatusResponse = z.infer<typeof StatusResponseSchema>;

export { OutreachRequestSchema };

/**
 * Routes (all take `Authorization: Bearer <token>`; JSON in, JSON out):
 * - GET  /api/status                                → StatusResponse
 * - GET  /api/candidates/:opportunityId             → CandidateContext
 * - POST /api/candidates/:opportunityId/match       MatchRequest → MatchResult
 * - POST /api/candidates/:opportunityId/outreach    OutreachApiRequest → OutreachDraft
 * - POST /api/candidates/:opportunityId/questions   QuestionsRequest → InterviewQuestions
 * - POST /api/candidates/:opportunityId/feedback    FeedbackRequest → FeedbackSynthesis
 * - GET  /api/proposals?opportunityId=&status=      → ProposalList
 * - POST /api/proposals                             CreateProposalRequest → Proposal (201)
 * - PATCH /api/proposals/:id                        EditProposalRequest → Proposal
 * - POST /api/proposals/:id/approve                 ApproveProposalRequest → Proposal (dryRun: preview only)
 * - POST /api/proposals/:id/discard                 → Proposal
 * - GET  /api/audit?opportunityId=                  → AuditList
 */
export const ProposalListSchema = z.object({ proposals: z.array(ProposalSchema) });
export const AuditListSchema = z.object({ entries: z.array(AuditEntrySchema) });
