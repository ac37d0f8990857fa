import { z } from 'zod';
import { configureInputLimits } from '../ai/bound-text.ts';
import { candidateFromText } from '../ai/candidate-from-text.ts';
import { compilePosting } from '../ai/local/compile-posting.ts';
import { postingFromText } from '../ai/posting-from-text.ts';
import { scoreCompiled } from '../ai/score-candidate.ts';
import { loadConfig } from '../config.ts';
import type { CliCommand } from './commands.ts';
import { parseJobsCandidatesArgs, readDocsById, readJsonl, writeJsonl } from './jsonl-input.ts';

const USAGE =
  'Usage: npm run cli -- score --jobs JOBS.jsonl --candidates CANDIDATES.jsonl --pairs PAIRS.jsonl [--out FILE]';

const PairSchema = z.object({ jobId: z.string().min(1), candidateId: z.string().min(1) });

/** Full match score for given job/candidate pairs, with gaps and prompt-injection flags. */
export const scoreCommand: CliCommand = {
  summary: 'Score job/candidate pairs with the local engine: score, verdict, gaps, injection flags',
  async run(args) {
    const values = parseJobsCandidatesArgs(args, 'pairs');
    if (!values.jobs || !values.candidates || !values.pairs)
      throw new Error(`--jobs, --candidates and --pairs are required. ${USAGE}`);
    // RESUME_MAX_CHARS applies here as in the backend: longer texts are cut, and the line says so ("truncated").
    configureInputLimits({ maxChars: loadConfig().RESUME_MAX_CHARS });
    const jobs = await readDocsById(values.jobs);
    const candidates = await readDocsById(values.candidates);
    const pairs = await readJsonl(values.pairs, PairSchema);
    // Check every pair before scoring any, so a typo fails fast instead of after minutes of work.
    pairs.forEach((p, i) => {
      if (!jobs.has(p.jobId)) throw new Error(`${values.pairs}:${i + 1}: unknown jobId "${p.jobId}"`);
      if (!candidates.has(p.candidateId))
        throw new Error(`${values.pairs}:${i + 1}: unknown candidateId "${p.candidateId}"`);
    });
    const compiled = new Map<string, ReturnType<typeof compilePosting>>();
    const now = new Date();
    const started = performance.now();
    const out = pairs.map((p) => {
      let posting = compiled.get(p.jobId);
      if (!posting) {
        const job = jobs.get(p.jobId)!;
        posting = compilePosting(postingFromText(job.id, job.text));
        compiled.set(p.jobId, posting);
      }
      const c = candidates.get(p.candidateId)!;
      const result = scoreCompiled(posting, candidateFromText(c.id, c.text), now);
      return {
        jobId: p.jobId,
        candidateId: p.candidateId,
        score: result.score,
        verdict: result.verdict,
        gaps: result.gaps.map((g) => g.text),
        ...(result.truncated ? { truncated: result.truncated.map((t) => t.message) } : {}),
        flags: result.flags.map((f) => ({
          kind: f.kind,
          quote: f.quote,
          start: f.start,
          end: f.end,
          reason: f.reason,
        })),
      };
    });
    const scoringMs = Math.round(performance.now() - started);
    await writeJsonl(out, values.out);
    // On stderr, so stdout stays one JSON line per pair.
    console.error(`Scored ${out.length} pair(s) in ${scoringMs} ms${values.out ? ` -> ${values.out}` : ''}`);
    return 0;
  },
};
