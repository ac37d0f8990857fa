import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit, verifyAuditChain } from '../../../backend/audit/audit-log.ts';
import { loadAuditPack, recordedScores } from '../../../backend/compliance/load-audit-pack.ts';
import { buildNotice, listTemplates, saveTemplate } from '../../../backend/compliance/notice.ts';
import {
  isOptedOutPerson,
  localOptOutStatus,
  optedOutOpportunityIds,
  optOutCheck,
  optOutStatusOf,
  recordOptOut,
  withdrawOptOut,
} from '../../../backend/compliance/opt-out.ts';
import { checkCriteria, guardPosting, setConfirmation } from '../../../backend/compliance/proxy-check.ts';
import { readComplianceSettings, writeComplianceSettings } from '../../../backend/compliance/settings.ts';
import { auditEeoView, EEO_VIEW_ACTION } from '../../../backend/fairness/eeo-view-audit.ts';
import { collect, createLeverClient, type Posting, TokenBucket } from '../../../backend/lever/index.ts';
import { type EmulatorHandle, startEmulator } from '../../../backend/lever-emulator/server.ts';
import type { Store } from '../../../backend/store/db.ts';
import { DEFAULT_COMPLIANCE_SETTINGS } from '../../../utils/contracts/compliance.ts';
import { cleanupsAfterEach } from './temp-store.ts';

/** One store for a test, on the engine under test, and how to close it. */
export type ComplianceHarness = { store: Store; close(): Promise<void> };

const OPP = '00000000-0000-4000-8000-00000000000a';
const OPP2 = '00000000-0000-4000-8000-00000000000b';
const CONTACT = '00000000-0000-4000-8000-0000000000c1';

const compliance = (store: Store, action?: string) => {
  let q = store.db
    .selectFrom('audit_log')
    .select(['action', 'actor', 'opportunity_id', 'output'])
    .where('capability', '=', 'compliance');
  if (action) q = q.where('action', '=', action);
  return q.orderBy('id').execute();
};

/**
 * What the compliance kit's storage promises, run unchanged against SQLite (tests/backend/compliance-storage.test.ts)
 * and PostgreSQL (tests/postgres/compliance-pg.test.ts): opt-outs recorded, honoured and audited in one transaction,
 * settings, proxy-check confirmations, notice templates, the recorded scores and the audit pack, and the EEO view
 * audit entry.
 */
