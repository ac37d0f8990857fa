import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit } from '../../../backend/audit/audit-log.ts';
import { createAudit } from '../../../backend/http/audit.ts';
import { createLeverUserResolver, type Principal } from '../../../backend/http/auth.ts';
import { HttpError } from '../../../backend/http/errors.ts';
import {
  createLeverClient,
  currentAccessToken,
  LeverAuthError,
  type LeverClient,
  leverOAuthEndpoints,
  type OAuthTokenStore,
  TokenBucket,
} from '../../../backend/lever/index.ts';
import { generateSeed } from '../../../backend/lever-emulator/seed.ts';
import { type EmulatorHandle, startEmulator } from '../../../backend/lever-emulator/server.ts';
import {
  type ConnectError,
  completeConnect,
  type OAuthSettings,
  startConnect,
} from '../../../backend/lever-oauth/connect.ts';
import { DbOAuthTokenStore } from '../../../backend/lever-oauth/token-store.ts';
import { changeHolidays, holidayDays, listHolidays } from '../../../backend/offers/holidays.ts';
import { compensationOf, readOfferData } from '../../../backend/offers/lever-data.ts';
import { createParagraphWriter } from '../../../backend/offers/paragraphs.ts';
import { OfferService } from '../../../backend/offers/service.ts';
import { OfferTemplates } from '../../../backend/offers/templates-repo.ts';
import { ProposalRepo } from '../../../backend/proposals/repo.ts';
import { ProposalService } from '../../../backend/proposals/service.ts';
import { WriteBack } from '../../../backend/proposals/write-back.ts';
import { healthRoutes } from '../../../backend/routes/health.ts';
import { checkpointsWal, startCheckpointer } from '../../../backend/store/checkpointer.ts';
import type { Store } from '../../../backend/store/db.ts';
import { withTransaction } from '../../../backend/store/dialect.ts';
import type { Database } from '../../../backend/store/schema.ts';
import { cleanupsAfterEach } from './temp-store.ts';

/**
 * One database for a test, on the engine under test: `store` and, for the races, `openAnother()` (a second Store on
 * the same database with its own connection: SQLite a second connection to the file, PostgreSQL a second pg pool,
 * as a second backend instance has); `openUnmigrated()` an empty database of the same engine that no migration ran on.
 */
export type LeverStorageHarness = {
  store: Store;
  openAnother(): Promise<Store>;
  openUnmigrated(): Promise<{ db: Kysely<Database>; close(): Promise<void> }>;
  close(): Promise<void>;
};

const KEY = randomBytes(32);
const SEED = 7;
const OPPS = 60;
const consistent = generateSeed({ seed: SEED, opportunities: OPPS }).offerScenarios.filter(
  (s) => s.scenario === 'consistent',
);
const admin = (n: number): Principal => ({
  id: `admin-${n}`,
  email: `admin${n}@fulcrum.test`,
  name: `Admin ${n}`,
  role: 'admin',
  leverUserId: null,
});

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * What the Lever connection, readiness and offers storage promise, run unchanged against SQLite
 * (tests/backend/lever-storage.test.ts) and PostgreSQL (tests/postgres/lever-storage-pg.test.ts): the OAuth tokens
 * saved encrypted, read and cleared; the token refresh happening exactly once when two instances find the token
 * expired together; the connect flow's single-use state; /readyz naming the engine; the WAL checkpointer only on
 * SQLite; offer holidays (changed with their audit entry atomically) and offer letters, drafted and approved, with one
 * approval winning a race between two instances.
 */
