import { z } from 'zod';

/**
 * AI governance: what the AI may do in this Fulcrum install, set by admins and stored in the backend's settings
 * table. Capability switches are enforced by the backend's candidate AI routes (403 `capability_disabled`);
 * retention is enforced by the backend's daily retention job.
 */

export const GovernedCapabilitySchema = z.enum(['match', 'outreach', 'questions', 'feedback', 'rediscovery']);
export type GovernedCapability = z.infer<typeof GovernedCapabilitySchema>;

export const GovernanceSchema = z.object({
  capabilities: z.object({
    match: z.boolean(),
    outreach: z.boolean(),
    questions: z.boolean(),
    feedback: z.boolean(),
    rediscovery: z.boolean(),
  }),
  /** Whether webhook-triggered automations may create (never write) proposals for a recruiter to review. */
  automationsMayPropose: z.boolean(),
  /** Cached AI results and decided (written or discarded) proposals older than this are deleted. */
  retentionDays: z.number().int().min(1).max(3650),
});
export type Governance = z.infer<typeof GovernanceSchema>;

export const DEFAULT_GOVERNANCE: Governance = {
  capabilities: { match: true, outreach: true, questions: true, feedback: true, rediscovery: true },
  automationsMayPropose: true,
  retentionDays: 180,
};

/** What GET /api/admin/governance returns: the settings plus when they last changed (null = defaults). */
export const GovernanceResponseSchema = z.object({
  governance: GovernanceSchema,
  updatedAt: z.string().nullable(),
});
export type GovernanceResponse = z.infer<typeof GovernanceResponseSchema>;

/**
 * Routes (admin only):
 * - GET /api/admin/governance                         → GovernanceResponse
 * - PUT /api/admin/governance   Governance            → GovernanceResponse
 * - GET /api/admin/audit/export?format=jsonl|csv&since=ISO   → the audit log as a download
 */
