import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local OpenAI-compatible HTTP server speaking the real wire protocol, for exercising the openai SDK end to end:
 * POST /v1/chat/completions (returns a `chat.completion` object whose message content the test controls),
 * POST /v1/embeddings (deterministic vectors) and GET /v1/models. Every request is recorded.
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

export type FakeOpenAi = {
  /** For the SDK's `baseURL`: http://127.0.0.1:<port>/v1 */
  baseUrl: string;
  requests: RecordedRequest[];
  /** Only the chat completion bodies, in order. */
  chatRequests(): ChatRequest[];
  setHandler(handler: ChatHandler): void;
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

function embedding(text: string, dims = 16): number[] {
  const h = createHash('sha256').update(text).digest();
  return Array.from({ length: dims }, (_, i) => (h[i % h.length]! - 128) / 128);
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

export async function startFakeOpenAi(initial: ChatHandler = () => ({ content: '{}' })): Promise<FakeOpenAi> {
  let handler = initial;
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
        const b = body as { model: string; input: string | string[] };
        const inputs = Array.isArray(b.input) ? b.input : [b.input];
        return send(res, 200, {
          object: 'list',
          model: b.model,
          data: inputs.map((t, index) => ({ object: 'embedding', index, embedding: embedding(t) })),
          usage: {
            prompt_tokens: inputs.join(' ').split(/\s+/).length,
            total_tokens: inputs.join(' ').split(/\s+/).length,
          },
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
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
