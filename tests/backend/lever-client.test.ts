import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  collect,
  createLeverClient,
  LeverApiError,
  LeverBadRequestError,
  LeverForbiddenError,
  LeverNotFoundError,
  LeverRateLimitedError,
  LeverUnauthorizedError,
  memoryTokenStore,
  nullIfNotFound,
  type RequestInfo,
  TokenBucket,
} from '../../backend/lever/index.ts';
import type { EmulatorHandle } from '../../backend/lever-emulator/server.ts';
import { admin, clientFor, first, testEmulator } from './lever-helpers.ts';

let emu: EmulatorHandle;

beforeAll(async () => {
  emu = await testEmulator();
});
afterAll(async () => {
  await emu.close();
});
beforeEach(async () => {
  await admin(emu, 'POST', '/faults', { latencyMs: 0, errorRate: 0, force429: 0 });
});

async function rejection(p: Promise<unknown>): Promise<LeverApiError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(LeverApiError);
  return e as LeverApiError;
}

describe('reading', () => {
  it('walks every page of opportunities through the opaque cursor', async () => {
    const calls: RequestInfo[] = [];
    const lever = clientFor(emu, { onRequest: (i) => calls.push(i) });
    const all = await collect(lever.listOpportunities({ limit: 100, confidentiality: 'all' }));
    expect(all).toHaveLength(250);
    expect(new Set(all.map((o) => o.id)).size).toBe(250);
    expect(calls.filter((c) => c.path === '/opportunities')).toHaveLength(3);

    // Without confidentiality=all, Lever leaves confidential profiles out.
    const visible = await collect(lever.listOpportunities({ limit: 100 }));
    expect(visible.every((o) => o.confidentiality === 'non-confidential')).toBe(true);
    expect(visible.length).toBeLessThan(250);
  });

  it('applies filters and expand', async () => {
    const lever = clientFor(emu);
    const stages = await lever.listStages();
    const onsite = stages.find((s) => s.text === 'On-site interview');
    expect(onsite).toBeDefined();
    const inStage = await collect(lever.listOpportunities({ stageId: onsite?.id, expand: ['stage'] }));
    expect(inStage.length).toBeGreaterThan(0);
    expect(inStage.every((o) => typeof o.stage === 'object' && o.stage?.text === 'On-site interview')).toBe(true);

    const archived = await collect(lever.listOpportunities({ archived: true }));
    expect(archived.length).toBeGreaterThan(0);
    expect(archived.every((o) => o.archived?.reason)).toBe(true);

    const newest = await collect(lever.listOpportunities({ confidentiality: 'all' }));
    const mark = newest[200]?.updatedAt ?? 0;
    const changed = await collect(lever.listOpportunities({ updatedAtStart: mark, confidentiality: 'all' }));
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.every((o) => (o.updatedAt ?? 0) >= mark)).toBe(true);
  });

  it('restarts from page one when the cursor goes stale, yielding each opportunity once', async () => {
    const lever = clientFor(emu);
    const seen: string[] = [];
    let reset = false;
    for await (const o of lever.listOpportunities({ limit: 40, confidentiality: 'all' })) {
      seen.push(o.id);
      if (seen.length === 50 && !reset) {
        reset = true;
        await admin(emu, 'POST', '/reset', {}); // old cursors become invalid, like Lever's "invalid offset token"
      }
    }
    expect(seen).toHaveLength(250);
    expect(new Set(seen).size).toBe(250);
  });

  it('downloads a resume as plain text with the candidate contact line', async () => {
    const lever = clientFor(emu);
    const opp = await first(lever.listOpportunities({ limit: 1 }));
    if (!opp) throw new Error('no opportunity');
    const [resume] = await collect(lever.listResumes(opp.id));
    expect(resume?.parsedData?.positions?.length).toBeGreaterThan(0);
    const text = (await lever.downloadResume(opp.id, resume?.id ?? '')).toString('utf8');
    expect(text).toContain(opp.name?.toUpperCase());
    expect(text).toContain(opp.emails?.[0]);
    expect(text).toMatch(/EXPERIENCE[\s\S]+EDUCATION/);
  });
});

