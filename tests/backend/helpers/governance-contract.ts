import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import {
  AUDIT_ERASE_ACTION,
  AUDIT_TOMBSTONE,
  appendAudit,
  verifyAuditChain,
} from '../../../backend/audit/audit-log.ts';
import {
  consentExpired,
  requestErasure,
  retentionPlan,
  retentionReport,
} from '../../../backend/compliance/retention-policy.ts';
import { writeComplianceSettings } from '../../../backend/compliance/settings.ts';
import { erasePerson, findLeftovers, resolvePersonLocally } from '../../../backend/governance/erase-person.ts';
import { DAY_MS, runRetention } from '../../../backend/governance/retention.ts';
import {
  automationsMayPropose,
  GOVERNANCE_KEY,
  readGovernance,
  writeGovernance,
} from '../../../backend/governance/settings.ts';
import {
  type IndexItem,
  indexOpportunities,
  type SyncedOpportunity,
} from '../../../backend/rediscovery/index-store.ts';
import { indexOpportunitiesPostgres } from '../../../backend/rediscovery/index-store-postgres.ts';
import type { Store } from '../../../backend/store/db.ts';
import { DEFAULT_COMPLIANCE_SETTINGS, RetentionReportSchema } from '../../../utils/contracts/compliance.ts';
import { DEFAULT_GOVERNANCE } from '../../../utils/contracts/governance.ts';
import { cleanupsAfterEach } from './temp-store.ts';

/** One store for a test, on the engine under test, and how to close it. */
export type GovernanceHarness = { store: Store; close(): Promise<void> };

const NOW = Date.UTC(2026, 10, 1);
const ago = (days: number) => NOW - days * DAY_MS;

// Ada (two opportunities under one contact) is erased; Bo is someone else who must stay untouched.
const ADA = {
  contact: '00000000-0000-4000-8000-0000000000a0',
  opps: ['00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000a2'],
  name: 'Adelheid Quillfeather',
  email: 'adelheid@example.org',
};
const BO = {
  contact: '00000000-0000-4000-8000-0000000000b0',
  opps: ['00000000-0000-4000-8000-0000000000b1'],
  name: 'Bartholomew Nightingale',
  email: 'bartholomew@example.org',
};

function synced(id: string, p: typeof ADA, o: Partial<SyncedOpportunity> = {}): SyncedOpportunity {
  return {
    id,
    contactId: p.contact,
    name: p.name,
    headline: null,
    location: 'Lisbon',
    emails: [p.email],
    postingId: null,
    postingTitle: null,
    stageId: null,
    stageText: null,
    bestStageIndex: 1,
    bestStageText: null,
    archived: null,
    tags: [],
    createdAt: ago(100),
    updatedAt: ago(10),
    lastInteractionAt: null,
    contactAllowed: true,
    storeExpiresAt: null,
    confidential: false,
    feedback: null,
    notes: [],
    ...o,
  };
}

/** The talent-pool index as each engine's own sync writes it (rediscovery/index-store*.ts). */
async function index(store: Store, items: IndexItem[]): Promise<void> {
  if (store.dialect === 'postgres') await indexOpportunitiesPostgres(store.db, items, ago(1));
  else indexOpportunities(store.sqlite, items, ago(1));
}

