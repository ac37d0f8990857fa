import { postingFromText } from '../ai/posting-from-text.ts';
import { createRanker, prepareDocument } from '../ai/rank-candidates.ts';
import type { CliCommand } from './commands.ts';
import {
  DocLineSchema,
  parseJobsCandidatesArgs,
  readDocsById,
  readJsonl,
  uniqueById,
  writeJsonl,
} from './jsonl-input.ts';

const USAGE = 'Usage: npm run cli -- rank --jobs JOBS.jsonl --candidates CANDIDATES.jsonl --top K [--out FILE]';

/** Ranks every candidate for every job with the local engine; one output line per job. */
export const rankCommand: CliCommand = {
  summary: 'Rank candidates for each job with the local engine (JSONL in, JSONL out)',
  async run(args) {
    const values = parseJobsCandidatesArgs(args, 'top');
    if (!values.jobs || !values.candidates) throw new Error(`--jobs and --candidates are required. ${USAGE}`);
    const top = values.top === undefined ? 10 : Number(values.top);
    if (!Number.isInteger(top) || top < 1) throw new Error(`--top must be a positive whole number. ${USAGE}`);
    const jobs = await readJsonl(values.jobs, DocLineSchema);
    const candidates = [...(await readDocsById(values.candidates)).values()];
    uniqueById(jobs, values.jobs);
    const prepared = candidates.map(prepareDocument);
    const now = new Date();
    const out = jobs.map((job) => ({
      jobId: job.id,
      ranked: createRanker(postingFromText(job.id, job.text), { now }).rank(prepared, top),
    }));
    await writeJsonl(out, values.out);
    if (values.out) console.error(`Ranked ${candidates.length} candidates for ${jobs.length} job(s) -> ${values.out}`);
    return 0;
  },
};
