import { describe, expect, it } from 'vitest';
import { AUDIT_TOMBSTONE, appendAudit, verifyAuditChain } from '../../backend/audit/audit-log.ts';
import { requestErasure, retentionPlan, retentionReport } from '../../backend/compliance/retention-policy.ts';
import { writeComplianceSettings } from '../../backend/compliance/settings.ts';
import { findLeftovers } from '../../backend/governance/erase-person.ts';
import { DAY_MS, runRetention } from '../../backend/governance/retention.ts';
import { writeGovernance } from '../../backend/governance/settings.ts';
import type { Store } from '../../backend/store/db.ts';
import { DEFAULT_COMPLIANCE_SETTINGS, RetentionReportSchema } from '../../utils/contracts/compliance.ts';
import { DEFAULT_GOVERNANCE } from '../../utils/contracts/governance.ts';
import { cleanupsAfterEach, openTempStoreUntilCleanup } from './helpers/temp-store.ts';

const NOW = Date.UTC(2026, 10, 1);
const ago = (days: number) => NOW - days * DAY_MS;
const cleanups = cleanupsAfterEach();

async function store(adminDays: number) {
  const { store } = await openTempStoreUntilCleanup(cleanups);
  await writeGovernance(store.db, { ...DEFAULT_GOVERNANCE, retentionDays: adminDays }, NOW);
  return store;
}
function aiResult(s: Store, key: string, opportunityId: string, daysAgo: number) {
  s.sqlite
    .prepare(
      "INSERT INTO ai_results (input_hash, capability, opportunity_id, provider, model, result, created_at) VALUES (?, 'match', ?, 'local', 'm', '{}', ?)",
    )
    .run(key, opportunityId, ago(daysAgo));
}
function proposal(s: Store, id: string, opportunityId: string, status: string, daysAgo: number) {
  s.sqlite
    .prepare(
      "INSERT INTO proposals (id, opportunity_id, kind, status, payload, reason, created_by, created_at, updated_at) VALUES (?, ?, 'tag', ?, '{}', 'r', 'x', ?, ?)",
    )
    .run(id, opportunityId, status, ago(daysAgo), ago(daysAgo));
}
const keys = (s: Store) =>
  (
    s.sqlite.prepare('SELECT input_hash FROM ai_results ORDER BY input_hash').all() as Array<{ input_hash: string }>
  ).map((r) => r.input_hash);
const proposalIds = (s: Store) =>
  (s.sqlite.prepare('SELECT id FROM proposals ORDER BY id').all() as Array<{ id: string }>).map((r) => r.id);
function jurisdictions(s: Store, list: typeof DEFAULT_COMPLIANCE_SETTINGS.jurisdictions) {
  return writeComplianceSettings(s.db, { ...DEFAULT_COMPLIANCE_SETTINGS, jurisdictions: list }, 'admin', NOW);
}

