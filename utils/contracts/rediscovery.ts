import { z } from 'zod';
import { EvidenceSchema } from './ai.ts';
import { ProposalStatusSchema } from './api.ts';

/**
 * Rediscovery wire format: sync progress, results (each explaining itself) and the act step. Shared by the side
 * panel and the backend.
 */

export const SyncPhaseSchema = z.enum(['idle', 'listing', 'details', 'done', 'failed']);

/** The vector index's embedding job (only when an embeddings endpoint is configured). */
export const EmbeddingProgressSchema = z.object({
  /** Model key the vectors are for (`model` or `model@dims`). */
  model: z.string(),
  status: z.enum(['never', 'running', 'idle', 'failed']),
  /** People with a vector for this model. */
  embedded: z.number().int().nonnegative(),
  /** People without a current vector (new, changed since, or embedded by another model): the next run's work. */
  pending: z.number().int().nonnegative(),
  /** People whose text the PII leak check refused to send; retried once their record changes. */
  refused: z.number().int().nonnegative(),
  /** This run: people handled / to handle. */
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
  error: z.string().nullable(),
});
export type EmbeddingProgress = z.infer<typeof EmbeddingProgressSchema>;

export const SyncProgressSchema = z.object({
  /** 'running' while a sync holds the checkpoint; a crashed run stays 'running' until resumed. */
  status: z.enum(['never', 'running', 'idle', 'failed']),
  phase: SyncPhaseSchema,
  mode: z.enum(['full', 'incremental']).nullable(),
  runId: z.string().nullable(),
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
  /** Opportunities listed so far in this run. */
  listed: z.number().int().nonnegative(),
  /** Opportunities whose resume, notes and feedback were read / still to read in this run. */
  detailsDone: z.number().int().nonnegative(),
  detailsTotal: z.number().int().nonnegative().nullable(),
  requests: z.number().int().nonnegative(),
  rateLimited: z.number().int().nonnegative(),
  /** updated_at_start of the next incremental sync (Lever time, epoch ms). */
  highWaterMark: z.number().nullable(),
  people: z.number().int().nonnegative(),
  opportunities: z.number().int().nonnegative(),
  error: z.string().nullable(),
  /** The vector index; absent or null when no embeddings endpoint is configured. */
  embeddings: EmbeddingProgressSchema.nullable().optional(),
});
export type SyncProgress = z.infer<typeof SyncProgressSchema>;

export const StartSyncRequestSchema = z.object({ full: z.boolean().default(false) });

export const RediscoveryFiltersSchema = z.object({
  /** Case-insensitive substring of the person's location ("Remote", "Dublin"). */
  location: z.string().min(1).max(200).optional(),
  /** Minimum stage reached, by name ("Phone screen") or by pipeline index. */
  minStage: z.union([z.string().min(1).max(200), z.number().int().nonnegative()]).optional(),
  /** Only people last contacted before this instant (epoch ms). */
  lastContactBefore: z.number().optional(),
});
export type RediscoveryFilters = z.infer<typeof RediscoveryFiltersSchema>;

export const RediscoverRequestSchema = z.object({
  limit: z.number().int().min(1).max(100).default(20),
  filters: RediscoveryFiltersSchema.default({}),
  excludeContactedWithinDays: z.number().int().min(0).max(3650).default(90),
});
export type RediscoverRequest = z.infer<typeof RediscoverRequestSchema>;

export const ScoreComponentSchema = z.object({ name: z.string(), points: z.number(), reason: z.string() });