describe('errors a recruiter can act on', () => {
  it('401 says the key is invalid', async () => {
    const lever = createLeverClient({
      baseUrl: emu.apiBaseUrl,
      auth: { kind: 'apiKey', apiKey: 'not-a-real-key' },
      bucket: new TokenBucket(100, 100),
    });
    const e = await rejection(lever.listStages());
    expect(e.status).toBe(401);
    expect(e).toBeInstanceOf(LeverUnauthorizedError);
    expect(e.retryable).toBe(false);
    expect(e.message).toMatch(/key .*invalid/i);
  });

  it('403 names the endpoint the key lacks; allowed endpoints still work', async () => {
    await admin(emu, 'POST', '/keys', { key: 'read-opps-only-1', permissions: ['opportunities:read'] });
    const lever = createLeverClient({
      baseUrl: emu.apiBaseUrl,
      auth: { kind: 'apiKey', apiKey: 'read-opps-only-1' },
      bucket: new TokenBucket(100, 100),
    });
    const opp = await first(lever.listOpportunities({ limit: 1 }));
    expect(opp?.id).toBeTruthy();
    const e = await rejection(collect(lever.listNotes(opp?.id ?? '')));
    expect(e.status).toBe(403);
    expect(e).toBeInstanceOf(LeverForbiddenError);
    expect(e).not.toBeInstanceOf(LeverNotFoundError);
    expect(e.code).toBe('ForbiddenError');
    expect(e.message).toContain('does not have permission');
    expect(e.message).toContain('/notes');
  });

  it('404 for an unknown opportunity', async () => {
    const e = await rejection(clientFor(emu).getOpportunity('00000000-0000-4000-8000-000000000000'));
    expect(e.status).toBe(404);
    expect(e).toBeInstanceOf(LeverNotFoundError);
    expect(e).not.toBeInstanceOf(LeverForbiddenError);
    expect(e.code).toBe('ResourceNotFound');
    expect(e.message).toMatch(/not found/i);
    // nullIfNotFound, for reads of records that may be gone: null on a 404, anything else rethrown.
    expect(
      await clientFor(emu).getOpportunity('00000000-0000-4000-8000-000000000000').catch(nullIfNotFound),
    ).toBeNull();
    await expect(Promise.reject(e).catch(nullIfNotFound)).resolves.toBeNull();
    const refused = new LeverForbiddenError({ ...e, kind: 'http', status: 403, message: 'no' });
    await expect(Promise.reject(refused).catch(nullIfNotFound)).rejects.toBe(refused);
  });
});

describe('rate limiting and retries', () => {
  it('retries 429s with backoff and then succeeds', async () => {
    await admin(emu, 'POST', '/faults', { force429: 2 });
    const statuses: number[] = [];
    const lever = clientFor(emu, { onRequest: (i) => statuses.push(i.status) });
    const stages = await lever.listStages();
    expect(stages.length).toBe(8);
    expect(statuses).toEqual([429, 429, 200]);
    expect(lever.stats.rateLimited).toBe(2);
    expect(lever.stats.retries).toBe(2);
  });

  it('gives up after maxRetries with a 429 error', async () => {
    await admin(emu, 'POST', '/faults', { force429: 10 });
    const lever = clientFor(emu, { maxRetries: 2 });
    const e = await rejection(lever.listStages());
    expect(e.status).toBe(429);
    expect(e).toBeInstanceOf(LeverRateLimitedError);
    expect(e.retryable).toBe(true);
    expect(lever.stats.requests).toBe(3);
  });

  it('the client bucket keeps a burst under the emulator limit (no 429s)', async () => {
    const strict = await testEmulator({ ratePerSecond: 10, burst: 20, opportunities: 30 });
    try {
      const lever = createLeverClient({
        baseUrl: strict.apiBaseUrl,
        auth: { kind: 'apiKey', apiKey: strict.apiKey },
        bucket: new TokenBucket(9, 16),
      });
      const started = performance.now();
      await Promise.all(Array.from({ length: 30 }, () => lever.listStages()));
      const elapsed = performance.now() - started;
      expect(lever.stats.rateLimited).toBe(0);
      // 16 at once, then 14 more at 9/s: about 1.5 s.
      expect(elapsed).toBeGreaterThan(1200);
    } finally {
      await strict.close();
    }
  });
});

describe('one rate limit per credential', () => {
  it('clients built separately for the same key share one bucket', async () => {
    // Default construction (no private bucket): the process-wide bucket for this base URL and key.
    const make = () =>
      createLeverClient({
        baseUrl: emu.apiBaseUrl,
        auth: { kind: 'apiKey', apiKey: emu.apiKey },
        ratePerSecond: 5,
        burst: 2,
      });
    const a = make();
    const b = make();
    const started = performance.now();
    await Promise.all([a, b, a, b, a, b].map((c) => c.listStages()));
    // 6 requests, burst 2, then 5/s: at least 0.8 s together; two separate buckets would need only 0.2 s.
    expect(performance.now() - started).toBeGreaterThan(700);
  });
});

