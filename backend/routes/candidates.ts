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
import {
  fetchOpportunity,
  type LoadedCandidate,
  loadFeedback,
  toCandidateContext,
} from '../candidates/load-candidate.ts';
import { matchNoteText } from '../candidates/match-note.ts';
import type { AuthEnv, Principal } from '../http/auth.ts';
import { conflict } from '../http/errors.ts';
import { recruiterIdentity } from '../http/recruiter-identity.ts';
import { zodJson, zodParam } from '../http/validate.ts';
import { collect, LeverNotFoundError } from '../lever/index.ts';
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

  const leverNotFound = (e: unknown, id: string): never => {
    if (e instanceof LeverNotFoundError) throw opportunityNotFound(id);
    throw e;
  };

  const load = (id: string): Promise<LoadedCandidate> => s.pipeline.load(id).catch((e) => leverNotFound(e, id));

  const requirePosting = (c: LoadedCandidate) => {
    if (!c.posting)
      throw conflict('This candidate is not applied to a posting in Lever, so there is nothing to match against.');
    return c.posting;
  };

  /** Serves the cached result for these inputs (marked cached), or runs `generate`, stores and audits it. */
  async function cachedOrRun<T extends WithProvenance>(opts: {
    capability: string;
    schema: z.ZodType<T>;
    inputs: unknown;
    refresh: boolean;
    actor: Principal;
    opportunityId: string;
    generate: () => Promise<T>;
  }): Promise<{ result: T; fresh: boolean }> {
    const { actor, ...run } = opts;
    const r = await s.pipeline.run({ ...run, actor: actor.email });
    return r.fresh
      ? r
      : { result: { ...r.result, provenance: { ...r.result.provenance, cached: true } }, fresh: false };
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
        const [feedback, posting] = await Promise.all([
          collect(s.lever.listFeedback(opportunityId)),
          s.pipeline.postings.ofOpportunity(opp),
        ]);
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
