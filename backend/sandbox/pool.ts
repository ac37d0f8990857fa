import { type Transferable, Worker } from 'node:worker_threads';
import type { InputLimits } from '../ai/bound-text.ts';
import { SandboxError, SandboxMemoryError, SandboxTimeoutError, UnreadableResumeError } from './errors.ts';

/**
 * A small pool of worker threads (node:worker_threads) for work whose cost an applicant controls: parsing uploaded
 * files and scoring their text. The main thread only posts a task and awaits its answer, so `/healthz`, webhook
 * intake and every other request keep being served while a hostile résumé is read.
 *
 * Each task has a time budget, counted from when a worker starts it; a task over budget gets its worker terminated
 * (the only way to stop a synchronous regex or parser) and a new worker takes the next task. Each worker has a heap
 * limit (resourceLimits): a task that reaches it ends its worker, not the backend. Workers start on demand, and
 * stop after a while idle; an idle worker does not keep the process alive.
 */

export type PoolOptions = {
  /** Worker threads at most (SANDBOX_WORKERS). */
  size: number;
  /** Time budget of one task in ms (SANDBOX_TIMEOUT_MS). */
  timeoutMs: number;
  /** Heap limit of each worker in MB (SANDBOX_MEMORY_MB). */
  memoryMb: number;
  /** An idle worker is stopped after this long (ms). */
  idleMs?: number;
  /** How long a new worker may take to load its modules (ms). */
  bootTimeoutMs?: number;
  /** The worker's entry module; worker.mjs by default. */
  entry?: URL;
};

export type PoolStats = {
  workers: number;
  busy: number;
  queued: number;
  started: number;
  completed: number;
  timedOut: number;
  outOfMemory: number;
  crashed: number;
};

type Job = {
  id: number;
  task: string;
  args: unknown;
  transfer: Transferable[];
  limits: InputLimits;
  timeoutMs: number;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
};

type Slot = {
  worker: Worker;
  ready: boolean;
  dead: boolean;
  job: Job | null;
  timer: NodeJS.Timeout | null;
  idleTimer: NodeJS.Timeout | null;
};

type Reply =
  | { ready: true }
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { name: string; message: string } };

