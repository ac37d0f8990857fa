import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { Database, JobStatus } from '../store/schema.ts';

/**
 * A durable job queue with at-least-once delivery: a handler may run more than once for one job (a worker that
 * crashes after doing the work but before recording it), so handlers must be idempotent. A job type registered
 * with its payload schema (`defineJob`) is validated by the queue: on enqueue (a bad payload throws
 * InvalidJobError to the caller) and on claim (a stored payload that does not match dead-letters the job with the
 * schema's error), so the handler receives the parsed, typed payload and never re-parses it.
 */
export interface JobQueue {
  /**
   * One handler per job type. Only registered types are claimed by this instance. A bare name registers a handler
   * of the payload as stored (`unknown`), unchecked.
   */
  register<S extends z.ZodType = z.ZodUnknown>(type: JobType<S> | string, handler: JobHandler<z.output<S>>): void;
  /** Jobs were added outside enqueue (e.g. enqueueSync in the webhook intake's transaction): claim them now. */
  notify(): void;
  /**
   * Adds a job. Pass a Kysely transaction (`trx`) to make the job part of the write that caused it: if that
   * transaction rolls back, the job never existed. With a dedupe key already held by an unfinished job, nothing
   * is added and the existing job's id is returned with `created: false`.
   */
  enqueue<S extends z.ZodType>(job: TypedNewJob<S>, trx?: Kysely<Database>): Promise<EnqueueResult>;
  enqueue(job: NewJob, trx?: Kysely<Database>): Promise<EnqueueResult>;
  /** Starts claiming and running jobs. */
  start(): void;
  /**
   * Stops claiming, waits up to `timeoutMs` for running handlers, then hands the leases of any still running back
   * to the queue (without counting the attempt) so another worker picks them up at once.
   */
  stop(opts?: { timeoutMs?: number }): Promise<void>;
  stats(): Promise<QueueStats>;
  list(opts?: { status?: JobStatus; limit?: number }): Promise<JobSummary[]>;
  /** Re-queues a dead job with a fresh attempt budget. Throws JobStateError if the job is missing or not dead. */
  retry(jobId: number): Promise<void>;
}

export type JobContext = {
  jobId: number;
  /** 1 for the first delivery. */
  attempt: number;
  /** Aborted when the queue gives up waiting for this handler during stop(). */
  signal: AbortSignal;
};

export type JobHandler<P = unknown> = (payload: P, ctx: JobContext) => Promise<void>;

/** A job type: its name (the `type` column) and the schema of its payload, declared once next to its handler. */
export type JobType<S extends z.ZodType = z.ZodType> = { readonly name: string; readonly schema: S };

export function defineJob<S extends z.ZodType>(name: string, schema: S): JobType<S> {
  return { name, schema };
}

export type NewJob = {
  type: string;
  /** Anything JSON.stringify accepts. */
  payload: unknown;
  /** Earliest time to run; now when omitted. */
  runAt?: Date | number;
  /** Attempts before the job is dead-lettered; the queue's default when omitted. */
  maxAttempts?: number;
  dedupeKey?: string;
};

/** A job of a declared type: the payload is what its schema accepts, checked before it is stored. */
export type TypedNewJob<S extends z.ZodType = z.ZodType> = Omit<NewJob, 'type' | 'payload'> & {
  type: JobType<S>;
  payload: z.input<S>;
};

export type EnqueueResult = { id: number; created: boolean };

export type QueueStats = {
  queued: number;
  running: number;
  done: number;
  dead: number;
  /** Queued jobs that already failed at least once and wait for their backoff. */
  retrying: number;
  /** run_at of the oldest job that is due now (epoch ms), or null: how far behind the workers are. */
  oldestDueAt: number | null;
};

export type JobSummary = {
  id: number;
  type: string;
  status: JobStatus;
  payload: unknown;
  attempts: number;
  maxAttempts: number;
  runAt: number;
  lastError: string | null;
  lockedBy: string | null;
  dedupeKey: string | null;
  createdAt: number;
  updatedAt: number;
};

/** Throw from a handler when retrying cannot help (invalid payload, 4xx): the job is dead-lettered at once. */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}

export class JobStateError extends Error {
  override name = 'JobStateError';
}

export class InvalidJobError extends Error {
  override name = 'InvalidJobError';
}
