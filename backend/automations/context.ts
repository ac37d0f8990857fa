import { randomUUID } from 'node:crypto';
import type { MatchResult, Provenance, TextTruncation } from '../../utils/contracts/ai.ts';
import { MatchResultSchema } from '../../utils/contracts/ai.ts';
import type { ProposalKind, ProposalPayload } from '../../utils/contracts/api.ts';
import type { AiEngine, CandidateInput, PostingInput } from '../ai/types.ts';
import { appendAuditSync } from '../audit/audit-log.ts';
import { cacheKey, readCached, writeCached } from '../candidates/ai-results.ts';
import { fetchOpportunity, postingIdOf, toCandidateInput, toPostingInput } from '../candidates/load-candidate.ts';
import { newestResume } from '../candidates/resume-text.ts';
import { optOutStatusOf } from '../compliance/opt-out.ts';
import { guardPosting } from '../compliance/proxy-check.ts';
import { automationsMayProposeSync } from '../governance/settings.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { PermanentJobError } from '../jobs/queue.ts';
import {
  LeverApiError,
  type LeverClient,
  LeverForbiddenError,
  LeverNotFoundError,
  type Opportunity,
  type Posting,
} from '../lever/index.ts';
import type { HrisConfig } from '../offers/hris-handoff.ts';
import { fromRow, type ProposalRecord } from '../proposals/repo.ts';
import type { ProposalService } from '../proposals/service.ts';
import type { Store } from '../store/db.ts';
import type { ProposalRow } from '../store/schema.ts';
import type { AutomationMetrics } from './metrics.ts';
import { ensureAutomationSchema } from './schema.ts';
import type { WebhookJob } from './webhook-job.ts';

