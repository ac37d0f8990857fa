import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local OpenAI-compatible HTTP server speaking the real wire protocol, for exercising the openai SDK end to end:
 * POST /v1/chat/completions (returns a `chat.completion` object whose message content the test controls),
 * POST /v1/embeddings (deterministic, meaningful vectors: see fakeEmbedding) and GET /v1/models. Every request is
 * recorded.
 */
export type ChatMessage = { role: string; content: string | Array<{ type: string; text?: string }> };
export type ChatRequest = {
  model: string;
  messages: ChatMessage[];
  response_format?: { type: string; json_schema?: { name: string; schema: unknown; strict?: boolean } };
  temperature?: number;
  [k: string]: unknown;
};
export type RecordedRequest = { method: string; path: string; headers: IncomingMessage['headers']; body: unknown };

export type ChatReply = {
  /** Message content; objects are JSON-encoded (what a model answering a json_schema response_format sends). */
  content?: string | object;
  refusal?: string;
  /** HTTP status other than 200: answered with an OpenAI-style error body. */
  status?: number;
  /** Wait this long before answering (to provoke client timeouts). */
  delayMs?: number;
  usage?: { prompt_tokens: number; completion_tokens: number };
  finishReason?: 'stop' | 'length' | 'content_filter';
};
export type ChatHandler = (req: ChatRequest) => ChatReply | Promise<ChatReply>;

export type EmbeddingsRequest = {
  model: string;
  input: string | string[];
  encoding_format?: 'float' | 'base64';
  dimensions?: number;
  [k: string]: unknown;
};
/** A fault for /v1/embeddings: an OpenAI-style error status, a delay (to provoke timeouts), or both. */
export type EmbeddingsFault = { status?: number; delayMs?: number } | null;

export type FakeOpenAi = {
  /** For the SDK's `baseURL`: http://127.0.0.1:<port>/v1 */
  baseUrl: string;
  requests: RecordedRequest[];
  /** Only the chat completion bodies, in order. */
  chatRequests(): ChatRequest[];
  setHandler(handler: ChatHandler): void;
  /** Only the /v1/embeddings bodies, in order. */
  embeddingRequests(): EmbeddingsRequest[];
  /** Every text sent to /v1/embeddings so far. */
  embeddedTexts(): string[];
  setEmbeddingsFault(fault: EmbeddingsFault): void;
  close(): Promise<void>;
};

export function textOf(m: ChatMessage | undefined): string {
  if (!m) return '';
  return typeof m.content === 'string' ? m.content : m.content.map((p) => p.text ?? '').join('');
}
export const systemOf = (req: ChatRequest) => textOf(req.messages.find((m) => m.role === 'system'));
export const userOf = (req: ChatRequest) => textOf(req.messages.find((m) => m.role === 'user'));
/** The JSON document inside the user message's delimited data block. */
export function dataBlockOf(req: ChatRequest): unknown {
  const m = /<data-([0-9a-f]+)>\n\n([\s\S]*)\n\n<\/data-\1>/.exec(userOf(req));
  return m ? JSON.parse(m[2]!) : undefined;
}

/**
 * Words a real embedding model knows to be near each other, mapped onto one concept: the fake's stand-in for
 * meaning, which the keyword index (FTS5 + the skill vocabulary) does not have.
 */
const CONCEPTS: Record<string, string> = {
  croissant: 'viennoiserie',
  brioche: 'viennoiserie',
  danish: 'viennoiserie',
  laminated: 'viennoiserie',
  laminating: 'viennoiserie',
  chocolat: 'viennoiserie',
  levain: 'sourdough',
  leaven: 'sourdough',
  fermentation: 'sourdough',
  loaf: 'bread',
  loave: 'bread',
  baguette: 'bread',
  boulangerie: 'bakery',
  patisserie: 'pastry',
  patissier: 'pastry',
  golang: 'go',
  postgres: 'postgresql',
  k8s: 'kubernetes',
};
const STOP = new Set(
  'a an and are as at be by for from has have in is it of on or that the their this to was were will with we you your our'.split(
    ' ',
  ),
);