describe('writes', () => {
  it('note create → update → delete round trip', async () => {
    const lever = clientFor(emu);
    const opp = await first(lever.listOpportunities({ limit: 1 }));
    const oppId = opp?.id ?? '';
    const users = await collect(lever.listUsers({ email: 'alex.rivera@acme-demo.example' }));
    const performAs = users[0]?.id;
    expect(performAs).toBeTruthy();

    const { noteId } = await lever.createNote(oppId, { value: 'Fulcrum summary v1', score: 3 }, { performAs });
    let note = await lever.getNote(oppId, noteId);
    expect(note.fields?.[0]?.value).toBe('Fulcrum summary v1');
    expect(note.user).toBe(performAs);

    await lever.updateNote(oppId, noteId, { value: 'Fulcrum summary v2' }, { performAs });
    note = await lever.getNote(oppId, noteId);
    expect(note.fields?.map((f) => f.value)).toEqual(['Fulcrum summary v2']);

    await lever.deleteNote(oppId, noteId);
    const after = await collect(lever.listNotes(oppId));
    expect(after.some((n) => n.id === noteId)).toBe(false);
    expect((await rejection(lever.getNote(oppId, noteId))).status).toBe(404);
  });

  it('refuses to edit or delete notes made in the Lever UI', async () => {
    const lever = clientFor(emu);
    for await (const opp of lever.listOpportunities({ limit: 50 })) {
      const [uiNote] = await collect(lever.listNotes(opp.id));
      if (!uiNote) continue;
      const e = await rejection(lever.updateNote(opp.id, uiNote.id, { value: 'overwrite' }));
      expect(e.status).toBe(403);
      expect(e.leverMessage).toMatch(/created in Lever/);
      expect((await rejection(lever.deleteNote(opp.id, uiNote.id))).status).toBe(403);
      return;
    }
    throw new Error('no seeded note found');
  });

  it('a POST that timed out is not repeated and is reported as outcome unknown', async () => {
    const calls: RequestInfo[] = [];
    const lever = clientFor(emu, { timeoutMs: 150, maxRetries: 3, onRequest: (i) => calls.push(i) });
    const opp = await first(clientFor(emu).listOpportunities({ limit: 1 }));
    const oppId = opp?.id ?? '';
    await admin(emu, 'POST', '/faults', { latencyMs: 400 });
    const value = `timeout probe ${Date.now()}`;
    const e = await rejection(lever.createNote(oppId, { value }));
    expect(e.kind).toBe('outcome-unknown');
    expect(e.message).toMatch(/may or may not/);
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(1);

    await new Promise((r) => setTimeout(r, 500)); // the emulator finishes the write the client gave up on
    await admin(emu, 'POST', '/faults', { latencyMs: 0 });
    const notes = await collect(clientFor(emu).listNotes(oppId));
    expect(notes.filter((n) => n.fields?.[0]?.value === value)).toHaveLength(1);
  });

  it('a GET that times out is retried (idempotent), a POST that gets a 500 is not', async () => {
    const calls: RequestInfo[] = [];
    const lever = clientFor(emu, { timeoutMs: 100, maxRetries: 2, onRequest: (i) => calls.push(i) });
    await admin(emu, 'POST', '/faults', { latencyMs: 300 });
    const e = await rejection(lever.listStages());
    expect(e.kind).toBe('timeout');
    expect(calls).toHaveLength(3);

    calls.length = 0;
    await admin(emu, 'POST', '/faults', { latencyMs: 0 });
    const opp = await first(clientFor(emu).listOpportunities({ limit: 1 }));
    await admin(emu, 'POST', '/faults', { errorRate: 1 });
    const post = await rejection(lever.createNote(opp?.id ?? '', { value: 'x' }));
    expect(post.kind).toBe('outcome-unknown');
    expect(post.status).toBe(500);
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(1);
    const get = await rejection(lever.listStages());
    expect(get.status).toBe(500);
    expect(calls.filter((c) => c.method === 'GET')).toHaveLength(3);
  });

  it('tags, stage and archive change the opportunity', async () => {
    const lever = clientFor(emu);
    const opp = await first(lever.listOpportunities({ limit: 1, archived: false }));
    const id = opp?.id ?? '';
    expect((await lever.addTags(id, ['fulcrum:reviewed', 'Priority'])).tags).toContain('fulcrum:reviewed');
    expect((await lever.removeTags(id, ['fulcrum:reviewed'])).tags).not.toContain('fulcrum:reviewed');

    const offer = (await lever.listStages()).find((s) => s.text === 'Offer');
    const moved = await lever.changeStage(id, offer?.id ?? '');
    expect(moved.stage).toBe(offer?.id);
    const tagged = await collect(lever.listOpportunities({ tag: 'Priority', stageId: offer?.id }));
    expect(tagged.map((o) => o.id)).toContain(id);

    const reasons = await lever.listArchiveReasons({ type: 'non-hired' });
    const archived = await lever.setArchived(id, { reason: reasons[0]?.id ?? '' });
    expect(archived.archived?.reason).toBe(reasons[0]?.id);
    expect((await lever.setArchived(id, { reason: null })).archived).toBeNull();
    const badStage = await rejection(lever.changeStage(id, 'no-such-stage'));
    expect(badStage.status).toBe(400);
    expect(badStage).toBeInstanceOf(LeverBadRequestError);
    expect((badStage as LeverBadRequestError).isInvalidOffset).toBe(false);
  });

  it('uploads a file and downloads the same bytes; creates a panel with interviews', async () => {
    const lever = clientFor(emu);
    const opp = await first(lever.listOpportunities({ limit: 1 }));
    const id = opp?.id ?? '';
    const [user] = await collect(lever.listUsers({ accessRole: 'interviewer' }));
    const performAs = user?.id ?? '';
    const file = await lever.uploadFile(
      id,
      { name: 'fulcrum-report.txt', content: 'Fit: strong\n', contentType: 'text/plain' },
      { performAs },
    );
    expect(file.name).toBe('fulcrum-report.txt');
    expect((await collect(lever.listFiles(id))).map((f) => f.id)).toContain(file.id);
    expect((await lever.downloadFile(id, file.id)).toString()).toBe('Fit: strong\n');

    const start = Date.now() + 86_400_000;
    const panel = await lever.createPanel(
      id,
      {
        timezone: 'Europe/Dublin',
        interviews: [{ interviewers: [{ id: performAs }], date: start, duration: 45, subject: 'Deep dive' }],
      },
      { performAs },
    );
    expect(panel.externallyManaged).toBe(true);
    expect((await collect(lever.listPanels(id))).map((p) => p.id)).toContain(panel.id);
    const interviews = await collect(lever.listInterviews(id));
    expect(interviews.some((i) => i.panel === panel.id && i.subject === 'Deep dive')).toBe(true);
    // perform_as is required for files and panels, as in Lever.
    expect(
      (
        await rejection(
          lever.uploadFile(id, { name: 'a.txt', content: 'a', contentType: 'text/plain' }, { performAs: '' }),
        )
      ).status,
    ).toBe(400);
  });
});

