import type { Transferable } from 'node:worker_threads';
import type { MatchResult, Rubric } from '../../utils/contracts/ai.ts';
import { inputLimits } from '../ai/bound-text.ts';
import type { CandidateInput, PostingInput } from '../ai/types.ts';
import type { ExtractedText, ResumeFileKind } from '../candidates/extract-resume.ts';
import { SandboxMemoryError, SandboxTimeoutError, UnreadableResumeError } from './errors.ts';
import { type PoolOptions, type PoolStats, WorkerPool } from './pool.ts';
import type { SandboxTask, SandboxTasks } from './tasks.ts';

/**
 * The process's sandbox: one worker pool for résumé extraction and local scoring, configured at start-up
 * (SANDBOX_WORKERS, SANDBOX_TIMEOUT_MS, SANDBOX_MEMORY_MB) and created on first use. Failures over a budget become
 * UnreadableResumeError with a message a recruiter can act on.
 */

/**
 * Candidate text up to this many characters (résumé plus cover letter) is scored on the calling thread: a typical
 * résumé is 3,000-8,000 characters and scores in a few milliseconds. Longer text is scored in the sandbox.
 */
export const INLINE_SCORE_MAX_CHARS = 12_000;

export const SANDBOX_DEFAULTS: PoolOptions = { size: 2, timeoutMs: 10_000, memoryMb: 256 };

let options: PoolOptions = { ...SANDBOX_DEFAULTS };
let pool: WorkerPool | null = null;

/** Replaces the sandbox's settings; a running pool finishes its tasks and stops, the next task starts a new one. */
export function configureSandbox(next: Partial<PoolOptions>): void {
  options = { ...options, ...next };
  const old = pool;
  pool = null;
  if (old) void drain(old);
}

async function drain(old: WorkerPool): Promise<void> {
  while (old.stats().busy + old.stats().queued > 0) await new Promise((r) => setTimeout(r, 50));
  await old.close();
}

export function sandboxOptions(): PoolOptions {
  return options;
}

export function sandboxStats(): PoolStats | null {
  return pool?.stats() ?? null;
}

/** Starts one worker ahead of the first task (a fresh worker takes a second or more to load the parsers). */
export function warmSandbox(): void {
  pool ??= new WorkerPool(options);
  pool.prestart();
}

/** Stops the sandbox's workers (tests, shutdown); the next task starts new ones. */
export async function closeSandbox(): Promise<void> {
  const old = pool;
  pool = null;
  await old?.close();
}

function runSandboxed<K extends SandboxTask>(
  task: K,
  args: SandboxTasks[K]['args'],
  transfer: Transferable[] = [],
): Promise<SandboxTasks[K]['result']> {
  pool ??= new WorkerPool(options);
  return pool.run(task, args, inputLimits(), { transfer });
}

const seconds = (ms: number) => `${(ms / 1000).toLocaleString('en-US', { maximumFractionDigits: 1 })} s`;

/** Text of a PDF or DOCX file, read in a worker. See extract-resume.ts for the outcomes. */
export async function extractInSandbox(buf: Buffer, kind: ResumeFileKind): Promise<ExtractedText | null> {
  // A copy the worker owns (transferred, not cloned again).
  const bytes = new Uint8Array(buf);
  try {
    return await runSandboxed('extract', { bytes }, [bytes.buffer]);
  } catch (e) {
    const what = kind === 'pdf' ? 'PDF' : kind === 'docx' ? 'DOCX file' : 'file';
    if (e instanceof SandboxTimeoutError)
      throw new UnreadableResumeError(
        `The résumé could not be read in time: reading the ${what} took longer than ${seconds(e.timeoutMs)}.`,
      );
    if (e instanceof SandboxMemoryError)
      throw new UnreadableResumeError(
        `The résumé could not be read: reading the ${what} needed more than ${e.memoryMb} MB of memory.`,
      );
    throw e;
  }
}

/** The local engine's match score, computed in a worker. */
export async function scoreInSandbox(
  posting: PostingInput,
  candidate: CandidateInput,
  opts: { rubric?: Rubric; now: Date },
): Promise<MatchResult> {
  try {
    return await runSandboxed('score', {
      posting,
      candidate,
      ...(opts.rubric ? { rubric: opts.rubric } : {}),
      now: opts.now.toISOString(),
    });
  } catch (e) {
    if (e instanceof SandboxTimeoutError)
      throw new UnreadableResumeError(
        `The résumé could not be read in time: scoring it took longer than ${seconds(e.timeoutMs)}.`,
      );
    if (e instanceof SandboxMemoryError)
      throw new UnreadableResumeError(
        `The résumé could not be read: scoring it needed more than ${e.memoryMb} MB of memory.`,
      );
    throw e;
  }
}
