import type { MatchResult, TextTruncation } from '../../utils/contracts/ai.ts';
import { MatchResultSchema } from '../../utils/contracts/ai.ts';
import type { AiEngine, CandidateInput, PostingInput } from '../ai/types.ts';
import { fetchOpportunity } from '../candidates/load-candidate.ts';
import type { CandidatePipeline } from '../candidates/pipeline.ts';
import { newestResume } from '../candidates/resume-text.ts';
import { optOutStatusOf } from '../compliance/opt-out.ts';
import { automationsMayPropose } from '../governance/settings.ts';
import type { AuditFn } from '../http/audit.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { PermanentJobError } from '../jobs/queue.ts';
import { LeverApiError, type LeverClient, LeverNotFoundError, type Opportunity, type Posting } from '../lever/index.ts';
import type { HrisConfig } from '../offers/hris-handoff.ts';
import {
  type AutomationProposalInput,
  discardPendingOf,
  type UpsertOutcome,
  upsertAutomationProposal,
} from '../proposals/automation-proposals.ts';
import type { ProposalRecord } from '../proposals/repo.ts';
import type { ProposalService } from '../proposals/service.ts';
import type { Store } from '../store/db.ts';
import type { AutomationMetrics } from './metrics.ts';
import type { WebhookJob } from './webhook-job.ts';

/** Everything an automation handler needs; built once in register.ts. */
export type AutomationDeps = {
  store: Store;
  lever: LeverClient;
  ai: AiEngine;
  queue: JobQueue;
  proposals: ProposalService;
  /** Load → run → cache → audit, with the backend's one posting cache (candidates/pipeline.ts). */
  pipeline: CandidatePipeline;
  /** Audit entries of steps outside the pipeline and the proposals module (the HRIS hand-off). */
  audit: AuditFn;
  metrics: AutomationMetrics;
  now: () => number;
  /**
   * Keeps the talent pool (rediscovery index) in step with archive/hire/delete events. Receives the webhook job
   * as the queue parsed it. Optional: without it the events still drop proposals and cancel follow-ups.
   */
  talentPool?: (job: WebhookJob) => Promise<unknown>;
  /** Where candidateHired hands a hire off to (HRIS_WEBHOOK_URL / _SECRET); unset = no hand-off. */
  hris?: HrisConfig;
};

/** Who automations act as: audit entries and proposals say 'automation', never a recruiter. */
export const AUTOMATION_ACTOR = {
  id: 'automation',
  email: 'automation',
  name: 'Fulcrum automation',
  leverUserId: null,
} as const;

/**
 * Lever errors decide what the queue does: 429/5xx/network are retried (rethrown as is), other 4xx will not get
 * better by retrying and dead-letter the job at once.
 */
export function leverFailure(e: unknown): never {
  if (e instanceof LeverApiError && !e.retryable && e.status !== 429 && e.status < 500 && e.kind === 'http') {
    throw new PermanentJobError(`Lever refused: ${e.message}`);
  }
  throw e;
}

/** Re-reads the opportunity (stage, applications, owner expanded); null when Lever no longer has it. */
export async function readOpportunity(deps: AutomationDeps, opportunityId: string): Promise<Opportunity | null> {
  try {
    return await fetchOpportunity(deps.lever, opportunityId);
  } catch (e) {
    if (e instanceof LeverNotFoundError) return null;
    return leverFailure(e);
  }
}

export function stageOf(opp: Opportunity): { id: string; text: string } | null {
  return typeof opp.stage === 'object' && opp.stage ? { id: opp.stage.id, text: opp.stage.text } : null;
}

export function isArchived(opp: Opportunity): boolean {
  return !!(opp.archived && (opp.archived.reason || opp.archived.archivedAt));
}

/** The opportunity's posting through the pipeline's posting cache; null when it has none Lever lets us see. */
export async function readPosting(deps: AutomationDeps, opp: Opportunity): Promise<Posting | null> {
  return deps.pipeline.postings.ofOpportunity(opp).catch(leverFailure);
}

/**
 * The newest resume as text and what was cut from it (see candidates/resume-text.ts); '' when there is none. A file
 * Fulcrum will not read (UnreadableResumeError, a PermanentJobError) dead-letters the job with its reason.
 */
export async function readResume(
  deps: AutomationDeps,
  opportunityId: string,
): Promise<{ text: string; truncation: TextTruncation | null }> {
  try {
    return await newestResume(deps.lever, opportunityId);
  } catch (e) {
    return leverFailure(e);
  }
}

export async function readResumeText(deps: AutomationDeps, opportunityId: string): Promise<string> {
  return (await readResume(deps, opportunityId)).text;
}

export type Loaded = {
  opportunity: Opportunity;
  rawPosting: Posting;
  posting: PostingInput;
  candidate: CandidateInput;
};

