import OpenAI from 'openai';
import { z } from 'zod';
import type { Config } from '../config.ts';
import { LlmOutputError } from './errors.ts';
import { toAiError } from './openai-provider.ts';

/**
 * Text embeddings from any OpenAI-compatible `/embeddings` endpoint (OpenAI, Azure OpenAI's v1 API, Ollama, vLLM,
 * LM Studio, text-embeddings-inference), through the official SDK with an explicit timeout and retries.
 *
 * Callers pass text that is already safe to send: rediscovery redacts a person's resume with the same Redactor and
 * leak check as the LLM path before it gets here (embed-people.ts). This module only moves text and vectors.
 *
 * Vectors are requested base64-encoded (the SDK's own default: a quarter of the bytes of a JSON float list) with
 * `encoding_format` set explicitly, so the SDK hands the answer over undecoded and a server that ignores the
 * option and answers with plain float lists still works. Every vector is checked (count, order, one dimension for
 * all, finite numbers) and scaled to unit length, so cosine similarity is a dot product.
 */

export interface TextEmbedder {
  /** What the vectors are comparable under: the model name, plus `@dims` when the size was requested. */
  readonly key: string;
  readonly model: string;
  /** Texts per request. */
  readonly batchSize: number;
  /** Timeout of one request, unless a call asks for less. */
  readonly timeoutMs: number;
  /** One unit-length vector per text, in order. Throws AiError subclasses (LlmUnavailableError is retryable). */
  embed(
    texts: string[],
    opts?: { signal?: AbortSignal; timeoutMs?: number; maxRetries?: number },
  ): Promise<Float32Array[]>;
}

export type EmbedderConfig = {
  baseUrl: string;
  apiKey?: string;
  model: string;
  dimensions?: number;
  batchSize?: number;
  timeoutMs?: number;
  /** SDK retries on connection errors, 408/409/429 and 5xx, with backoff. */
  maxRetries?: number;
};

/** Longest text sent, in characters (~2,000 tokens): within every common embedding model's context. */
export const MAX_EMBED_CHARS = 8_000;

const ResponseSchema = z.object({
  data: z.array(
    z.object({ index: z.number().int().nonnegative(), embedding: z.union([z.string(), z.array(z.number())]) }),
  ),
});

function decode(embedding: string | number[]): Float32Array {
  if (typeof embedding !== 'string') return Float32Array.from(embedding);
  const bytes = Buffer.from(embedding, 'base64');
  if (bytes.length % 4 !== 0) throw new LlmOutputError('Embedding is not a whole number of float32 values');
  // Copy: the Buffer may sit at an offset of Node's pool that a Float32Array cannot view.
  const out = new Float32Array(bytes.length / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/** Scales to unit length in place; throws on NaN/Infinity or an all-zero vector (no direction to compare). */
export function normalize(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  if (!Number.isFinite(sum) || sum === 0)
    throw new LlmOutputError('Embedding has no usable direction (zero or non-finite)');
  const inv = 1 / Math.sqrt(sum);
  for (let i = 0; i < v.length; i++) v[i]! *= inv;
  return v;
}

export class OpenAiEmbedder implements TextEmbedder {
  readonly key: string;
  readonly model: string;
  readonly batchSize: number;
  readonly timeoutMs: number;
  private readonly client: OpenAI;

  constructor(private readonly config: EmbedderConfig) {
    this.model = config.model;
    this.key = config.dimensions ? `${config.model}@${config.dimensions}` : config.model;
    this.batchSize = config.batchSize ?? 128;
    this.timeoutMs = config.timeoutMs ?? 20_000;
    this.client = new OpenAI({
      baseURL: config.baseUrl,
      // Local servers (Ollama, vLLM, LM Studio) ignore the key, but the SDK insists on one.
      apiKey: config.apiKey ?? 'not-needed',
      timeout: this.timeoutMs,
      maxRetries: config.maxRetries ?? 2,
    });
  }

  async embed(
    texts: string[],
    opts: { signal?: AbortSignal; timeoutMs?: number; maxRetries?: number } = {},
  ): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    let dims: number | undefined;
    for (let at = 0; at < texts.length; at += this.batchSize) {
      const input = texts.slice(at, at + this.batchSize).map((t) => t.slice(0, MAX_EMBED_CHARS) || ' ');
      let raw: unknown;
      try {
        raw = await this.client.embeddings.create(
          {
            model: this.config.model,
            input,
            encoding_format: 'base64',
            ...(this.config.dimensions ? { dimensions: this.config.dimensions } : {}),
          },
          {
            ...(opts.signal ? { signal: opts.signal } : {}),
            ...(opts.timeoutMs !== undefined ? { timeout: opts.timeoutMs } : {}),
            ...(opts.maxRetries !== undefined ? { maxRetries: opts.maxRetries } : {}),
          },
        );
      } catch (err) {
        throw toAiError(err);
      }
      const parsed = ResponseSchema.safeParse(raw);
      if (!parsed.success) throw new LlmOutputError(`Embeddings response is invalid: ${parsed.error.message}`);
      const byIndex = new Map(parsed.data.data.map((d) => [d.index, d.embedding]));
      for (let i = 0; i < input.length; i++) {
        const e = byIndex.get(i);
        if (e === undefined) throw new LlmOutputError(`Embeddings response has no vector for input ${i}`);
        const v = decode(e);
        dims ??= v.length;
        if (v.length !== dims || v.length === 0)
          throw new LlmOutputError(`Embeddings response mixes dimensions (${v.length} and ${dims})`);
        out.push(normalize(v));
      }
    }
    return out;
  }
}

/** The configured embedder, or undefined when EMBEDDINGS_MODEL is unset (no vector index, keyword + skills only). */
export function embedderFromConfig(config: Config, overrides: Partial<EmbedderConfig> = {}): TextEmbedder | undefined {
  if (!config.EMBEDDINGS_MODEL) return undefined;
  const ownUrl = config.EMBEDDINGS_BASE_URL;
  const baseUrl = ownUrl ?? config.AI_BASE_URL;
  // loadConfig refuses EMBEDDINGS_MODEL without either URL.
  if (!baseUrl) return undefined;
  const apiKey = config.EMBEDDINGS_API_KEY ?? (ownUrl ? undefined : config.AI_API_KEY);
  return new OpenAiEmbedder({
    baseUrl,
    model: config.EMBEDDINGS_MODEL,
    batchSize: config.EMBEDDINGS_BATCH_SIZE,
    timeoutMs: config.EMBEDDINGS_TIMEOUT_MS,
    ...(apiKey ? { apiKey } : {}),
    ...(config.EMBEDDINGS_DIMENSIONS ? { dimensions: config.EMBEDDINGS_DIMENSIONS } : {}),
    ...overrides,
  });
}
