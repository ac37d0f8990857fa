import { type Expression, type RawBuilder, type SqlBool, sql } from 'kysely';

/**
 * Helpers for statements over a list of ids or texts of any length, on SQLite and PostgreSQL alike.
 */

/** Ids per statement: well under both engines' bound-parameter limits (SQLite 32,766, PostgreSQL 65,535). */
export const IN_CHUNK = 1_000;

/** LIKE patterns per statement (each is one parameter, and each a scan of the column). */
export const LIKE_CHUNK = 200;

/**
 * Runs `fn` once per slice of `items` (at most `size` each; not at all when empty) and sums what it returns (rows
 * deleted or updated): one statement per slice, `where col in (slice)`.
 */
export async function inChunks<T>(
  items: Iterable<T>,
  fn: (chunk: T[]) => Promise<unknown>,
  size = IN_CHUNK,
): Promise<number> {
  const list = [...new Set(items)];
  let total = 0;
  for (let i = 0; i < list.length; i += size) total += Number((await fn(list.slice(i, i + size))) ?? 0); // a count, or nothing (reads)
  return total;
}

/** Values for `LIKE` matching any of these texts anywhere, with LIKE's wildcards escaped by '\'. */
export function likePatterns(texts: Iterable<string>): string[] {
  return [...new Set(texts)].filter(Boolean).map((t) => `%${t.replace(/[\\%_]/g, (m) => `\\${m}`)}%`);
}

/**
 * `column` matches any of `patterns` (from likePatterns), case-insensitively for ASCII on both engines (SQLite's
 * LIKE; ILIKE on PostgreSQL, whose LIKE is case-sensitive). False when there are no patterns.
 */
export function likeAny(
  pg: boolean,
  column: string | RawBuilder<unknown> | Expression<unknown>,
  patterns: readonly string[],
): RawBuilder<SqlBool> {
  if (patterns.length === 0) return sql<SqlBool>`1 = 0`;
  const col = typeof column === 'string' ? sql.ref(column) : column;
  const op = pg ? sql.raw('ILIKE') : sql.raw('LIKE');
  return sql<SqlBool>`(${sql.join(
    patterns.map((p) => sql`${col} ${op} ${p} ESCAPE '\\'`),
    sql` OR `,
  )})`;
}

/**
 * Reads a table a page at a time in key order (keyset paging: `where key > after order by key limit n`), so memory
 * stays bounded however many rows match. `page` runs one query (`after` is null for the first); `each` sees every
 * row. Stops after `max` rows (default: all). Returns how many rows were read.
 */
export async function keysetPages<R, K>(
  page: (after: K | null, limit: number) => Promise<R[]>,
  keyOf: (row: R) => K,
  each: (row: R) => void,
  opts: { pageSize?: number; max?: number } = {},
): Promise<number> {
  const size = opts.pageSize ?? 1_000;
  const max = opts.max ?? Number.POSITIVE_INFINITY;
  let seen = 0;
  for (let after: K | null = null; seen < max; ) {
    const rows = await page(after, Math.min(size, max - seen));
    for (const row of rows) each(row);
    seen += rows.length;
    const last = rows.at(-1);
    if (last === undefined || rows.length < size) break;
    after = keyOf(last);
  }
  return seen;
}
