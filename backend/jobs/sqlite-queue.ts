import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type BetterSqlite3 from 'better-sqlite3';
import { type Kysely, sql } from 'kysely';
import { z } from 'zod';
import type { Store } from '../store/db.ts';
import type { Database, JobStatus } from '../store/schema.ts';
import {
  checkNewJob,
  consoleLogger,
  DEFAULT_MAX_ATTEMPTS,
  deadLetterReason,
  describeError,
  type EnqueueResult,
  type JobHandler,
  type JobId,
  type JobQueue,
  JobStateError,
  type JobSummary,
  type JobType,
  MAX_ERROR_LENGTH,
  type NewJob,
  positiveInt,
  type QueueLogger,
  type QueueStats,
  type RegisteredJob,
  registerJob,
  runJob,
  settleWithin,
  type TypedNewJob,
  untyped,
  Waker,
} from './queue.ts';

// Schemas are built once: constructing a zod object costs about a millisecond.
const IdRowSchema = z.object({ id: z.number() });
const JobStatusSchema = z.enum(['queued', 'running', 'done', 'dead']);

const JobRowSchema = z.object({
  id: z.number().int(),
  type: z.string(),
  status: JobStatusSchema,
  payload: z.string(),
  attempts: z.number().int(),
  max_attempts: z.number().int(),
  run_at: z.number(),
  last_error: z.string().nullable(),
  locked_by: z.string().nullable(),
  dedupe_key: z.string().nullable(),
  created_at: z.number(),
  updated_at: z.number(),
});

const ClaimedRowSchema = z.object({
  id: z.number().int(),
  type: z.string(),
  payload: z.string(),
  attempts: z.number().int(),
  max_attempts: z.number().int(),
});
export type ClaimedJob = {
  id: number;
  type: string;
  payload: unknown;
  attempt: number;
  maxAttempts: number;
  /** The lease holder written to locked_by; completion writes only apply while it still holds the job. */
  lockedBy: string;
};

type Statements = {
  insert: BetterSqlite3.Statement;
  byDedupeKey: BetterSqlite3.Statement;
  claims: Map<string, BetterSqlite3.Statement>;
};
const statementCache = new WeakMap<BetterSqlite3.Database, Statements>();

