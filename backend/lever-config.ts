import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Config } from './config.ts';
import { createLeverClient, LEVER_BASE_URLS, LeverAuthError, type LeverClient } from './lever/index.ts';
import { PgRateBudget } from './lever/pg-rate-budget.ts';
import type { RateBudget } from './lever/rate-limit.ts';
import { oauthSettings, requireSecretKey } from './lever-oauth/connect.ts';
import { DbOAuthTokenStore } from './lever-oauth/token-store.ts';
import { DB_FILE_NAME } from './store/db.ts';
import { ignoreCheckedOutErrors, openPostgresKysely } from './store/postgres.ts';
import type { Database } from './store/schema.ts';

/**
 * Lever credentials from the config, in this order:
 * - LEVER_API_KEY (+ LEVER_BASE_URL): a customer's own API key, HTTP Basic;
 * - LEVER_OAUTH_CLIENT_ID/SECRET: a partner app's OAuth tokens, stored encrypted in the database by
 *   `npm run cli -- lever connect` and refreshed under a lease every process respects;
 * - neither: the local emulator's key.
 * `db` is the backend's open store (`store.db`, SQLite or PostgreSQL); commands that have none get a connection to
 * the configured database (DATABASE_URL, else the data dir's SQLite file) opened on first use.
 */
export function leverFromConfig(
  config: Config,
  deps: { db?: () => Kysely<Database>; budget?: (credential: string) => RateBudget } = {},
): LeverClient {
  const baseUrl =
    config.LEVER_BASE_URL ??
    (config.useEmulator ? `http://127.0.0.1:${config.LEVER_EMULATOR_PORT}/v1` : LEVER_BASE_URLS.production);
  const rate = { ratePerSecond: config.LEVER_RATE_PER_SECOND, burst: config.LEVER_BURST };
  // One budget per credential: the in-process bucket, or one shared in PostgreSQL by every process on DATABASE_URL
  // (the backends pass theirs; a CLI command such as `sync` gets one here, so it cannot push the key past Lever's
  // limit next to running backends).
  const budget = deps.budget ?? (config.DATABASE_URL ? sharedBudget(config.DATABASE_URL, rate) : undefined);
  const limits = (credential: string) => (budget ? { ...rate, bucket: budget(credential) } : rate);
  const oauth = config.LEVER_API_KEY ? null : oauthSettings(config);
  if (oauth) {
    const tokens = new DbOAuthTokenStore(deps.db ?? lazyDatabase(config), requireSecretKey(config));
    return createLeverClient({
      baseUrl,
      auth: {
        kind: 'oauth',
        tokens,
        clientId: oauth.clientId,
        clientSecret: oauth.clientSecret,
        tokenUrl: oauth.endpoints.tokenUrl,
      },
      ...limits(`${baseUrl}|oauth:${oauth.clientId}`),
    });
  }
  const apiKey = config.LEVER_API_KEY ?? config.LEVER_EMULATOR_KEY;
  return createLeverClient({ baseUrl, auth: { kind: 'apiKey', apiKey }, ...limits(`${baseUrl}|key:${apiKey}`) });
}

/** PgRateBudget on a one-connection pool of its own that lets the process exit when idle (CLI commands). */
function sharedBudget(url: string, rate: { ratePerSecond: number; burst: number }) {
  let pool: pg.Pool | undefined;
  return (credential: string): RateBudget => {
    if (!pool) {
      pool = new pg.Pool({ connectionString: url, max: 1, allowExitOnIdle: true });
      pool.on('error', () => {});
      ignoreCheckedOutErrors(pool);
    }
    return new PgRateBudget(pool, credential, rate.ratePerSecond, rate.burst);
  };
}

/**
 * A connection to the configured database, opened on first use (its tables come from the backend's migrations, which
 * this does not run): PostgreSQL when DATABASE_URL is set, else the data dir's SQLite file, which must exist.
 */
function lazyDatabase(config: Pick<Config, 'dataDir' | 'DATABASE_URL'>): () => Kysely<Database> {
  let db: Kysely<Database> | undefined;
  return () => {
    if (db) return db;
    if (config.DATABASE_URL) {
      db = openPostgresKysely(config.DATABASE_URL);
      return db;
    }
    const file = path.join(config.dataDir, DB_FILE_NAME);
    let sqlite: BetterSqlite3.Database;
    try {
      sqlite = new BetterSqlite3(file, { fileMustExist: true });
    } catch {
      throw new LeverAuthError(
        `Fulcrum is not connected to Lever yet (no database at ${file}): run npm run cli -- lever connect first.`,
      );
    }
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('busy_timeout = 5000');
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    return db;
  };
}
