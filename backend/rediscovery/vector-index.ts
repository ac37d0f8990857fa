import type BetterSqlite3 from 'better-sqlite3';
import { type Kysely, sql } from 'kysely';
import { isPostgres } from '../store/dialect.ts';
import type { Database } from '../store/schema.ts';
import { createMatrix, type VectorMatrix } from './dot-scan.ts';

/**
 * Exact nearest-neighbour search over the people's embeddings, in memory. Vectors live in rd_vector (one BLOB per
 * person); the first query of a process loads those of the current model into one contiguous matrix (dot-scan.ts) and
 * later queries load only rows written since (rd_vector_state.gen), or everything again after a deletion. Another
 * process (the CLI's sync) writing vectors is picked up the same way.
 *
 * Exact search rather than sqlite-vec or an ANN index: a scan of 100,000 × 256 dims takes ~20 ms with WebAssembly
 * SIMD (bench/rediscovery-index.bench.ts prints it; sqlite-vec measured ~90 ms for 384 dims here), it has no recall
 * loss to tune, no native extension to ship, and it also gives the similarity of every person, which the hybrid
 * score needs for keyword-retrieved people too and the floor (the pool's median similarity) needs for all of them.
 */

type Cache = {
  key: string;
  gen: number;
  deletions: number;
  dims: number;
  size: number;
  matrix: VectorMatrix | null;
  rids: Int32Array;
  slotOf: Map<number, number>;
};

const caches = new WeakMap<BetterSqlite3.Database, Cache>();