const count = async (store: Store, table: string, where = sql`1 = 1`) =>
  Number(
    (await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(table)} WHERE ${where}`.execute(store.db)).rows[0]
      ?.n,
  );

/** Everything Fulcrum keeps about one person, in every kind of table erasure covers. */
async function seedPerson(store: Store, p: typeof ADA, resumes: string[]): Promise<void> {
  await index(
    store,
    p.opps.map((id, i) => ({
      opportunity: synced(id, p, { headline: `${p.name} headline ${i}` }),
      resumeText: resumes[i] ?? null,
    })),
  );
  const db = store.db;
  for (const [i, opp] of p.opps.entries()) {
    const pid = `${opp}-p`;
    await db
      .insertInto('proposals')
      .values({
        id: pid,
        opportunity_id: opp,
        kind: 'note',
        status: i === 0 ? 'written' : 'pending',
        payload: JSON.stringify({ text: `About ${p.name}` }),
        reason: 'r',
        created_by: 'x',
        created_at: ago(5),
        updated_at: ago(5),
      })
      .execute();
    await db
      .insertInto('write_ledger')
      .values({
        idempotency_key: `${pid}-k`,
        proposal_id: pid,
        opportunity_id: opp,
        operation: 'note',
        status: 'done',
        created_at: ago(5),
      })
      .execute();
    await sql`INSERT INTO automation_followups (proposal_id, opportunity_id, follow_up_date, status, updated_at)
      VALUES (${pid}, ${opp}, '2026-12-01', 'draft', ${ago(5)})`.execute(db);
    await sql`INSERT INTO automation_watchers (opportunity_id, user_ids, candidate_name, updated_at)
      VALUES (${opp}, '[]', ${p.name}, ${ago(5)})`.execute(db);
    await db
      .insertInto('lever_notes')
      .values({ opportunity_id: opp, kind: 'match', note_id: `${opp}-n`, created_at: ago(5), updated_at: ago(5) })
      .execute();
    await db
      .insertInto('ai_results')
      .values({
        input_hash: `${opp}-h`,
        capability: 'match',
        opportunity_id: opp,
        provider: 'local',
        model: 'm',
        result: JSON.stringify({ score: 70, verdict: 'yes', summary: `${p.name} fits` }),
        created_at: ago(5),
      })
      .execute();
    await db
      .insertInto('jobs')
      .values({
        type: 'webhook',
        payload: JSON.stringify({ opportunityId: opp }),
        status: 'done',
        attempts: 1,
        max_attempts: 3,
        run_at: ago(5),
        created_at: ago(5),
        updated_at: ago(5),
      })
      .execute();
    await db
      .insertInto('webhook_events')
      .values({
        event_id: randomUUID(),
        token: randomUUID(),
        event: 'candidateStageChange',
        triggered_at: ago(5),
        received_at: ago(5),
        payload: JSON.stringify({ data: { opportunityId: opp } }),
      })
      .execute();
    await appendAudit(
      db,
      {
        actor: 'ana@example.com',
        opportunityId: opp,
        capability: 'match',
        action: 'ai.generate',
        output: { score: 70, verdict: 'yes', summary: `${p.name} <${p.email}> fits` },
        leverIds: [opp],
      },
      ago(5),
    );
  }
  await sql`INSERT INTO rd_outreach (id, contact_id, opportunity_id, posting_id, subject, body, tag_proposal_id, created_by, created_at)
    VALUES (${`${p.contact}-o`}, ${p.contact}, ${p.opps[0]}, 'post', 'Hello', ${`Dear ${p.name}`}, 'tp', 'x', ${ago(5)})`.execute(
    db,
  );
  await sql`INSERT INTO rd_result (posting_id, response, computed_at)
    VALUES (${`${p.contact}-post`}, ${JSON.stringify({ results: [{ name: p.name }] })}, ${ago(5)})`.execute(db);
  await db
    .insertInto('talent_pool')
    .values({
      contact_id: p.contact,
      opportunity_ids: JSON.stringify(p.opps),
      name: p.name,
      text: 'x',
      updated_at: ago(5),
    })
    .execute();
}

/** What each table holds about a person: one number per table, so both engines can be compared. */
async function footprint(store: Store, p: typeof ADA): Promise<Record<string, number>> {
  const opps = sql.join(p.opps);
  const inOpps = (col: string) => sql`${sql.ref(col)} IN (${opps})`;
  return {
    proposals: await count(store, 'proposals', inOpps('opportunity_id')),
    write_ledger: await count(store, 'write_ledger', inOpps('opportunity_id')),
    automation_followups: await count(store, 'automation_followups', inOpps('opportunity_id')),
    automation_watchers: await count(store, 'automation_watchers', inOpps('opportunity_id')),
    lever_notes: await count(store, 'lever_notes', inOpps('opportunity_id')),
    ai_results: await count(store, 'ai_results', inOpps('opportunity_id')),
    rd_opportunity: await count(store, 'rd_opportunity', inOpps('opportunity_id')),
    rd_person: await count(store, 'rd_person', sql`contact_id = ${p.contact}`),
    rd_skill: await count(store, 'rd_skill', sql`rid IN (SELECT rid FROM rd_person WHERE contact_id = ${p.contact})`),
    rd_outreach: await count(store, 'rd_outreach', sql`contact_id = ${p.contact}`),
    rd_result: await count(store, 'rd_result', sql`posting_id = ${`${p.contact}-post`}`),
    talent_pool: await count(store, 'talent_pool', sql`contact_id = ${p.contact}`),
    jobs: await count(store, 'jobs', sql`payload LIKE ${`%${p.opps[0]}%`}`),
    webhook_payloads: await count(store, 'webhook_events', sql`payload LIKE ${`%${p.opps[0]}%`}`),
    audit_payloads: await count(store, 'audit_log', sql`output LIKE ${`%${p.name}%`}`),
  };
}

const NONE = (f: Record<string, number>) => Object.fromEntries(Object.keys(f).map((k) => [k, 0]));

/**
 * What governance storage promises (erasure, retention, settings), run unchanged against SQLite
 * (tests/backend/governance-storage.test.ts) and PostgreSQL (tests/postgres/governance-pg.test.ts).
 */
export function describeGovernanceContract(name: string, open: () => Promise<GovernanceHarness>): void {
  const cleanups = cleanupsAfterEach();
  async function setup(): Promise<Store> {
    const h = await open();
    cleanups.push(() => h.close());
    return h.store;
  }
  async function seeded(): Promise<Store> {
    const store = await setup();
    await seedPerson(store, ADA, ['Ada knows kubernetes and python', 'Ada later learned terraform']);
    await seedPerson(store, BO, ['Bo knows java']);
    return store;
  }

  describe(`${name}: the governance storage contract`, () => {
    describe('erasure', () => {
      it('erases the person everywhere, tombstones their audit payloads, keeps Bo, and the chain verifies', async () => {
        const store = await seeded();
        const before = await footprint(store, ADA);
        expect(
          Object.values(before).every((n) => n > 0),
          JSON.stringify(before),
        ).toBe(true);
        const boBefore = await footprint(store, BO);

        const target = await resolvePersonLocally(store.db, { email: ADA.email.toUpperCase().toLowerCase() });
        expect(target.contactIds).toEqual([ADA.contact]);
        expect([...target.opportunityIds].sort()).toEqual(ADA.opps);
        expect(target.names).toContain(ADA.name);
        const summary = await erasePerson(store.db, target, { actor: 'cli:ops', reason: 'forget', now: NOW });

        // The same summary on both engines: every kind of row, counted.
        expect(summary).toEqual({
          opportunityIds: ADA.opps,
          contactIds: [ADA.contact],
          removed: {
            'Lever write-ledger entries': 2,
            'follow-ups': 2,
            'rows of automation_watchers': 2,
            'rows of lever_notes': 2,
            proposals: 2,
            'outreach drafts': 1,
            'talent-pool opportunities': 2,
            'talent-pool people (keyword, skill and vector index entries)': 1,
            'cached rediscovery results': 1,
            'cached AI results': 2,
            'queued or finished jobs': 2,
            'webhook payloads': 2,
            'talent-pool placeholder rows': 1,
          },
          auditErased: 2,
        });
        expect(await footprint(store, ADA)).toEqual(NONE(before));
        expect(await footprint(store, BO)).toEqual(boBefore);
        // The audit rows keep their place; their payloads are the tombstone, listed in one erasure record.
        const audit = await store.db
          .selectFrom('audit_log')
          .select(['output', 'erased_at'])
          .where('opportunity_id', 'in', ADA.opps)
          .execute();
        expect(audit).toEqual([
          { output: AUDIT_TOMBSTONE, erased_at: NOW },
          { output: AUDIT_TOMBSTONE, erased_at: NOW },
        ]);
        expect(
          await store.db.selectFrom('audit_log').select('actor').where('action', '=', AUDIT_ERASE_ACTION).execute(),
        ).toEqual([{ actor: 'cli:ops' }]);
        expect(await verifyAuditChain(store)).toMatchObject({ ok: true, erased: 2 });
        // No text column anywhere still holds their name, email or ids (audit rows keep only the ids).
        expect(
          await findLeftovers(store.db, [ADA.name, ADA.email, ADA.contact, ...ADA.opps], {
            skip: { audit_log: ['opportunity_id', 'lever_ids'] },
          }),
        ).toEqual([]);
        expect((await findLeftovers(store.db, [BO.name])).length).toBeGreaterThan(0);
        // Erasing again finds nothing left to do.
        const again = await erasePerson(store.db, target, { actor: 'cli:ops', reason: 'forget', now: NOW });
        expect(again).toMatchObject({ removed: {}, auditErased: 0 });
      });

      it('two erasures of the same person at once (two instances, or the CLI and a retention run) both finish', async () => {
        const store = await seeded();
        const before = await footprint(store, ADA);
        const target = await resolvePersonLocally(store.db, { contactId: ADA.contact });
        const [a, b] = await Promise.all([
          erasePerson(store.db, target, { actor: 'one', reason: 'forget', now: NOW }),
          erasePerson(store.db, target, { actor: 'two', reason: 'forget', now: NOW }),
        ]);
        // Each row is erased once: the tombstones are listed by exactly one erasure record between them.
        expect(a.auditErased + b.auditErased).toBe(2);
        expect(await footprint(store, ADA)).toEqual(NONE(before));
        const records = await store.db
          .selectFrom('audit_log')
          .select('output')
          .where('action', '=', AUDIT_ERASE_ACTION)
          .execute();
        expect(
          records.flatMap((r) => (JSON.parse(r.output ?? '{}') as { erasedAuditIds: number[] }).erasedAuditIds),
        ).toHaveLength(2);
        expect(await verifyAuditChain(store)).toMatchObject({ ok: true, erased: 2 });
      });

      it('one opportunity (candidateDeleted): the person is rebuilt from what is left', async () => {
        const store = await seeded();
        const [gone, kept] = ADA.opps as [string, string];
        const summary = await erasePerson(
          store.db,
          { scope: 'opportunity', opportunityIds: [gone], contactIds: [], names: [], emails: [] },
          { actor: 'automation', reason: 'candidateDeleted', now: NOW },
        );
        expect(summary.removed).toMatchObject({ proposals: 1, 'talent-pool opportunities': 1 });
        expect(summary.removed['talent-pool people (keyword, skill and vector index entries)']).toBeUndefined();
        const person = await sql<{ doc: string; summary: string; updated_at: number | string }>`
          SELECT doc, summary, updated_at FROM rd_person WHERE contact_id = ${ADA.contact}`.execute(store.db);
        expect(person.rows).toHaveLength(1);
        const [row] = person.rows;
        expect(row?.doc).toContain('terraform');
        expect(row?.doc).not.toContain('kubernetes');
        expect(Number(row?.updated_at)).toBe(NOW);
        expect((JSON.parse(row?.summary ?? '{}') as { opportunities: Array<{ id: string }> }).opportunities).toEqual([
          expect.objectContaining({ id: kept }),
        ]);
        expect(await count(store, 'rd_opportunity', sql`opportunity_id = ${kept}`)).toBe(1);
        expect(await count(store, 'proposals', sql`opportunity_id = ${kept}`)).toBe(1);
        expect(await verifyAuditChain(store)).toMatchObject({ ok: true });
      });

      it('an erasure that fails midway leaves nothing half-erased', async () => {
        const store = await seeded();
        const before = await footprint(store, ADA);
        const auditBefore = await store.db.selectFrom('audit_log').selectAll().orderBy('id').execute();
        // The last step (tombstoning the audit payloads) fails, after every delete ran in the same transaction.
        if (store.dialect === 'postgres') {
          await sql`CREATE FUNCTION fail_audit_update() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'injected failure'; END $$`.execute(store.db);
          await sql`CREATE TRIGGER fail_audit_update BEFORE UPDATE ON audit_log
            FOR EACH ROW EXECUTE FUNCTION fail_audit_update()`.execute(store.db);
        } else {
          await sql`CREATE TRIGGER fail_audit_update BEFORE UPDATE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'injected failure'); END`.execute(store.db);
        }
        const target = await resolvePersonLocally(store.db, { contactId: ADA.contact });
        await expect(erasePerson(store.db, target, { actor: 'cli', reason: 'forget', now: NOW })).rejects.toThrow(
          /injected failure/,
        );
        await sql`DROP TRIGGER fail_audit_update${store.dialect === 'postgres' ? sql` ON audit_log` : sql``}`.execute(
          store.db,
        );
        expect(await footprint(store, ADA)).toEqual(before);
        expect(await store.db.selectFrom('audit_log').selectAll().orderBy('id').execute()).toEqual(auditBefore);
        expect(await verifyAuditChain(store)).toMatchObject({ ok: true });
        // The store is usable afterwards, and the erasure then goes through.
        const summary = await erasePerson(store.db, target, { actor: 'cli', reason: 'forget', now: NOW });
        expect(summary.auditErased).toBe(2);
        expect(await footprint(store, ADA)).toEqual(NONE(before));
      });
    });

    describe('retention', () => {
      it('plan, report and run: the admin period, legal minimums, consent expiry and erasure requests', async () => {
        const store = await setup();
        await writeGovernance(store.db, { ...DEFAULT_GOVERNANCE, retentionDays: 180 }, NOW);
        // California keeps AI outputs and decisions 4 years (compliance settings, read by the plan).
        await writeComplianceSettings(
          store.db,
          { ...DEFAULT_COMPLIANCE_SETTINGS, jurisdictions: ['california-ads'] },
          'admin',
          NOW,
        );
        const aiResult = (key: string, opp: string, days: number) =>
          store.db
            .insertInto('ai_results')
            .values({
              input_hash: key,
              capability: 'match',
              opportunity_id: opp,
              provider: 'l',
              model: 'm',
              result: '{}',
              created_at: ago(days),
            })
            .execute();
        const proposal = (id: string, opp: string, status: string, days: number) =>
          store.db
            .insertInto('proposals')
            .values({
              id,
              opportunity_id: opp,
              kind: 'tag',
              status,
              payload: '{}',
              reason: 'r',
              created_by: 'x',
              created_at: ago(days),
              updated_at: ago(days),
            })
            .execute();
        await aiResult('a-1y', 'o1', 365);
        await aiResult('a-5y', 'o1', 5 * 365);
        await proposal('p-2y', 'o1', 'written', 2 * 365);
        await proposal('p-5y', 'o1', 'discarded', 5 * 365);
        await proposal('p-pending-5y', 'o1', 'pending', 5 * 365);
        await store.db
          .insertInto('jobs')
          .values({
            type: 't',
            payload: '{}',
            status: 'done',
            attempts: 1,
            max_attempts: 1,
            run_at: 0,
            created_at: ago(365),
            updated_at: ago(365),
          })
          .execute();
        await store.db
          .insertInto('webhook_events')
          .values({
            event_id: 'e1',
            token: 't1',
            event: 'x',
            triggered_at: ago(365),
            received_at: ago(365),
            payload: '{}',
          })
          .execute();
        // A consent that expired: their recent AI output and proposal would go, but California holds them 4 years.
        await index(store, [
          { opportunity: synced('expired', BO, { contactId: 'c-expired', storeExpiresAt: ago(1) }) },
          { opportunity: synced('consenting', BO, { contactId: 'c-ok', storeExpiresAt: NOW + DAY_MS }) },
        ]);
        await aiResult('expired-new', 'expired', 10);
        await proposal('expired-pending', 'expired', 'pending', 10);
        // Older than any law's hold and still pending (the admin period spares pending ones): consent expiry takes it.
        await proposal('expired-pending-5y', 'expired', 'pending', 5 * 365);
        expect(await consentExpired(store.db, NOW)).toEqual(['expired']);
        // An erasure request (audited), carried out by the run.
        await seedPerson(store, ADA, ['Ada knows kubernetes']);
        const req = await requestErasure(store.db, ADA.opps[0] as string, 'admin@x', NOW);
        expect(req).toBeGreaterThan(0);

        const plan = await retentionPlan(store.db, 180, [], NOW);
        expect(plan).toMatchObject({ jurisdictions: ['california-ads'], from: 'admin', adminDays: 180 });
        expect(plan.cutoffs.aiOutputs).toBe(ago(4 * 365 + 1)); // four years, one of them a leap year
        expect(plan.cutoffs.operational).toBe(ago(180));
        const report = RetentionReportSchema.parse(await retentionReport(store.db, plan, NOW));
        const ai = report.classes.find((c) => c.class === 'ai-outputs');
        // a-1y, a-5y, expired-new and Ada's two cached results.
        expect(ai).toMatchObject({ keepDays: 4 * 365 + 1, rows: 5, heldByLaw: 1, dueForDeletion: 1 });
        expect(report.classes.find((c) => c.class === 'decisions')).toMatchObject({
          rows: 3,
          heldByLaw: 1,
          dueForDeletion: 1,
        });
        expect(report.classes.find((c) => c.class === 'operational')).toMatchObject({ dueForDeletion: 2 });
        expect(report.mustGo).toEqual({
          consentExpired: { opportunities: 1, rows: 3 },
          erasureRequests: { pending: 1, done: 0 },
          heldByLaw: 3,
        });

        const r = await runRetention(store, NOW);
        expect(r).toMatchObject({ aiResults: 1, proposals: 1, jobs: 1 });
        expect(r.mustGo).toMatchObject({ consentExpired: 1, erased: 1, heldByLaw: 2 });
        // Their two match outputs and the request's own entry (it names their opportunity).
        expect(r.mustGo.auditTombstones).toBe(3);
        const keys = (await store.db.selectFrom('ai_results').select('input_hash').orderBy('input_hash').execute()).map(
          (x) => x.input_hash,
        );
        // The expired person's rows stay while California holds them; Ada's are erased.
        expect(keys).toEqual(['a-1y', 'expired-new']);
        expect((await store.db.selectFrom('proposals').select('id').orderBy('id').execute()).map((x) => x.id)).toEqual([
          'expired-pending',
          'p-2y',
          'p-pending-5y',
        ]);
        const done = await store.db.selectFrom('compliance_erasure_requests').selectAll().executeTakeFirstOrThrow();
        expect(Number(done.completed_at)).toBe(NOW);
        expect(JSON.parse(done.result ?? '{}')).toMatchObject({ auditTombstones: 3, opportunities: 2 });
        expect(await footprint(store, ADA)).toEqual(NONE(await footprint(store, ADA)));
        const actions = (
          await store.db
            .selectFrom('audit_log')
            .select('action')
            .where('capability', '=', 'compliance')
            .orderBy('id')
            .execute()
        ).map((x) => x.action);
        expect(actions).toEqual([
          'compliance.erasure.request',
          'compliance.retention.consent-expired',
          'compliance.erasure.done',
        ]);
        expect(await verifyAuditChain(store)).toMatchObject({ ok: true });
        const after = await retentionReport(store.db, await retentionPlan(store.db, 180, [], NOW), NOW);
        expect(after.mustGo.erasureRequests).toEqual({ pending: 0, done: 1 });
        // A second run finds nothing more to do.
        expect((await runRetention(store, NOW)).mustGo).toMatchObject({ erased: 0, deleted: 0 });
      });
    });

    describe('settings', () => {
      it('governance: defaults until written, round-trips, and an old or unreadable row falls back field by field', async () => {
        const store = await setup();
        expect(await readGovernance(store.db)).toEqual({ governance: DEFAULT_GOVERNANCE, updatedAt: null });
        expect(await automationsMayPropose(store.db)).toBe(DEFAULT_GOVERNANCE.automationsMayPropose);
        const changed = { ...DEFAULT_GOVERNANCE, retentionDays: 42, automationsMayPropose: false };
        await writeGovernance(store.db, changed, NOW);
        expect(await readGovernance(store.db)).toEqual({ governance: changed, updatedAt: NOW });
        // A store reads the same as its Kysely.
        expect(await readGovernance(store)).toEqual({ governance: changed, updatedAt: NOW });
        expect(await automationsMayPropose(store.db)).toBe(false);
        // Written twice: one row, the newer value.
        await writeGovernance(store.db, { ...changed, retentionDays: 43 }, NOW + 1);
        expect((await readGovernance(store.db)).governance.retentionDays).toBe(43);
        expect(await count(store, 'settings', sql`key = ${GOVERNANCE_KEY}`)).toBe(1);
        // An older version's row (fewer fields) keeps its values and gets the new fields' defaults.
        await store.db
          .updateTable('settings')
          .set({ value: JSON.stringify({ retentionDays: 7 }) })
          .where('key', '=', GOVERNANCE_KEY)
          .execute();
        expect((await readGovernance(store.db)).governance).toEqual({ ...DEFAULT_GOVERNANCE, retentionDays: 7 });
        await store.db.updateTable('settings').set({ value: '{not json' }).where('key', '=', GOVERNANCE_KEY).execute();
        expect((await readGovernance(store.db)).governance).toEqual(DEFAULT_GOVERNANCE);
        // A bad value is refused before anything is written.
        await expect(writeGovernance(store.db, { ...changed, retentionDays: -1 }, NOW)).rejects.toThrow();
        // Inside a transaction that rolls back, nothing is kept.
        await expect(
          store.db.transaction().execute(async (trx) => {
            await writeGovernance(trx, { ...changed, retentionDays: 99 }, NOW);
            expect((await readGovernance(trx)).governance.retentionDays).toBe(99);
            throw new Error('roll back');
          }),
        ).rejects.toThrow('roll back');
        expect((await readGovernance(store.db)).governance).toEqual(DEFAULT_GOVERNANCE);
      });
    });
  });
}
