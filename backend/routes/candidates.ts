import { Hono } from 'hono';
import { z } from 'zod';
import {
  type FeedbackSynthesis,
  FeedbackSynthesisSchema,
  type InterviewQuestions,
  InterviewQuestionsSchema,
  type MatchResult,
  MatchResultSchema,
  type OutreachDraft,
  OutreachDraftSchema,
  type Provenance,
} from '../../utils/contracts/ai.ts';
import {
  type CandidateContext,
  CandidateContextSchema,
  FeedbackRequestSchema,
  MatchRequestSchema,
  OpportunityIdSchema,
  OutreachApiRequestSchema,
  QuestionsRequestSchema,
} from '../../utils/contracts/api.ts';
import { opportunityNotFound } from '../access/lever-access.ts';
import type { AppServices } from '../app.ts';
import { cacheKey, readCached, writeCached } from '../candidates/ai-results.ts';
import {
  fetchOpportunity,
  type LoadedCandidate,
  loadCandidate,
  loadFeedback,
  postingIdOf,
  toCandidateContext,
} from '../candidates/load-candidate.ts';
import { matchNoteText } from '../candidates/match-note.ts';
import { guardPosting } from '../compliance/proxy-check.ts';
import type { AuthEnv, Principal } from '../http/auth.ts';
import { conflict } from '../http/errors.ts';
import { recruiterIdentity } from '../http/recruiter-identity.ts';
import { zodJson, zodParam } from '../http/validate.ts';
import { collect, LeverForbiddenError, LeverNotFoundError, type Opportunity, type Posting } from '../lever/index.ts';
import { complianceCandidateRoutes } from './compliance.ts';

const Param = z.object({ opportunityId: OpportunityIdSchema });
const CONTEXT_TTL_MS = 30_000;
const CONTEXT_CACHE_MAX = 500;

type WithProvenance = { provenance: Provenance };

/**
 * Candidate context and the four AI capabilities. Everything is re-read from Lever by id; AI results are cached in
 * ai_results by (capability, input hash) and served from there unless `refresh`; each fresh generation is audited.
 */
