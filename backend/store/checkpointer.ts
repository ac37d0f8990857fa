import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../http/logger.ts';
import type { Store } from './db.ts';

/**
 * WAL checkpoints on a worker thread, for the long-running server. SQLite's automatic checkpoint runs inside the
 * commit that crosses 1,000 WAL pages and, with synchronous=NORMAL, is the only step that fsyncs: on this disk it
 * blocked the event loop for ~150 µs per webhook delivery on average (bench/webhook-intake.bench.ts; in a loop of
 * group-committed event+job inserts, 250 µs per delivery with auto-checkpoints vs 100 µs without). Here the server's
 * connection turns automatic checkpoints off and a second connection on its own thread checkpoints (PASSIVE: never
 * waits for or blocks the writer) every `intervalMs`. Durability is unchanged: commits reach the WAL exactly as
 * before; only the copy into the main file moves off the request path. If the thread dies, the server's connection
 * goes back to automatic checkpoints so the WAL cannot grow without bound.
 *
 * SQLite only (checkpointsWal): on a PostgreSQL store, or an in-memory one, there is no WAL file to checkpoint and
 * this starts nothing (its stop() does nothing), without touching `store.sqlite`.
 */
export function startCheckpointer(
  store: Store,
  logger: Logger,
  opts: { intervalMs?: number } = {},
): { stop(): Promise<void> } {
  if (!checkpointsWal(store)) return { stop: async () => {} };
  const workerData = {
    file: store.file,
    intervalMs: opts.intervalMs ?? 1_000,
    driver: createRequire(import.meta.url).resolve('better-sqlite3'),
  };
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData });
  store.sqlite.pragma('wal_autocheckpoint = 0');
  let stopping = false;
  const restoreAuto = () => {
    if (store.sqlite.open) store.sqlite.pragma('wal_autocheckpoint = 1000');
  };
  worker.on('error', (err) => {
    logger.error({ err: err.name, message: err.message }, 'WAL checkpoint thread failed; back to inline checkpoints');
  });
  worker.on('exit', () => {
    if (!stopping) restoreAuto();
  });
  worker.unref();
  return {
    async stop() {
      stopping = true;
      await worker.terminate();
      restoreAuto();
    },
  };
}

/** True when the store has a WAL file this process checkpoints: a SQLite store on disk (not PostgreSQL, not :memory:). */
export function checkpointsWal(store: Pick<Store, 'dialect' | 'file'>): boolean {
  return store.dialect === 'sqlite' && store.file !== ':memory:';
}

/** Plain CommonJS for `eval: true`: no loader hooks needed, better-sqlite3 resolved by the parent. */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (e) {
    if (e && e.code !== 'SQLITE_BUSY' && e.code !== 'SQLITE_LOCKED') throw e;
  }
}, workerData.intervalMs);
`;
