import type { Kysely } from 'kysely';
import { z } from 'zod';
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
  retry(jobId: JobId): Promise<void>;
}

/** SQLite numbers its jobs; pg-boss gives them UUIDs. */
export type JobId = number | string;

export type JobContext = {
  jobId: JobId;
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

export type EnqueueResult = { id: JobId; created: boolean };

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
  id: JobId;
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

export const DEFAULT_MAX_ATTEMPTS = 5;
export const MAX_ERROR_LENGTH = 2_000;

const NewJobSchema = z.object({
  type: z.string().min(1).max(200),
  runAt: z.union([z.date(), z.number().finite()]).optional(),
  maxAttempts: z.number().int().min(1).max(1_000).optional(),
  dedupeKey: z.string().min(1).max(500).optional(),
});

/** A typed job as stored: its type's name, its payload checked against the type's schema. */
export function untyped(job: NewJob | TypedNewJob, schema?: z.ZodType): NewJob {
  const { type, ...rest } = job;
  const name = typeof type === 'string' ? type : type.name;
  const check = typeof type === 'string' ? schema : type.schema;
  const valid = check?.safeParse(job.payload);
  if (valid && !valid.success) {
    throw new InvalidJobError(`Invalid payload for job "${name}": ${z.prettifyError(valid.error)}`);
  }
  return { ...rest, type: name };
}

/** What every queue stores for a new job; throws InvalidJobError for a job that cannot be stored. */
export function checkNewJob(job: NewJob, defaultMaxAttempts: number, now: number) {
  const parsed = NewJobSchema.safeParse(job);
  if (!parsed.success) throw new InvalidJobError(`Invalid job: ${z.prettifyError(parsed.error)}`);
  const payload = JSON.stringify(job.payload);
  if (payload === undefined) throw new InvalidJobError(`Job "${job.type}" has a payload JSON cannot represent`);
  const { runAt } = parsed.data;
  return {
    type: parsed.data.type,
    payload,
    max_attempts: parsed.data.maxAttempts ?? defaultMaxAttempts,
    run_at: runAt === undefined ? now : typeof runAt === 'number' ? runAt : runAt.getTime(),
    dedupe_key: parsed.data.dedupeKey ?? null,
  };
}

/**
 * The handler a claimed job runs with: its registered handler, given the stored payload parsed by the type's
 * schema. A payload that does not match (it would not on a retry either) or a type without a handler throws
 * PermanentJobError, so the job is dead-lettered at once.
 */
export async function runJob(
  entry: RegisteredJob | undefined,
  job: { type: string; payload: unknown },
  ctx: JobContext,
): Promise<void> {
  if (!entry) throw new PermanentJobError(`No handler registered for job type "${job.type}"`);
  let payload = job.payload;
  if (entry.schema) {
    const parsed = entry.schema.safeParse(job.payload);
    if (!parsed.success) {
      throw new PermanentJobError(`Invalid payload for job "${job.type}": ${z.prettifyError(parsed.error)}`);
    }
    payload = parsed.data;
  }
  await entry.handler(payload, ctx);
}

/** The dead-letter reason recorded for a failed attempt, or null when the job is to be retried. */
export function deadLetterReason(error: unknown, attempt: number, maxAttempts: number): string | null {
  const message = describeError(error);
  if (error instanceof PermanentJobError) return `permanent: ${message}`;
  if (attempt >= maxAttempts) return `failed after ${attempt} attempts: ${message}`;
  return null;
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

export function positiveInt(n: number, name: string): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${name} must be a positive integer, got ${n}`);
  return n;
}

export type QueueLogger = {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
};

export const consoleLogger: QueueLogger = {
  warn: (obj, msg) => console.warn(msg ?? '', obj),
  error: (obj, msg) => console.error(msg ?? '', obj),
};

/** A registered job type: its payload schema (none for a bare name) and its handler. */
export type RegisteredJob = { schema: z.ZodType | null; handler: JobHandler };

/** Adds a handler to a queue's registry (JobQueue.register); one per type. */
export function registerJob(
  registry: Map<string, RegisteredJob>,
  type: JobType | string,
  handler: JobHandler<never>,
): void {
  const name = typeof type === 'string' ? type : type.name;
  if (registry.has(name)) throw new Error(`A handler for job type "${name}" is already registered`);
  // The handler is only ever called with what `schema` produced from the stored payload (runJob).
  registry.set(name, { schema: typeof type === 'string' ? null : type.schema, handler: handler as JobHandler });
}

/** A worker loop's idle wait that wake() cuts short (an enqueue, a freed slot, stop()). */
export class Waker {
  private wakeUp: (() => void) | null = null;

  wake(): void {
    const w = this.wakeUp;
    this.wakeUp = null;
    w?.();
  }

  sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
  }
}

/** stop()'s grace period: resolves when every running handler has settled or after `timeoutMs`. */
export async function settleWithin(running: Array<Promise<void>>, timeoutMs: number): Promise<void> {
  if (running.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  await Promise.race([Promise.all(running), timedOut]);
  clearTimeout(timer);
}
