import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { createLeverClient, type OAuthTokenStore, TokenBucket } from '../../../backend/lever/index.ts';
import { DbOAuthTokenStore } from '../../../backend/lever-oauth/token-store.ts';
import type { Database } from '../../../backend/store/schema.ts';

/**
 * One "process" of the two-process refresh test (lever-oauth.test.ts): its own SQLite connection to the shared
 * database file and its own Lever client in OAuth mode. It says `ready`, waits for `go` on stdin (so both start
 * together), makes one API call (which must refresh the expired token first) and prints what happened as JSON.
 * With LOCK=off the store's cross-process lock is hidden, to show the race the lock prevents.
 */
const [file, keyHex, apiBaseUrl, tokenUrl] = process.argv.slice(2) as [string, string, string, string];
const db = new BetterSqlite3(file);
db.pragma('journal_mode = WAL');
db.pragma('busy_timeout = 5000');
const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: db }) });
const inner = new DbOAuthTokenStore(() => kysely, Buffer.from(keyHex, 'hex'), { pollMs: 20 });
const tokens: OAuthTokenStore =
  process.env.LOCK === 'off' ? { load: () => inner.load(), save: (t) => inner.save(t) } : inner;
const lever = createLeverClient({
  baseUrl: apiBaseUrl,
  auth: { kind: 'oauth', tokens, clientId: 'emulator-client', clientSecret: 'emulator-secret', tokenUrl },
  bucket: new TokenBucket(100, 100),
  maxRetries: 0,
});
const hash = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16);

const rl = createInterface({ input: process.stdin });
console.log('ready');
rl.once('line', async () => {
  try {
    const stages = await lever.listStages();
    const now = await inner.load();
    console.log(JSON.stringify({ ok: true, stages: stages.length, token: hash(now.accessToken) }));
  } catch (e) {
    console.log(JSON.stringify({ ok: false, error: (e as Error).message }));
  }
  rl.close();
  await kysely.destroy();
});