export function describeLeverStorageContract(
  name: string,
  engine: 'sqlite' | 'postgres',
  open: () => Promise<LeverStorageHarness>,
): void {
  const cleanups = cleanupsAfterEach();
  async function setup(): Promise<LeverStorageHarness> {
    const h = await open();
    cleanups.push(() => h.close());
    return h;
  }
  async function another(h: LeverStorageHarness): Promise<Store> {
    const s = await h.openAnother();
    cleanups.push(() => s.close());
    return s;
  }

  let emu: EmulatorHandle;
  let lever: LeverClient;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, seed: SEED, opportunities: OPPS, ratePerSecond: 1000, burst: 1000 });
    lever = createLeverClient({
      baseUrl: emu.apiBaseUrl,
      auth: { kind: 'apiKey', apiKey: emu.apiKey },
      bucket: new TokenBucket(500, 500),
      retryBaseMs: 5,
      maxRetries: 2,
    });
  }, 60_000);
  afterAll(() => emu?.close());

  const oauthConfig = (tokens: OAuthTokenStore) => ({
    kind: 'oauth' as const,
    tokens,
    clientId: 'emulator-client',
    clientSecret: 'emulator-secret',
    tokenUrl: `${emu.url}/oauth/token`,
  });

  /** An expired access token with a live refresh token, as both instances find it. */
  async function expiredConnection(store: Store): Promise<void> {
    const first = emu.issueOAuthTokens(3600);
    await new DbOAuthTokenStore(() => store.db, KEY).connect(
      { accessToken: 'expired-token', refreshToken: first.refresh_token, expiresAt: Date.now() - 1000 },
      { scope: 'offline_access', connectedBy: 'test' },
    );
    emu.context.oauth.calls = { authorization_code: 0, refresh_token: 0, refused: 0 };
    emu.context.oauth.latencyMs = 300; // a slow token endpoint: both instances are in flight together
  }

  describe(`${name}: the Lever connection, readiness and offers storage contract`, () => {
    describe('Lever OAuth tokens', () => {
      it('are saved encrypted, read back, replaced on reconnect, and cleared', async () => {
        const { store } = await setup();
        const tokens = new DbOAuthTokenStore(() => store.db, KEY, { now: () => 5_000 });
        expect(await tokens.info()).toMatchObject({ connected: false, scope: null, accessTokenExpiresAt: null });
        await expect(tokens.load()).rejects.toBeInstanceOf(LeverAuthError);

        const t1 = { accessToken: 'access-one', refreshToken: 'refresh-one', expiresAt: 9_000 };
        await tokens.connect(t1, { scope: 'offline_access stages:read:admin', connectedBy: 'ada@fulcrum.test' });
        expect(await tokens.load()).toEqual(t1);
        const row = await store.db.selectFrom('lever_oauth_connections').selectAll().executeTakeFirstOrThrow();
        expect(row).toMatchObject({ account: 'default', version: 1, connected_at: 5_000, lease_owner: null });
        expect(row.ciphertext).not.toContain('access-one');
        expect(row.ciphertext).not.toContain('refresh-one');
        const info = await tokens.info();
        expect(info).toEqual({
          connected: true,
          account: 'default',
          scope: 'offline_access stages:read:admin',
          connectedAt: 5_000,
          connectedBy: 'ada@fulcrum.test',
          accessTokenExpiresAt: 9_000,
          updatedAt: 5_000,
        });
        expect(JSON.stringify(info)).not.toContain('access-one');

        // A refresh's save, then a reconnection replacing everything: the version counts both.
        const t2 = { accessToken: 'access-two', refreshToken: 'refresh-two', expiresAt: 19_000 };
        await tokens.save(t2);
        expect(await tokens.load()).toEqual(t2);
        await tokens.connect(
          { accessToken: 'access-3', refreshToken: 'refresh-3', expiresAt: 29_000 },
          { scope: null, connectedBy: 'bob@fulcrum.test' },
        );
        expect(await store.db.selectFrom('lever_oauth_connections').selectAll().execute()).toEqual([
          expect.objectContaining({ version: 3, connected_by: 'bob@fulcrum.test', scope: null }),
        ]);

        // Another key cannot read them; info says connected, expiry unknown.
        const other = new DbOAuthTokenStore(() => store.db, randomBytes(32));
        await expect(other.load()).rejects.toThrow();
        expect(await other.info()).toMatchObject({ connected: true, accessTokenExpiresAt: null });

        expect(await tokens.disconnect()).toBe(true);
        expect(await tokens.disconnect()).toBe(false);
        await expect(tokens.load()).rejects.toBeInstanceOf(LeverAuthError);
        await expect(tokens.save(t2)).rejects.toThrow(/removed while its tokens were refreshed/);
        expect(await store.db.selectFrom('lever_oauth_connections').selectAll().execute()).toEqual([]);
      });

      it('two instances finding the token expired together refresh it exactly once and both use the new one', {
        timeout: 30_000,
      }, async () => {
        const h = await setup();
        const second = await another(h);
        await expiredConnection(h.store);
        const [a, b] = await Promise.all(
          [h.store, second].map((s) =>
            currentAccessToken(oauthConfig(new DbOAuthTokenStore(() => s.db, KEY, { pollMs: 20 }))),
          ),
        );
        expect(emu.context.oauth.calls).toMatchObject({ refresh_token: 1, refused: 0 });
        expect(a).toBe(b);
        expect(a).not.toBe('expired-token');
        const stored = await new DbOAuthTokenStore(() => second.db, KEY).load();
        expect(stored.accessToken).toBe(a);
        const row = await h.store.db.selectFrom('lever_oauth_connections').selectAll().executeTakeFirstOrThrow();
        expect(row).toMatchObject({ version: 2, lease_owner: null, lease_until: null });
      });

      it('without the lease the same race spends the refresh token twice and one instance is locked out', {
        timeout: 30_000,
      }, async () => {
        const h = await setup();
        const second = await another(h);
        await expiredConnection(h.store);
        const unlocked = (s: Store): OAuthTokenStore => {
          const inner = new DbOAuthTokenStore(() => s.db, KEY);
          return { load: () => inner.load(), save: (t) => inner.save(t) };
        };
        const results = await Promise.allSettled(
          [h.store, second].map((s) => currentAccessToken(oauthConfig(unlocked(s)))),
        );
        expect(emu.context.oauth.calls).toMatchObject({ refresh_token: 1, refused: 1 });
        expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      });

      it("a dead holder's lease expires by itself; the next refresh waits for it, then runs", async () => {
        const { store } = await setup();
        const tokens = new DbOAuthTokenStore(() => store.db, KEY, { leaseMs: 5_000, pollMs: 20 });
        await tokens.connect(
          { accessToken: 'a', refreshToken: 'r', expiresAt: 1 },
          { scope: null, connectedBy: 'test' },
        );
        const until = Date.now() + 300;
        await store.db
          .updateTable('lever_oauth_connections')
          .set({ lease_owner: 'crashed-instance', lease_until: until })
          .execute();
        const ran = await tokens.withRefreshLock(async () => {
          const r = await store.db.selectFrom('lever_oauth_connections').selectAll().executeTakeFirstOrThrow();
          return { at: Date.now(), leaseOwner: r.lease_owner };
        });
        expect(ran.at).toBeGreaterThanOrEqual(until);
        expect(ran.leaseOwner).not.toBe('crashed-instance');
        const after = await store.db.selectFrom('lever_oauth_connections').selectAll().executeTakeFirstOrThrow();
        expect(after).toMatchObject({ lease_owner: null, lease_until: null });
      });
    });

    describe('the connect flow', () => {
      const settings = (): OAuthSettings => ({
        clientId: 'emulator-client',
        clientSecret: 'emulator-secret',
        redirectUri: 'http://127.0.0.1:8799/oauth/lever/callback', // never connected to: redirects are not followed
        scopes: ['offline_access'],
        endpoints: leverOAuthEndpoints(emu.apiBaseUrl),
        apiBaseUrl: emu.apiBaseUrl,
      });

      it('stores only the hash of the state; a state works once even when two instances get the callback', async () => {
        const h = await setup();
        const second = await another(h);
        const started = await startConnect(h.store.db, settings(), 'ada@fulcrum.test', Date.now());
        const rows = await h.store.db.selectFrom('lever_oauth_states').selectAll().execute();
        expect(rows).toHaveLength(1);
        expect(rows[0]?.state_hash).not.toContain(started.state);
        expect(rows[0]).toMatchObject({ created_by: 'ada@fulcrum.test', used_at: null });

        // The same (denied) callback delivered to both instances at once: exactly one consumes the state.
        const outcomes = await Promise.allSettled(
          [h.store, second].map((s) =>
            completeConnect(s.db, settings(), KEY, { state: started.state, error: 'access_denied' }),
          ),
        );
        const kinds = outcomes.map((o) => (o.status === 'rejected' ? (o.reason as ConnectError).kind : 'ok'));
        expect(kinds.sort()).toEqual(['denied', 'state']);
        expect(await new DbOAuthTokenStore(() => h.store.db, KEY).info()).toMatchObject({ connected: false });

        // An expired state is refused; starting again prunes the used and the long-expired ones.
        const old = await startConnect(h.store.db, settings(), 'someone', Date.now() - 11 * 60_000);
        await expect(
          completeConnect(h.store.db, settings(), KEY, { state: old.state, code: 'whatever' }),
        ).rejects.toMatchObject({ kind: 'state' });
        await startConnect(h.store.db, settings(), 'ada@fulcrum.test', Date.now() + 21 * 60_000);
        expect(await h.store.db.selectFrom('lever_oauth_states').selectAll().execute()).toHaveLength(1);
      });

      it('exchanges a code from the authorize flow and stores the tokens', async () => {
        const { store } = await setup();
        const s = settings();
        const started = await startConnect(store.db, s, 'ada@fulcrum.test');
        const page = await (await fetch(started.authorizeUrl)).text();
        const href = /id="allow" href="([^"]+)"/.exec(page)?.[1]?.replace(/&amp;/g, '&');
        expect(href).toBeTruthy();
        const decided = await fetch(new URL(href as string, started.authorizeUrl), { redirect: 'manual' });
        const back = new URL(decided.headers.get('location') as string);
        const done = await completeConnect(store.db, s, KEY, {
          state: back.searchParams.get('state') ?? undefined,
          code: back.searchParams.get('code') ?? undefined,
        });
        expect(done.connectedBy).toBe('ada@fulcrum.test');
        const tokens = await new DbOAuthTokenStore(() => store.db, KEY).load();
        expect(tokens.accessToken).toMatch(/^[0-9a-f]{48}$/);
      });
    });

    describe('readiness and the WAL checkpointer', () => {
      const health = (store: Pick<Store, 'db' | 'dialect'>, ready = true) =>
        healthRoutes({
          store,
          isReady: () => ready,
          guards: { public: () => async (_c, next) => next() },
        });

      it(`/readyz answers ready on ${engine}, names the engine, and says why when it is not`, async () => {
        const h = await setup();
        const ok = await health(h.store).request('/readyz');
        expect(ok.status).toBe(200);
        expect(await ok.json()).toEqual({ status: 'ready', engine });

        const stopping = await health(h.store, false).request('/readyz');
        expect(stopping.status).toBe(503);
        expect(await stopping.json()).toMatchObject({ status: 'not-ready', engine });

        const empty = await h.openUnmigrated();
        cleanups.push(() => empty.close());
        const unmigrated = await health({ db: empty.db, dialect: engine }).request('/readyz');
        expect(unmigrated.status).toBe(503);
        expect(await unmigrated.json()).toEqual({
          status: 'not-ready',
          engine,
          reason: 'database migrations have not run',
        });

        const gone = await h.openAnother();
        const route = health(gone);
        await gone.close();
        const down = await route.request('/readyz');
        expect(down.status).toBe(503);
        expect(await down.json()).toEqual({ status: 'not-ready', engine, reason: 'database unreachable' });
      });

      it(`the WAL checkpointer runs only on SQLite (${engine}: ${engine === 'sqlite'})`, async () => {
        const { store } = await setup();
        expect(checkpointsWal(store)).toBe(engine === 'sqlite');
        // On PostgreSQL reading store.sqlite throws: starting and stopping must not touch it.
        const checkpointer = startCheckpointer(store, pino({ level: 'silent' }), { intervalMs: 50 });
        await checkpointer.stop();
      });
    });

    describe('offer holidays', () => {
      it('are added, relabelled, removed and replaced; listed with the environment days', async () => {
        const { store } = await setup();
        expect(
          await changeHolidays(
            store.db,
            {
              add: [
                { date: '2027-07-05', label: 'Summer' },
                { date: '2027-01-02' },
                { date: '2027-07-05', label: 'Summer day' },
              ],
            },
            'ada',
            1_000,
          ),
        ).toEqual({ added: ['2027-01-02', '2027-07-05'], removed: [] });
        expect(await listHolidays(store.db, ['2027-12-25', '2027-01-02'])).toEqual([
          { date: '2027-01-02', label: null, source: 'environment' },
          { date: '2027-07-05', label: 'Summer day', source: 'admin' },
          { date: '2027-12-25', label: null, source: 'environment' },
        ]);
        expect(
          await changeHolidays(store.db, { add: [{ date: '2027-01-02', label: 'New year' }] }, 'bob', 2_000),
        ).toEqual({ added: [], removed: [] });
        expect(
          await store.db.selectFrom('offer_holidays').selectAll().where('day', '=', '2027-01-02').execute(),
        ).toEqual([{ day: '2027-01-02', label: 'New year', updated_by: 'bob', updated_at: 2_000 }]);
        expect(await changeHolidays(store.db, { remove: ['2027-07-05', '2030-01-01'] }, 'bob', 3_000)).toEqual({
          added: [],
          removed: ['2027-07-05'],
        });
        expect(await changeHolidays(store.db, { replace: true, add: [{ date: '2028-03-03' }] }, 'bob', 4_000)).toEqual({
          added: ['2028-03-03'],
          removed: ['2027-01-02'],
        });
        expect(await holidayDays(store.db, ['2027-12-25'])).toEqual(['2027-12-25', '2028-03-03']);
      });

      it('a change and its audit entry commit together: a failure after both leaves neither', async () => {
        const { store } = await setup();
        await expect(
          withTransaction(store.db, async (trx) => {
            const changed = await changeHolidays(trx, { add: [{ date: '2027-07-05' }] }, 'ada', 1_000);
            await appendAudit(trx, {
              actor: 'ada',
              capability: 'offer',
              action: 'offer.holidays.set',
              output: changed,
              decision: 'configured',
            });
            throw new Error('boom after the audit entry');
          }),
        ).rejects.toThrow('boom');
        expect(await store.db.selectFrom('offer_holidays').selectAll().execute()).toEqual([]);
        expect(await store.db.selectFrom('audit_log').selectAll().execute()).toEqual([]);
      });
    });

    describe('offer letters', () => {
      function offerService(store: Store): OfferService {
        const logger = pino({ level: 'silent' });
        const now = () => Date.now();
        const audit = createAudit(store);
        const proposals = new ProposalService(
          new ProposalRepo(store, now),
          new WriteBack(store, lever, now),
          audit,
          now,
          createLeverUserResolver(store, lever, logger, now),
        );
        return new OfferService({
          store,
          lever,
          writer: createParagraphWriter({}),
          templates: new OfferTemplates(store, now),
          audit,
          proposals,
          now,
          holidays: [],
        });
      }

      it('a draft and a revision are stored with their versions; an admin holiday fails the start-date check', {
        timeout: 30_000,
      }, async () => {
        const { store } = await setup();
        const offers = offerService(store);
        const opp = consistent[0]?.opportunityId as string;
        const drafted = await offers.draft(admin(1), { opportunityId: opp });
        expect(drafted.checks.find((c) => c.name === 'start_date')).toMatchObject({ ok: true });
        const start = compensationOf(await readOfferData(lever, opp)).startDate as number;
        await changeHolidays(store.db, { add: [{ date: isoDay(start), label: 'Company day' }] }, 'ada', 1_000);
        const revised = await offers.revise(admin(1), drafted.letterId, { text: `${drafted.text}\n\nWelcome!` });
        expect(revised.version).toBe(2);
        expect(revised.checks.find((c) => c.name === 'start_date')).toMatchObject({ ok: false });

        const letters = await store.db.selectFrom('offer_letters').selectAll().execute();
        expect(letters).toEqual([
          expect.objectContaining({ id: drafted.letterId, opportunity_id: opp, current_version: 2 }),
        ]);
        const versions = await store.db
          .selectFrom('offer_letter_versions')
          .select(['version', 'created_by'])
          .where('letter_id', '=', drafted.letterId)
          .orderBy('version')
          .execute();
        expect(versions).toEqual([
          { version: 1, created_by: admin(1).email },
          { version: 2, created_by: admin(1).email },
        ]);
        const audited = await store.db
          .selectFrom('audit_log')
          .select('action')
          .where('capability', '=', 'offer')
          .orderBy('id')
          .execute();
        expect(audited.map((a) => a.action)).toEqual(['offer.draft', 'offer.revise']);
      });

      it('two instances approving the one step together: one approval wins, one proposal, the other a 409', {
        timeout: 30_000,
      }, async () => {
        const h = await setup();
        const second = await another(h);
        const [one, two] = [offerService(h.store), offerService(second)];
        await one.setChain(admin(1), '*', [{ name: 'Finance', approvers: ['admin'] }]);
        const opp = consistent[0]?.opportunityId as string;
        const drafted = await one.draft(admin(1), { opportunityId: opp });
        expect(drafted.checks.every((c) => c.ok)).toBe(true);
        const results = await Promise.allSettled([
          one.approve(admin(2), drafted.letterId, { version: 1 }),
          two.approve(admin(3), drafted.letterId, { version: 1 }),
        ]);
        expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
        const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        expect(lost.reason).toBeInstanceOf(HttpError);
        expect((lost.reason as HttpError).status).toBe(409);

        expect(
          await h.store.db
            .selectFrom('offer_decisions')
            .selectAll()
            .where('letter_id', '=', drafted.letterId)
            .execute(),
        ).toHaveLength(1);
        const letter = await h.store.db
          .selectFrom('offer_letters')
          .selectAll()
          .where('id', '=', drafted.letterId)
          .executeTakeFirstOrThrow();
        expect(letter.status).toBe('approved');
        const proposals = await h.store.db
          .selectFrom('proposals')
          .select(['id', 'kind'])
          .where('opportunity_id', '=', opp)
          .execute();
        expect(proposals).toEqual([{ id: letter.proposal_id, kind: 'offer-letter' }]);
      });
    });
  });
}
