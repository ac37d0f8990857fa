import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { addRecruiter } from '../../../backend/auth/recruiters.ts';
import { toPostingInput } from '../../../backend/candidates/load-candidate.ts';
import { REGISTERED_EVENTS } from '../../../backend/cli/webhooks.ts';
import { collect, signLeverWebhook, TokenBucket, type WebhookEvent } from '../../../backend/lever/index.ts';
import { type EmulatorHandle, startEmulator } from '../../../backend/lever-emulator/server.ts';
import { type RunningBackend, startBackend } from '../../../backend/server.ts';
import { TestLeverClient } from '../lever-helpers.ts';
import { testConfig } from './test-config.ts';

/**
 * The whole automation path for real: the Lever emulator, startBackend() on a loopback port with a temp data dir,
 * and the emulator's webhooks registered at the backend the way `webhooks register` does it (path-token URLs).
 * applicationCreated is registered for every origin but 'internal', so a test can create an application whose
 * webhook it delivers itself (out of order, twice) with `deliver`.
 */
export type Stack = {
  emulator: EmulatorHandle;
  backend: RunningBackend;
  inspect: TestLeverClient;
  dataDir: string;
  /** Posting owned by `owner` (a Fulcrum recruiter mapped to that Lever user). */
  postingId: string;
  strongResume: string;
  owner: { token: string; leverUserId: string; email: string };
  other: { token: string };
  admin: { token: string };
  api(method: string, url: string, token: string, body?: unknown): Promise<Response>;
  apply(o: {
    strong: boolean;
    origin?: 'applied' | 'internal';
    name?: string;
    postingId?: string;
    /** The résumé file's text (a .txt upload); `strong` picks one otherwise. */
    resumeText?: string;
  }): Promise<string>;
  /** Signs and POSTs a delivery for `event` the way Lever would (fresh id and token). */
  deliver(event: WebhookEvent, data: Record<string, unknown>): Promise<Response>;
  close(): Promise<void>;
};

const APPLIED_ORIGINS = ['applied', 'sourced', 'referred', 'agency', 'university'] as const;

