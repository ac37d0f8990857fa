import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { migrateToLatest } from './migrations.ts';
import { openPostgresKysely } from './postgres.ts';
import type { Database } from './schema.ts';

/**
 * One open database. `db` is the typed, dialect-neutral query layer for ordinary reads and writes; `sqlite` is the
 * same connection, exposed for the few hot paths that must be synchronous (webhook intake + enqueue in one
 * `sqlite.transaction(...)`, job claims, audit appends).
 *
 * Both share ONE connection. A Kysely transaction whose callback awaits only Kysely queries never yields to timers
 * or I/O, so nothing interleaves with it; do not await other I/O (Lever, LLM) inside `db.transaction()`, or
 * synchronous writers from other requests would join that open transaction.
 */
export type Store = {
  db: Kysely<Database>;
  /** The engine under `db`. */
  dialect: 'sqlite' | 'postgres';
  /**
   * SQLite only: the raw connection for the synchronous hot paths. On a PostgreSQL store reading it throws, naming
   * the caller's need, so a path not yet on Kysely fails loudly instead of writing somewhere unexpected.
   */
  sqlite: BetterSqlite3.Database;
  /** Absolute path of the database file (':memory:' for an in-memory store). */
  file: string;
  /** Data directory and database files whose looser permissions openStore tightened (0700 / 0600), for a log line. */
  tightened?: string[];
  close(): Promise<void>;
};

export type StoreLocation = { dataDir: string } | { file: string };

export const DB_FILE_NAME = 'fulcrum.sqlite';

export class StoreConfigError extends Error {}

/** Milliseconds a writer waits for another process's write lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5_000;

/**
 * Opens (creating if needed) the SQLite store and runs pending migrations before returning it. The data directory is
 * kept at 0700 and the database with its -wal and -shm at 0600 (the database holds applicant PII): created that way,
 * and tightened when found looser (listed in `tightened`).
 */
export async function openStore(location: StoreLocation): Promise<Store> {
  const tightened: string[] = [];
  const file = resolveFile(location, tightened);
  if (file !== ':memory:') {
    // SQLite gives -wal and -shm the mode of the database file, so creating the file 0600 first covers all three.
    if (!fs.existsSync(file)) fs.closeSync(fs.openSync(file, 'a', PRIVATE_FILE));
    tightenFiles(file, tightened);
  }
  const sqlite = new BetterSqlite3(file);
  try {
    // WAL + NORMAL measured 9,951 req/s vs 731 with FULL (docs/architecture.md, Measured decisions); a power loss can
    // drop the last few commits but never corrupts the file.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  } catch (error) {
    sqlite.close();
    throw error;
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  // Kysely's SQLite driver closes the better-sqlite3 handle on destroy.
  const store = await migrated(db, {
    dialect: 'sqlite',
    sqlite,
    file,
    ...(tightened.length ? { tightened } : {}),
  });
  // The WAL and shared-memory files exist now; a copy restored with other modes is caught here.
  if (file !== ':memory:') tightenFiles(file, tightened);
  return store;
}

const PRIVATE_DIR = 0o700;
const PRIVATE_FILE = 0o600;

/** chmod to `mode` when group or others have any access; records what changed. POSIX only. */
function tighten(target: string, mode: number, changed: string[]): void {
  if (process.platform === 'win32') return;
  let st: fs.Stats;
  try {
    st = fs.statSync(target);
  } catch {
    return; // not there (yet)
  }
  if ((st.mode & 0o077) === 0) return;
  fs.chmodSync(target, mode);
  if (!changed.includes(target)) changed.push(target);
}

function tightenFiles(file: string, changed: string[]): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) tighten(f, PRIVATE_FILE, changed);
}

/** Thrown when code that still needs the raw SQLite connection runs on a PostgreSQL store. */
export class SqliteOnlyError extends Error {
  override name = 'SqliteOnlyError';
}

/**
 * Opens a store on PostgreSQL (a connection string) and runs pending migrations before returning it. `file` is the
 * URL with its password masked, for log lines.
 */
export async function openPostgresStore(url: string): Promise<Store> {
  return migrated(openPostgresKysely(url), {
    dialect: 'postgres',
    get sqlite(): never {
      throw new SqliteOnlyError('This path still uses the raw SQLite connection and does not run on PostgreSQL yet.');
    },
    file: maskPassword(url),
  });
}

/**
 * The store over `db` with a close() that destroys it once, after running pending migrations (closing it again
 * when they fail). `rest` is passed by descriptor, so a getter such as PostgreSQL's `sqlite` stays a getter.
 */
async function migrated(db: Kysely<Database>, rest: Omit<Store, 'db' | 'close'>): Promise<Store> {
  let closed = false;
  const base: Pick<Store, 'db' | 'close'> = {
    db,
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
  // defineProperties is typed as returning its first argument; with every field of `rest` added it is a Store.
  const store = Object.defineProperties(base, Object.getOwnPropertyDescriptors(rest)) as Store;
  try {
    await migrateToLatest(db);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

/**
 * The connection string with any password replaced by ***, safe for logs: the URL's own, and one given as a query
 * parameter (pg reads `?password=` and `?sslpassword=` too).
 */
export function maskPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    for (const key of [...u.searchParams.keys()]) if (/password/i.test(key)) u.searchParams.set(key, '***');
    return u.toString();
  } catch {
    return 'postgresql://(unparseable URL)';
  }
}

/**
 * Opens the store the configuration names: PostgreSQL when DATABASE_URL is set (several backend instances may share
 * it), else the embedded SQLite file in the data directory. A database that cannot be reached or migrated is a
 * StoreConfigError naming the URL with its password masked, never the password.
 */
export async function openStoreFromConfig(config: { dataDir: string; DATABASE_URL?: string | undefined }) {
  const url = config.DATABASE_URL;
  if (!url) return openStore({ dataDir: config.dataDir });
  try {
    return await openPostgresStore(url);
  } catch (error) {
    const reason = error instanceof Error ? error.message.replaceAll(url, maskPassword(url)) : String(error);
    throw new StoreConfigError(`Cannot open the PostgreSQL store at ${maskPassword(url)}: ${reason}`);
  }
}

function resolveFile(location: StoreLocation, changed: string[]): string {
  if ('file' in location) {
    if (location.file === ':memory:') return location.file;
    const file = path.resolve(location.file);
    // A directory that exists is the caller's (it may be /tmp): only one created here is made private.
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: PRIVATE_DIR });
    return file;
  }
  const dir = path.resolve(location.dataDir);
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
  tighten(dir, PRIVATE_DIR, changed);
  return path.join(dir, DB_FILE_NAME);
}
