import type { z } from 'zod';
import type { Provenance, TextTruncation } from '../../utils/contracts/ai.ts';
import type { AiEngine } from '../ai/types.ts';
import { guardPosting } from '../compliance/proxy-check.ts';
import type { AuditFn } from '../http/audit.ts';
import {
  type LeverClient,
  LeverForbiddenError,
  LeverNotFoundError,
  type Opportunity,
  type Posting,
} from '../lever/index.ts';
import type { Store } from '../store/db.ts';
import { cacheKey, readCached, writeCached } from './ai-results.ts';
import {
  type LoadedCandidate,
  loadCandidate,
  postingIdOf,
  toCandidateInput,
  toPostingInput,
} from './load-candidate.ts';

/**
 * The capability pipeline the candidate routes, the webhook automations and rediscovery share:
 * load (opportunity, posting through the one posting cache, resume) → run the capability → cache the result in
 * ai_results by input hash → audit each fresh generation. Proposing is the proposals module's (backend/proposals/).
 * Built once per backend by the composition root (app.ts createServices).
 */

/** How long a posting read from Lever is served from memory: postings change rarely, applicants share them. */
export const POSTING_TTL_MS = 30_000;
const POSTING_CACHE_MAX = 500;

/**
 * The one posting cache: every posting the pipeline reads from Lever goes through it. `get` serves a copy younger
 * than POSTING_TTL_MS (a busy posting costs one Lever request, not one per event; the rate limit is 10 req/s per
 * key); `fresh` always asks Lever (AI inputs of a recruiter's request are re-read by id) and keeps the answer.
 */
export class PostingCache {
  private readonly entries = new Map<string, { at: number; posting: Posting }>();

  constructor(
    private readonly lever: LeverClient,
    private readonly now: () => number,
  ) {}

  async get(id: string): Promise<Posting> {
    const hit = this.entries.get(id);
    if (hit && this.now() - hit.at < POSTING_TTL_MS) return hit.posting;
    return this.fresh(id);
  }

  async fresh(id: string): Promise<Posting> {
    const posting = await this.lever.getPosting(id);
    this.entries.delete(id);
    if (this.entries.size >= POSTING_CACHE_MAX) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(id, { at: this.now(), posting });
    return posting;
  }

  /** The posting the opportunity applied to; null when it names none or the key cannot see it (404/403). */
  async ofOpportunity(opp: Opportunity): Promise<Posting | null> {
    const id = postingIdOf(opp);
    if (!id) return null;
    try {
      return await this.get(id);
    } catch (e) {
      // A posting the key cannot see still leaves a usable candidate context.
      if (e instanceof LeverNotFoundError || e instanceof LeverForbiddenError) return null;
      throw e;
    }
  }
}

export type PipelineDeps = {
  store: Store;
  lever: LeverClient;
  ai: AiEngine;
  audit: AuditFn;
  now: () => number;
};

/** One capability run: what it is, its exact inputs (the cache key), who asked, and how to generate it. */
export type CapabilityRun<T> = {
  capability: string;
  schema: z.ZodType<T>;
  inputs: unknown;
  opportunityId: string;
  /** Audit entries name this actor (a recruiter's email, or 'automation'). */
  actor: string;
  generate: () => Promise<T>;
  /** Skip the cached result and generate anew. */
  refresh?: boolean;
  /** What the audit entry records of a fresh result (default: all of it). */
  auditOutput?: (result: T) => unknown;
};

export class CandidatePipeline {
  readonly postings: PostingCache;

  constructor(private readonly d: PipelineDeps) {
    this.postings = new PostingCache(d.lever, d.now);
  }

  /**
   * Opportunity + posting + resume, re-read from Lever by id (the backend never trusts the extension's copy), the
   * posting's criteria guarded. Lever errors are thrown as they come (404 for an unknown opportunity).
   */
  load(opportunityId: string): Promise<LoadedCandidate> {
    return loadCandidate(this.d.lever, opportunityId, (id) => this.postings.fresh(id)).then(async (c) =>
      c.posting ? { ...c, posting: await guardPosting(this.d.store.db, c.posting) } : c,
    );
  }

  /** The engine's inputs from what the caller already read from Lever, the posting's criteria guarded. */
  async inputs(
    opportunity: Opportunity,
    posting: Posting,
    resume: { text: string; truncation: TextTruncation | null },
  ): Promise<LoadedCandidate & { posting: NonNullable<LoadedCandidate['posting']> }> {
    return {
      opportunity,
      // Criteria the proxy check flags are not scored unless an admin confirmed them (compliance kit).
      posting: await guardPosting(this.d.store.db, toPostingInput(posting)),
      candidate: toCandidateInput(opportunity, resume.text, resume.truncation),
    };
  }

  /**
   * The stored result for these exact inputs (same engine), or a fresh one: generated, validated, stored in
   * ai_results and audited as 'ai.generate'. `fresh` says which.
   */
  async run<T extends { provenance: Provenance }>(r: CapabilityRun<T>): Promise<{ result: T; fresh: boolean }> {
    const key = cacheKey(r.capability, this.d.ai.info(), r.inputs);
    if (!r.refresh) {
      const hit = await readCached(this.d.store, r.capability, key, r.schema);
      if (hit) return { result: hit, fresh: false };
    }
    const result = r.schema.parse(await r.generate());
    await writeCached(this.d.store, {
      capability: r.capability,
      key,
      opportunityId: r.opportunityId,
      provider: result.provenance.provider,
      model: result.provenance.model,
      result,
      now: this.d.now(),
    });
    await this.d.audit({
      actor: r.actor,
      opportunityId: r.opportunityId,
      capability: r.capability,
      action: 'ai.generate',
      provenance: result.provenance,
      output: r.auditOutput ? r.auditOutput(result) : result,
      decision: null,
      leverIds: [r.opportunityId],
    });
    return { result, fresh: true };
  }
}
