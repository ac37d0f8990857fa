import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

/**
 * pg hands 64-bit integers (`bigint`: epoch-ms columns and ids) back as strings, since not every int8 fits a JS
 * number. Every one the schema holds does (ms until the year 287,396), and the code reads them as numbers like
 * SQLite's, so they are parsed as numbers, and a value that would lose precision is an error rather than a silent
 * rounding.
 */
const INT8_OID = pg.types.builtins.INT8;

function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`bigint ${text} does not fit a JavaScript number`);
  return n;
}

const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? parseInt8
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * A Kysely on PostgreSQL (pg Pool + PostgresDialect) for a connection string, with bigint read as number. The
 * caller runs `migrateToLatest` on it (openPostgresStore does) and `destroy()`s it, which ends the pool. An idle
 * connection the server drops (a restart, a failover, an administrator) is an 'error' on the pool: without a
 * listener that would end the process, so it is reported to `onIdleError` (default: one line on stderr) and the
 * pool opens a new connection on the next query. One dropped while in use fails the work on it, not the process.
 */
export function openPostgresKysely(url: string, opts: { onIdleError?: (err: Error) => void } = {}): Kysely<Database> {
  // A pool with every connection busy makes a caller wait at most 10 s for one (then the query fails: /readyz says
  // 503 instead of hanging).
  const pool = new pg.Pool({ connectionString: url, types, connectionTimeoutMillis: 10_000 });
  pool.on(
    'error',
    opts.onIdleError ?? ((err) => process.stderr.write(`PostgreSQL: an idle connection failed: ${err.message}\n`)),
  );
  ignoreCheckedOutErrors(pool);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/**
 * A connection checked out of `pool` (a query or a transaction) has no pool listener: one the server drops then
 * would be an uncaught 'error' that ends the process. The error already fails that connection's query (or its next
 * one: "not queryable"), and the pool discards the client on release, so nothing more is needed than a listener.
 */
export function ignoreCheckedOutErrors(pool: pg.Pool): void {
  pool.on('connect', (client) => client.on('error', () => {}));
}
