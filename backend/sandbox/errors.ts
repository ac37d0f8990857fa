import { PermanentJobError } from '../jobs/queue.ts';

/**
 * A candidate's document that Fulcrum will not read: over a structural limit (pages, ZIP entries, uncompressed
 * size), or it took longer or more memory than the sandbox allows to parse or score. Retrying the same file cannot
 * help, so it is a PermanentJobError (a job that throws it is dead-lettered at once, not retried), and the HTTP API
 * answers 422 `resume_unreadable` with the message, which the side panel shows.
 */
export class UnreadableResumeError extends PermanentJobError {
  override name = 'UnreadableResumeError';
  readonly code = 'resume_unreadable';
}

/** A sandboxed task ran past its time budget; its worker was stopped. */
export class SandboxTimeoutError extends Error {
  override name = 'SandboxTimeoutError';
  constructor(
    readonly task: string,
    readonly timeoutMs: number,
  ) {
    super(`Task "${task}" took longer than ${timeoutMs} ms; its worker was stopped`);
  }
}

/** A sandboxed task's worker reached its memory limit and was stopped. */
export class SandboxMemoryError extends Error {
  override name = 'SandboxMemoryError';
  constructor(
    readonly task: string,
    readonly memoryMb: number,
  ) {
    super(`Task "${task}" needed more than ${memoryMb} MB of memory; its worker was stopped`);
  }
}

/** The worker failed for another reason (it could not start, or crashed). Not the input's fault: retryable. */
export class SandboxError extends Error {
  override name = 'SandboxError';
}
