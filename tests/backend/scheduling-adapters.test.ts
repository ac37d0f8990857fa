import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CalendarConfigRepo, CalendarTokenKeyError } from '../../backend/scheduling/calendar-config.ts';
import { GoogleFreeBusySource } from '../../backend/scheduling/google-freebusy.ts';
import { GraphScheduleSource } from '../../backend/scheduling/graph-schedule.ts';
import { memoryTokenStore, OAuthTokenProvider } from '../../backend/scheduling/oauth-token.ts';
import { openStore, type Store } from '../../backend/store/db.ts';

type Seen = { method: string; url: string; headers: http.IncomingHttpHeaders; body: string };

/** A local fake speaking Google's FreeBusy, Microsoft Graph's getSchedule and an OAuth token endpoint. */
let server: http.Server;
let base = '';
const seen: Seen[] = [];
let validToken = 'fresh-token';
let googleReply: (body: { items: Array<{ id: string }> }) => unknown = () => ({});
let graphReply: (body: unknown) => unknown = () => ({});

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const send = (status: number, json: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(json));
      };
      if (req.url === '/token') {
        const form = new URLSearchParams(body);
        if (form.get('grant_type') !== 'refresh_token' || form.get('refresh_token') !== 'refresh-1') {
          return send(400, { error: 'invalid_grant' });
        }
        validToken = 'fresh-token';
        return send(200, { access_token: 'fresh-token', expires_in: 3600, token_type: 'Bearer' });
      }
      if (req.headers.authorization !== `Bearer ${validToken}`) {
        return send(401, { error: { code: 401, message: 'Invalid Credentials' } });
      }
      if (req.url === '/calendar/v3/freeBusy' && req.method === 'POST') return send(200, googleReply(JSON.parse(body)));
      if (req.url === '/v1.0/me/calendar/getSchedule' && req.method === 'POST')
        return send(200, graphReply(JSON.parse(body)));
      send(404, { error: 'not found' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());
afterEach(() => {
  seen.length = 0;
});

/** The token key (FULCRUM_SECRET_KEY) of these tests. */
const KEY = randomBytes(32);

const q = { from: Date.parse('2026-03-09T00:00:00Z'), to: Date.parse('2026-03-10T00:00:00Z'), timeZone: 'UTC' };

describe('Google Calendar FreeBusy adapter', () => {
  it('sends the documented request and reads calendars.<id>.busy', async () => {
    googleReply = (b) => ({
      kind: 'calendar#freeBusy',
      timeMin: '2026-03-09T00:00:00.000Z',
      timeMax: '2026-03-10T00:00:00.000Z',
      calendars: {
        [b.items[0]?.id ?? '']: {
          busy: [
            { start: '2026-03-09T14:00:00Z', end: '2026-03-09T15:00:00Z' },
            { start: '2026-03-09T11:30:00-05:00', end: '2026-03-09T12:00:00-05:00' },
          ],
        },
      },
    });
    const tokens = new OAuthTokenProvider(memoryTokenStore({ accessToken: 'fresh-token' }), 'test');
    const src = new GoogleFreeBusySource({ calendarId: 'ana@example.com', tokens, apiBase: `${base}/calendar/v3` });
    const a = await src.busy(q);
    expect(a.busy).toEqual([
      { start: Date.parse('2026-03-09T14:00:00Z'), end: Date.parse('2026-03-09T15:00:00Z'), status: 'busy' },
      { start: Date.parse('2026-03-09T16:30:00Z'), end: Date.parse('2026-03-09T17:00:00Z'), status: 'busy' },
    ]);
    const req = seen[0];
    expect(req?.method).toBe('POST');
    expect(JSON.parse(req?.body ?? '{}')).toMatchObject({
      timeMin: '2026-03-09T00:00:00.000Z',
      timeMax: '2026-03-10T00:00:00.000Z',
      items: [{ id: 'ana@example.com' }],
    });
  });

  it('refreshes an expired token once after a 401 and keeps the new one', async () => {
    validToken = 'rotated';
    googleReply = (b) => ({ calendars: { [b.items[0]?.id ?? '']: { busy: [] } } });
    const store = memoryTokenStore({
      accessToken: 'stale',
      refreshToken: 'refresh-1',
      tokenUrl: `${base}/token`,
      clientId: 'cid',
    });
    const tokens = new OAuthTokenProvider(store, 'test');
    const src = new GoogleFreeBusySource({ calendarId: 'ana@example.com', tokens, apiBase: `${base}/calendar/v3` });
    await src.busy(q);
    expect(seen.map((s) => s.url)).toEqual(['/calendar/v3/freeBusy', '/token', '/calendar/v3/freeBusy']);
    expect(new URLSearchParams(seen[1]?.body).get('client_id')).toBe('cid');
    expect(store.current()?.accessToken).toBe('fresh-token');
  });

  it('turns calendar errors into a clear message', async () => {
    googleReply = (b) => ({
      calendars: { [b.items[0]?.id ?? '']: { errors: [{ domain: 'global', reason: 'notFound' }] } },
    });
    const tokens = new OAuthTokenProvider(memoryTokenStore({ accessToken: 'fresh-token' }), 'test');
    const src = new GoogleFreeBusySource({ calendarId: 'nobody@example.com', tokens, apiBase: `${base}/calendar/v3` });
    await expect(src.busy(q)).rejects.toThrow('Google Calendar cannot read nobody@example.com: notFound.');
  });
});

describe('Microsoft Graph getSchedule adapter', () => {
  it('sends the documented request and reads scheduleItems (busy, tentative, oof; free skipped)', async () => {
    graphReply = () => ({
      '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#Collection(microsoft.graph.scheduleInformation)',
      value: [
        {
          scheduleId: 'bo@contoso.com',
          availabilityView: '000220',
          scheduleItems: [
            {
              isPrivate: false,
              status: 'Busy',
              subject: 'x',
              start: { dateTime: '2026-03-09T09:00:00.0000000', timeZone: 'UTC' },
              end: { dateTime: '2026-03-09T10:00:00.0000000', timeZone: 'UTC' },
            },
            {
              status: 'Tentative',
              start: { dateTime: '2026-03-09T11:00:00.0000000', timeZone: 'UTC' },
              end: { dateTime: '2026-03-09T11:30:00.0000000', timeZone: 'UTC' },
            },
            {
              status: 'Free',
              start: { dateTime: '2026-03-09T12:00:00.0000000', timeZone: 'UTC' },
              end: { dateTime: '2026-03-09T13:00:00.0000000', timeZone: 'UTC' },
            },
            {
              status: 'Oof',
              start: { dateTime: '2026-03-09T08:00:00', timeZone: 'Europe/London' },
              end: { dateTime: '2026-03-09T08:30:00', timeZone: 'Europe/London' },
            },
          ],
          workingHours: {
            daysOfWeek: ['monday'],
            startTime: '08:00:00.0000000',
            endTime: '17:00:00.0000000',
            timeZone: { name: 'UTC' },
          },
        },
      ],
    });
    const tokens = new OAuthTokenProvider(memoryTokenStore({ accessToken: 'fresh-token' }), 'test');
    const src = new GraphScheduleSource({ email: 'bo@contoso.com', tokens, apiBase: `${base}/v1.0` });
    const a = await src.busy(q);
    expect(a.busy.map((b) => [new Date(b.start).toISOString(), b.status])).toEqual([
      ['2026-03-09T09:00:00.000Z', 'busy'],
      ['2026-03-09T11:00:00.000Z', 'tentative'],
      ['2026-03-09T08:00:00.000Z', 'busy'],
    ]);
    const req = seen[0];
    expect(req?.headers.prefer).toBe('outlook.timezone="UTC"');
    expect(JSON.parse(req?.body ?? '{}')).toEqual({
      schedules: ['bo@contoso.com'],
      startTime: { dateTime: '2026-03-09T00:00:00', timeZone: 'UTC' },
      endTime: { dateTime: '2026-03-10T00:00:00', timeZone: 'UTC' },
      availabilityViewInterval: 15,
    });
  });

  it('falls back to availabilityView when no items are shared', async () => {
    graphReply = () => ({ value: [{ scheduleId: 'bo@contoso.com', availabilityView: '0120' }] });
    const tokens = new OAuthTokenProvider(memoryTokenStore({ accessToken: 'fresh-token' }), 'test');
    const src = new GraphScheduleSource({ email: 'bo@contoso.com', tokens, apiBase: `${base}/v1.0` });
    const a = await src.busy(q);
    expect(a.busy).toEqual([
      { start: q.from + 15 * 60_000, end: q.from + 30 * 60_000, status: 'tentative' },
      { start: q.from + 30 * 60_000, end: q.from + 45 * 60_000, status: 'busy' },
    ]);
  });

  it('reports a per-schedule error', async () => {
    graphReply = () => ({
      value: [
        { scheduleId: 'x@contoso.com', error: { message: 'Mailbox not found', responseCode: 'ErrorMailboxNotFound' } },
      ],
    });
    const tokens = new OAuthTokenProvider(memoryTokenStore({ accessToken: 'fresh-token' }), 'test');
    const src = new GraphScheduleSource({ email: 'x@contoso.com', tokens, apiBase: `${base}/v1.0` });
    await expect(src.busy(q)).rejects.toThrow(/Mailbox not found/);
  });
});

describe('per-interviewer calendar configuration (SQLite)', () => {
  let dir: string;
  let store: Store;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulcrum-cal-'));
    store = await openStore({ dataDir: dir });
  });
  afterAll(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stores the source per Lever user, keeps tokens in the backend, and builds the right adapter', async () => {
    validToken = 'fresh-token';
    graphReply = () => ({ value: [{ scheduleId: 'bo@contoso.com', availabilityView: '2' }] });
    const repo = new CalendarConfigRepo(store, Date.now, undefined, KEY);
    await repo.set(
      'user-bo',
      {
        source: 'microsoft',
        location: 'bo@contoso.com',
        apiBase: `${base}/v1.0`,
        timeZone: 'Europe/London',
        workStart: '09:00',
        workEnd: '17:30',
        maxPerDay: 2,
        token: { accessToken: 'fresh-token', refreshToken: 'refresh-1', tokenUrl: `${base}/token` },
      },
      'admin@example.com',
    );
    const c = await repo.get('user-bo');
    expect(c).toMatchObject({
      source: 'microsoft',
      timeZone: 'Europe/London',
      workDays: [1, 2, 3, 4, 5],
      maxPerDay: 2,
    });
    const a = await repo.sourceFor(c!).busy(q);
    expect(a.busy).toHaveLength(1);
    expect(await repo.hasToken('user-bo')).toBe(true);
    // Cached per window: a second read makes no request; refresh reads again.
    const src = repo.sourceFor(c!);
    seen.length = 0;
    await repo.availabilityCache.get('user-bo', src, q);
    await repo.availabilityCache.get('user-bo', src, q);
    expect(seen).toHaveLength(1);
    await repo.availabilityCache.get('user-bo', src, q, { refresh: true });
    expect(seen).toHaveLength(2);
  });

  const microsoft = (token: Record<string, string>) => ({
    source: 'microsoft' as const,
    location: 'cy@contoso.com',
    apiBase: `${base}/v1.0`,
    timeZone: 'UTC',
    workStart: '09:00',
    workEnd: '17:00',
    token: { accessToken: 'x', ...token },
  });
  type TokenRow = { access_token: string; refresh_token: string | null; client_secret: string | null };
  const tokenRow = (id: string) =>
    store.sqlite
      .prepare('SELECT access_token, refresh_token, client_secret FROM calendar_tokens WHERE lever_user_id = ?')
      .get(id) as TokenRow | undefined;
  /** Every byte SQLite keeps for this store (database, WAL, journal). */
  const storeBytes = () =>
    Buffer.concat(
      fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.db') || f.endsWith('.sqlite') || f.includes('-wal') || f.includes('-journal'))
        .map((f) => fs.readFileSync(path.join(dir, f))),
    ).toString('latin1');

  it('encrypts the token secrets at rest (AES-256-GCM with FULCRUM_SECRET_KEY), before and after a refresh', async () => {
    const repo = new CalendarConfigRepo(store, Date.now, undefined, KEY);
    validToken = 'fresh-token';
    graphReply = () => ({ value: [{ scheduleId: 'cy@contoso.com', availabilityView: '2' }] });
    await repo.set(
      'user-cy',
      microsoft({
        accessToken: 'stale-access-token-7f3a',
        refreshToken: 'refresh-1',
        clientSecret: 'client-secret-9c1d',
        tokenUrl: `${base}/token`,
      }),
      'admin@example.com',
    );
    const before = tokenRow('user-cy');
    expect(before).toBeDefined();
    for (const v of Object.values(before ?? {})) expect(v).toMatch(/^v1\./);
    const raw = JSON.stringify(before);
    for (const secret of ['stale-access-token-7f3a', 'refresh-1', 'client-secret-9c1d']) {
      expect(raw).not.toContain(secret);
    }
    // The stale token gets a 401, the refresh grant gets 'fresh-token', which is sealed too; the read works.
    const c = await repo.get('user-cy');
    const a = await repo.sourceFor(c!).busy(q);
    expect(a.busy).toHaveLength(1);
    expect(seen.some((x) => x.url === '/token')).toBe(true);
    const after = tokenRow('user-cy');
    expect(after?.access_token).toMatch(/^v1\./);
    expect(after?.access_token).not.toBe(before?.access_token);
    expect(JSON.stringify(after)).not.toContain('fresh-token');
    store.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    const bytes = storeBytes();
    expect(bytes.length).toBeGreaterThan(0);
    for (const secret of ['stale-access-token-7f3a', 'fresh-token', 'client-secret-9c1d']) {
      expect(bytes).not.toContain(secret);
    }
  });

  it('refuses to store a token without FULCRUM_SECRET_KEY, and writes nothing', async () => {
    const repo = new CalendarConfigRepo(store);
    const err = await repo
      .set('user-dee', microsoft({ accessToken: 'plain-access-1' }), 'admin@example.com')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CalendarTokenKeyError);
    expect((err as Error).message).toMatch(
      /FULCRUM_SECRET_KEY is not set: Fulcrum refuses to store calendar OAuth tokens/,
    );
    expect(await repo.get('user-dee')).toBeNull();
    expect(tokenRow('user-dee')).toBeUndefined();
    // An ICS calendar needs no token, so no key either.
    await repo.set(
      'user-dee',
      { source: 'ics', location: '/tmp/x.ics', timeZone: 'UTC', workStart: '09:00', workEnd: '17:00' },
      'a',
    );
    expect((await repo.get('user-dee'))?.source).toBe('ics');
  });

  it('a wrong key, a ciphertext copied to another row, or a missing key cannot read a token', async () => {
    const stored = tokenRow('user-cy');
    if (!stored) throw new Error('user-cy has no token');
    const other = new CalendarConfigRepo(store, Date.now, undefined, randomBytes(32));
    await expect(other.tokenStore('user-cy').load()).rejects.toThrow(
      /cannot be decrypted: FULCRUM_SECRET_KEY is not the key/,
    );
    await expect(new CalendarConfigRepo(store).tokenStore('user-cy').load()).rejects.toThrow(
      /FULCRUM_SECRET_KEY is not set/,
    );
    store.sqlite
      .prepare(
        'INSERT INTO calendar_tokens (lever_user_id, access_token, refresh_token, client_secret, updated_at) VALUES (?, ?, ?, ?, 0)',
      )
      .run('user-eve', stored.access_token, stored.refresh_token, stored.client_secret);
    const repo = new CalendarConfigRepo(store, Date.now, undefined, KEY);
    await expect(repo.tokenStore('user-eve').load()).rejects.toThrow(/cannot be decrypted/);
    store.sqlite.prepare("DELETE FROM calendar_tokens WHERE lever_user_id = 'user-eve'").run();
  });

  it('a token stored in plain text before encryption is sealed in place on first read', async () => {
    store.sqlite
      .prepare(
        'INSERT INTO calendar_tokens (lever_user_id, access_token, refresh_token, client_secret, updated_at) VALUES (?, ?, ?, NULL, 0)',
      )
      .run('user-old', 'legacy-access-42', 'legacy-refresh-42');
    await expect(new CalendarConfigRepo(store).tokenStore('user-old').load()).rejects.toThrow(/FULCRUM_SECRET_KEY/);
    const repo = new CalendarConfigRepo(store, Date.now, undefined, KEY);
    expect(await repo.tokenStore('user-old').load()).toMatchObject({
      accessToken: 'legacy-access-42',
      refreshToken: 'legacy-refresh-42',
    });
    const row = tokenRow('user-old');
    expect(row?.access_token).toMatch(/^v1\./);
    expect(JSON.stringify(row)).not.toContain('legacy-');
    expect(await repo.tokenStore('user-old').load()).toMatchObject({ accessToken: 'legacy-access-42' });
  });

  it('refuses a bad zone, bad hours and a non-https API base', async () => {
    const repo = new CalendarConfigRepo(store);
    const ok = {
      source: 'ics' as const,
      location: '/tmp/x.ics',
      timeZone: 'UTC',
      workStart: '09:00',
      workEnd: '17:00',
    };
    await expect(repo.set('u', { ...ok, timeZone: 'Mars/Base' }, 'a')).rejects.toThrow(/IANA/);
    await expect(repo.set('u', { ...ok, workStart: '9am' }, 'a')).rejects.toThrow(/HH:MM/);
    await expect(repo.set('u', { ...ok, source: 'google', apiBase: 'http://evil.example/' }, 'a')).rejects.toThrow(
      /https/,
    );
  });
});