describe('retention keeps what the law requires', () => {
  it('California: AI outputs and decisions are kept 4 years even when the admin period is 180 days', async () => {
    const s = await store(180);
    await jurisdictions(s, ['california-ads']);
    aiResult(s, 'a-1y', 'o1', 365);
    aiResult(s, 'a-3y', 'o1', 3 * 365);
    aiResult(s, 'a-5y', 'o1', 5 * 365);
    proposal(s, 'p-2y', 'o1', 'written', 2 * 365);
    proposal(s, 'p-5y', 'o1', 'discarded', 5 * 365);
    s.sqlite
      .prepare(
        "INSERT INTO jobs (type, payload, status, attempts, max_attempts, run_at, created_at, updated_at) VALUES ('t', '{}', 'done', 1, 1, 0, ?, ?)",
      )
      .run(ago(365), ago(365));
    const before = RetentionReportSchema.parse(
      await retentionReport(s.db, await retentionPlan(s.db, 180, [], NOW), NOW),
    );
    const ai = before.classes.find((c) => c.class === 'ai-outputs')!;
    expect(ai).toMatchObject({ keepDays: 4 * 365 + 1, rows: 3, heldByLaw: 2, dueForDeletion: 1 });
    expect(ai.rules[0]!.citation).toMatch(/California/);
    expect(ai.why).toMatch(/raised to the legal minimum \(california-ads\)/);

    const r = await runRetention(s, NOW);
    expect(keys(s)).toEqual(['a-1y', 'a-3y']);
    expect(proposalIds(s)).toEqual(['p-2y']);
    // Operational records have no legal minimum: the admin period applies.
    expect(r.jobs).toBe(1);
    const after = await retentionReport(s.db, await retentionPlan(s.db, 180, [], NOW), NOW);
    expect(after.classes.every((c) => c.dueForDeletion === 0)).toBe(true);
  });

  it('without a configured jurisdiction the admin period alone applies, and the report says so', async () => {
    const s = await store(180);
    aiResult(s, 'a-1y', 'o1', 365);
    aiResult(s, 'a-10d', 'o1', 10);
    await runRetention(s, NOW);
    expect(keys(s)).toEqual(['a-10d']);
    const report = await retentionReport(s.db, await retentionPlan(s.db, 180, [], NOW), NOW);
    expect(report.jurisdictionsFrom).toBe('none');
    expect(report.notes.join(' ')).toMatch(/No jurisdiction is configured/);
  });

  it('EU AI Act: logs at least 6 months, from the environment when the admin has not chosen', async () => {
    const s = await store(30);
    aiResult(s, 'a-100d', 'o1', 100);
    aiResult(s, 'a-200d', 'o1', 200);
    await runRetention(s, NOW, { jurisdictions: ['eu-ai-act'] });
    expect(keys(s)).toEqual(['a-100d']);
    const report = await retentionReport(s.db, await retentionPlan(s.db, 30, ['eu-ai-act'], NOW), NOW);
    expect(report.jurisdictionsFrom).toBe('environment');
    expect(report.classes.find((c) => c.class === 'audit-log')).toMatchObject({ keepDays: null });
  });

  it('expired consent: the data goes at once, except what California still requires kept', async () => {
    const s = await store(3650);
    const opp = (id: string, expiresAt: number | null) =>
      s.sqlite
        .prepare('INSERT INTO rd_opportunity (opportunity_id, contact_id, data) VALUES (?, ?, ?)')
        .run(id, `c-${id}`, JSON.stringify({ id, storeExpiresAt: expiresAt }));
    opp('gone', ago(1));
    opp('fine', NOW + 30 * DAY_MS);
    aiResult(s, 'gone-1y', 'gone', 365);
    aiResult(s, 'gone-5y', 'gone', 5 * 365);
    aiResult(s, 'fine-1y', 'fine', 365);
    proposal(s, 'gone-pending', 'gone', 'pending', 3);

    // No law configured: everything of the person whose consent expired goes, even within the admin period.
    const r = await runRetention(s, NOW);
    expect(keys(s)).toEqual(['fine-1y']);
    expect(proposalIds(s)).toEqual([]);
    expect(r.mustGo).toMatchObject({ consentExpired: 1, deleted: 3, heldByLaw: 0 });

    // Under California the records younger than 4 years are held, and the report counts them.
    aiResult(s, 'gone-1y', 'gone', 365);
    aiResult(s, 'gone-5y', 'gone', 5 * 365);
    await jurisdictions(s, ['california-ads']);
    const held = await runRetention(s, NOW);
    expect(keys(s)).toEqual(['fine-1y', 'gone-1y']);
    expect(held.mustGo).toMatchObject({ deleted: 1, heldByLaw: 1 });
    const report = await retentionReport(s.db, await retentionPlan(s.db, 3650, [], NOW), NOW);
    expect(report.mustGo.consentExpired).toEqual({ opportunities: 1, rows: 1 });
    const audit = s.sqlite
      .prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'compliance.retention.consent-expired'")
      .get() as { n: number };
    expect(audit.n).toBe(2);
  });

  it('an erasure request erases the person like forget: under a law, only the audit tombstone is kept', async () => {
    const s = await store(3650);
    await jurisdictions(s, ['california-ads']);
    // The person: two opportunities under one contact in the talent-pool index, with text that names them.
    const person = { name: 'Marguerite Okonkwo-Hale', emails: ['marguerite@example.test'] };
    for (const id of ['erase-me', 'erase-me-too']) {
      s.sqlite
        .prepare('INSERT INTO rd_opportunity (opportunity_id, contact_id, data) VALUES (?, ?, ?)')
        .run(id, 'c-erase', JSON.stringify({ id, ...person }));
    }
    aiResult(s, 'e-1y', 'erase-me', 365);
    aiResult(s, 'e-5y', 'erase-me', 5 * 365);
    aiResult(s, 'e2-1y', 'erase-me-too', 365);
    proposal(s, 'e-p', 'erase-me', 'written', 6 * 365);
    proposal(s, 'e-p-recent', 'erase-me', 'written', 30);
    aiResult(s, 'other', 'someone-else', 365);
    // The AI output's audit row, as every capability writes one, naming the candidate in its text.
    await appendAudit(
      s.db,
      {
        actor: 'recruiter@x',
        opportunityId: 'erase-me',
        capability: 'match',
        action: 'match.score',
        output: { summary: `${person.name} has five years of Rust` },
        decision: 'strong',
        leverIds: ['erase-me'],
      },
      ago(365),
    );
    await requestErasure(s.db, 'erase-me', 'admin@x', NOW);
    const r = await runRetention(s, NOW);

    // Everything about the person goes, the rows California would hold included; someone else's stays.
    expect(keys(s)).toEqual(['other']);
    expect(proposalIds(s)).toEqual([]);
    expect(r.mustGo).toMatchObject({ erased: 1, heldByLaw: 0 });
    expect(r.mustGo.deleted).toBeGreaterThanOrEqual(7);
    expect(await findLeftovers(s.db, [person.name, ...person.emails])).toEqual([]);
    // What the law requires stays as the audit tombstone: time, action, decision, hash; no name, email or text.
    const kept = s.sqlite
      .prepare("SELECT action, decision, output, erased_at, at FROM audit_log WHERE action = 'match.score'")
      .get() as { action: string; decision: string; output: string; erased_at: number | null; at: number };
    expect(kept).toEqual({
      action: 'match.score',
      decision: 'strong',
      output: AUDIT_TOMBSTONE,
      erased_at: NOW,
      at: ago(365),
    });
    expect(r.mustGo.auditTombstones).toBe(2); // the AI output's row and the erasure request's own
    expect((await verifyAuditChain(s)).ok).toBe(true);
    // The request is done at once and says what went, in counts only.
    const done = s.sqlite.prepare('SELECT completed_at, result FROM compliance_erasure_requests').get() as {
      completed_at: number | null;
      result: string;
    };
    expect(done.completed_at).toBe(NOW);
    expect(JSON.parse(done.result)).toMatchObject({ auditTombstones: 2, opportunities: 2 });
    expect(done.result).not.toContain(person.name);
    const report = await retentionReport(s.db, await retentionPlan(s.db, 3650, [], NOW), NOW);
    expect(report.mustGo.erasureRequests).toEqual({ pending: 0, done: 1 });
    // A second run has nothing left to do.
    expect((await runRetention(s, NOW)).mustGo).toMatchObject({ erased: 0, deleted: 0 });
  });
});
