import { randomUUID } from 'node:crypto';
import { CompiledQuery, type Kysely } from 'kysely';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { z } from 'zod';
import { ignoreCheckedOutErrors } from '../store/postgres.ts';
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

/** What pg-boss runs its SQL on: its own pool, a pooled client inside BEGIN, or a caller's Kysely transaction. */
type Executor = { executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> };

export type PgBossQueueOptions = {
  connectionString: string;
  /** The PostgreSQL schema pg-boss installs its tables in (and this queue its dedupe table). */
  schema?: string;
  /** Handlers running at once in this instance. */
  concurrency?: number;
  /**
   * How long a job may stay active before pg-boss's maintenance counts the attempt as failed and the job is
   * delivered again (pg-boss 10 `expireInSeconds`; whole seconds, at least 1). There is no renewal: it must exceed
   * the longest handler.
   */
  leaseMs?: number;
  /** How often maintenance looks for expired jobs (pg-boss `maintenanceIntervalSeconds`). */
  maintenanceIntervalMs?: number;
  pollIntervalMs?: number;
  defaultMaxAttempts?: number;
  /**
   * pg-boss's `retryDelay` (whole seconds) with `retryBackoff`: retry n waits retryDelay * 2^n / 2 jittered up to
   * twice that. Under one second, retries are immediate.
   */
  backoffBaseMs?: number;
  logger?: QueueLogger;
};

const StateSchema = z.enum(['created', 'retry', 'active', 'completed', 'cancelled', 'failed']);
type State = z.infer<typeof StateSchema>;
const STATUS: Record<State, JobStatus> = {
  created: 'queued',
  retry: 'queued',
  active: 'running',
  completed: 'done',
  cancelled: 'dead',
  failed: 'dead',
};
const STATES: Record<JobStatus, State[]> = {
  queued: ['created', 'retry'],
  running: ['active'],
  done: ['completed'],
  dead: ['failed', 'cancelled'],
};

const FetchedSchema = z.object({
  id: z.string(),
  name: z.string(),
  data: z.object({ payload: z.unknown() }),
  retryCount: z.number().int(),
  retryLimit: z.number().int(),
});
type Fetched = { id: string; type: string; payload: unknown; attempt: number; maxAttempts: number };

const JobRowSchema = z.object({
  id: z.string(),
  name: z.string(),
  state: StateSchema,
  data: z.object({ payload: z.unknown() }),
  retry_count: z.number().int(),
  retry_limit: z.number().int(),
  start_after: z.date(),
  last_error: z.string().nullable(),
  dedupe_key: z.string().nullable(),
  created_on: z.date(),
  updated_on: z.date(),
});
const HeldSchema = z.object({ job_id: z.string(), state: StateSchema.nullable() });
const StatsRowSchema = z.object({ state: StateSchema, n: z.coerce.number() });
const DueRowSchema = z.object({ retrying: z.coerce.number(), oldest: z.date().nullable() });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The advisory lock (by name) that makes pg-boss queue creation one at a time across processes. */
const CREATE_QUEUE_LOCK = 'fulcrum.pgboss.create-queue';

type InFlight = { job: Fetched; done: Promise<void>; abort: AbortController };

/**
 * The queue for several backend processes on one PostgreSQL: pg-boss 10 stores, claims (FOR UPDATE SKIP LOCKED),
 * retries with backoff and expires jobs; one pg-boss queue per job type. Dedupe keys live in a table of their own
 * (see enqueue) because no pg-boss 10 queue policy holds a key for exactly the unfinished states. Create it with
 * `await PgBossQueue.open(opts)`, end it with `close()` after `stop()`.
 */
