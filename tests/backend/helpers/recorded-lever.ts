import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny HTTP server that answers the way recorded real Lever traffic does (docs/lever-api.md,
 * tests/backend/lever-contract/fixtures), for the client behaviours the emulator cannot show on its own (redirects to
 * another host, bodies exactly as Lever sends them). Every request is recorded with its headers and body so a test can
 * assert what the client sent.
 */
export type Recorded = { method: string; url: URL; headers: IncomingMessage['headers']; body: string };

export type StubReply = { status?: number; json?: unknown; headers?: Record<string, string>; body?: string };

export type RecordedLever = {
  origin: string;
  baseUrl: string;
  requests: Recorded[];
  close(): Promise<void>;
};

export async function recordedLever(
  reply: (req: Recorded) => StubReply | Promise<StubReply>,
  opts: { host?: string } = {},
): Promise<RecordedLever> {
  const requests: Recorded[] = [];
  const host = opts.host ?? '127.0.0.1';
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const rec: Recorded = {
        method: req.method ?? 'GET',
        url: new URL(req.url ?? '/', `http://${host}`),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(rec);
      const r = await reply(rec);
      const body = r.json !== undefined ? JSON.stringify(r.json) : (r.body ?? '');
      res.writeHead(r.status ?? 200, {
        ...(r.json !== undefined ? { 'content-type': 'application/json' } : {}),
        ...r.headers,
      });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://${host}:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    baseUrl: `${origin}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