export function describeComplianceContract(name: string, open: () => Promise<ComplianceHarness>): void {
  const cleanups = cleanupsAfterEach();
  async function setup(): Promise<Store> {
    const h = await open();
    cleanups.push(() => h.close());
    return h.store;
  }

  describe(`${name}: the compliance storage contract`, () => {
    describe('opt-out', () => {
      it('a local opt-out is recorded once per source, honoured, audited, and withdrawn (audited)', async () => {
        const store = await setup();
        const rec = { opportunityId: OPP, contactId: CONTACT, source: 'cli' as const, by: 'cli', reason: 'asked' };
        expect(await recordOptOut(store.db, { ...rec, now: 1_000 })).toBe(true);
        expect(await recordOptOut(store.db, { ...rec, now: 2_000 })).toBe(false);
        expect(await recordOptOut(store.db, { ...rec, source: 'admin', by: 'a@x', now: 3_000 })).toBe(true);
        const status = await localOptOutStatus(store.db, OPP);
        expect(status).toEqual({
          optedOut: true,
          sources: [
            { source: 'cli', since: new Date(1_000).toISOString(), by: 'cli' },
            { source: 'admin', since: new Date(3_000).toISOString(), by: 'a@x' },
          ],
          tag: DEFAULT_COMPLIANCE_SETTINGS.optOutTag,
        });
        expect([...(await optedOutOpportunityIds(store.db))]).toEqual([OPP]);
        // Honoured for the person in the talent pool: by contact, and by any of their opportunities.
        const person = { contactId: CONTACT, tags: [], opportunities: [{ id: 'other' }] };
        expect(await isOptedOutPerson(store.db, person)).toBe(true);
        const byOpp = { contactId: 'someone-else', tags: [], opportunities: [{ id: OPP }] };
        expect(await isOptedOutPerson(store.db, byOpp)).toBe(true);
        const free = { contactId: 'free', tags: ['Other tag'], opportunities: [{ id: OPP2 }] };
        expect(await isOptedOutPerson(store.db, free)).toBe(false);

        expect(await withdrawOptOut(store.db, { opportunityId: OPP, by: 'a@x', now: 4_000 })).toBe(2);
        expect(await withdrawOptOut(store.db, { opportunityId: OPP, by: 'a@x', now: 5_000 })).toBe(0);
        expect((await localOptOutStatus(store.db, OPP)).optedOut).toBe(false);
        expect(await isOptedOutPerson(store.db, person)).toBe(false);
        const audited = await compliance(store);
        expect(audited.map((a) => [a.action, a.actor, a.opportunity_id])).toEqual([
          ['compliance.opt-out', 'cli', OPP],
          ['compliance.opt-out', 'a@x', OPP],
          ['compliance.opt-out.withdrawn', 'a@x', OPP],
          ['compliance.opt-out.withdrawn', 'a@x', OPP],
        ]);
        expect(await verifyAuditChain(store)).toMatchObject({ ok: true, rows: 4 });
      });

      it("recorded in a caller's transaction that rolls back, neither the opt-out nor its audit entry exists", async () => {
        const store = await setup();
        await expect(
          store.db.transaction().execute(async (trx) => {
            await recordOptOut(trx, { opportunityId: OPP, contactId: null, source: 'admin', by: 'a@x', now: 1 });
            throw new Error('the causing write failed');
          }),
        ).rejects.toThrow('the causing write failed');
        expect((await localOptOutStatus(store.db, OPP)).optedOut).toBe(false);
        expect(await compliance(store)).toEqual([]);
      });

      it('the Lever tag (case aside) is recorded and audited when first seen, withdrawn when first seen gone', async () => {
        const store = await setup();
        const tagged = { id: OPP, tags: ['FULCRUM:No-Automated-Assessment'], contact: { id: CONTACT } };
        const first = await optOutStatusOf(store.db, tagged, 10);
        expect(first).toMatchObject({ optedOut: true, sources: [{ source: 'lever-tag', by: null }] });
        await optOutStatusOf(store.db, tagged, 20);
        expect(await compliance(store, 'compliance.opt-out')).toHaveLength(1);
        // The contact read from Lever is kept, so their other applications are left out of rediscovery too.
        expect(await isOptedOutPerson(store.db, { contactId: CONTACT, tags: [], opportunities: [] })).toBe(true);
        expect((await optOutStatusOf(store.db, { id: OPP, tags: [] }, 30)).optedOut).toBe(false);
        expect((await compliance(store)).map((a) => a.action)).toEqual([
          'compliance.opt-out',
          'compliance.opt-out.withdrawn',
        ]);
      });

      it('the batch check covers many people at once (more ids than one statement takes) and the configured tag', async () => {
        const store = await setup();
        await writeComplianceSettings(store.db, { ...DEFAULT_COMPLIANCE_SETTINGS, optOutTag: 'no-ai' }, 'a@x', 1);
        await recordOptOut(store.db, { opportunityId: 'opp-2999', contactId: null, source: 'cli', by: 'cli', now: 1 });
        await recordOptOut(store.db, { opportunityId: 'x', contactId: 'c-1500', source: 'cli', by: 'cli', now: 1 });
        const people = Array.from({ length: 3_000 }, (_, i) => ({
          contactId: `c-${i}`,
          tags: i === 7 ? ['No-AI'] : [],
          opportunities: [{ id: `opp-${i}` }],
        }));
        const check = await optOutCheck(store.db, people);
        expect(people.filter(check).map((p) => p.contactId)).toEqual(['c-7', 'c-1500', 'c-2999']);
      });
    });

    it('settings: defaults until written, then what was written with its time', async () => {
      const store = await setup();
      expect(await readComplianceSettings(store.db)).toEqual({
        settings: DEFAULT_COMPLIANCE_SETTINGS,
        updatedAt: null,
      });
      const first = { ...DEFAULT_COMPLIANCE_SETTINGS, organization: 'Acme', contactEmail: 'hiring@acme.example' };
      await writeComplianceSettings(store.db, first, 'a@x', 100);
      await writeComplianceSettings(store.db, { ...first, organization: 'Acme Corp' }, 'b@x', 200);
      expect(await readComplianceSettings(store.db)).toEqual({
        settings: { ...first, organization: 'Acme Corp' },
        updatedAt: 200,
      });
    });

    it('proxy check: a flagged criterion is left out of scoring until an admin confirms it for that posting', async () => {
      const store = await setup();
      const texts = ['5+ years of Go', 'Strong culture fit'];
      const posting = {
        id: 'p1',
        title: 'Engineer',
        team: null,
        location: null,
        text: 'Requirements\n- 5+ years of Go\n- Strong culture fit',
        requirements: texts,
        niceToHave: [],
      };
      expect((await checkCriteria(store.db, 'p1', texts)).map((c) => c.ignoredInScoring)).toEqual([false, true]);
      expect((await guardPosting(store.db, posting)).requirements).toEqual(['5+ years of Go']);
      const confirm = { postingId: 'p1', text: 'Strong  culture FIT', by: 'a@x', now: 1 };
      await setConfirmation(store.db, { ...confirm, confirmed: true });
      await setConfirmation(store.db, { ...confirm, confirmed: true, by: 'b@x', now: 2 });
      expect(await checkCriteria(store.db, 'p1', texts)).toMatchObject([
        { confirmed: false, ignoredInScoring: false },
        { confirmed: true, ignoredInScoring: false },
      ]);
      expect((await guardPosting(store.db, posting)).requirements).toEqual(texts);
      // Confirmed for p1 only.
      expect((await checkCriteria(store.db, 'p2', texts))[1]?.ignoredInScoring).toBe(true);
      await setConfirmation(store.db, { ...confirm, confirmed: false });
      expect((await checkCriteria(store.db, 'p1', texts))[1]?.ignoredInScoring).toBe(true);
    });

    it("notice templates: an admin's template is used and listed as edited until reset to the default", async () => {
      const store = await setup();
      const saved = await saveTemplate(store.db, 'nyc-ll144', 'NYC: write to {{contactEmail}}.', 'a@x', 5);
      expect(saved).toMatchObject({ body: 'NYC: write to {{contactEmail}}.', updatedBy: 'a@x' });
      await saveTemplate(store.db, 'nyc-ll144', 'NYC v2: write to {{contactEmail}}.', 'b@x', 6);
      const nyc = (await listTemplates(store.db)).find((t) => t.jurisdiction === 'nyc-ll144');
      expect(nyc).toMatchObject({ updatedBy: 'b@x', updatedAt: new Date(6).toISOString() });
      await writeComplianceSettings(
        store.db,
        { ...DEFAULT_COMPLIANCE_SETTINGS, contactEmail: 'hiring@acme.example' },
        'a@x',
        7,
      );
      const posting = {
        id: '00000000-0000-4000-8000-000000000001',
        text: 'Engineer',
        categories: { location: 'New York, NY', allLocations: ['New York, NY'] },
        country: 'US',
        content: { lists: [{ text: 'Requirements', content: '<li>5+ years of Go</li>' }] },
      } as Posting;
      const opts = { retentionDays: 180, installJurisdictions: [] };
      const notice = await buildNotice(store.db, posting, opts);
      expect(notice.sections[1]).toMatchObject({ jurisdiction: 'nyc-ll144', edited: true });
      expect(notice.sections[1]?.text).toBe('NYC v2: write to hiring@acme.example.');
      const reset = await saveTemplate(store.db, 'nyc-ll144', null, 'a@x', 8);
      expect(reset).toMatchObject({ updatedAt: null, updatedBy: null });
      expect((await buildNotice(store.db, posting, opts)).sections[1]?.edited).toBe(false);
    });

    it('the EEO view audit entry names who looked and the filters, none of the data', async () => {
      const store = await setup();
      await auditEeoView(
        store,
        { actor: 'a@x', view: 'funnel.csv', filter: { postingIds: ['p1'], minCount: 5, from: '2026-01-01' } },
        1_000,
      );
      const rows = await store.db.selectFrom('audit_log').selectAll().where('action', '=', EEO_VIEW_ACTION).execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ actor: 'a@x', capability: 'funnel', at: 1_000 });
      expect(JSON.parse(rows[0]?.output ?? 'null')).toEqual({
        view: 'funnel.csv',
        postingIds: ['p1'],
        team: null,
        from: '2026-01-01',
        to: null,
        minCount: 5,
      });
      expect(JSON.parse(rows[0]?.lever_ids ?? '[]')).toEqual(['p1']);
    });

    describe('recorded scores and the audit pack', () => {
      let emu: EmulatorHandle;
      beforeAll(async () => {
        emu = await startEmulator({ port: 0, seed: 7, opportunities: 30, ratePerSecond: 1000, burst: 1000 });
      });
      afterAll(async () => emu?.close());
      const emulatorLever = () =>
        createLeverClient({
          baseUrl: emu.apiBaseUrl,
          auth: { kind: 'apiKey', apiKey: emu.apiKey },
          bucket: new TokenBucket(500, 500),
        });

      const match = (store: Store, opportunityId: string, at: number, score: number) =>
        appendAudit(
          store.db,
          {
            actor: 'r@x',
            opportunityId,
            capability: 'match',
            action: 'ai.generate',
            output: { score, verdict: score >= 50 ? 'strong' : 'weak' },
            decision: null,
            leverIds: [opportunityId],
          },
          at,
        );
      const cached = (store: Store, opportunityId: string, hash: string, at: number, score: number) =>
        store.db
          .insertInto('ai_results')
          .values({
            input_hash: hash,
            capability: 'match',
            opportunity_id: opportunityId,
            provider: 'local',
            model: 'm',
            result: JSON.stringify({ score, verdict: 'weak' }),
            created_at: at,
            expires_at: null,
          })
          .execute();

      it('the newest score in the window per opportunity, from the log first and the cache for the rest', async () => {
        const store = await setup();
        await match(store, 'o1', 1_000, 10);
        await match(store, 'o1', 3_000, 30);
        await match(store, 'o1', 9_000, 90); // outside the window
        await match(store, 'o2', 2_000, 20);
        await cached(store, 'o2', 'h-o2', 2_500, 99); // the log holds o2: the cache does not count
        await cached(store, 'o3', 'h-a', 2_000, 40); // read first (by key), but older
        await cached(store, 'o3', 'h-b', 2_600, 60); // the newer cache row wins, whatever the order read
        const scores = await recordedScores(store.db, 500, 5_000);
        expect(Object.fromEntries([...scores].map(([id, s]) => [id, s.score]))).toEqual({ o1: 30, o2: 20, o3: 60 });
      });

      it('joins the recorded scores to the EEO self-reports, filtered by posting', async () => {
        const store = await setup();
        const lever = emulatorLever();
        const eeo = await collect(lever.listEeoResponsesWithPii({ createdAtStart: 0, createdAtEnd: Date.now() }));
        const withEeo = eeo.filter((e) => e.opportunityId).slice(0, 6);
        expect(withEeo.length).toBeGreaterThan(2);
        const now = Date.now();
        for (const [i, e] of withEeo.entries()) await match(store, e.opportunityId as string, now - i, 40 + i);
        // No self-report: its posting is the one the talent-pool sync saw (rd_opportunity).
        const unreported = '00000000-0000-4000-8000-0000000000ff';
        await match(store, unreported, now, 70);
        const today = new Date(now).toISOString().slice(0, 10);
        const pack = await loadAuditPack({ store, lever, now: new Date(now) }, { from: '2000-01-01', to: today });
        expect(pack.sample).toMatchObject({ assessed: withEeo.length + 1, withEeo: withEeo.length });
        const posting = withEeo[0]?.posting;
        const postingId = typeof posting === 'string' ? posting : (posting as { id: string }).id;
        const onPosting = withEeo.filter((e) => {
          const p = e.posting;
          return (typeof p === 'string' ? p : (p as { id: string } | null)?.id) === postingId;
        });
        await sql`INSERT INTO rd_opportunity (opportunity_id, contact_id, updated_at, data)
          VALUES (${unreported}, ${CONTACT}, ${now}, ${JSON.stringify({ postingId })})`.execute(store.db);
        const filtered = await loadAuditPack(
          { store, lever, now: new Date(now) },
          { from: '2000-01-01', to: today, postingId },
        );
        expect(filtered.sample).toMatchObject({ assessed: onPosting.length + 1, withEeo: onPosting.length });
      });

      it('leaves out candidates who opted out of automated assessment (scores recorded before included)', async () => {
        const store = await setup();
        const lever = emulatorLever();
        const eeo = await collect(lever.listEeoResponsesWithPii({ createdAtStart: 0, createdAtEnd: Date.now() }));
        const withEeo = eeo.filter((e) => e.opportunityId).slice(0, 4);
        expect(withEeo.length).toBeGreaterThan(2);
        const now = Date.now();
        for (const [i, e] of withEeo.entries()) await match(store, e.opportunityId as string, now - 10 - i, 40 + i);
        const cachedOnly = '00000000-0000-4000-8000-0000000000fe';
        await cached(store, cachedOnly, 'h-opted', now - 5, 80);
        const today = new Date(now).toISOString().slice(0, 10);
        const q = { from: '2000-01-01', to: today };
        const all = await loadAuditPack({ store, lever, now: new Date(now) }, q);
        expect(all.sample).toMatchObject({ assessed: withEeo.length + 1, withEeo: withEeo.length });
        // One opted out by the CLI (with a self-report), one by a Lever tag seen earlier (from the cache only).
        const optedOut = withEeo[0]?.opportunityId as string;
        await recordOptOut(store.db, { opportunityId: optedOut, contactId: null, source: 'cli', by: 'cli', now });
        await recordOptOut(store.db, {
          opportunityId: cachedOnly,
          contactId: null,
          source: 'lever-tag',
          by: 'lever',
          now,
        });
        const pack = await loadAuditPack({ store, lever, now: new Date(now) }, q);
        expect(pack.sample).toMatchObject({ assessed: withEeo.length - 1, withEeo: withEeo.length - 1 });
      });
    });
  });
}
