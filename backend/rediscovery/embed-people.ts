import { createHash } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import type { EmbeddingProgress } from '../../utils/contracts/rediscovery.ts';
import { MAX_EMBED_CHARS, type TextEmbedder } from '../ai/embed-texts.ts';
import { PiiLeakError } from '../ai/errors.ts';
import { assertNoLeak, type KnownPii, Redactor } from '../ai/redact.ts';
import { PersonSummarySchema } from './index-store.ts';
import { vectorCount, vectorToBlob } from './vector-index.ts';

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
 * are committed one request at a time. Runs in the job queue (or the CLI), never in webhook intake.
 */

export type EmbedDeps = {
  store: { sqlite: BetterSqlite3.Database };
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

const PENDING_WHERE = '(v.rid IS NULL OR v.model <> @key OR v.stale = 1)';

function count(sqlite: BetterSqlite3.Database, sql: string, key: string): number {
  return (sqlite.prepare(sql).get({ key }) as { n: number }).n;
}

/** What GET /api/rediscovery/sync shows for the vector index of this model key. */
export function embeddingProgress(sqlite: BetterSqlite3.Database, key: string): EmbeddingProgress {
  const st = sqlite.prepare('SELECT * FROM rd_vector_state WHERE id = 1').get() as {
    status: string;
    model: string | null;
    started_at: number | null;
    finished_at: number | null;
    done: number;
    total: number;
    error: string | null;
  };
  const mine = st.model === key;
  const status =
    mine && (st.status === 'running' || st.status === 'idle' || st.status === 'failed') ? st.status : 'never';
  return {
    model: key,
    status,
    embedded: vectorCount(sqlite, key),
    pending: count(
      sqlite,
      `SELECT count(*) AS n FROM rd_person p LEFT JOIN rd_vector v ON v.rid = p.rid WHERE ${PENDING_WHERE}`,
      key,
    ),
    refused: count(
      sqlite,
      'SELECT count(*) AS n FROM rd_vector WHERE model = @key AND vector IS NULL AND stale = 0',
      key,
    ),
    done: mine ? st.done : 0,
    total: mine ? st.total : 0,
    startedAt: mine ? st.started_at : null,
    finishedAt: mine ? st.finished_at : null,
    error: mine ? st.error : null,
  };
}

type Row = { rid: number; doc: string; summary: string; model: string | null; hash: string | null; has: number };

export async function embedPeople(deps: EmbedDeps): Promise<EmbeddingProgress> {
  const { sqlite } = deps.store;
  const now = deps.now ?? Date.now;
  const key = deps.embedder.key;
  const setState = (patch: Record<string, unknown>) =>
    sqlite
      .prepare(
        `UPDATE rd_vector_state SET ${Object.keys(patch)
          .map((k) => `${k} = @${k}`)
          .join(', ')} WHERE id = 1`,
      )
      .run(patch);

  sqlite.transaction(() => {
    const st = sqlite.prepare('SELECT status, heartbeat_at FROM rd_vector_state WHERE id = 1').get() as {
      status: string;
      heartbeat_at: number | null;
    };
    if (st.status === 'running' && st.heartbeat_at !== null && now() - st.heartbeat_at < STALE_AFTER_MS)
      throw new EmbedBusyError('An embedding run is already in progress.');
    const total = count(
      sqlite,
      `SELECT count(*) AS n FROM rd_person p LEFT JOIN rd_vector v ON v.rid = p.rid WHERE ${PENDING_WHERE}`,
      key,
    );
    setState({
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
  })();
  const report = () => deps.onProgress?.(embeddingProgress(sqlite, key));
  report();

  const next = sqlite.prepare(
    `SELECT p.rid AS rid, p.doc AS doc, p.summary AS summary, v.model AS model, v.text_hash AS hash,
       v.vector IS NOT NULL AS has
     FROM rd_person p LEFT JOIN rd_vector v ON v.rid = p.rid
     WHERE p.rid > @after AND ${PENDING_WHERE} ORDER BY p.rid LIMIT @limit`,
  );
  const upsert = sqlite.prepare(
    `INSERT INTO rd_vector (rid, model, dims, text_hash, vector, stale, gen, embedded_at)
     VALUES (@rid, @model, @dims, @hash, @vector, 0, @gen, @at)
     ON CONFLICT(rid) DO UPDATE SET model = excluded.model, dims = excluded.dims, text_hash = excluded.text_hash,
       vector = excluded.vector, stale = 0, gen = excluded.gen, embedded_at = excluded.embedded_at`,
  );
  const unstale = sqlite.prepare('UPDATE rd_vector SET stale = 0 WHERE rid = ?');
  // Only people still present (a webhook may delete someone while their batch is in flight).
  const exists = sqlite.prepare('SELECT 1 FROM rd_person WHERE rid = ?');

  let done = 0;
  let requests = 0;
  let after = 0;
  let passes = 0;
  const limit = deps.maxPeople ?? Number.POSITIVE_INFINITY;
  try {
    while (done < limit) {
      if (deps.signal?.aborted) throw deps.signal.reason ?? new Error('embedding aborted');
      const rows = next.all({ key, after, limit: Math.min(deps.embedder.batchSize, limit - done) }) as Row[];
      if (rows.length === 0) {
        // One more pass from the start picks up people who changed behind the cursor during this run.
        if (after === 0 || ++passes > 2) break;
        after = 0;
        continue;
      }
      after = rows[rows.length - 1]!.rid;
      const send: Array<{ rid: number; text: string; hash: string }> = [];
      const same: number[] = [];
      const refused: number[] = [];
      for (const r of rows) {
        const t = personEmbeddingText(r.summary, r.doc);
        if ('refused' in t) refused.push(r.rid);
        else if (r.model === key && r.hash === t.hash && r.has) same.push(r.rid);
        else send.push({ rid: r.rid, text: t.text, hash: t.hash });
      }
      const vectors = send.length
        ? await deps.embedder.embed(
            send.map((x) => x.text),
            deps.signal ? { signal: deps.signal } : {},
          )
        : [];
      requests += Math.ceil(send.length / deps.embedder.batchSize);
      sqlite.transaction(() => {
        const { gen } = sqlite.prepare('SELECT gen FROM rd_vector_state WHERE id = 1').get() as { gen: number };
        const at = now();
        send.forEach((x, i) => {
          if (!exists.get(x.rid)) return;
          const v = vectors[i]!;
          upsert.run({
            rid: x.rid,
            model: key,
            dims: v.length,
            hash: x.hash,
            vector: vectorToBlob(v),
            gen: gen + 1,
            at,
          });
        });
        for (const rid of refused) {
          if (exists.get(rid))
            upsert.run({ rid, model: key, dims: 0, hash: 'refused', vector: null, gen: gen + 1, at });
        }
        for (const rid of same) unstale.run(rid);
        done += rows.length;
        setState({ gen: gen + 1, done, requests, heartbeat_at: at });
      })();
      report();
    }
    setState({ status: 'idle', finished_at: now(), heartbeat_at: null });
  } catch (e) {
    setState({
      status: 'failed',
      error: e instanceof Error ? e.message : String(e),
      heartbeat_at: null,
      done,
      requests,
    });
    report();
    throw e;
  }
  const p = embeddingProgress(sqlite, key);
  deps.onProgress?.(p);
  return p;
}
