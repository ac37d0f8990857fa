import { z } from 'zod';
import { ProposalKindSchema, ProposalPayloadSchema } from './api.ts';

/**
 * Automations: what the backend prepares on its own from Lever webhooks (scores, proposals, follow-ups), the admin
 * policy that governs it, and the recruiter's inbox of proposals waiting for review.
 */

/** Effective automation policy for one posting (defaults ⊕ global ⊕ team ⊕ posting). */
export const PolicySettingsSchema = z.object({
  /** Score, match summary, strong-match tag and first-contact draft on applicationCreated. */
  scoreOnApplication: z.boolean(),
  /** Interview questions when a candidate enters an interview stage. */
  interviewQuestions: z.boolean(),
  /** Feedback synthesis (and its refresh poll) in debrief/decision stages. */
  feedbackSynthesis: z.boolean(),
  /** Follow-up drafts after an outreach was marked sent. */
  followUps: z.boolean(),
  /** Score (0-100) at or above which the tag and the outreach draft are proposed. */
  threshold: z.number().min(0).max(100),
  /** Stage ids or names (case-insensitive) that count as interviews; empty = the default pattern. */
  interviewStages: z.array(z.string().min(1).max(200)).max(50),
  /** Stage ids or names that count as debrief/decision; empty = the default pattern. */
  debriefStages: z.array(z.string().min(1).max(200)).max(50),
  /** How often feedback is re-checked while the candidate sits in a debrief stage. */
  feedbackPollMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60),
  /** Write the match-summary note to Lever without a click (labelled automated). Default: false. */
  autoWriteMatchSummary: z.boolean(),
  /**
   * Propose interview times (ranked options, booked only on approval) when a candidate enters an interview stage.
   * Needs a calendar configured for each interviewer. Default: false.
   */
  scheduleInterviews: z.boolean(),
  /** Lever user ids of the panel to schedule; empty = the posting's hiring team (hiring manager, owner, followers). */
  schedulingPanel: z.array(z.string().min(1).max(100)).max(12),
  /** Length of the proposed interview. */
  schedulingDurationMin: z.number().int().min(15).max(480),
  /** How many days ahead (from tomorrow) the automation looks for times. */
  schedulingWindowDays: z.number().int().min(1).max(28),
});
export type PolicySettings = z.infer<typeof PolicySettingsSchema>;

export const PolicyPatchSchema = PolicySettingsSchema.partial().strict();
export type PolicyPatch = z.infer<typeof PolicyPatchSchema>;

export const PolicyScopeSchema = z.union([
  z.object({ level: z.literal('global') }),
  z.object({ level: z.literal('team'), team: z.string().min(1).max(200) }),
  z.object({ level: z.literal('posting'), postingId: z.string().min(1).max(200) }),
]);
export type PolicyScope = z.infer<typeof PolicyScopeSchema>;

/** GET /api/admin/policy?postingId=&team= → the effective settings and what each scope set. */
export const PolicyResponseSchema = z.object({
  effective: PolicySettingsSchema,
  layers: z.array(z.object({ scope: z.string(), settings: PolicyPatchSchema })),
});
export type PolicyResponse = z.infer<typeof PolicyResponseSchema>;

/** PUT /api/admin/policy {scope, settings} → PolicyResponse for that scope. */
export const PutPolicyRequestSchema = z.object({ scope: PolicyScopeSchema, settings: PolicyPatchSchema });

export const InboxItemSchema = z.object({
  proposalId: z.string(),
  opportunityId: z.string(),
  candidateName: z.string(),
  postingTitle: z.string().nullable(),
  kind: ProposalKindSchema,
  /** One line: what would be written. */
  summary: z.string(),
  /** Why it was proposed. */
  reason: z.string(),
  payload: ProposalPayloadSchema,
  createdBy: z.string(),
  createdAt: z.string(),
  leverUrl: z.string().nullable(),
});
export type InboxItem = z.infer<typeof InboxItemSchema>;

/** GET /api/inbox → pending proposals for postings the recruiter owns or follows, newest first. */
export const InboxResponseSchema = z.object({ items: z.array(InboxItemSchema), count: z.number().int() });
export type InboxResponse = z.infer<typeof InboxResponseSchema>;

/** POST /api/proposals/:id/mark-sent {followUpAt?} → when the follow-up suggestion is scheduled. */
export const MarkSentResponseSchema = z.object({ proposalId: z.string(), followUpAt: z.string() });