describe('postings and response shaping', () => {
  it('updates a posting partially and include narrows opportunity fields', async () => {
    const lever = clientFor(emu);
    const [posting] = await collect(lever.listPostings());
    const [owner] = await collect(lever.listUsers({ accessRole: 'super admin' }));
    const updated = await lever.updatePosting(
      posting?.id ?? '',
      { workplaceType: 'remote' },
      { performAs: owner?.id ?? '' },
    );
    expect(updated.workplaceType).toBe('remote');
    expect(updated.text).toBe(posting?.text);
    expect((await lever.getPosting(posting?.id ?? '')).workplaceType).toBe('remote');

    const opp = await first(lever.listOpportunities({ limit: 1, include: ['name'] }));
    expect(Object.keys(opp ?? {}).sort()).toEqual(['id', 'name']);
  });
});

describe('OAuth', () => {
  it('refreshes an expired token once for concurrent callers and stores the rotated refresh token', async () => {
    const first = emu.issueOAuthTokens(3600);
    const tokens = memoryTokenStore({
      accessToken: 'expired',
      refreshToken: first.refresh_token,
      expiresAt: Date.now() - 1,
    });
    const lever = createLeverClient({
      baseUrl: emu.apiBaseUrl,
      auth: {
        kind: 'oauth',
        tokens,
        clientId: 'emulator-client',
        clientSecret: 'emulator-secret',
        tokenUrl: `${emu.url}/oauth/token`,
      },
      bucket: new TokenBucket(100, 100),
    });
    const results = await Promise.all(Array.from({ length: 5 }, () => lever.listStages()));
    expect(results.every((r) => r.length === 8)).toBe(true);
    expect(tokens.current().refreshToken).not.toBe(first.refresh_token);
    // The old refresh token is spent: a second refresh with it would fail, so exactly one refresh happened.
    const reuse = await fetch(`${emu.url}/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: 'emulator-client',
        client_secret: 'emulator-secret',
        refresh_token: first.refresh_token,
      }),
    });
    expect(reuse.status).toBe(403);
    expect(emu.context.refreshTokens.has(tokens.current().refreshToken)).toBe(true);
  });
});
