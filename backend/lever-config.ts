import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Config } from './config.ts';
import { createLeverClient, LEVER_BASE_URLS, LeverAuthError, type LeverClient } from './lever/index.ts';
import type { RateBudget } from './lever/rate-limit.ts';
import { oauthSettings, requireSecretKey } from './lever-oauth/connect.ts';
import { SqliteOAuthTokenStore } from './lever-oauth/token-store.ts';
import { DB_FILE_NAME } from './store/db.ts';

/**
 * Lever credentials from the config, in this order:
 * - LEVER_API_KEY (+ LEVER_BASE_URL): a customer's own API key, HTTP Basic;
 * - LEVER_OAUTH_CLIENT_ID/SECRET: a partner app's OAuth tokens, stored encrypted in the database by
 *   `npm run cli -- lever connect` and refreshed under a lease every process respects;
 * - neither: the local emulator's key.
 * `sqlite` is the backend's open database; commands that have none get a connection opened on first use.
 */
export function leverFromConfig(
  config: Config,
  deps: { sqlite?: () => BetterSqlite3.Database; budget?: (credential: string) => RateBudget } = {},
): LeverClient {
  const baseUrl =
    config.LEVER_BASE_URL ??
    (config.useEmulator ? `http://127.0.0.1:${config.LEVER_EMULATOR_PORT}/v1` : LEVER_BASE_URLS.production);
  const rate = { ratePerSecond: config.LEVER_RATE_PER_SECOND, burst: config.LEVER_BURST };
  // One budget per credential: the in-process bucket, or `budget` (several instances sharing one in PostgreSQL).
  const limits = (credential: string) => (deps.budget ? { ...rate, bucket: deps.budget(credential) } : rate);
  const oauth = config.LEVER_API_KEY ? null : oauthSettings(config);
  if (oauth) {
    const tokens = new SqliteOAuthTokenStore(
      deps.sqlite ?? lazyDatabase(path.join(config.dataDir, DB_FILE_NAME)),
      requireSecretKey(config),
    );
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

/** A connection to the store's SQLite file, opened on first use (its tables come from the backend's migrations). */
function lazyDatabase(file: string): () => BetterSqlite3.Database {
  let db: BetterSqlite3.Database | undefined;
  return () => {
    if (!db) {
      try {
        db = new BetterSqlite3(file, { fileMustExist: true });
      } catch {
        throw new LeverAuthError(
          `Fulcrum is not connected to Lever yet (no database at ${file}): run npm run cli -- lever connect first.`,
        );
      }
      db.pragma('journal_mode = WAL');
      db.pragma('busy_timeout = 5000');
    }
    return db;
  };
}