export class PgBossQueue implements JobQueue {
  private readonly handlers = new Map<string, RegisteredJob>();
  private readonly inFlight = new Map<string, InFlight>();
  private readonly queues = new Set<string>();
  private readonly creating = new Map<string, Promise<void>>();
  private readonly concurrency: number;
  private readonly expireInSeconds: number;
  private readonly pollIntervalMs: number;
  private readonly defaultMaxAttempts: number;
  private readonly retryDelay: number;
  private readonly logger: QueueLogger;
  private readonly dedupeTable: string;
  private readonly jobTable: string;
  private running = false;
  private loopDone: Promise<void> | null = null;
  private readonly waker = new Waker();
  /** Rotates which job type is fetched first, so one busy type does not starve the others. */
  private turn = 0;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly boss: PgBoss,
    schema: string,
    opts: PgBossQueueOptions,
  ) {
    this.concurrency = positiveInt(opts.concurrency ?? 4, 'concurrency');
    this.expireInSeconds = Math.max(1, Math.round(positiveInt(opts.leaseMs ?? 15 * 60_000, 'leaseMs') / 1000));
    this.pollIntervalMs = positiveInt(opts.pollIntervalMs ?? 500, 'pollIntervalMs');
    this.defaultMaxAttempts = positiveInt(opts.defaultMaxAttempts ?? DEFAULT_MAX_ATTEMPTS, 'defaultMaxAttempts');
    this.retryDelay = Math.round(positiveInt(opts.backoffBaseMs ?? 1_000, 'backoffBaseMs') / 1000);
    this.logger = opts.logger ?? consoleLogger;
    this.jobTable = `${pg.escapeIdentifier(schema)}.job`;
    this.dedupeTable = `${pg.escapeIdentifier(schema)}.fulcrum_dedupe`;
  }

  /** Connects, installs or migrates pg-boss's schema and the dedupe table, and starts pg-boss's maintenance. */
  static async open(opts: PgBossQueueOptions): Promise<PgBossQueue> {
    const schema = opts.schema ?? 'pgboss';
    const pool = new pg.Pool({ connectionString: opts.connectionString, max: 10 });
    ignoreCheckedOutErrors(pool);
    pool.on('error', (err) => (opts.logger ?? consoleLogger).error({ err }, 'idle PostgreSQL connection failed'));
    const db: Executor = { executeSql: (text, values) => pool.query(text, values) };
    const boss = new PgBoss({
      db,
      schema,
      schedule: false,
      maintenanceIntervalSeconds: Math.max(1, Math.round((opts.maintenanceIntervalMs ?? 30_000) / 1000)),
      // Dead jobs stay for inspection and retry() (as in the SQLite queue) for 30 days.
      archiveFailedAfterSeconds: 30 * 24 * 3600,
    });
    boss.on('error', (err) => (opts.logger ?? consoleLogger).error({ err }, 'pg-boss maintenance failed'));
    try {
      await boss.start();
      await pool.query(
        `CREATE TABLE IF NOT EXISTS ${pg.escapeIdentifier(schema)}.fulcrum_dedupe (key text PRIMARY KEY, job_id uuid NOT NULL)`,
      );
    } catch (error) {
      await pool.end();
      throw error;
    }
    return new PgBossQueue(pool, boss, schema, opts);
  }

  register<S extends z.ZodType = z.ZodUnknown>(type: JobType<S> | string, handler: JobHandler<z.output<S>>): void {
    registerJob(this.handlers, type, handler);
  }

  /**
   * Adds a job. `trx` is a Kysely transaction on the same PostgreSQL database (PostgresDialect): the job and its
   * dedupe claim are written in it, so they commit or roll back with the caller's writes.
   *
   * The dedupe key is a row (key → job id) in a table of ours, claimed with INSERT ... ON CONFLICT in the job's
   * transaction: a concurrent enqueue of the same key waits for that transaction and then sees the row. A key whose
   * job is completed (or gone from the job table) is taken over; created/retry/active/failed jobs hold it, as in the
   * SQLite queue, where a dead job keeps its key until retry() revives it.
   */
  async enqueue(typed: NewJob | TypedNewJob, trx?: Kysely<Database>): Promise<EnqueueResult> {
    const name = typeof typed.type === 'string' ? typed.type : typed.type.name;
    const row = checkNewJob(
      untyped(typed, this.handlers.get(name)?.schema ?? undefined),
      this.defaultMaxAttempts,
      Date.now(),
    );
    await this.ensureQueue(row.type);
    let result: EnqueueResult;
    if (trx) {
      result = await this.insert(kyselyExecutor(trx), row);
    } else if (row.dedupe_key === null) {
      result = await this.insert({ executeSql: (text, values) => this.pool.query(text, values) }, row);
    } else {
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN');
        result = await this.insert({ executeSql: (text, values) => client.query(text, values) }, row);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    }
    this.wake();
    return result;
  }

  private async insert(db: Executor, row: ReturnType<typeof checkNewJob>): Promise<EnqueueResult> {
    const id = randomUUID();
    if (row.dedupe_key !== null) {
      const claimed = await db.executeSql(
        `INSERT INTO ${this.dedupeTable} (key, job_id) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING key`,
        [row.dedupe_key, id],
      );
      if (claimed.rows.length === 0) {
        const { rows } = await db.executeSql(
          `SELECT d.job_id, j.state FROM ${this.dedupeTable} d LEFT JOIN ${this.jobTable} j ON j.id = d.job_id
           WHERE d.key = $1 FOR UPDATE OF d`,
          [row.dedupe_key],
        );
        const held = HeldSchema.parse(rows[0]);
        if (held.state !== null && held.state !== 'completed' && held.state !== 'cancelled') {
          return { id: held.job_id, created: false };
        }
        await db.executeSql(`UPDATE ${this.dedupeTable} SET job_id = $2 WHERE key = $1`, [row.dedupe_key, id]);
      }
    }
    await this.boss.send(
      row.type,
      { payload: JSON.parse(row.payload) as unknown },
      {
        id,
        db,
        startAfter: new Date(row.run_at),
        retryLimit: row.max_attempts - 1,
        retryDelay: this.retryDelay,
        retryBackoff: this.retryDelay > 0,
        expireInSeconds: this.expireInSeconds,
      },
    );
    return { id, created: true };
  }

  /**
   * pg-boss 10 keeps each queue in a partition that must exist before a job is sent to it. Two connections creating
   * the partitions of new queues at once can deadlock in PostgreSQL (seen with two instances enqueueing a new job type
   * together), so creation is one at a time: one pending creation per name in this process, and a session advisory
   * lock across processes, held on its own connection while pg-boss creates the queue.
   */
  private ensureQueue(name: string): Promise<void> {
    if (this.queues.has(name)) return Promise.resolve();
    let pending = this.creating.get(name);
    if (!pending) {
      pending = this.createQueueLocked(name).then(
        () => {
          this.queues.add(name);
          this.creating.delete(name);
        },
        (error: unknown) => {
          this.creating.delete(name);
          throw error;
        },
      );
      this.creating.set(name, pending);
    }
    return pending;
  }

  private async createQueueLocked(name: string): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock(hashtext($1))', [CREATE_QUEUE_LOCK]);
      try {
        await this.boss.createQueue(name, { name, policy: 'standard' });
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [CREATE_QUEUE_LOCK]);
      }
    } finally {
      client.release();
    }
  }

  notify(): void {
    this.wake();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  /**
   * Stops fetching, waits up to `timeoutMs` for running handlers, then puts the jobs of those still running back
   * to `created` with the attempt not counted (started_on cleared, so pg-boss's next fetch does not count a retry).
   */
  async stop(opts: { timeoutMs?: number } = {}): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake();
    await this.loopDone;
    await settleWithin(
      [...this.inFlight.values()].map((p) => p.done),
      opts.timeoutMs ?? 30_000,
    );
    const abandoned = [...this.inFlight.values()];
    this.inFlight.clear();
    for (const { abort } of abandoned) abort.abort(new Error('queue stopped'));
    if (abandoned.length === 0) return;
    await this.pool
      .query(
        `UPDATE ${this.jobTable} SET state = 'created', started_on = NULL
         WHERE id = ANY($1::uuid[]) AND state = 'active'`,
        [abandoned.map(({ job }) => job.id)],
      )
      .catch((err: unknown) => this.logger.error({ err }, 'releasing running jobs failed'));
  }

  /** Ends pg-boss's maintenance and the connection pool; call after stop(). */
  async close(): Promise<void> {
    await this.stop({ timeoutMs: 0 });
    await this.boss.stop({ graceful: false, close: false, wait: true });
    await this.pool.end();
  }

  async stats(): Promise<QueueStats> {
    const counts = { queued: 0, running: 0, done: 0, dead: 0 };
    const byState = await this.pool.query(`SELECT state, count(*) AS n FROM ${this.jobTable} GROUP BY state`);
    for (const raw of byState.rows) {
      const r = StatsRowSchema.parse(raw);
      counts[STATUS[r.state]] += r.n;
    }
    const due = await this.pool.query(
      `SELECT count(*) FILTER (WHERE state = 'retry') AS retrying,
              min(start_after) FILTER (WHERE start_after <= now()) AS oldest
       FROM ${this.jobTable} WHERE state IN ('created', 'retry')`,
    );
    const d = DueRowSchema.parse(due.rows[0]);
    return { ...counts, retrying: d.retrying, oldestDueAt: d.oldest?.getTime() ?? null };
  }

  async list(opts: { status?: JobStatus; limit?: number } = {}): Promise<JobSummary[]> {
    const states = opts.status ? STATES[opts.status] : Object.keys(STATUS);
    const { rows } = await this.pool.query(
      `SELECT j.id, j.name, j.state, j.data, j.retry_count, j.retry_limit, j.start_after,
              coalesce(j.output->>'message', j.output->'value'->>'message') AS last_error,
              d.key AS dedupe_key, j.created_on, coalesce(j.completed_on, j.started_on, j.created_on) AS updated_on
       FROM ${this.jobTable} j LEFT JOIN ${this.dedupeTable} d ON d.job_id = j.id AND j.state <> 'completed'
       WHERE j.state::text = ANY($1::text[])
       ORDER BY j.created_on DESC, j.id DESC LIMIT $2`,
      [states, opts.limit ?? 100],
    );
    return rows.map((raw) => {
      const r = JobRowSchema.parse(raw);
      return {
        id: r.id,
        type: r.name,
        status: STATUS[r.state],
        payload: r.data.payload,
        // retry_count counts the deliveries before the current one; a created job has not been tried yet.
        attempts: r.retry_count + (r.state === 'created' ? 0 : 1),
        maxAttempts: r.retry_limit + 1,
        runAt: r.start_after.getTime(),
        lastError: r.last_error,
        lockedBy: null,
        dedupeKey: r.dedupe_key,
        createdAt: r.created_on.getTime(),
        updatedAt: r.updated_on.getTime(),
      };
    });
  }

  async retry(jobId: JobId): Promise<void> {
    if (typeof jobId !== 'string' || !UUID.test(jobId)) throw new JobStateError(`No job with id ${jobId}`);
    const res = await this.pool.query(
      `UPDATE ${this.jobTable}
       SET state = 'created', retry_count = 0, started_on = NULL, completed_on = NULL, start_after = now(),
           keep_until = greatest(keep_until, now() + interval '14 days')
       WHERE id = $1 AND state IN ('failed', 'cancelled')`,
      [jobId],
    );
    if (res.rowCount === 0) {
      const { rows } = await this.pool.query(`SELECT state FROM ${this.jobTable} WHERE id = $1`, [jobId]);
      const state = rows[0] ? StateSchema.parse((rows[0] as { state: unknown }).state) : null;
      throw new JobStateError(
        state ? `Job ${jobId} is ${STATUS[state]}, not dead: only dead jobs can be retried` : `No job with id ${jobId}`,
      );
    }
    this.wake();
  }

  private wake(): void {
    this.waker.wake();
  }

  private sleep(ms: number): Promise<void> {
    return this.waker.sleep(ms);
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let claimed = 0;
      try {
        claimed = await this.fetchRound();
      } catch (error) {
        this.logger.error({ err: error }, 'job fetch failed');
      }
      if (!this.running) break;
      if (claimed > 0 && this.inFlight.size < this.concurrency) continue;
      await this.sleep(this.pollIntervalMs);
    }
  }

  /** Fetches jobs for the free slots, type after type, starting with a different type each round. */
  private async fetchRound(): Promise<number> {
    const types = [...this.handlers.keys()];
    let claimed = 0;
    for (let i = 0; i < types.length && this.running; i++) {
      const free = this.concurrency - this.inFlight.size;
      if (free <= 0) break;
      const type = types[(this.turn + i) % types.length] as string;
      await this.ensureQueue(type);
      const jobs = await this.boss.fetch(type, { batchSize: free, includeMetadata: true });
      for (const raw of jobs) {
        const j = FetchedSchema.parse(raw);
        this.execute({
          id: j.id,
          type: j.name,
          payload: j.data.payload,
          attempt: j.retryCount + 1,
          maxAttempts: j.retryLimit + 1,
        });
      }
      claimed += jobs.length;
    }
    this.turn++;
    return claimed;
  }

  private execute(job: Fetched): void {
    const abort = new AbortController();
    const owned = () => this.inFlight.get(job.id)?.job === job;
    const done = runJob(this.handlers.get(job.type), job, { jobId: job.id, attempt: job.attempt, signal: abort.signal })
      .then(
        () => (owned() ? this.boss.complete(job.type, job.id).then(() => undefined) : undefined),
        (error: unknown) => (owned() ? this.fail(job, error) : undefined),
      )
      .catch((err: unknown) => this.logger.error({ err, jobId: job.id }, 'job state update failed'));
    this.inFlight.set(job.id, {
      job,
      abort,
      done: done.finally(() => {
        if (owned()) this.inFlight.delete(job.id);
        this.wake();
      }),
    });
  }

  /** A retry through pg-boss's fail(); a dead letter first spends the rest of the job's retry budget. */
  private async fail(job: Fetched, error: unknown): Promise<void> {
    const reason = deadLetterReason(error, job.attempt, job.maxAttempts);
    if (reason !== null) {
      await this.pool.query(
        `UPDATE ${this.jobTable} SET retry_limit = retry_count WHERE name = $1 AND id = $2 AND state = 'active'`,
        [job.type, job.id],
      );
      this.logger.warn({ jobId: job.id, type: job.type, attempt: job.attempt, reason }, 'job dead-lettered');
    }
    const message = (reason ?? describeError(error)).slice(0, MAX_ERROR_LENGTH);
    await this.boss.fail(job.type, job.id, { message });
  }
}

/** pg-boss's `db` option on a Kysely transaction: its SQL runs on the transaction's connection. */
function kyselyExecutor(trx: Kysely<Database>): Executor {
  return {
    async executeSql(text, values = []) {
      const result = await trx.executeQuery(CompiledQuery.raw(text, values));
      return { rows: [...result.rows] };
    },
  };
}
