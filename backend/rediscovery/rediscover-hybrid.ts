import { createHash } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { RediscoverResponse } from '../../utils/contracts/rediscovery.ts';
import { embedderFromConfig, MAX_EMBED_CHARS, type TextEmbedder } from '../ai/embed-texts.ts';
import { AiError, LlmUnavailableError } from '../ai/errors.ts';
import type { PostingInput } from '../ai/types.ts';
import type { Config } from '../config.ts';
import type { Database } from '../store/schema.ts';
import type { RediscoverOptions } from './rediscover.ts';
import { type IndexStore, talentIndexFor } from './talent-index.ts';
import { blobToVector, searchVectorsOf, type VectorSearch, vectorToBlob } from './vector-index.ts';

/**
 * Rediscovery with hybrid ranking when an embeddings endpoint is configured: the posting is embedded (once per
 * posting text, cached in rd_query_vector), compared with every person's vector, and rediscover() adds the
 * semantic component. If the posting cannot be embedded (endpoint down, timeout, bad answer) or no one has a vector
 * yet, the search still answers on keyword + skills and `ranking.fallback` says why, as the LLM path's
 * `provenance.fallback` does.
 */

export type HybridRanking = { embedder: TextEmbedder /** Most points semantic similarity adds. */; weight: number };

/**
 * A search waits at most this long on the embeddings endpoint (one retry included: a keep-alive socket the server
 * closed fails the first attempt at once), then keyword + skills answer. Nothing failed is cached.
 */
export const QUERY_EMBED_TIMEOUT_MS = 5_000;

export function hybridFromConfig(config: Config): HybridRanking | undefined {
  const embedder = embedderFromConfig(config);
  return embedder && config.REDISCOVERY_SEMANTIC_WEIGHT > 0
    ? { embedder, weight: config.REDISCOVERY_SEMANTIC_WEIGHT }
    : undefined;
}

/** What is embedded for a posting: its public text (title, team, requirements, description), as the LLM sees it. */
export function postingEmbeddingText(p: PostingInput): string {
  return [p.title, p.team, p.location, ...p.requirements, ...p.niceToHave, p.text]
    .filter((x): x is string => !!x?.trim())
    .join('\n')
    .slice(0, MAX_EMBED_CHARS);
}

async function postingVector(
  db: Kysely<Database>,
  embedder: TextEmbedder,
  posting: PostingInput,
  now: number,
): Promise<Float32Array> {
  const text = postingEmbeddingText(posting);
  const hash = createHash('sha256').update(`${embedder.key}\n${text}`).digest('hex');
  const hit = (await sql<{ vector: Buffer }>`SELECT vector FROM rd_query_vector WHERE hash = ${hash}`.execute(db))
    .rows[0];
  if (hit) return blobToVector(hit.vector);
  const deadline = AbortSignal.timeout(QUERY_EMBED_TIMEOUT_MS);
  let v: Float32Array | undefined;
  try {
    [v] = await embedder.embed([text], {
      signal: deadline,
      timeoutMs: Math.min(embedder.timeoutMs, QUERY_EMBED_TIMEOUT_MS),
      maxRetries: 1,
    });
  } catch (e) {
    if (deadline.aborted)
      throw new LlmUnavailableError(`The embeddings endpoint did not answer within ${QUERY_EMBED_TIMEOUT_MS} ms`, e);
    throw e;
  }
  if (!v) throw new Error('The embeddings endpoint returned no vector for the posting');
  await sql`INSERT INTO rd_query_vector (hash, vector, created_at) VALUES (${hash}, ${vectorToBlob(v)}, ${now})
    ON CONFLICT (hash) DO UPDATE SET vector = excluded.vector, created_at = excluded.created_at`.execute(db);
  return v;
}

function describe(err: unknown): string {
  if (err instanceof AiError) return `${err.code}: ${err.message}`;
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** rediscover(), hybrid when `hybrid` is given and usable; keyword + skills otherwise (with the reason). */
export async function rediscoverRanked(
  store: IndexStore,
  posting: PostingInput,
  opts: RediscoverOptions = {},
  hybrid?: HybridRanking,
): Promise<RediscoverResponse> {
  const index = talentIndexFor(store);
  if (!hybrid) return index.search(posting, opts);
  const t0 = performance.now();
  const from = `embeddings:${hybrid.embedder.key}`;
  let search: VectorSearch | undefined;
  let reason = 'No one in the talent pool has an embedding yet: the embedding job runs after each sync.';
  try {
    const query = await postingVector(store.db, hybrid.embedder, posting, (opts.now ?? new Date()).getTime());
    search = await searchVectorsOf(store, hybrid.embedder.key, query);
  } catch (e) {
    reason = describe(e);
  }
  if (search && search.size > 0) {
    const res = await index.search(posting, {
      ...opts,
      semantic: { search, model: hybrid.embedder.key, weight: hybrid.weight },
    });
    return { ...res, tookMs: Math.round((performance.now() - t0) * 10) / 10 };
  }
  const res = await index.search(posting, opts);
  return {
    ...res,
    ranking: { ...(res.ranking ?? keywordRanking), fallback: { from, reason } },
    tookMs: Math.round((performance.now() - t0) * 10) / 10,
  };
}

const keywordRanking = {
  mode: 'keyword+skills' as const,
  embeddingsModel: null,
  semanticWeight: null,
  vectorCoverage: null,
  fallback: null,
};
