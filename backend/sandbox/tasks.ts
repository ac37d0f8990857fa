import type { MatchResult, Rubric } from '../../utils/contracts/ai.ts';
import { configureInputLimits, type InputLimits } from '../ai/bound-text.ts';
import { scoreCandidateLocal } from '../ai/score-candidate.ts';
import type { CandidateInput, PostingInput } from '../ai/types.ts';
import { type ExtractedText, extractResumeText } from '../candidates/extract-resume.ts';

/**
 * What the sandbox workers run (worker.mjs loads this module): reading an uploaded résumé file and the local
 * engine's match score, the two places where the cost depends on what an applicant sent.
 */
export type SandboxTasks = {
  extract: { args: { bytes: Uint8Array }; result: ExtractedText | null };
  score: {
    args: { posting: PostingInput; candidate: CandidateInput; rubric?: Rubric; now: string };
    result: MatchResult;
  };
};
export type SandboxTask = keyof SandboxTasks;

/**
 * Loads the parsers and the engine's vocabulary before the worker says it is ready, so a task's time budget is spent
 * on the task, not on loading PDF.js (about a megabyte of JavaScript) into a fresh worker.
 */
export async function warmUp(): Promise<void> {
  await Promise.all([import('unpdf'), import('mammoth')]);
  // A few scores of a résumé-sized text, so the engine's hot loops are compiled before the first real task: a fresh
  // worker's first large score otherwise runs at about half speed.
  // Long and oddly shaped as well as ordinary, as real tasks are: V8 compiles a loop or regex for the shapes it has
  // run on, and a fresh worker's first large input otherwise runs at half speed or less.
  const text = [
    WARM_UP_RESUME.repeat(12),
    'a. '.repeat(5_000),
    'ab\n'.repeat(5_000),
    'not Python without Java, '.repeat(400),
    'Jane Doe jane.doe@example.com +1 415 555 0134 12 Maple Street, Springfield, IL 62704\n'.repeat(200),
  ].join('\n');
  for (let i = 0; i < 2; i++)
    scoreCandidateLocal(
      {
        id: 'warm-up',
        title: 'Data Engineer',
        team: null,
        location: null,
        text: 'Python and SQL',
        requirements: ['5+ years of Python', 'SQL'],
        niceToHave: [],
      },
      {
        opportunityId: 'warm-up',
        name: 'Sam Rivera',
        emails: [],
        phones: [],
        links: [],
        location: null,
        headline: null,
        resumeText: text,
      },
    );
}

const WARM_UP_RESUME = `Sam Rivera
sam.rivera@example.com | +1 415 555 0100 | linkedin.com/in/samrivera

SUMMARY
Senior data engineer with 8 years of Python, SQL and Spark, without Scala. Not only pipelines: also teaching.

EXPERIENCE
Acme Corp, Senior Data Engineer (Jan 2019 - Present)
- Built Airflow pipelines on AWS moving 2 TB a day; led a team of 4.
- Cut warehouse costs by 30% with dbt models and incremental loads.
Globex, Data Engineer (2015 - 2018)
- Kafka, PostgreSQL and Kubernetes in production.

EDUCATION
Bachelor of Science in Computer Science, State University, 2015

SKILLS
Python, SQL, Spark, dbt, Airflow, Kubernetes, Terraform, PostgreSQL. Fluent English and Spanish.
`;

export async function runTask(task: string, args: unknown, limits: InputLimits): Promise<unknown> {
  configureInputLimits(limits);
  switch (task) {
    case 'extract': {
      const { bytes } = args as SandboxTasks['extract']['args'];
      return extractResumeText(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), limits);
    }
    case 'score': {
      const a = args as SandboxTasks['score']['args'];
      return scoreCandidateLocal(a.posting, a.candidate, {
        ...(a.rubric ? { rubric: a.rubric } : {}),
        now: new Date(a.now),
      });
    }
    default:
      throw new Error(`Unknown sandbox task "${task}"`);
  }
}
