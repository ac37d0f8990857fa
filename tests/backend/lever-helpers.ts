import {
  createLeverClient,
  type LeverClient,
  type LeverClientOptions,
  TokenBucket,
} from '../../backend/lever/index.ts';
import { type EmulatorHandle, type EmulatorOptions, startEmulator } from '../../backend/lever-emulator/server.ts';

/** Shared set-up for the lever-*.test.ts files: an emulator on an ephemeral port and clients pointed at it. */
export async function testEmulator(opts: EmulatorOptions = {}): Promise<EmulatorHandle> {
  return startEmulator({
    port: 0,
    opportunities: 250,
    // Generous limits unless a test is about rate limiting, so tests do not wait on the bucket.
    ratePerSecond: 1000,
    burst: 1000,
    webhookRetryDelaysMs: [30, 60, 90, 120, 150],
    ...opts,
  });
}

export function clientFor(emu: EmulatorHandle, opts: Partial<LeverClientOptions> = {}): LeverClient {
  return createLeverClient({
    baseUrl: emu.apiBaseUrl,
    auth: { kind: 'apiKey', apiKey: emu.apiKey },
    // A private bucket per client: the process-wide shared one would couple unrelated tests.
    bucket: new TokenBucket(1000, 1000),
    retryBaseMs: 10,
    ...opts,
  });
}

export async function admin(emu: EmulatorHandle, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${emu.url}/_admin${path}`, {
    method,
    headers: {
      authorization: `Basic ${Buffer.from(`${emu.apiKey}:`).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`admin ${method} ${path} → ${res.status} ${await res.text()}`);
  return res.status === 204 ? null : ((await res.json()) as { data: unknown }).data;
}

export async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error('waitFor timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