export async function startStack(
  o: {
    emulatorRate?: number;
    leverRate?: number;
    opportunities?: number;
    concurrency?: number;
    /** More backend configuration (environment variables). */
    env?: Record<string, string>;
  } = {},
): Promise<Stack> {
  const emulator = await startEmulator({
    port: 0,
    seed: 11,
    opportunities: o.opportunities ?? 20,
    ratePerSecond: o.emulatorRate ?? 1000,
    burst: o.emulatorRate ? Math.min(20, o.emulatorRate * 2) : 1000,
  });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulcrum-automations-'));
  const config = testConfig(dataDir, {
    emulator,
    env: {
      LEVER_RATE_PER_SECOND: String(o.leverRate ?? 200),
      LEVER_BURST: String(o.leverRate ? Math.max(1, Math.floor(o.leverRate)) : 200),
      QUEUE_CONCURRENCY: String(o.concurrency ?? 4),
      ...o.env,
    },
  });
  const backend = await startBackend(config, { logger: pino({ level: 'silent' }), drainTimeoutMs: 2_000 });
  const inspect = new TestLeverClient({
    baseUrl: emulator.apiBaseUrl,
    auth: { kind: 'apiKey', apiKey: emulator.apiKey },
    bucket: new TokenBucket(1000, 1000),
  });

  // Register webhooks as `webhooks register` does, against the running backend.
  const signatureTokens = new Map<string, { url: string; token: string }>();
  for (const event of REGISTERED_EVENTS) {
    const url = `${backend.url}/webhooks/lever/${randomUUID()}`;
    const origins = event === 'applicationCreated' ? APPLIED_ORIGINS : undefined;
    const created = await inspect.createWebhook({ url, event, ...(origins ? { origins } : {}) });
    const token = created.configuration?.signatureToken;
    if (!token) throw new Error('no signature token');
    await backend.store.db
      .insertInto('lever_webhooks')
      .values({ id: created.id, event, url, signature_token: token, created_at: Date.now() })
      .execute();
    signatureTokens.set(event, { url, token });
  }

  const postings = await collect(inspect.listPostings({ state: 'published' }));
  const posting = await inspect.getPosting(postings[0]?.id ?? '');
  const ownerId = typeof posting.owner === 'string' ? posting.owner : (posting.owner?.id ?? '');
  const users = await collect(inspect.listUsers());
  const ownerUser = users.find((u) => u.id === ownerId);
  // Neither a Lever admin nor on the posting: a team member who sees the candidates but is not their audience.
  const onPosting = new Set(
    [posting.owner, posting.hiringManager, ...(posting.followers ?? [])].map((u) =>
      typeof u === 'string' ? u : u?.id,
    ),
  );
  const otherUser = users.find(
    (u) => u.id !== ownerId && u.email && !u.deactivatedAt && u.accessRole === 'team member' && !onPosting.has(u.id),
  );
  // Fulcrum's admin is a Lever admin too: what an admin sees follows the Lever role (backend/access/policy.ts).
  const adminUser = users.find(
    (u) =>
      u.id !== ownerId && u.email && !u.deactivatedAt && (u.accessRole === 'admin' || u.accessRole === 'super admin'),
  );
  if (!ownerUser?.email || !otherUser?.email || !adminUser?.email) throw new Error('emulator users missing');
  const owner = await addRecruiter(backend.store, {
    email: ownerUser.email,
    role: 'recruiter',
    name: ownerUser.name ?? 'Owner',
  });
  // Another Lever user who neither owns nor follows that posting (unless the seed made them a follower).
  const other = await addRecruiter(backend.store, { email: otherUser.email, role: 'recruiter', name: 'Other' });
  const admin = await addRecruiter(backend.store, { email: adminUser.email, role: 'admin', name: 'Ada Admin' });
  const p = toPostingInput(posting);
  const strongResume = `Senior professional, 9 years of experience.\n${p.requirements.map((r) => `- Delivered: ${r}`).join('\n')}\n${p.niceToHave.map((r) => `- ${r}`).join('\n')}`;

  const adminAuth = `Basic ${Buffer.from(`${emulator.apiKey}:`).toString('base64')}`;
  let seq = 0;
  const stack: Stack = {
    emulator,
    backend,
    inspect,
    dataDir,
    postingId: posting.id,
    strongResume,
    owner: { token: owner.token, leverUserId: ownerId, email: ownerUser.email },
    other: { token: other.token },
    admin: { token: admin.token },
    api(method, url, token, body) {
      return fetch(`${backend.url}${url}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    },
    async apply(a) {
      seq++;
      const res = await fetch(`${emulator.url}/_admin/applications`, {
        method: 'POST',
        headers: { authorization: adminAuth, 'content-type': 'application/json' },
        body: JSON.stringify({
          postingId: a.postingId ?? posting.id,
          name: a.name ?? `Candidate ${seq}`,
          email: `cand-${seq}-${randomUUID().slice(0, 8)}@example.com`,
          resumeText:
            a.resumeText ?? (a.strong ? strongResume : 'Barista at a coffee shop. Enjoys hiking and latte art.'),
          origin: a.origin ?? 'applied',
        }),
      });
      if (res.status !== 201) throw new Error(`apply: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { data: { opportunityId: string } }).data.opportunityId;
    },
    async deliver(event, data) {
      const w = signatureTokens.get(event);
      if (!w) throw new Error(`no webhook for ${event}`);
      const token = randomUUID().replace(/-/g, '');
      const triggeredAt = Date.now();
      return fetch(w.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          id: randomUUID(),
          event,
          triggeredAt,
          token,
          signature: signLeverWebhook(token, triggeredAt, w.token),
          data,
        }),
      });
    },
    async close() {
      await backend.close();
      await emulator.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return stack;
}

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes (then returns the last value). */
export async function waitFor<T>(fn: () => Promise<T>, timeoutMs = 5_000, everyMs = 25): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last = await fn();
  while (!last && Date.now() < until) {
    await new Promise((r) => setTimeout(r, everyMs));
    last = await fn();
  }
  return last;
}