/** Opportunity + posting + resume, re-read from Lever. Null when the opportunity is gone or has no posting. */
export async function loadForAutomation(
  deps: AutomationDeps,
  opportunityId: string,
  opp?: Opportunity,
): Promise<Loaded | null> {
  const opportunity = opp ?? (await readOpportunity(deps, opportunityId));
  if (!opportunity) return null;
  // Opted out of automated assessment (compliance kit): no score, no draft, no proposal, nothing cached.
  if ((await optOutStatusOf(deps.store.db, opportunity, deps.now())).optedOut) return null;
  const rawPosting = await readPosting(deps, opportunity);
  if (!rawPosting) return null;
  const resume = await readResume(deps, opportunityId);
  return { ...(await deps.pipeline.inputs(opportunity, rawPosting, resume)), rawPosting };
}

const userIdOf = (u: unknown): string | null =>
  typeof u === 'string' ? u : u && typeof u === 'object' && 'id' in u && typeof u.id === 'string' ? u.id : null;

/** Lever users who own or follow the opportunity or its posting: the recruiters whose inbox shows its proposals. */
export function watchersOf(opp: Opportunity, posting: Posting | null): string[] {
  const ids = [
    opp.owner,
    ...(opp.followers ?? []),
    posting?.owner,
    posting?.hiringManager,
    ...(posting?.followers ?? []),
  ].map(userIdOf);
  return [...new Set(ids.filter((x): x is string => !!x))].sort();
}

export async function recordWatchers(deps: AutomationDeps, opp: Opportunity, posting: Posting | null): Promise<void> {
  const base = deps.lever.baseUrl.replace(/\/v1$/, '');
  const row = {
    user_ids: JSON.stringify(watchersOf(opp, posting)),
    candidate_name: opp.name ?? '(no name)',
    posting_id: posting?.id ?? null,
    posting_title: posting?.text ?? null,
    lever_url: opp.urls?.show ?? `${base}/candidates/${opp.id}`,
    updated_at: deps.now(),
  };
  await deps.store.db
    .insertInto('automation_watchers')
    .values({ opportunity_id: opp.id, ...row })
    .onConflict((oc) => oc.column('opportunity_id').doUpdateSet(row))
    .execute();
}

/** The stored (cached) match for these inputs, or a fresh one, stored in ai_results and audited as 'automation'. */
export async function scoreWithCache(deps: AutomationDeps, loaded: Loaded): Promise<MatchResult> {
  // Same key as the candidate route (capability 'match'), so the side panel serves this score without recomputing.
  const { result, fresh } = await deps.pipeline.run({
    capability: 'match',
    schema: MatchResultSchema,
    inputs: { posting: loaded.posting, candidate: loaded.candidate },
    opportunityId: loaded.opportunity.id,
    actor: AUTOMATION_ACTOR.email,
    generate: () => deps.ai.scoreCandidate(loaded.posting, loaded.candidate),
    auditOutput: (r) => ({ score: r.score, verdict: r.verdict, summary: r.summary }),
  });
  if (fresh) deps.metrics.tokens('match', result.provenance);
  return result;
}

export type { UpsertOutcome };

/**
 * The automation's proposal for one subject (proposals/automation-proposals.ts: one pending proposal per opportunity
 * and kind, never re-proposed once decided), unless admins forbid webhook automations to propose anything
 * (Settings → AI governance).
 */
export async function upsertProposal(
  deps: AutomationDeps,
  input: AutomationProposalInput,
): Promise<{ outcome: UpsertOutcome; proposal: ProposalRecord | null }> {
  if (!(await automationsMayPropose(deps.store.db))) return { outcome: 'skipped', proposal: null };
  const r = await upsertAutomationProposal(deps.store.db, AUTOMATION_ACTOR.email, deps.now, input);
  if (r.outcome === 'created' || r.outcome === 'refreshed') deps.metrics.proposal(input.kind, r.outcome);
  return r;
}

/**
 * Discards every pending proposal of an opportunity (archived, hired, deleted): nothing is left in an inbox for a
 * candidate who is no longer in process. Audited with the reason. Returns the ids dropped.
 */
export function dropPending(deps: AutomationDeps, opportunityId: string, reason: string): Promise<string[]> {
  return discardPendingOf(deps.store.db, AUTOMATION_ACTOR.email, deps.now, opportunityId, reason);
}

/** Stops the feedback poll of an opportunity: the next poll job finds no row (or another token) and ends. */
export async function stopPoll(deps: AutomationDeps, opportunityId: string): Promise<void> {
  await deps.store.db.deleteFrom('automation_polls').where('opportunity_id', '=', opportunityId).execute();
}

/** The recruiter to sign outreach with: the Fulcrum recruiter who is the posting owner in Lever, if any. */
export async function senderFor(deps: AutomationDeps, posting: Posting): Promise<{ name: string; email: string }> {
  const owner = userIdOf(posting.owner);
  if (owner) {
    const row = await deps.store.db
      .selectFrom('recruiters')
      .select(['name', 'email'])
      .where('lever_user_id', '=', owner)
      .where('revoked_at', 'is', null)
      .limit(1)
      .executeTakeFirst();
    if (row) return { name: row.name ?? row.email, email: row.email };
    if (typeof posting.owner === 'object' && posting.owner?.name) {
      return { name: posting.owner.name, email: posting.owner.email ?? '' };
    }
  }
  return { name: 'The hiring team', email: '' };
}

export type { JobQueue };
export { userIdOf };