const DEFAULT_ENTRY = new URL('./worker.mjs', import.meta.url);

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  private readonly counts = { started: 0, completed: 0, timedOut: 0, outOfMemory: 0, crashed: 0 };

  constructor(readonly options: PoolOptions) {}

  /** Runs `task` in a worker; rejects with SandboxTimeoutError, SandboxMemoryError or the task's own error. */
  run<T>(
    task: string,
    args: unknown,
    limits: InputLimits,
    opts: { transfer?: Transferable[]; timeoutMs?: number } = {},
  ): Promise<T> {
    if (this.closed) return Promise.reject(new SandboxError('The sandbox pool is closed'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({
        id: this.nextId++,
        task,
        args,
        limits,
        transfer: opts.transfer ?? [],
        timeoutMs: opts.timeoutMs ?? this.options.timeoutMs,
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      this.pump();
    });
  }

  /** Starts a worker now if none is running, so the first task does not wait for one to load. */
  prestart(): void {
    if (!this.closed && !this.slots.some((s) => !s.dead)) this.spawn();
  }

  stats(): PoolStats {
    const live = this.slots.filter((s) => !s.dead);
    return {
      workers: live.length,
      busy: live.filter((s) => s.job).length,
      queued: this.queue.length,
      ...this.counts,
    };
  }

  /** Stops every worker; queued and running tasks are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new SandboxError('The sandbox pool was closed'));
    await Promise.all(this.slots.map((s) => this.kill(s, new SandboxError('The sandbox pool was closed'))));
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const free = this.slots.find((s) => s.ready && !s.dead && !s.job);
      if (free) {
        this.start(free, this.queue.shift()!);
        continue;
      }
      const live = this.slots.filter((s) => !s.dead);
      const booting = live.filter((s) => !s.ready).length;
      if (live.length < this.options.size && booting < this.queue.length) this.spawn();
      return;
    }
  }

  private spawn(): void {
    const memoryMb = this.options.memoryMb;
    const worker = new Worker(this.options.entry ?? DEFAULT_ENTRY, {
      resourceLimits: {
        maxOldGenerationSizeMb: memoryMb,
        maxYoungGenerationSizeMb: Math.max(4, Math.min(32, Math.floor(memoryMb / 8))),
        stackSizeMb: 4,
      },
    });
    this.counts.started++;
    // A worker started ahead of any task must not keep the process alive while it loads.
    if (this.queue.length === 0) worker.unref();
    const slot: Slot = { worker, ready: false, dead: false, job: null, timer: null, idleTimer: null };
    this.slots.push(slot);
    const boot = setTimeout(
      () => this.failBoot(slot, new SandboxError('A sandbox worker did not start in time')),
      this.options.bootTimeoutMs ?? 60_000,
    );
    boot.unref();
    worker.on('message', (reply: Reply) => {
      if ('ready' in reply) {
        clearTimeout(boot);
        slot.ready = true;
        this.idle(slot);
        this.pump();
        return;
      }
      const job = slot.job;
      if (!job || job.id !== reply.id) return;
      this.finish(slot);
      this.counts.completed++;
      if (reply.ok) job.resolve(reply.result);
      else job.reject(rebuild(reply.error));
      this.idle(slot);
      this.pump();
    });
    worker.on('error', (err: Error & { code?: string }) => {
      clearTimeout(boot);
      const job = slot.job;
      if (!slot.ready && !job)
        return this.failBoot(slot, new SandboxError(`A sandbox worker failed to start: ${err.message}`));
      const outOfMemory = err.code === 'ERR_WORKER_OUT_OF_MEMORY';
      if (outOfMemory) this.counts.outOfMemory++;
      else this.counts.crashed++;
      void this.kill(
        slot,
        outOfMemory && job
          ? new SandboxMemoryError(job.task, memoryMb)
          : new SandboxError(`A sandbox worker crashed: ${err.message}`),
      );
      this.pump();
    });
    worker.on('exit', () => {
      clearTimeout(boot);
      if (slot.dead) return;
      this.counts.crashed++;
      void this.kill(slot, new SandboxError('A sandbox worker exited unexpectedly'));
      this.pump();
    });
  }

  private start(slot: Slot, job: Job): void {
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    slot.idleTimer = null;
    slot.job = job;
    slot.worker.ref();
    slot.timer = setTimeout(() => {
      this.counts.timedOut++;
      void this.kill(slot, new SandboxTimeoutError(job.task, job.timeoutMs)).then(() => this.pump());
    }, job.timeoutMs);
    try {
      slot.worker.postMessage({ id: job.id, task: job.task, args: job.args, limits: job.limits }, job.transfer);
    } catch (e) {
      this.finish(slot);
      job.reject(e instanceof Error ? e : new Error(String(e)));
      this.idle(slot);
    }
  }

  private finish(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.job = null;
  }

  /** An idle worker does not keep the process alive, and stops after idleMs. */
  private idle(slot: Slot): void {
    if (slot.dead) return;
    slot.worker.unref();
    slot.idleTimer = setTimeout(() => void this.kill(slot, null), this.options.idleMs ?? 30_000);
    slot.idleTimer.unref();
  }

  /** Terminates the slot's worker; its running task (if any) is rejected with `reason`. */
  private async kill(slot: Slot, reason: Error | null): Promise<void> {
    if (slot.dead) return;
    slot.dead = true;
    const job = slot.job;
    this.finish(slot);
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    const at = this.slots.indexOf(slot);
    if (at >= 0) this.slots.splice(at, 1);
    if (job) job.reject(reason ?? new SandboxError('The sandbox worker was stopped'));
    await slot.worker.terminate().catch(() => {});
  }

  /** A worker that cannot start would fail every task the same way: the queued ones fail now. */
  private failBoot(slot: Slot, error: SandboxError): void {
    void this.kill(slot, error);
    if (this.slots.some((s) => !s.dead && s.ready)) return;
    for (const job of this.queue.splice(0)) job.reject(error);
  }
}

/** The task's error as thrown in the worker: its class when it is one callers handle, else a plain Error. */
function rebuild(error: { name: string; message: string }): Error {
  if (error.name === 'UnreadableResumeError') return new UnreadableResumeError(error.message);
  const e = new Error(error.message);
  e.name = error.name;
  return e;
}
