import {
  LeverClient,
  type LeverClientOptions,
  type Note,
  NoteSchema,
  type Opportunity,
  OpportunitySchema,
  TokenBucket,
  type WriteOptions,
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

/**
 * The Lever client with the calls only tests make (Fulcrum itself never archives, reads or deletes one note,
 * downloads a file or deletes a webhook): for setting the scene in the emulator, checking what Fulcrum wrote and
 * cleaning up after a test.
 */
export class TestLeverClient extends LeverClient {
  /** Archives with an archive-reason id, or unarchives with `reason: null`. A hired-type reason marks a hire. */
  setArchived(
    oppId: string,
    a: { reason: string | null; cleanInterviews?: boolean; requisitionId?: string },
    o: WriteOptions = {},
  ): Promise<Opportunity> {
    return this.json(
      { method: 'PUT', path: this.opp(oppId, '/archived'), query: { perform_as: o.performAs }, json: a },
      OpportunitySchema,
    );
  }

  getNote(oppId: string, noteId: string): Promise<Note> {
    return this.json({ method: 'GET', path: this.opp(oppId, `/notes/${encodeURIComponent(noteId)}`) }, NoteSchema);
  }

  async deleteNote(oppId: string, noteId: string, o: WriteOptions = {}): Promise<void> {
    await this.none({
      method: 'DELETE',
      path: this.opp(oppId, `/notes/${encodeURIComponent(noteId)}`),
      query: { perform_as: o.performAs },
    });
  }

  async downloadFile(oppId: string, fileId: string): Promise<Buffer> {
    const path = this.opp(oppId, `/files/${encodeURIComponent(fileId)}/download`);
    return (await this.http.request({ method: 'GET', path })).body;
  }

  async deleteWebhook(id: string): Promise<void> {
    await this.none({ method: 'DELETE', path: `/webhooks/${encodeURIComponent(id)}` });
  }
}

/** The first item of a paginated list, reading only the first page. */
export async function first<T>(it: AsyncIterable<T>): Promise<T | undefined> {
  for await (const item of it) return item;
  return undefined;
}

export function clientFor(emu: EmulatorHandle, opts: Partial<LeverClientOptions> = {}): TestLeverClient {
  return new TestLeverClient({
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
