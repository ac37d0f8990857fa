import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Config } from './config.ts';
import { createLeverClient, LEVER_BASE_URLS, LeverAuthError, type LeverClient } from './lever/index.ts';
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
export function leverFromConfig(config: Config, deps: { sqlite?: () => BetterSqlite3.Database } = {}): LeverClient {
  const baseUrl =
    config.LEVER_BASE_URL ??
    (config.useEmulator ? `http://127.0.0.1:${config.LEVER_EMULATOR_PORT}/v1` : LEVER_BASE_URLS.production);
  const limits = { ratePerSecond: config.LEVER_RATE_PER_SECOND, burst: config.LEVER_BURST };
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
      ...limits,
    });
  }
  return createLeverClient({
    baseUrl,
    auth: { kind: 'apiKey', apiKey: config.LEVER_API_KEY ?? config.LEVER_EMULATOR_KEY },
    ...limits,
  });
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
