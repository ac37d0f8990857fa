import {
  FeedbackSynthesisSchema,
  InterviewQuestionsSchema,
  MatchResultSchema,
  OutreachDraftSchema,
  type Provenance,
} from '../../utils/contracts/ai.ts';
import { INLINE_SCORE_MAX_CHARS, scoreInSandbox } from '../sandbox/sandbox.ts';
import { boundCandidate } from './bound-text.ts';
import type { AiCache } from './cache.ts';
import { MemoryLruCache } from './cache.ts';
import { draftOutreachLocal } from './draft-outreach.ts';
import { AiError } from './errors.ts';
import { generateQuestionsLocal } from './generate-questions.ts';
import { draftOutreachLlm } from './llm/draft-outreach.ts';
import { generateQuestionsLlm } from './llm/generate-questions.ts';
import { scoreCandidateLlm } from './llm/score-candidate.ts';
import { OpenAiProvider, openAiConfigFromEnv } from './openai-provider.ts';
import { rankCandidates } from './rank-candidates.ts';
import { LOCAL_ENGINE, scoreCandidateLocal } from './score-candidate.ts';
import { synthesizeFeedbackLocal } from './synthesize-feedback.ts';
import type { AiEngine, CandidateInput } from './types.ts';

export type CreateAiEngineOptions = {
  /** OpenAI-compatible endpoint (AI_BASE_URL). Without it the engine is fully local. */
  baseUrl?: string;
  apiKey?: string;
  model?: string;
  timeoutMs?: number;
  maxRetries?: number;
  /** Result cache for LLM calls; defaults to an in-memory LRU of 500 entries. */
  cache?: AiCache;
  now?: () => Date;
  /**
   * Where the local engine scores: in a sandbox worker (the default: the event loop stays free and a hostile résumé
   * meets a time and memory budget, see sandbox/sandbox.ts), or on the calling thread (`false`, for batch tools).
   */
  sandbox?: boolean;
};

export const DEFAULT_MODEL = 'gpt-4o-mini';

/** Options from AI_BASE_URL, AI_API_KEY, AI_MODEL, AI_TIMEOUT_MS. */
export function aiEngineOptionsFromEnv(env: Record<string, string | undefined> = process.env): CreateAiEngineOptions {
  const c = openAiConfigFromEnv(env);
  return c
    ? { baseUrl: c.baseUrl, model: c.model, timeoutMs: c.timeoutMs, ...(c.apiKey ? { apiKey: c.apiKey } : {}) }
    : {};
}

/**
 * The engine the backend uses. Local (deterministic, offline) when no baseUrl is given; otherwise an
 * OpenAI-compatible model for scoring, outreach and questions, with the local engine answering whenever the model
 * fails in any way (network, timeout, invalid output, PII leak check); `provenance.fallback` then says why.
 *
 * Always local, by design: `rank` (hundreds of candidates, must be fast and free) and `synthesizeFeedback`
 * (extractive: it quotes the forms, so there is nothing for a model to add, and interview notes stay in-house).
 *
 * What reaches a provider: the posting, and the candidate's resume, cover letter and headline after PII redaction
 * (redact.ts). Never EEO answers (not part of CandidateInput), never feedback forms.
 */
export function createAiEngine(opts: CreateAiEngineOptions = {}): AiEngine {
  const now = opts.now ?? (() => new Date());
  const local = localEngine(now, opts.sandbox !== false);
  if (!opts.baseUrl) return local;

  const provider = new OpenAiProvider(
    {
      baseUrl: opts.baseUrl,
      model: opts.model ?? DEFAULT_MODEL,
      timeoutMs: opts.timeoutMs ?? 30_000,
      ...(opts.apiKey ? { apiKey: opts.apiKey } : {}),
      ...(opts.maxRetries !== undefined ? { maxRetries: opts.maxRetries } : {}),
    },
    { cache: opts.cache ?? new MemoryLruCache(500), now },
  );
  const from = `openai:${provider.model}`;

  async function withFallback<T extends { provenance: Provenance }>(
    llm: () => Promise<T>,
    fallback: () => Promise<T>,
  ): Promise<T> {
    try {
      return await llm();
    } catch (err) {
      const result = await fallback();
      return { ...result, provenance: { ...result.provenance, fallback: { from, reason: describe(err) } } };
    }
  }

  return {
    info: () => ({ provider: 'openai', model: provider.model }),
    scoreCandidate: (posting, input, o) => {
      // Within the input limits before redaction: the LLM sees what the local engine would read.
      const candidate = boundCandidate(input);
      return withFallback(
        async () => {
          const result = await scoreCandidateLlm(provider, posting, candidate, o);
          return candidate.truncated?.length ? { ...result, truncated: candidate.truncated } : result;
        },
        () => local.scoreCandidate(posting, candidate, o),
      );
    },
    draftOutreach: (posting, candidate, match, request, recruiter) =>
      withFallback(
        () => draftOutreachLlm(provider, posting, candidate, match, request, recruiter, { now }),
        () => local.draftOutreach(posting, candidate, match, request, recruiter),
      ),
    generateQuestions: (posting, candidate, match, stage) =>
      withFallback(
        () => generateQuestionsLlm(provider, posting, candidate, match, stage),
        () => local.generateQuestions(posting, candidate, match, stage),
      ),
    synthesizeFeedback: local.synthesizeFeedback,
    rank: local.rank,
  };
}

function localEngine(now: () => Date, sandboxed: boolean): AiEngine {
  return {
    info: () => ({ provider: 'local', model: LOCAL_ENGINE.model }),
    scoreCandidate: async (posting, candidate, o) => {
      const opts = { ...(o?.rubric ? { rubric: o.rubric } : {}), now: now() };
      const bounded = boundCandidate(candidate);
      // A short text scores in a few milliseconds (linear time, a measured worst case of ~1.5 ms per 1,000
      // characters), less than a round trip to a worker; longer ones go to the sandbox with its budget.
      const inline = !sandboxed || textLength(bounded) <= INLINE_SCORE_MAX_CHARS;
      return MatchResultSchema.parse(
        inline ? scoreCandidateLocal(posting, bounded, opts) : await scoreInSandbox(posting, bounded, opts),
      );
    },
    draftOutreach: async (posting, candidate, match, request, recruiter) =>
      OutreachDraftSchema.parse(draftOutreachLocal(posting, candidate, match, request, recruiter, { now })),
    generateQuestions: async (posting, candidate, match, stage) =>
      InterviewQuestionsSchema.parse(generateQuestionsLocal(posting, candidate, match, stage, { now })),
    synthesizeFeedback: async (posting, feedback, o) =>
      FeedbackSynthesisSchema.parse(
        synthesizeFeedbackLocal(posting, feedback, { ...(o?.rubric ? { rubric: o.rubric } : {}), now }),
      ),
    rank: async (posting, candidates) => rankCandidates(posting, candidates),
  };
}

const textLength = (c: CandidateInput) => c.resumeText.length + (c.applicationText?.length ?? 0);

/** A fallback reason for the recruiter and the audit log: the error's code and message, never request content. */
function describe(err: unknown): string {
  if (err instanceof AiError) return `${err.code}: ${err.message}`;
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
