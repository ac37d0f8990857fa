import { createHash } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { EmbeddingProgress } from '../../utils/contracts/rediscovery.ts';
import { MAX_EMBED_CHARS, type TextEmbedder } from '../ai/embed-texts.ts';
import { PiiLeakError } from '../ai/errors.ts';
import { assertNoLeak, type KnownPii, Redactor } from '../ai/redact.ts';
import type { Store } from '../store/db.ts';
import { isPostgres, withTransaction } from '../store/dialect.ts';
import type { Database } from '../store/schema.ts';
import { PersonSummarySchema } from './index-store.ts';
import { vectorToBlob } from './vector-index.ts';

/**
 * The vector index's embedding run: every person without a current vector for the configured model gets one.
 *
 * What is sent: the person's indexed text (resumes and headlines; never notes, feedback or EEO answers, which the
 * index does not hold), redacted exactly as the LLM path redacts a candidate (one Redactor over the person's known
 * name, emails, phones and links plus the generic patterns), then checked by assertNoLeak on the exact string.
 * A person the check refuses is recorded without a vector and not sent.
 *
 * Current means: same model key and same hash of the redacted text. Triggers on rd_person mark a vector stale when
 * the text or the name/emails change; a stale person whose redacted text hashes the same is not re-embedded.
 * Nothing is checkpointed beyond the vectors themselves, so an interrupted run resumes by running again; batches
 * are committed one request at a time. Runs in the job queue (or the CLI), never in webhook intake. Reads and
 * writes go through Kysely on both engines, one statement per batch (the embeddings request dominates each batch).
 */

export type EmbedDeps = {
  store: Pick<Store, 'db'>;
  embedder: TextEmbedder;
  now?: () => number;
  onProgress?: (p: EmbeddingProgress) => void;
  signal?: AbortSignal;
  /** Stop after this many people (the rest stay pending for the next run). */
  maxPeople?: number;
};

export class EmbedBusyError extends Error {
  override readonly name = 'EmbedBusyError';
}

/** A run whose heartbeat is older than this is treated as crashed. */
const STALE_AFTER_MS = 2 * 60_000;

export type PersonText = { text: string; hash: string } | { refused: string };

/** The redacted text embedded for one person, and its hash; or why it may not be sent. */
export function personEmbeddingText(summaryJson: string, doc: string): PersonText {
  const s = PersonSummarySchema.parse(JSON.parse(summaryJson));
  const known: KnownPii = { name: s.name, emails: s.emails, phones: s.phones ?? [], links: s.links ?? [] };
  // Only the start is embedded: redact twice what is sent, cut at a blank, not a whole pool member's résumés
  // (placeholders are no longer than what they replace by much, so the first MAX_EMBED_CHARS come out the same).
  const head = doc.length > 2 * MAX_EMBED_CHARS ? doc.slice(0, cutAtBlank(doc, 2 * MAX_EMBED_CHARS)) : doc;
  const text = new Redactor(known).redact(head).slice(0, MAX_EMBED_CHARS);
  try {
    assertNoLeak(text, known);
  } catch (e) {
    if (e instanceof PiiLeakError) return { refused: e.message };
    throw e;
  }
  return { text, hash: createHash('sha256').update(text).digest('hex') };
}

/** An offset at or before `at` just after a blank (or `at` itself when there is none in the last 1,000). */
function cutAtBlank(text: string, at: number): number {
  for (let i = at; i > at - 1_000 && i > 0; i--) if (/\s/.test(text[i - 1]!)) return i;
  return at;
}

type Db = Kysely<Database>;

const pendingWhere = (key: string) => sql`(v.rid IS NULL OR v.model <> ${key} OR v.stale = 1)`;

async function count(db: Db, query: ReturnType<typeof sql<{ n: number | string }>>): Promise<number> {
  return Number((await query.execute(db)).rows[0]?.n ?? 0);
}

const pendingCount = (db: Db, key: string) =>
  count(
    db,
    sql<{ n: number }>`SELECT count(*) AS n FROM rd_person p LEFT JOIN rd_vector v ON v.rid = p.rid
    WHERE ${pendingWhere(key)}`,
  );

