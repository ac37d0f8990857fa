import { z } from 'zod';
import { ProvenanceSchema } from './ai.ts';

/**
 * Offer letters between the backend and the side panel's Offer view (issue 20). A letter is drafted from a template
 * with every figure from Lever, checked, approved step by step along the team's chain (each approver sees the diff
 * since the version last approved), then filed in Lever as a PDF through a proposal.
 *
 * Routes (Authorization: Bearer <token>; only for recruiters who may see the opportunity in Lever):
 * - GET  /api/offers/templates                      → OfferTemplateList
 * - POST /api/offers/templates         (admin)      CreateOfferTemplateRequest → OfferTemplateSummary (201)
 * - GET  /api/offers/chains                         → OfferChainList
 * - PUT  /api/offers/chains/:team      (admin)      PutOfferChainRequest → OfferChain
 * - GET  /api/offers?opportunityId=                 → OfferViewResponse (letter null when none yet)
 * - POST /api/offers/draft                          DraftOfferRequest → OfferView (201)
 * - POST /api/offers/:letterId/versions             ReviseOfferRequest → OfferView (a new version, checks re-run)
 * - POST /api/offers/:letterId/approve              ApproveOfferRequest → OfferView
 * - POST /api/offers/:letterId/overrides (admin)    OverrideOfferCheckRequest → OfferView
 * - GET  /api/offers/holidays                       → OfferHolidayList (OFFER_HOLIDAYS and the admins' days)
 * - PUT  /api/offers/holidays          (admin)      PutOfferHolidaysRequest → OfferHolidayList
 */

export const OfferCheckSchema = z.object({
  name: z.string(),
  ok: z.boolean(),
  detail: z.string(),
  /** A Fulcrum admin let this failed check pass, with a reason (audited). */
  override: z.object({ reason: z.string(), actor: z.string(), at: z.string() }).nullable().optional(),
});
export type OfferCheckWire = z.infer<typeof OfferCheckSchema>;

export const ApproverSpecSchema = z
  .string()
  .min(1)
  .max(200)
  .refine((s) => ['owner', 'hiring-manager', 'admin'].includes(s) || /^[^\s@]+@[^\s@]+$/.test(s), {
    message: 'an approver is "owner", "hiring-manager", "admin" or an email address',
  });

export const ChainStepSchema = z.object({
  name: z.string().min(1).max(100),
  /** Who may act on this step: the opportunity's owner in Lever, the requisition's hiring manager, any Fulcrum admin, or named emails. */
  approvers: z.array(ApproverSpecSchema).min(1).max(20),
});
export type ChainStep = z.infer<typeof ChainStepSchema>;

export const OfferChainSchema = z.object({ team: z.string(), steps: z.array(ChainStepSchema).min(1).max(10) });
export type OfferChain = z.infer<typeof OfferChainSchema>;
export const OfferChainListSchema = z.object({ chains: z.array(OfferChainSchema) });
export const PutOfferChainRequestSchema = z.object({ steps: z.array(ChainStepSchema).min(1).max(10) });

export const DiffLineSchema = z.object({ op: z.enum([' ', '+', '-']), text: z.string() });

export const OfferViewSchema = z.object({
  letterId: z.string(),
  opportunityId: z.string(),
  status: z.enum(['in-approval', 'approved', 'filed']),
  team: z.string().nullable(),
  templateName: z.string(),
  version: z.number().int().positive(),
  text: z.string(),
  fields: z.record(z.string(), z.object({ value: z.string(), source: z.string() })),
  checks: z.array(OfferCheckSchema),
  /** True while any check fails without an override: nobody can approve. */
  blocked: z.boolean(),
  justification: z.string().nullable(),
  chain: z.array(
    z.object({
      name: z.string(),
      approvers: z.array(z.string()),
      state: z.enum(['approved', 'next', 'waiting']),
      decidedBy: z.string().nullable(),
      decidedAt: z.string().nullable(),
    }),
  ),
  /** What the viewer may do now, and why not when they may not. */
  canApprove: z.boolean(),
  approveHint: z.string().nullable(),
  canOverride: z.boolean(),
  /** Changes since the version last approved (or the previous version); `fromVersion` null for a first draft. */
  diff: z.object({ fromVersion: z.number().nullable(), lines: z.array(DiffLineSchema) }),
  versions: z.array(z.object({ version: z.number(), createdBy: z.string(), createdAt: z.string() })),
  proposal: z.object({ id: z.string(), status: z.string() }).nullable(),
  provenance: ProvenanceSchema.nullable(),
});
export type OfferView = z.infer<typeof OfferViewSchema>;
export const OfferViewResponseSchema = z.object({ letter: OfferViewSchema.nullable() });
export type OfferViewResponse = z.infer<typeof OfferViewResponseSchema>;

export const DraftOfferRequestSchema = z.object({
  opportunityId: z.string().uuid(),
  templateId: z.string().min(1).max(100).optional(),
  justification: z.string().trim().min(10).max(2000).optional(),
});
export const ReviseOfferRequestSchema = z.object({
  text: z.string().min(1).max(50_000),
  justification: z.string().trim().min(10).max(2000).optional(),
});
export const ApproveOfferRequestSchema = z.object({
  /** The version the approver read: approving an older one is refused (someone revised it meanwhile). */
  version: z.number().int().positive(),
  comment: z.string().max(2000).optional(),
});
export const OverrideOfferCheckRequestSchema = z.object({
  check: z.string().min(1).max(100),
  reason: z.string().trim().min(10).max(2000),
});

export const OfferTemplateSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  builtIn: z.boolean(),
  fields: z.array(z.string()),
  currency: z.string().nullable(),
  interval: z.string().nullable(),
});
export const OfferTemplateListSchema = z.object({ templates: z.array(OfferTemplateSummarySchema) });
export const CreateOfferTemplateRequestSchema = z.object({
  name: z.string().trim().min(1).max(200),
  source: z.string().min(1).max(50_000),
});

/** A day the start-date check refuses, from the environment (OFFER_HOLIDAYS) or set by an admin. */
export const OfferHolidaySchema = z.object({
  date: z.string(),
  label: z.string().nullable(),
  source: z.enum(['environment', 'admin']),
});
export const OfferHolidayListSchema = z.object({ holidays: z.array(OfferHolidaySchema) });
export type OfferHolidayList = z.infer<typeof OfferHolidayListSchema>;
/** Replaces the admins' list (the environment's days stay; they are changed in OFFER_HOLIDAYS). */
export const PutOfferHolidaysRequestSchema = z.object({
  holidays: z
    .array(
      z.object({
        date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date is written YYYY-MM-DD'),
        label: z.string().trim().max(100).nullable().optional(),
      }),
    )
    .max(1000),
});