function statements(sqlite: BetterSqlite3.Database): Statements {
  let s = statementCache.get(sqlite);
  if (!s) {
    s = {
      insert: sqlite.prepare(
        `INSERT INTO jobs (type, payload, status, attempts, max_attempts, run_at, dedupe_key, created_at, updated_at)
         VALUES (?, ?, 'queued', 0, ?, ?, ?, ?, ?)
         ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
      ),
      byDedupeKey: sqlite.prepare('SELECT id FROM jobs WHERE dedupe_key = ?'),
      claims: new Map(),
    };
    statementCache.set(sqlite, s);
  }
  return s;
}

/** SQLite numbers its jobs. */
export type SqliteEnqueueResult = EnqueueResult & { id: number };

/**
 * Synchronous enqueue for hot paths: call it inside `sqlite.transaction(() => { insert event; enqueueSync(...) })`
 * so the event row and its job commit or roll back together.
 */
export function enqueueSync(
  sqlite: BetterSqlite3.Database,
  job: NewJob | TypedNewJob,
  opts: { now?: number; defaultMaxAttempts?: number } = {},
): SqliteEnqueueResult {
  const now = opts.now ?? Date.now();
  const r = checkNewJob(untyped(job), opts.defaultMaxAttempts ?? DEFAULT_MAX_ATTEMPTS, now);
  const s = statements(sqlite);
  const inserted = s.insert.get(r.type, r.payload, r.max_attempts, r.run_at, r.dedupe_key, now, now) as
    | { id: number }
    | undefined;
  if (inserted) return { id: inserted.id, created: true };
  const existing = IdRowSchema.parse(s.byDedupeKey.get(r.dedupe_key));
  return { id: existing.id, created: false };
}

/**
 * Claims up to `limit` due jobs of the given types for `workerId`, leasing them until `now + leaseMs`. Runs under
 * BEGIN IMMEDIATE so two processes never claim the same row. LIMIT is a literal on purpose: a bound LIMIT made
 * this query 5-10x slower (docs/architecture.md, Measured decisions); statements are cached per (limit, types).
 */
export function claimJobs(
  sqlite: BetterSqlite3.Database,
  opts: { workerId: string; limit: number; leaseMs: number; types: readonly string[]; now?: number },
): ClaimedJob[] {
  const limit = Math.floor(opts.limit);
  if (limit < 1 || opts.types.length === 0) return [];
  const now = opts.now ?? Date.now();
  const s = statements(sqlite);
  const key = `${limit}|${opts.types.length}`;
  let stmt = s.claims.get(key);
  if (!stmt) {
    const typeList = opts.types.map(() => '?').join(', ');
    stmt = sqlite.prepare(
      `UPDATE jobs SET status = 'running', attempts = attempts + 1, lease_until = ?, locked_by = ?, updated_at = ?
       WHERE id IN (
         SELECT id FROM jobs WHERE status = 'queued' AND run_at <= ? AND type IN (${typeList})
         ORDER BY run_at, id LIMIT ${limit}
       )
       RETURNING id, type, payload, attempts, max_attempts`,
    );
    s.claims.set(key, stmt);
  }
  const claim = stmt;
  const rows = sqlite
    .transaction(() => claim.all(now + opts.leaseMs, opts.workerId, now, now, ...opts.types))
    .immediate();
  return rows.map((raw) => {
    const row = ClaimedRowSchema.parse(raw);
    return {
      id: row.id,
      type: row.type,
      payload: JSON.parse(row.payload) as unknown,
      attempt: row.attempts,
      maxAttempts: row.max_attempts,
      lockedBy: opts.workerId,
    };
  });
}

/**
 * Returns jobs whose worker stopped renewing its lease (crashed, killed, hung) to the queue, or dead-letters them
 * when that was their last attempt. Returns how many rows changed.
 */
export function sweepExpiredLeases(sqlite: BetterSqlite3.Database, now = Date.now()): number {
  return sqlite
    .transaction(() => {
      const dead = sqlite
        .prepare(
          `UPDATE jobs SET status = 'dead', lease_until = NULL, updated_at = ?,
             last_error = 'lease expired on the last attempt (worker ' || coalesce(locked_by, '?') || ' stopped responding)'
           WHERE status = 'running' AND lease_until <= ? AND attempts >= max_attempts`,
        )
        .run(now, now).changes;
      const requeued = sqlite
        .prepare(
          `UPDATE jobs SET status = 'queued', lease_until = NULL, run_at = ?, updated_at = ?,
             last_error = 'lease expired (worker ' || coalesce(locked_by, '?') || ' stopped responding)', locked_by = NULL
           WHERE status = 'running' AND lease_until <= ?`,
        )
        .run(now, now, now).changes;
      return dead + requeued;
    })
    .immediate();
}

export type SqliteQueueOptions = {
  /** Handlers running at once in this instance (config QUEUE_CONCURRENCY). */
  concurrency?: number;
  /** How long a claim is valid without renewal; renewed every leaseMs/3 while the handler runs. */
  leaseMs?: number;
  /** Idle poll period; an enqueue through this instance wakes it at once. */
  pollIntervalMs?: number;
  defaultMaxAttempts?: number;
  /** Retry n waits about min(maxBackoffMs, backoffBaseMs * 2^(n-1)), jittered to 50-100% of that. */
  backoffBaseMs?: number;
  maxBackoffMs?: number;
  workerId?: string;
  logger?: QueueLogger;
  /** Clock, for tests. */
  now?: () => number;
  random?: () => number;
};

type InFlight = { job: ClaimedJob; done: Promise<void>; abort: AbortController };

/** The embedded queue: a table in the SQLite store, polled by lease-holding workers. */
export class SqliteQueue implements JobQueue {
  readonly workerId: string;
  private readonly sqlite: BetterSqlite3.Database;
  private readonly db: Kysely<Database>;
  /** The registry: job type → its payload schema (none for a bare name) and its handler. */
  private readonly handlers = new Map<string, RegisteredJob>();
  private readonly inFlight = new Map<number, InFlight>();
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly pollIntervalMs: number;
  private readonly defaultMaxAttempts: number;
  private readonly backoffBaseMs: number;
  private readonly maxBackoffMs: number;
  private readonly logger: QueueLogger;
  private readonly now: () => number;
  private readonly random: () => number;
  private running = false;
  private loopDone: Promise<void> | null = null;
  private readonly waker = new Waker();
  private heartbeat: NodeJS.Timeout | null = null;
  private lastSweep = 0;
  /** workerId plus a per-start() suffix, so a handler abandoned by stop() cannot touch the job after a restart. */
  private lockId = '';
  private incarnation = 0;
  private pendingWrites: Array<{ job: ClaimedJob; write: () => unknown; resolve: () => void }> = [];
  private flushScheduled = false;
  private readonly flushTx: BetterSqlite3.Transaction<(batch: Array<{ write: () => unknown }>) => void>;
  private readonly stmt: ReturnType<typeof prepareWorkerStatements>;

  constructor(store: Pick<Store, 'db' | 'sqlite'>, opts: SqliteQueueOptions = {}) {
    this.sqlite = store.sqlite;
    this.db = store.db;
    this.concurrency = positiveInt(opts.concurrency ?? 4, 'concurrency');
    this.leaseMs = positiveInt(opts.leaseMs ?? 60_000, 'leaseMs');
    this.pollIntervalMs = positiveInt(opts.pollIntervalMs ?? 500, 'pollIntervalMs');
    this.defaultMaxAttempts = positiveInt(opts.defaultMaxAttempts ?? DEFAULT_MAX_ATTEMPTS, 'defaultMaxAttempts');
    this.backoffBaseMs = positiveInt(opts.backoffBaseMs ?? 1_000, 'backoffBaseMs');
    this.maxBackoffMs = positiveInt(opts.maxBackoffMs ?? 10 * 60_000, 'maxBackoffMs');
    this.workerId = opts.workerId ?? `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    this.logger = opts.logger ?? consoleLogger;
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.stmt = prepareWorkerStatements(this.sqlite);
    this.flushTx = this.sqlite.transaction((batch: Array<{ write: () => unknown }>) => {
      for (const w of batch) w.write();
    });
  }

  register<S extends z.ZodType = z.ZodUnknown>(type: JobType<S> | string, handler: JobHandler<z.output<S>>): void {
    registerJob(this.handlers, type, handler);
  }

  async enqueue(typed: NewJob | TypedNewJob, trx?: Kysely<Database>): Promise<SqliteEnqueueResult> {
    const name = typeof typed.type === 'string' ? typed.type : typed.type.name;
    const job = untyped(typed, this.handlers.get(name)?.schema ?? undefined);
    const now = this.now();
    let result: SqliteEnqueueResult;
    if (trx) {
      const row = checkNewJob(job, this.defaultMaxAttempts, now);
      const inserted = await trx
        .insertInto('jobs')
        .values({ ...row, status: 'queued', attempts: 0, created_at: now, updated_at: now })
        .onConflict((oc) => oc.column('dedupe_key').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (inserted) {
        result = { id: inserted.id, created: true };
      } else {
        const existing = await trx
          .selectFrom('jobs')
          .select('id')
          .where('dedupe_key', '=', row.dedupe_key)
          .executeTakeFirstOrThrow();
        result = { id: existing.id, created: false };
      }
    } else {
      result = enqueueSync(this.sqlite, job, { now, defaultMaxAttempts: this.defaultMaxAttempts });
    }
    this.wake();
    return result;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.lockId = `${this.workerId}/${++this.incarnation}`;
    this.heartbeat = setInterval(() => this.renewLeases(), Math.max(10, Math.floor(this.leaseMs / 3)));
    this.heartbeat.unref();
    this.loopDone = this.loop();
  }

  async stop(opts: { timeoutMs?: number } = {}): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake();
    await this.loopDone;
    await settleWithin(
      [...this.inFlight.values()].map((p) => p.done),
      opts.timeoutMs ?? 30_000,
    );
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    // Handlers still running lose their lease now; their late outcome is never recorded (see execute()).
    const releases = [...this.inFlight.values()].map(({ job, abort }) => {
      abort.abort(new Error('queue stopped'));
      return this.tryWrite(job, () => this.stmt.release.run(this.now(), this.now(), job.id, job.lockedBy, job.attempt));
    });
    this.inFlight.clear();
    await Promise.all(releases);
  }

  async stats(): Promise<QueueStats> {
    const now = this.now();
    const rows = await this.db
      .selectFrom('jobs')
      .select(['status', sql<number>`count(*)`.as('n')])
      .groupBy('status')
      .execute();
    const counts = { queued: 0, running: 0, done: 0, dead: 0 };
    for (const r of rows) counts[JobStatusSchema.parse(r.status)] = Number(r.n);
    const extra = await this.db
      .selectFrom('jobs')
      .select([
        sql<number>`sum(case when attempts > 0 then 1 else 0 end)`.as('retrying'),
        sql<number | null>`min(case when run_at <= ${now} then run_at end)`.as('oldest'),
      ])
      .where('status', '=', 'queued')
      .executeTakeFirst();
    return {
      ...counts,
      retrying: Number(extra?.retrying ?? 0),
      oldestDueAt: extra?.oldest == null ? null : Number(extra.oldest),
    };
  }

  async list(opts: { status?: JobStatus; limit?: number } = {}): Promise<JobSummary[]> {
    let q = this.db
      .selectFrom('jobs')
      .select([
        'id',
        'type',
        'status',
        'payload',
        'attempts',
        'max_attempts',
        'run_at',
        'last_error',
        'locked_by',
        'dedupe_key',
        'created_at',
        'updated_at',
      ])
      .orderBy('id', 'desc')
      .limit(opts.limit ?? 100);
    if (opts.status) q = q.where('status', '=', opts.status);
    const rows = await q.execute();
    return rows.map((raw) => {
      const r = JobRowSchema.parse(raw);
      return {
        id: r.id,
        type: r.type,
        status: r.status,
        payload: JSON.parse(r.payload) as unknown,
        attempts: r.attempts,
        maxAttempts: r.max_attempts,
        runAt: r.run_at,
        lastError: r.last_error,
        lockedBy: r.locked_by,
        dedupeKey: r.dedupe_key,
        createdAt: r.created_at,
        updatedAt: r.updated_at,
      };
    });
  }

  async retry(jobId: JobId): Promise<void> {
    if (typeof jobId !== 'number') throw new JobStateError(`No job with id ${jobId}`);
    const now = this.now();
    const res = await this.db
      .updateTable('jobs')
      .set({ status: 'queued', attempts: 0, run_at: now, lease_until: null, locked_by: null, updated_at: now })
      .where('id', '=', jobId)
      .where('status', '=', 'dead')
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) {
      const job = await this.db.selectFrom('jobs').select('status').where('id', '=', jobId).executeTakeFirst();
      throw new JobStateError(
        job ? `Job ${jobId} is ${job.status}, not dead: only dead jobs can be retried` : `No job with id ${jobId}`,
      );
    }
    this.wake();
  }

  /**
   * Tells an idle worker loop that jobs were added behind its back (enqueueSync from the webhook intake), so it
   * claims them now instead of at the next poll.
   */
  notify(): void {
    this.wake();
  }

  /** Deletes done jobs last updated before `olderThan` (epoch ms); dead jobs are kept for inspection. */
  async pruneDone(olderThan: number): Promise<number> {
    const res = await this.db
      .deleteFrom('jobs')
      .where('status', '=', 'done')
      .where('updated_at', '<', olderThan)
      .executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  private wake(): void {
    this.waker.wake();
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const free = this.concurrency - this.inFlight.size;
      let claimed = 0;
      if (free > 0) {
        try {
          // While someone's transaction is open on this connection, sweeping or claiming would join (and could be
          // rolled back with) it: skip this round.
          if (!this.sqlite.inTransaction) {
            const now = this.now();
            if (now - this.lastSweep >= Math.min(this.leaseMs / 2, 5_000)) {
              this.lastSweep = now;
              sweepExpiredLeases(this.sqlite, now);
            }
            const jobs = claimJobs(this.sqlite, {
              workerId: this.lockId,
              limit: free,
              leaseMs: this.leaseMs,
              types: [...this.handlers.keys()],
              now,
            });
            claimed = jobs.length;
            for (const job of jobs) this.execute(job);
          }
        } catch (error) {
          // SQLITE_BUSY past busy_timeout, disk full...: keep the worker alive and try again after a poll period.
          this.logger.error({ err: error, workerId: this.workerId }, 'job claim failed');
        }
      }
      if (!this.running) break;
      if (claimed > 0 && claimed === free) {
        // Slots are full: wait for one to free up (execute() wakes us).
        await this.sleep(this.pollIntervalMs);
      } else if (claimed > 0) {
        // Took everything that was due; yield to I/O, then look again in case more arrived.
        await new Promise<void>((resolve) => setImmediate(resolve));
      } else {
        await this.sleep(this.pollIntervalMs);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return this.waker.sleep(ms);
  }

  private execute(job: ClaimedJob): void {
    const abort = new AbortController();
    const entry = this.handlers.get(job.type);
    const run = () => runJob(entry, job, { jobId: job.id, attempt: job.attempt, signal: abort.signal });
    // A handler abandoned by stop() no longer owns its job: its outcome is not recorded (the store may be closed).
    const owned = () => this.inFlight.get(job.id)?.job === job;
    const done = run().then(
      () => (owned() ? this.complete(job) : undefined),
      (error: unknown) => (owned() ? this.fail(job, error) : undefined),
    );
    this.inFlight.set(job.id, {
      job,
      abort,
      done: done.finally(() => {
        if (owned()) this.inFlight.delete(job.id);
        this.wake();
      }),
    });
  }

  private complete(job: ClaimedJob): Promise<void> {
    const now = this.now();
    return this.tryWrite(job, () => this.stmt.complete.run(now, job.id, job.lockedBy, job.attempt));
  }

  private async fail(job: ClaimedJob, error: unknown): Promise<void> {
    const now = this.now();
    const reason = deadLetterReason(error, job.attempt, job.maxAttempts);
    if (reason !== null) {
      await this.tryWrite(job, () =>
        this.stmt.dead.run(reason.slice(0, MAX_ERROR_LENGTH), now, job.id, job.lockedBy, job.attempt),
      );
      this.logger.warn({ jobId: job.id, type: job.type, attempt: job.attempt, reason }, 'job dead-lettered');
      return;
    }
    const runAt = now + this.backoffMs(job.attempt);
    const message = describeError(error);
    await this.tryWrite(job, () =>
      this.stmt.retryLater.run(message.slice(0, MAX_ERROR_LENGTH), runAt, now, job.id, job.lockedBy, job.attempt),
    );
  }

  /** Delay before retry number `attempt` (1-based), with jitter so a burst of failures does not retry in step. */
  backoffMs(attempt: number): number {
    const ceiling = Math.min(this.maxBackoffMs, this.backoffBaseMs * 2 ** Math.max(0, attempt - 1));
    return Math.round(ceiling * (0.5 + this.random() * 0.5));
  }

  private renewLeases(): void {
    if (this.inFlight.size === 0 || this.sqlite.inTransaction) return;
    const leaseUntil = this.now() + this.leaseMs;
    const stmt = this.stmt.renew;
    try {
      this.sqlite
        .transaction(() => {
          for (const { job } of this.inFlight.values()) stmt.run(leaseUntil, job.id, job.lockedBy);
        })
        .immediate();
    } catch (error) {
      this.logger.error({ err: error, workerId: this.workerId }, 'lease renewal failed');
    }
  }

  /**
   * Job bookkeeping writes made in the same tick are committed together in one transaction: with short handlers
   * this halves the commits per job. A failed write is logged, not thrown: the lease then expires and the job is
   * delivered again. While another caller's transaction is open on the shared connection the flush waits, so a
   * rollback of that transaction cannot undo a job's completion.
   */
  private tryWrite(job: ClaimedJob, write: () => unknown): Promise<void> {
    return new Promise<void>((resolve) => {
      this.pendingWrites.push({ job, write, resolve });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flushWrites());
      }
    });
  }

  private flushWrites(): void {
    if (this.sqlite.inTransaction) {
      setImmediate(() => this.flushWrites());
      return;
    }
    this.flushScheduled = false;
    const batch = this.pendingWrites.splice(0);
    try {
      this.flushTx.immediate(batch);
    } catch {
      // The batch rolled back as a whole; apply the writes one by one so one bad write does not sink the rest.
      for (const w of batch) {
        try {
          w.write();
        } catch (error) {
          this.logger.error({ err: error, jobId: w.job.id, workerId: this.workerId }, 'job state update failed');
        }
      }
    }
    for (const w of batch) w.resolve();
  }
}

// Every completion write is guarded by (locked_by, attempts, status): a worker whose lease expired, or was
// released by stop(), can no longer overwrite what the job's new owner recorded.
function prepareWorkerStatements(sqlite: BetterSqlite3.Database) {
  const guard = `WHERE id = ? AND locked_by = ? AND attempts = ? AND status = 'running'`;
  return {
    complete: sqlite.prepare(
      `UPDATE jobs SET status = 'done', lease_until = NULL, locked_by = NULL, dedupe_key = NULL, updated_at = ? ${guard}`,
    ),
    retryLater: sqlite.prepare(
      `UPDATE jobs SET status = 'queued', lease_until = NULL, locked_by = NULL, last_error = ?, run_at = ?,
         updated_at = ? ${guard}`,
    ),
    dead: sqlite.prepare(
      `UPDATE jobs SET status = 'dead', lease_until = NULL, locked_by = NULL, last_error = ?, updated_at = ? ${guard}`,
    ),
    release: sqlite.prepare(
      `UPDATE jobs SET status = 'queued', attempts = attempts - 1, lease_until = NULL, locked_by = NULL, run_at = ?,
         updated_at = ? ${guard}`,
    ),
    renew: sqlite.prepare(`UPDATE jobs SET lease_until = ? WHERE id = ? AND locked_by = ? AND status = 'running'`),
  };
}