function fnv1a(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * Deterministic embedding with meaning: a hashed bag of words (stop words and redaction placeholders dropped,
 * plural "s" stripped, synonyms folded onto one concept, sublinear term frequency) in `dims` signed buckets, unit
 * length. Texts sharing words or concepts are close; unrelated texts are near-orthogonal.
 */
export function fakeEmbedding(text: string, dims = 64): Float32Array {
  const tf = new Map<string, number>();
  for (const raw of text
    .replace(/\[[A-Z_]+(?:_\d+)?\]/g, ' ')
    .toLowerCase()
    .match(/[a-z0-9+#]+/g) ?? []) {
    if (raw.length < 2 || STOP.has(raw)) continue;
    const word = raw.length > 3 && raw.endsWith('s') ? raw.slice(0, -1) : raw;
    const token = CONCEPTS[word] ?? word;
    tf.set(token, (tf.get(token) ?? 0) + 1);
  }
  const v = new Float32Array(dims);
  for (const [token, n] of tf) {
    const h = fnv1a(token);
    v[h % dims]! += (fnv1a(token, 0x9747b28c) & 1 ? 1 : -1) * (1 + Math.log(n));
  }
  let norm = 0;
  for (const x of v) norm += x * x;
  if (norm === 0) v[0] = 1;
  else for (let i = 0; i < dims; i++) v[i]! /= Math.sqrt(norm);
  return v;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  return raw ? JSON.parse(raw) : undefined;
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startFakeOpenAi(
  initial: ChatHandler = () => ({ content: '{}' }),
  opts: { embeddingDims?: number } = {},
): Promise<FakeOpenAi> {
  let handler = initial;
  let embeddingsFault: EmbeddingsFault = null;
  const requests: RecordedRequest[] = [];
  let seq = 0;
  const server = createServer(async (req, res) => {
    try {
      const path = (req.url ?? '').split('?')[0] ?? '';
      const body = req.method === 'POST' ? await readBody(req) : undefined;
      requests.push({ method: req.method ?? '', path, headers: req.headers, body });
      if (req.method === 'GET' && path === '/v1/models') {
        return send(res, 200, {
          object: 'list',
          data: [{ id: 'fake-model', object: 'model', created: 0, owned_by: 'fake' }],
        });
      }
      if (req.method === 'POST' && path === '/v1/embeddings') {
        const b = body as EmbeddingsRequest;
        const fault = embeddingsFault;
        if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
        if (res.destroyed) return;
        if (fault?.status) {
          return send(res, fault.status, {
            error: { message: `fake error ${fault.status}`, type: 'server_error', code: null },
          });
        }
        const inputs = Array.isArray(b.input) ? b.input : [b.input];
        if (inputs.some((t) => typeof t !== 'string' || t === '')) {
          return send(res, 400, {
            error: { message: "'input' must be non-empty strings", type: 'invalid_request_error', code: null },
          });
        }
        const dims = b.dimensions ?? opts.embeddingDims ?? 64;
        // The wire format: a JSON list of floats, or with encoding_format "base64" the little-endian float32 bytes.
        const encode = (v: Float32Array) =>
          b.encoding_format === 'base64'
            ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')
            : [...v];
        const tokens = inputs.join(' ').split(/\s+/).length;
        return send(res, 200, {
          object: 'list',
          model: b.model,
          data: inputs.map((t, index) => ({ object: 'embedding', index, embedding: encode(fakeEmbedding(t, dims)) })),
          usage: { prompt_tokens: tokens, total_tokens: tokens },
        });
      }
      if (req.method !== 'POST' || path !== '/v1/chat/completions') {
        return send(res, 404, {
          error: { message: `No route ${req.method} ${path}`, type: 'invalid_request_error', code: null },
        });
      }
      const chat = body as ChatRequest;
      const reply = await handler(chat);
      if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
      if (res.destroyed) return;
      if (reply.status && reply.status !== 200) {
        return send(res, reply.status, {
          error: { message: `fake error ${reply.status}`, type: 'server_error', code: null },
        });
      }
      const usage = reply.usage ?? { prompt_tokens: 100, completion_tokens: 20 };
      const content =
        reply.content === undefined
          ? null
          : typeof reply.content === 'string'
            ? reply.content
            : JSON.stringify(reply.content);
      send(res, 200, {
        id: `chatcmpl-fake-${++seq}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: chat.model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content, refusal: reply.refusal ?? null },
            finish_reason: reply.finishReason ?? 'stop',
            logprobs: null,
          },
        ],
        usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
      });
    } catch (err) {
      send(res, 500, { error: { message: String(err), type: 'server_error', code: null } });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    chatRequests: () => requests.filter((r) => r.path === '/v1/chat/completions').map((r) => r.body as ChatRequest),
    setHandler: (h) => {
      handler = h;
    },
    embeddingRequests: () =>
      requests.filter((r) => r.path === '/v1/embeddings').map((r) => r.body as EmbeddingsRequest),
    embeddedTexts: () =>
      requests
        .filter((r) => r.path === '/v1/embeddings')
        .flatMap((r) => {
          const input = (r.body as EmbeddingsRequest).input;
          return Array.isArray(input) ? input : [input];
        }),
    setEmbeddingsFault: (f) => {
      embeddingsFault = f;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
