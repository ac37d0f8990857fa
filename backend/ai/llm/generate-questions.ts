import { z } from 'zod';
import { type InterviewQuestions, InterviewQuestionsSchema, type MatchResult } from '../../../utils/contracts/ai.ts';
import { LlmOutputError } from '../errors.ts';
import { questionTargets, roleFamilyOf, stageDepth, withoutProhibited } from '../generate-questions.ts';
import type { OpenAiProvider } from '../openai-provider.ts';
import { knownPiiOf } from '../redact.ts';
import type { CandidateInput, PostingInput } from '../types.ts';

/**
 * Interview questions by an LLM. Only the posting, the stage and the criteria with their match status are sent:
 * no candidate text at all, so nothing personal leaves and nothing in a resume can steer the questions. The
 * criterion and the reason of each question are ours (the model picks among the given criteria); every question
 * goes through `isProhibitedQuestion`, and questions come back ordered gaps, unclear, core.
 */
export const QUESTIONS_PROMPT_VERSION = 'llm-questions-1';

export const LlmQuestionsSchema = z.object({
  questions: z.array(
    z.object({
      criterionId: z.string(),
      question: z.string(),
      strongAnswer: z.string().describe('What a strong answer shows'),
    }),
  ),
});

const SYSTEM = [
  'You write structured interview questions for a hiring team.',
  'Write questions for the criteria in the data, in the order given: gaps first, then unclear criteria, then core',
  'criteria. For each, say what a strong answer shows. Screens are short conversations about motivation and',
  'relevant experience; later stages go deep (concrete past situations, decisions, trade-offs, results).',
  'Never ask about age, family, marital status, pregnancy, religion, nationality or national origin, ethnicity,',
  'health or disability, gender, sexual orientation or political views, and do not ask about salary, notice',
  'period or visas.',
].join(' ');

const ORDER = { gap: 0, unclear: 1, core: 2 } as const;

export async function generateQuestionsLlm(
  provider: OpenAiProvider,
  posting: PostingInput,
  candidate: CandidateInput,
  match: MatchResult,
  stage: string,
): Promise<InterviewQuestions> {
  const depth = stageDepth(stage);
  const roleFamily = roleFamilyOf(posting);
  const targets = questionTargets(match).slice(0, depth === 'screen' ? 5 : 8);
  const byId = new Map(targets.map((t) => [t.result.criterion.id, t]));
  return provider.run({
    capability: 'interview_questions',
    promptVersion: QUESTIONS_PROMPT_VERSION,
    output: LlmQuestionsSchema,
    system: SYSTEM,
    task: 'Write one question per criterion in the data.',
    data: {
      posting: { title: posting.title, team: posting.team },
      roleFamily,
      stage,
      depth,
      criteria: targets.map((t) => ({
        id: t.result.criterion.id,
        text: t.result.criterion.text,
        status: t.result.status,
        reason: t.reason,
      })),
    },
    known: knownPiiOf(candidate),
    result: InterviewQuestionsSchema,
    assemble: (out) => {
      const questions = out.questions
        .flatMap((q) => {
          const t = byId.get(q.criterionId);
          return t
            ? [
                {
                  id: '',
                  criterionId: q.criterionId,
                  criterion: t.result.criterion.text,
                  question: q.question.trim(),
                  strongAnswer: q.strongAnswer.trim(),
                  reason: t.reason,
                },
              ]
            : [];
        })
        .sort((a, b) => ORDER[a.reason] - ORDER[b.reason]);
      const allowed = withoutProhibited(questions);
      if (allowed.length === 0) throw new LlmOutputError('No usable interview questions in the model output');
      return { stage, roleFamily, questions: allowed };
    },
  });
}
