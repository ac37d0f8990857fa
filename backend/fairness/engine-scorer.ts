import { candidateFromText } from '../ai/candidate-from-text.ts';
import type { AiEngine, PostingInput } from '../ai/types.ts';
import { type Scorer, ScorerOutputError } from './bias-test.ts';

/**
 * The active AI engine as a bias-test scorer. Each copy is scored as an anonymous candidate carrying only the copy's
 * name and resume text, the way production scores a real one (the engine redacts the known name before any LLM
 * call, so what the test measures is what production would show).
 *
 * A score the local engine produced as a fallback for a failed LLM call is refused: mixing engines would report the
 * fallback's behaviour as the model's.
 */
export function engineScorer(engine: AiEngine, posting: PostingInput): Scorer {
  return async (_posting, resumeText, candidate) => {
    const result = await engine.scoreCandidate(
      posting,
      candidateFromText('bias-test', resumeText, { name: candidate.name ?? '' }),
    );
    if (result.provenance.fallback) {
      throw new ScorerOutputError(
        `${result.provenance.fallback.from} failed (${result.provenance.fallback.reason}); the bias test needs the provider's own scores`,
      );
    }
    return result.score;
  };
}