/** Everything an automation handler needs; built once in register.ts. */
export type AutomationDeps = {
  store: Store;
  lever: LeverClient;
  ai: AiEngine;
  queue: JobQueue;
  proposals: ProposalService;
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

/** What webhooks/intake.ts enqueues: `{eventId, event, data}`; the data is only a trigger, never trusted. */
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

// Postings change rarely and every applicant of a posting needs the same one: a short per-process cache saves a
// Lever request per event on busy postings (the rate limit is 10 req/s per key).
const POSTING_TTL_MS = 60_000;
const postingCache = new WeakMap<LeverClient, Map<string, { at: number; posting: Posting }>>();

export async function readPosting(deps: AutomationDeps, opp: Opportunity): Promise<Posting | null> {
  const id = postingIdOf(opp);
  if (!id) return null;
  let cache = postingCache.get(deps.lever);
  if (!cache) {
    cache = new Map();
    postingCache.set(deps.lever, cache);
  }
  const hit = cache.get(id);
  if (hit && deps.now() - hit.at < POSTING_TTL_MS) return hit.posting;
  try {
    const posting = await deps.lever.getPosting(id);
    if (cache.size > 500) cache.clear();
    cache.set(id, { at: deps.now(), posting });
    return posting;
  } catch (e) {
    if (e instanceof LeverNotFoundError || e instanceof LeverForbiddenError) return null;
    return leverFailure(e);
  }
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
  if (optOutStatusOf(deps.store.sqlite, opportunity, deps.now()).optedOut) return null;
  const rawPosting = await readPosting(deps, opportunity);
  if (!rawPosting) return null;
  const resume = await readResume(deps, opportunityId);
  return {
    opportunity,
    rawPosting,
    // Criteria the proxy check flags are not scored unless an admin confirmed them (compliance kit).
    posting: guardPosting(deps.store.sqlite, toPostingInput(rawPosting)),
    candidate: toCandidateInput(opportunity, resume.text, resume.truncation),
  };
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

export function recordWatchers(deps: AutomationDeps, opp: Opportunity, posting: Posting | null): void {
  const { sqlite } = deps.store;
  ensureAutomationSchema(sqlite);
  const base = deps.lever.baseUrl.replace(/\/v1$/, '');
  sqlite
    .prepare(
      `INSERT INTO automation_watchers (opportunity_id, user_ids, candidate_name, posting_id, posting_title, lever_url, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (opportunity_id) DO UPDATE SET user_ids = excluded.user_ids, candidate_name = excluded.candidate_name,
         posting_id = excluded.posting_id, posting_title = excluded.posting_title, lever_url = excluded.lever_url,
         updated_at = excluded.updated_at`,
    )
    .run(
      opp.id,
      JSON.stringify(watchersOf(opp, posting)),
      opp.name ?? '(no name)',
      posting?.id ?? null,
      posting?.text ?? null,
      opp.urls?.show ?? `${base}/candidates/${opp.id}`,
      deps.now(),
    );
}

/** The stored (cached) match for these inputs, or a fresh one, stored in ai_results and audited as 'automation'. */
export async function scoreWithCache(deps: AutomationDeps, loaded: Loaded): Promise<MatchResult> {
  const inputs = { posting: loaded.posting, candidate: loaded.candidate };
  // Same key as the candidate route (capability 'match'), so the side panel serves this score without recomputing.
  const key = cacheKey('match', deps.ai.info(), inputs);
  const hit = await readCached(deps.store, 'match', key, MatchResultSchema);
  if (hit) return hit;
  const result = MatchResultSchema.parse(await deps.ai.scoreCandidate(loaded.posting, loaded.candidate));
  deps.metrics.tokens('match', result.provenance);
  await writeCached(deps.store, {
    capability: 'match',
    key,
    opportunityId: loaded.opportunity.id,
    provider: result.provenance.provider,
    model: result.provenance.model,
    result,
    now: deps.now(),
  });
  appendAuditSync(deps.store.sqlite, {
    actor: AUTOMATION_ACTOR.email,
    opportunityId: loaded.opportunity.id,
    capability: 'match',
    action: 'ai.generate',
    provider: result.provenance.provider,
    model: result.provenance.model,
    modelVersion: result.provenance.version,
    promptVersion: result.provenance.promptVersion,
    inputHash: result.provenance.inputHash,
    output: { score: result.score, verdict: result.verdict, summary: result.summary },
    decision: null,
    leverIds: [loaded.opportunity.id],
  });
  return result;
}

export type UpsertOutcome = 'created' | 'refreshed' | 'unchanged' | 'skipped';

/**
 * Creates the automation's proposal, or refreshes the pending one of the same opportunity and kind: one pending
 * proposal per (opportunity, kind), however often the event is delivered or the job re-run. `subject` names what the
 * proposal is about (e.g. the stage of interview questions); once a proposal for that subject was decided (approved,
 * written, failed or discarded), it is not proposed again: a recruiter who discarded it does not want it back.
 * Check and write run in one synchronous IMMEDIATE transaction, so concurrent duplicates cannot both insert.
 */
export function upsertProposal(
  deps: AutomationDeps,
  input: {
    opportunityId: string;
    kind: ProposalKind;
    subject: string;
    payload: ProposalPayload;
    reason: string;
    provenance: Provenance | null;
  },
): { outcome: UpsertOutcome; proposal: ProposalRecord | null } {
  const { sqlite } = deps.store;
  // Admins can forbid webhook automations to propose anything (Settings → AI governance).
  if (!automationsMayProposeSync(sqlite)) return { outcome: 'skipped', proposal: null };
  const payload = JSON.stringify(input.payload);
  const provenance = input.provenance ? JSON.stringify(input.provenance) : null;
  const run = sqlite.transaction((): { outcome: UpsertOutcome; id: string | null } => {
    const rows = sqlite
      .prepare('SELECT * FROM proposals WHERE opportunity_id = ? AND kind = ? ORDER BY created_at DESC')
      .all(input.opportunityId, input.kind) as ProposalRow[];
    if (rows.some((r) => r.source_capability === input.subject && r.status !== 'pending')) {
      return { outcome: 'skipped', id: null };
    }
    const t = deps.now();
    const pending = rows.find((r) => r.status === 'pending');
    const audit = (action: string, id: string) =>
      appendAuditSync(sqlite, {
        actor: AUTOMATION_ACTOR.email,
        opportunityId: input.opportunityId,
        capability: input.subject,
        action,
        provider: input.provenance?.provider ?? null,
        model: input.provenance?.model ?? null,
        modelVersion: input.provenance?.version ?? null,
        promptVersion: input.provenance?.promptVersion ?? null,
        inputHash: input.provenance?.inputHash ?? null,
        output: { proposalId: id, kind: input.kind, payload: input.payload },
        decision: 'pending',
        leverIds: [input.opportunityId],
      });
    if (pending) {
      if (pending.payload === payload && pending.source_capability === input.subject) {
        return { outcome: 'unchanged', id: pending.id };
      }
      sqlite
        .prepare(
          `UPDATE proposals SET payload = ?, reason = ?, provenance = ?, source_capability = ?, updated_at = ?, error = NULL
           WHERE id = ? AND status = 'pending'`,
        )
        .run(payload, input.reason, provenance, input.subject, t, pending.id);
      audit('proposal.refresh', pending.id);
      return { outcome: 'refreshed', id: pending.id };
    }
    const id = randomUUID();
    sqlite
      .prepare(
        `INSERT INTO proposals (id, opportunity_id, kind, status, payload, reason, created_by, created_at, updated_at,
           decided_by, result, error, source_capability, provenance)
         VALUES (?, ?, ?, 'pending', ?, ?, ?, ?, ?, NULL, NULL, NULL, ?, ?)`,
      )
      .run(
        id,
        input.opportunityId,
        input.kind,
        payload,
        input.reason,
        AUTOMATION_ACTOR.email,
        t,
        t,
        input.subject,
        provenance,
      );
    audit('proposal.create', id);
    return { outcome: 'created', id };
  });
  const { outcome, id } = run.immediate();
  if (outcome === 'created' || outcome === 'refreshed') deps.metrics.proposal(input.kind, outcome);
  if (!id) return { outcome, proposal: null };
  const row = sqlite.prepare('SELECT * FROM proposals WHERE id = ?').get(id) as ProposalRow | undefined;
  return { outcome, proposal: row ? fromRow(row) : null };
}

/**
 * Discards every pending proposal of an opportunity (archived, hired, deleted): nothing is left in an inbox for a
 * candidate who is no longer in process. Audited with the reason. Returns the ids dropped.
 */
export function dropPending(deps: AutomationDeps, opportunityId: string, reason: string): string[] {
  const { sqlite } = deps.store;
  return sqlite
    .transaction(() => {
      const rows = sqlite
        .prepare("SELECT id, kind FROM proposals WHERE opportunity_id = ? AND status = 'pending'")
        .all(opportunityId) as Array<{ id: string; kind: string }>;
      const t = deps.now();
      for (const r of rows) {
        sqlite
          .prepare(
            "UPDATE proposals SET status = 'discarded', decided_by = ?, error = ?, updated_at = ? WHERE id = ? AND status = 'pending'",
          )
          .run(AUTOMATION_ACTOR.email, `Discarded automatically: ${reason}.`, t, r.id);
        appendAuditSync(sqlite, {
          actor: AUTOMATION_ACTOR.email,
          opportunityId,
          capability: 'automation',
          action: 'proposal.discard',
          output: { proposalId: r.id, kind: r.kind, reason },
          decision: 'discarded',
          leverIds: [opportunityId],
        });
      }
      return rows.map((r) => r.id);
    })
    .immediate();
}

/** Cancels scheduled (and not yet sent) follow-ups of an opportunity; the follow-up job then does nothing. */
export function cancelFollowUps(deps: AutomationDeps, opportunityId: string, reason: string): number {
  ensureAutomationSchema(deps.store.sqlite);
  return deps.store.sqlite
    .prepare(
      `UPDATE automation_followups SET status = 'cancelled', cancel_reason = ?, updated_at = ?
       WHERE opportunity_id = ? AND status IN ('draft', 'scheduled')`,
    )
    .run(reason, deps.now(), opportunityId).changes;
}

/** Stops the feedback poll of an opportunity: the next poll job finds no row (or another token) and ends. */
export function stopPoll(deps: AutomationDeps, opportunityId: string): void {
  ensureAutomationSchema(deps.store.sqlite);
  deps.store.sqlite.prepare('DELETE FROM automation_polls WHERE opportunity_id = ?').run(opportunityId);
}

/** The recruiter to sign outreach with: the Fulcrum recruiter who is the posting owner in Lever, if any. */
export function senderFor(deps: AutomationDeps, posting: Posting): { name: string; email: string } {
  const owner = userIdOf(posting.owner);
  if (owner) {
    const row = deps.store.sqlite
      .prepare('SELECT name, email FROM recruiters WHERE lever_user_id = ? AND revoked_at IS NULL LIMIT 1')
      .get(owner) as { name: string | null; email: string } | undefined;
    if (row) return { name: row.name ?? row.email, email: row.email };
    if (typeof posting.owner === 'object' && posting.owner?.name) {
      return { name: posting.owner.name, email: posting.owner.email ?? '' };
    }
  }
  return { name: 'The hiring team', email: '' };
}

export type { JobQueue };
export { userIdOf };