type VectorState = {
  status: string;
  model: string | null;
  started_at: number | null;
  finished_at: number | null;
  done: number;
  total: number;
  error: string | null;
  heartbeat_at: number | null;
  gen: number;
};

async function readState(db: Db): Promise<VectorState> {
  const row =
    (await sql<Record<string, unknown>>`SELECT * FROM rd_vector_state WHERE id = 1`.execute(db)).rows[0] ?? {};
  const num = (v: unknown) => (v == null ? null : Number(v));
  return {
    status: String(row.status ?? 'never'),
    model: (row.model as string | null) ?? null,
    started_at: num(row.started_at),
    finished_at: num(row.finished_at),
    done: Number(row.done ?? 0),
    total: Number(row.total ?? 0),
    error: (row.error as string | null) ?? null,
    heartbeat_at: num(row.heartbeat_at),
    gen: Number(row.gen ?? 0),
  };
}

async function setState(db: Db, patch: Record<string, unknown>): Promise<void> {
  const set = Object.entries(patch).map(([k, v]) => sql`${sql.ref(k)} = ${v}`);
  await sql`UPDATE rd_vector_state SET ${sql.join(set)} WHERE id = 1`.execute(db);
}

/** People with a vector for this model key, from the indexes alone (no vectors are read). */
export function vectorCount(db: Db, key: string): Promise<number> {
  return count(db, sql<{ n: number }>`SELECT count(*) AS n FROM rd_vector WHERE model = ${key} AND vector IS NOT NULL`);
}

/** What GET /api/rediscovery/sync shows for the vector index of this model key. */
export async function embeddingProgress(db: Db, key: string): Promise<EmbeddingProgress> {
  const [st, embedded, pending, refused] = await Promise.all([
    readState(db),
    vectorCount(db, key),
    pendingCount(db, key),
    count(
      db,
      sql<{ n: number }>`SELECT count(*) AS n FROM rd_vector WHERE model = ${key} AND vector IS NULL AND stale = 0`,
    ),
  ]);
  const mine = st.model === key;
  const status =
    mine && (st.status === 'running' || st.status === 'idle' || st.status === 'failed') ? st.status : 'never';
  return {
    model: key,
    status,
    embedded,
    pending,
    refused,
    done: mine ? st.done : 0,
    total: mine ? st.total : 0,
    startedAt: mine ? st.started_at : null,
    finishedAt: mine ? st.finished_at : null,
    error: mine ? st.error : null,
  };
}

type Row = { rid: number; doc: string; summary: string; model: string | null; hash: string | null; has: unknown };
type VectorRow = { rid: number; dims: number; hash: string; vector: Buffer | null };

/** Writes a batch's vectors (refused people: NULL) in one statement, skipping people deleted meanwhile. */
async function upsertVectors(trx: Db, rows: VectorRow[], key: string, gen: number, at: number): Promise<void> {
  if (rows.length === 0) return;
  // PostgreSQL types a VALUES list from its first row's parameters, which are untyped: cast them (bytea above all).
  const pg = isPostgres(trx);
  const values = rows.map((r) =>
    pg
      ? sql`(${r.rid}::bigint, ${r.dims}::integer, ${r.hash}::text, ${r.vector}::bytea)`
      : sql`(${r.rid}, ${r.dims}, ${r.hash}, ${r.vector})`,
  );
  await sql`WITH b (rid, dims, hash, vector) AS (VALUES ${sql.join(values)})
    INSERT INTO rd_vector (rid, model, dims, text_hash, vector, stale, gen, embedded_at)
    SELECT b.rid, CAST(${key} AS TEXT), b.dims, b.hash, b.vector, 0, CAST(${gen} AS INTEGER), CAST(${at} AS BIGINT) FROM b
    WHERE EXISTS (SELECT 1 FROM rd_person p WHERE p.rid = b.rid)
    ON CONFLICT (rid) DO UPDATE SET model = excluded.model, dims = excluded.dims, text_hash = excluded.text_hash,
      vector = excluded.vector, stale = 0, gen = excluded.gen, embedded_at = excluded.embedded_at`.execute(trx);
}