export function vectorToBlob(v: Float32Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

export function blobToVector(b: Buffer): Float32Array {
  const out = new Float32Array(b.length / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}

type VectorState = { gen: number; deletions: number };

function readState(sqlite: BetterSqlite3.Database): VectorState {
  return sqlite.prepare('SELECT gen, deletions FROM rd_vector_state WHERE id = 1').get() as VectorState;
}

/**
 * `since` (or a new cache) brought up to `state` with `rows` (rid, vector) written after `since.gen`; `count` (how
 * many vectors the model has) sizes the matrix on the first load.
 */
function load(
  key: string,
  state: VectorState,
  rows: Iterable<[number, Buffer]>,
  count: () => number,
  since: Cache | null,
): Cache {
  let c: Cache =
    since ??
    ({
      key,
      gen: -1,
      deletions: state.deletions,
      dims: 0,
      size: 0,
      matrix: null,
      rids: new Int32Array(0),
      slotOf: new Map(),
    } satisfies Cache);
  let view = c.matrix ? new Uint8Array(c.matrix.data.buffer, c.matrix.data.byteOffset, c.matrix.data.byteLength) : null;
  for (const [rid, blob] of rows) {
    const dims = blob.length / 4;
    if (!c.matrix || !view) {
      const cap = Math.max(count(), 1024);
      c = { ...c, dims, matrix: createMatrix(cap, dims), rids: new Int32Array(cap) };
      view = new Uint8Array(c.matrix!.data.buffer, c.matrix!.data.byteOffset, c.matrix!.data.byteLength);
    }
    // One model key always has one size; a row of another size is skipped rather than corrupting the matrix.
    if (dims !== c.dims) continue;
    let slot = c.slotOf.get(rid);
    if (slot === undefined) {
      slot = c.size++;
      if (slot >= c.rids.length) {
        const grown = Math.ceil(c.rids.length * 1.5) + 1024;
        const matrix = createMatrix(grown, c.dims);
        matrix.data.set(c.matrix!.data.subarray(0, slot * c.dims));
        const rids = new Int32Array(grown);
        rids.set(c.rids);
        c = { ...c, matrix, rids };
        view = new Uint8Array(matrix.data.buffer, matrix.data.byteOffset, matrix.data.byteLength);
      }
      c.rids[slot] = rid;
      c.slotOf.set(rid, slot);
    }
    view!.set(blob, slot * c.dims * 4);
  }
  return { ...c, gen: state.gen, deletions: state.deletions };
}

/** What of the cached index can be kept: all of it, the part before `gen` (load what is newer), or nothing. */
function reusable(cached: Cache | undefined, key: string, state: VectorState): Cache | null | 'current' {
  if (!cached || cached.key !== key || cached.deletions !== state.deletions) return null;
  return cached.gen === state.gen ? 'current' : cached;
}

/** The index of one model key, brought up to date with rd_vector. */
function current(sqlite: BetterSqlite3.Database, key: string): Cache {
  const cached = caches.get(sqlite);
  const state = readState(sqlite);
  const keep = reusable(cached, key, state);
  let c: Cache;
  if (keep === 'current') c = cached as Cache;
  else {
    const rows = sqlite
      .prepare(`SELECT rid, vector FROM rd_vector WHERE model = ? AND gen > ? AND vector IS NOT NULL ORDER BY rid`)
      .raw()
      .iterate(key, keep ? keep.gen : -1) as IterableIterator<[number, Buffer]>;
    const count = () =>
      (
        sqlite.prepare('SELECT count(*) AS n FROM rd_vector WHERE model = ? AND vector IS NOT NULL').get(key) as {
          n: number;
        }
      ).n;
    c = load(key, state, rows, count, keep);
  }
  caches.set(sqlite, c);
  return c;
}

const pgCaches = new WeakMap<Kysely<Database>, Cache>();

/** current() on PostgreSQL: the same in-memory index, its new rows read through Kysely (bytea as Buffer). */
async function currentDb(db: Kysely<Database>, key: string): Promise<Cache> {
  const cached = pgCaches.get(db);
  const st = (
    await sql<{ gen: number | string; deletions: number | string }>`
    SELECT gen, deletions FROM rd_vector_state WHERE id = 1`.execute(db)
  ).rows[0];
  const state = { gen: Number(st?.gen ?? 0), deletions: Number(st?.deletions ?? 0) };
  const keep = reusable(cached, key, state);
  let c: Cache;
  if (keep === 'current') c = cached as Cache;
  else {
    const { rows } = await sql<{ rid: number | string; vector: Buffer }>`
      SELECT rid, vector FROM rd_vector WHERE model = ${key} AND gen > ${keep ? keep.gen : -1} AND vector IS NOT NULL
      ORDER BY rid`.execute(db);
    c = load(
      key,
      state,
      rows.map((r) => [Number(r.rid), r.vector] as [number, Buffer]),
      () => rows.length,
      keep,
    );
  }
  pgCaches.set(db, c);
  return c;
}

export type VectorSearch = {
  /** People with a vector for this model. */
  size: number;
  dims: number;
  /** Cosine similarity of a person to the query, or null when they have no vector yet. */
  similarity(rid: number): number | null;
  /** The `k` most similar people, best first. */
  top(k: number): Array<{ rid: number; cos: number }>;
  /** Median similarity over everyone with a vector (sampled): what an unrelated profile scores for this query. */
  median: number;
  /** Wall time of the scan (and of loading new vectors into memory, if any). */
  tookMs: number;
};

/** Similarity of every indexed person to `query` (unit length, same model), by one exact scan. */
export function searchVectors(sqlite: BetterSqlite3.Database, key: string, query: Float32Array): VectorSearch {
  const t0 = performance.now();
  return scan(current(sqlite, key), query, t0);
}

/** searchVectors for either engine: on PostgreSQL the vectors are read through Kysely into the same index. */
export async function searchVectorsOf(
  store: { db: Kysely<Database>; readonly sqlite: BetterSqlite3.Database },
  key: string,
  query: Float32Array,
): Promise<VectorSearch> {
  if (!isPostgres(store.db)) return searchVectors(store.sqlite, key, query);
  const t0 = performance.now();
  return scan(await currentDb(store.db, key), query, t0);
}

function scan(c: Cache, query: Float32Array, t0: number): VectorSearch {
  const n = c.size;
  const d = c.dims;
  if (n > 0 && d !== query.length) {
    throw new Error(`The query vector has ${query.length} dimensions, the index ${d}: re-embed with one model`);
  }
  const scores = n > 0 && c.matrix ? c.matrix.scan(query, n) : new Float32Array(0);
  const median = n ? sampledMedian(scores, n) : 0;
  return {
    size: n,
    dims: d,
    median,
    similarity: (rid) => {
      const slot = c.slotOf.get(rid);
      return slot === undefined ? null : scores[slot]!;
    },
    top: (k) => topK(scores, c.rids, n, k),
    tookMs: performance.now() - t0,
  };
}

/** The median of up to MEDIAN_SAMPLE evenly spaced scores: within a hundredth of the exact one, in a fraction. */
const MEDIAN_SAMPLE = 8_192;
function sampledMedian(scores: Float32Array, n: number): number {
  const step = Math.max(1, Math.floor(n / MEDIAN_SAMPLE));
  const sample = new Float32Array(Math.ceil(n / step));
  for (let i = 0, k = 0; i < n; i += step) sample[k++] = scores[i]!;
  return quickselect(sample, sample.length >> 1);
}

/** The k-th smallest value (0-based); reorders `a`. */
function quickselect(a: Float32Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k]!;
}

/** Best k by score (ties by rid), by a bounded insertion list: k is a few hundred, n up to ~10^5-10^6. */
function topK(scores: Float32Array, rids: Int32Array, n: number, k: number): Array<{ rid: number; cos: number }> {
  const best: Array<{ rid: number; cos: number }> = [];
  let worst = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const s = scores[i]!;
    if (best.length >= k && s <= worst) continue;
    const item = { rid: rids[i]!, cos: s };
    let at = best.length;
    while (at > 0 && (best[at - 1]!.cos < s || (best[at - 1]!.cos === s && best[at - 1]!.rid > item.rid))) at--;
    best.splice(at, 0, item);
    if (best.length > k) best.pop();
    worst = best.length >= k ? best[best.length - 1]!.cos : Number.NEGATIVE_INFINITY;
  }
  return best;
}

/** Which vector search rediscovery's hybrid ranking uses on this store, for the start-up log line. */
export type VectorSearchChoice = {
  mode: 'in-process exact search';
  /** PostgreSQL only: whether the pgvector extension is available to install (null on SQLite). */
  pgvectorAvailable: boolean | null;
  line: string;
};

/**
 * The vector search in use, said once at start. Always the in-process exact scan above: on SQLite by design, and
 * on PostgreSQL too, where the pgvector extension is detected (pg_available_extensions) but not used yet.
 */
export async function vectorSearchChoice(db: Kysely<Database>): Promise<VectorSearchChoice> {
  const mode = 'in-process exact search' as const;
  if (!isPostgres(db)) return { mode, pgvectorAvailable: null, line: `rediscovery vectors: ${mode} (SQLite)` };
  const { rows } = await sql`SELECT 1 AS x FROM pg_available_extensions WHERE name = 'vector'`.execute(db);
  const available = rows.length > 0;
  return {
    mode,
    pgvectorAvailable: available,
    line: available
      ? `rediscovery vectors: ${mode} (PostgreSQL; pgvector is available but this build does not use it)`
      : `rediscovery vectors: ${mode} (PostgreSQL; pgvector extension not installed)`,
  };
}