export const RediscoveryResultSchema = z.object({
  contactId: z.string(),
  name: z.string(),
  location: z.string().nullable(),
  headline: z.string().nullable(),
  opportunityIds: z.array(z.string()),
  /** The most recent opportunity: where tags and notes go. */
  latestOpportunityId: z.string(),
  score: z.number(),
  rank: z.number().int().positive(),
  /** Why it ranks here: relevance from the match engine plus each past-signal boost or penalty. */
  components: z.array(ScoreComponentSchema),
  matched: z.array(
    z.object({ criterion: z.string(), status: z.enum(['met', 'partly']), evidence: z.array(EvidenceSchema) }),
  ),
  gaps: z.array(z.string()),
  past: z.object({
    bestStage: z.string().nullable(),
    applications: z.array(
      z.object({
        opportunityId: z.string(),
        postingTitle: z.string().nullable(),
        stage: z.string().nullable(),
        archiveReason: z.string().nullable(),
        appliedAt: z.number().nullable(),
      }),
    ),
    feedback: z.object({ count: z.number().int(), average: z.number().nullable(), positive: z.number().int() }),
    lastContactAt: z.number().nullable(),
  }),
});
export type RediscoveryResult = z.infer<typeof RediscoveryResultSchema>;

/** How the results were ranked: keyword + skills, or hybrid with semantic similarity from embeddings. */
export const RankingInfoSchema = z.object({
  mode: z.enum(['keyword+skills', 'hybrid']),
  /** Model key of the vectors behind the semantic half (hybrid only). */
  embeddingsModel: z.string().nullable(),
  /** Most points semantic similarity can add to a score (hybrid only). */
  semanticWeight: z.number().nullable(),
  /** People with a vector of the pool's people: below the total while the embedding job catches up. */
  vectorCoverage: z.object({ embedded: z.number().int(), people: z.number().int() }).nullable(),
  /** Embeddings are configured but could not be used for this search (endpoint failed, no vectors yet): why. */
  fallback: z.object({ from: z.string(), reason: z.string() }).nullable(),
});
export type RankingInfo = z.infer<typeof RankingInfoSchema>;

export const RediscoverResponseSchema = z.object({
  postingId: z.string(),
  results: z.array(RediscoveryResultSchema),
  /** Absent in results cached before hybrid ranking existed. */
  ranking: RankingInfoSchema.optional(),
  /** How many people each exclusion removed, so a short list is explainable. */
  excluded: z.record(z.string(), z.number().int()),
  candidatesConsidered: z.number().int(),
  tookMs: z.number(),
});
export type RediscoverResponse = z.infer<typeof RediscoverResponseSchema>;

export const ActRequestSchema = z.object({
  postingId: z.string().min(1),
  contactIds: z.array(z.string().min(1)).min(1).max(50),
  tone: z.enum(['warm', 'concise', 'formal']).default('warm'),
});
export type ActRequest = z.infer<typeof ActRequestSchema>;

export const MarkSentRequestSchema = z.object({ stageId: z.string().min(1) });

/** Lever's pipeline stages in pipeline order, for "Mark email sent → move to stage". */
export const PipelineStagesSchema = z.object({
  stages: z.array(z.object({ id: z.string(), text: z.string() })),
  /** 'lever' when read just now; 'synced' when Lever could not be reached and the last sync's copy answered. */
  source: z.enum(['lever', 'synced']),
});
export type PipelineStages = z.infer<typeof PipelineStagesSchema>;

export const OutreachRecordSchema = z.object({
  id: z.string(),
  contactId: z.string(),
  opportunityId: z.string(),
  postingId: z.string(),
  subject: z.string(),
  body: z.string(),
  tagProposalId: z.string(),
  stageProposalId: z.string().nullable(),
  sentAt: z.number().nullable(),
});
export type OutreachRecord = z.infer<typeof OutreachRecordSchema>;

export const ActResponseSchema = z.object({
  outreach: z.array(OutreachRecordSchema),
  /** People not drafted for, and why (hired since, do-not-contact, consent expired, not in the index). */
  skipped: z.array(z.object({ contactId: z.string(), reason: z.string() })),
});
export type ActResponse = z.infer<typeof ActResponseSchema>;

/**
 * `GET /api/rediscovery/outreach?postingId=`: the re-engagement drafts made for a posting, newest first, with where
 * each proposal stands, so a reopened panel can pick up at "Mark email sent".
 */
export const OutreachListSchema = z.object({
  outreach: z.array(
    OutreachRecordSchema.extend({
      tagProposalStatus: ProposalStatusSchema.nullable(),
      stageProposalStatus: ProposalStatusSchema.nullable(),
    }),
  ),
});
export type OutreachList = z.infer<typeof OutreachListSchema>;