export async function embedPeople(deps: EmbedDeps): Promise<EmbeddingProgress> {
  const { db } = deps.store;
  const now = deps.now ?? Date.now;
  const key = deps.embedder.key;

  await withTransaction(db, async (trx) => {
    const st = await readState(trx);
    if (st.status === 'running' && st.heartbeat_at !== null && now() - st.heartbeat_at < STALE_AFTER_MS)
      throw new EmbedBusyError('An embedding run is already in progress.');
    const total = await pendingCount(trx, key);
    await setState(trx, {
      status: 'running',
      model: key,
      started_at: now(),
      finished_at: null,
      done: 0,
      total: deps.maxPeople !== undefined ? Math.min(total, deps.maxPeople) : total,
      requests: 0,
      heartbeat_at: now(),
      error: null,
    });
  });
  const report = async () => {
    if (deps.onProgress) deps.onProgress(await embeddingProgress(db, key));
  };
  await report();

  let done = 0;
  let requests = 0;
  let after = 0;
  let passes = 0;
  const limit = deps.maxPeople ?? Number.POSITIVE_INFINITY;
  try {
    while (done < limit) {
      if (deps.signal?.aborted) throw deps.signal.reason ?? new Error('embedding aborted');
      const { rows } = await sql<Row>`
        SELECT p.rid AS rid, p.doc AS doc, p.summary AS summary, v.model AS model, v.text_hash AS hash,
          (v.vector IS NOT NULL) AS has
        FROM rd_person p LEFT JOIN rd_vector v ON v.rid = p.rid
        WHERE p.rid > ${after} AND ${pendingWhere(key)} ORDER BY p.rid
        LIMIT ${Math.min(deps.embedder.batchSize, limit - done)}`.execute(db);
      if (rows.length === 0) {
        // One more pass from the start picks up people who changed behind the cursor during this run.
        if (after === 0 || ++passes > 2) break;
        after = 0;
        continue;
      }
      after = Number(rows[rows.length - 1]!.rid);
      const send: Array<{ rid: number; text: string; hash: string }> = [];
      const same: number[] = [];
      const refused: number[] = [];
      for (const r of rows) {
        const rid = Number(r.rid);
        const t = personEmbeddingText(r.summary, r.doc);
        if ('refused' in t) refused.push(rid);
        else if (r.model === key && r.hash === t.hash && (r.has === true || Number(r.has) === 1)) same.push(rid);
        else send.push({ rid, text: t.text, hash: t.hash });
      }
      const vectors = send.length
        ? await deps.embedder.embed(
            send.map((x) => x.text),
            deps.signal ? { signal: deps.signal } : {},
          )
        : [];
      requests += Math.ceil(send.length / deps.embedder.batchSize);
      await withTransaction(db, async (trx) => {
        const { gen } = await readState(trx);
        const at = now();
        await upsertVectors(
          trx,
          [
            ...send.map((x, i) => {
              const v = vectors[i]!;
              return { rid: x.rid, dims: v.length, hash: x.hash, vector: vectorToBlob(v) };
            }),
            ...refused.map((rid) => ({ rid, dims: 0, hash: 'refused', vector: null })),
          ],
          key,
          gen + 1,
          at,
        );
        if (same.length) {
          await sql`UPDATE rd_vector SET stale = 0 WHERE rid IN (${sql.join(same.map((rid) => sql`${rid}`))})`.execute(
            trx,
          );
        }
        done += rows.length;
        await setState(trx, { gen: gen + 1, done, requests, heartbeat_at: at });
      });
      await report();
    }
    await setState(db, { status: 'idle', finished_at: now(), heartbeat_at: null });
  } catch (e) {
    await setState(db, {
      status: 'failed',
      error: e instanceof Error ? e.message : String(e),
      heartbeat_at: null,
      done,
      requests,
    });
    await report();
    throw e;
  }
  const p = await embeddingProgress(db, key);
  deps.onProgress?.(p);
  return p;
}