export function candidateRoutes(s: AppServices) {
  const contexts = new Map<string, { at: number; ctx: CandidateContext }>();
  const postings = new Map<string, { at: number; posting: Posting }>();

  /** The posting the opportunity applied to (Lever only expands it to an id here); cached like the context. */
  async function postingOf(opp: Opportunity): Promise<Posting | null> {
    const id = postingIdOf(opp);
    if (!id) return null;
    const hit = postings.get(id);
    if (hit && s.clock() - hit.at < CONTEXT_TTL_MS) return hit.posting;
    try {
      const posting = await s.lever.getPosting(id);
      if (postings.size >= CONTEXT_CACHE_MAX) postings.delete(postings.keys().next().value as string);
      postings.set(id, { at: s.clock(), posting });
      return posting;
    } catch (e) {
      // A posting the key cannot see still leaves a usable candidate context.
      if (e instanceof LeverNotFoundError || e instanceof LeverForbiddenError) return null;
      throw e;
    }
  }

  const leverNotFound = (e: unknown, id: string): never => {
    if (e instanceof LeverNotFoundError) throw opportunityNotFound(id);
    throw e;
  };

  // Criteria the proxy check flags are not scored unless an admin confirmed them (compliance kit).
  const load = (id: string): Promise<LoadedCandidate> =>
    loadCandidate(s.lever, id).then(
      (c) => (c.posting ? { ...c, posting: guardPosting(s.store.sqlite, c.posting) } : c),
      (e) => leverNotFound(e, id),
    );

  const requirePosting = (c: LoadedCandidate) => {
    if (!c.posting)
      throw conflict('This candidate is not applied to a posting in Lever, so there is nothing to match against.');
    return c.posting;
  };

  /** Serves the cached result for these inputs, or runs `generate`, stores and audits it. */
  async function cachedOrRun<T extends WithProvenance>(opts: {
    capability: string;
    schema: z.ZodType<T>;
    inputs: unknown;
    refresh: boolean;
    actor: Principal;
    opportunityId: string;
    generate: () => Promise<T>;
  }): Promise<{ result: T; fresh: boolean }> {
    const key = cacheKey(opts.capability, s.ai.info(), opts.inputs);
    if (!opts.refresh) {
      const hit = await readCached(s.store, opts.capability, key, opts.schema);
      if (hit) return { result: { ...hit, provenance: { ...hit.provenance, cached: true } }, fresh: false };
    }
    const result = opts.schema.parse(await opts.generate());
    await writeCached(s.store, {
      capability: opts.capability,
      key,
      opportunityId: opts.opportunityId,
      provider: result.provenance.provider,
      model: result.provenance.model,
      result,
      now: s.clock(),
    });
    await s.audit({
      actor: opts.actor.email,
      opportunityId: opts.opportunityId,
      capability: opts.capability,
      action: 'ai.generate',
      provenance: result.provenance,
      output: result,
      decision: null,
      leverIds: [opts.opportunityId],
    });
    return { result, fresh: true };
  }

  const match = (cand: LoadedCandidate, actor: Principal, refresh: boolean) => {
    const posting = requirePosting(cand);
    return cachedOrRun<MatchResult>({
      capability: 'match',
      schema: MatchResultSchema,
      inputs: { posting, candidate: cand.candidate },
      refresh,
      actor,
      opportunityId: cand.opportunity.id,
      generate: () => s.ai.scoreCandidate(posting, cand.candidate),
    });
  };

  // Every route here reads one candidate: the caller must be allowed to see it (404 otherwise, as for a missing one).
  const see = () => s.guards.opportunity('see');

  return (
    new Hono<AuthEnv>()
      .get('/:opportunityId', zodParam(Param), see(), async (c) => {
        const { opportunityId } = c.req.valid('param');
        const hit = contexts.get(opportunityId);
        if (hit && s.clock() - hit.at < CONTEXT_TTL_MS) return c.json(hit.ctx);
        const opp = await fetchOpportunity(s.lever, opportunityId).catch((e) => leverNotFound(e, opportunityId));
        const [feedback, posting] = await Promise.all([collect(s.lever.listFeedback(opportunityId)), postingOf(opp)]);
        const ctx = CandidateContextSchema.parse(
          toCandidateContext(opp, s.lever.baseUrl, feedback.filter((f) => !f.deletedAt).length, s.nowDate(), posting),
        );
        if (contexts.size >= CONTEXT_CACHE_MAX) contexts.delete(contexts.keys().next().value as string);
        contexts.set(opportunityId, { at: s.clock(), ctx });
        return c.json(ctx);
      })
      .post('/:opportunityId/match', zodParam(Param), see(), zodJson(MatchRequestSchema), async (c) => {
        const { opportunityId } = c.req.valid('param');
        const { refresh } = c.req.valid('json');
        const actor = c.get('recruiter');
        const cand = await load(opportunityId);
        const { result } = await match(cand, actor, refresh);
        // The match summary is what may go to Lever: keep one pending proposal for it, refreshed with each result, for
        // callers who may write to this candidate (an interviewer reads the match, proposes nothing). An open summary
        // someone else may not change is left alone; the caller gets their own.
        const viewer = await s.guards.viewer(c);
        if ((await s.access.opportunity(viewer, opportunityId))?.act) {
          await s.proposals.upsertFromAi(
            actor,
            {
              opportunityId,
              kind: 'match-summary',
              payload: { note: { text: matchNoteText(result) } },
              reason: `Match summary from the AI match (score ${Math.round(result.score)}, ${result.verdict}).`,
              capability: 'match',
              provenance: result.provenance,
            },
            async (open) => (await s.access.proposalRights(viewer, open)).edit,
          );
        }
        return c.json(result);
      })
      .post('/:opportunityId/outreach', zodParam(Param), see(), zodJson(OutreachApiRequestSchema), async (c) => {
        const { opportunityId } = c.req.valid('param');
        const { refresh, ...request } = c.req.valid('json');
        const actor = c.get('recruiter');
        const cand = await load(opportunityId);
        const posting = requirePosting(cand);
        const m = (await match(cand, actor, false)).result;
        // Signed with the recruiter's Lever name and job title, never with an e-mail address as a name.
        const recruiter = await recruiterIdentity(s.lever, actor);
        const { result } = await cachedOrRun<OutreachDraft>({
          capability: 'outreach',
          schema: OutreachDraftSchema,
          inputs: { posting, candidate: cand.candidate, match: m.provenance.inputHash, request, recruiter },
          refresh,
          actor,
          opportunityId,
          generate: () => s.ai.draftOutreach(posting, cand.candidate, m, request, recruiter),
        });
        return c.json(result);
      })
      .post('/:opportunityId/questions', zodParam(Param), see(), zodJson(QuestionsRequestSchema), async (c) => {
        const { opportunityId } = c.req.valid('param');
        const body = c.req.valid('json');
        const actor = c.get('recruiter');
        const cand = await load(opportunityId);
        const posting = requirePosting(cand);
        const m = (await match(cand, actor, false)).result;
        const stageOf = cand.opportunity.stage;
        const stage = body.stage ?? (typeof stageOf === 'object' && stageOf ? stageOf.text : 'Interview');
        const { result } = await cachedOrRun<InterviewQuestions>({
          capability: 'questions',
          schema: InterviewQuestionsSchema,
          inputs: { posting, candidate: cand.candidate, match: m.provenance.inputHash, stage },
          refresh: body.refresh,
          actor,
          opportunityId,
          generate: () => s.ai.generateQuestions(posting, cand.candidate, m, stage),
        });
        return c.json(result);
      })
      .post('/:opportunityId/feedback', zodParam(Param), see(), zodJson(FeedbackRequestSchema), async (c) => {
        const { opportunityId } = c.req.valid('param');
        const { refresh } = c.req.valid('json');
        const actor = c.get('recruiter');
        const cand = await load(opportunityId);
        const posting = requirePosting(cand);
        const feedback = await loadFeedback(s.lever, opportunityId);
        const { result } = await cachedOrRun<FeedbackSynthesis>({
          capability: 'feedback',
          schema: FeedbackSynthesisSchema,
          inputs: { posting, feedback },
          refresh,
          actor,
          opportunityId,
          generate: () => s.ai.synthesizeFeedback(posting, feedback),
        });
        return c.json(result);
      })
      // The compliance kit's routes on a candidate (opt-out, explanation): routes/compliance.ts.
      .route('/', complianceCandidateRoutes(s))
  );
}
