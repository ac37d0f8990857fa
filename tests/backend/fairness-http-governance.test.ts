import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAiEngine } from '../../backend/ai/engine.ts';
import { upsertProposal } from '../../backend/automations/context.ts';
import { DAY_MS, runRetention } from '../../backend/governance/retention.ts';
import { SqliteQueue } from '../../backend/jobs/sqlite-queue.ts';
import type { JobStatus } from '../../backend/store/schema.ts';
import { DEFAULT_GOVERNANCE, type Governance, GovernanceResponseSchema } from '../../utils/contracts/governance.ts';
import { automationsFor } from './helpers/automation-deps.ts';
import { type Harness, makeHarness } from './helpers/backend-harness.ts';
import { openTempStore } from './helpers/temp-store.ts';

/**
 * AI governance (issue 8 part 4): admins set what the AI may do; the candidate AI routes obey the capability
 * switches; the retention job deletes what is past the retention period; the audit log downloads as JSONL or CSV.
 */

let h: Harness;
let opp: string;

type ErrorBody = { error: { code: string; message: string } };
const errorOf = async (res: Response) => ((await res.json()) as ErrorBody).error;

const put = (governance: Governance, token = h.adminToken) =>
  h.call('PUT', '/api/admin/governance', { token, body: governance });

beforeAll(async () => {
  h = await makeHarness();
  [opp] = (await h.opportunityIds(1)) as [string];
});
afterAll(() => h?.close());

describe('GET/PUT /api/admin/governance', () => {
  it('is admin-only', async () => {
    expect((await h.call('GET', '/api/admin/governance')).status).toBe(403);
    const res = await put(DEFAULT_GOVERNANCE, h.recruiterToken);
    expect(res.status).toBe(403);
    expect((await errorOf(res)).code).toBe('forbidden');
  });

  it('starts from the defaults (everything on, 180 days) and stores what an admin saves', async () => {
    const first = GovernanceResponseSchema.parse(
      await (await h.call('GET', '/api/admin/governance', { token: h.adminToken })).json(),
    );
    expect(first).toEqual({ governance: DEFAULT_GOVERNANCE, updatedAt: null });

    const wanted: Governance = { ...DEFAULT_GOVERNANCE, automationsMayPropose: false, retentionDays: 30 };
    const saved = await put(wanted);
    expect(saved.status).toBe(200);
    const again = GovernanceResponseSchema.parse(
      await (await h.call('GET', '/api/admin/governance', { token: h.adminToken })).json(),
    );
    expect(again.governance).toEqual(wanted);
    expect(again.updatedAt).not.toBeNull();
    const audit = await h.store.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'governance.update')
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor).toBe(h.adminEmail);
  });

  it('rejects an invalid body with a 400 naming the field, and keeps the stored settings', async () => {
    const res = await h.call('PUT', '/api/admin/governance', {
      token: h.adminToken,
      body: { ...DEFAULT_GOVERNANCE, retentionDays: 0 },
    });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toMatch(/retentionDays/);
    const now = GovernanceResponseSchema.parse(
      await (await h.call('GET', '/api/admin/governance', { token: h.adminToken })).json(),
    );
    expect(now.governance.retentionDays).toBe(30);
  });

  it('a switched-off capability answers 403 capability_disabled; the others keep working', async () => {
    await put({ ...DEFAULT_GOVERNANCE, capabilities: { ...DEFAULT_GOVERNANCE.capabilities, outreach: false } });
    const off = await h.call('POST', `/api/candidates/${opp}/outreach`, {
      body: { tone: 'warm' },
    });
    expect(off.status).toBe(403);
    const error = await errorOf(off);
    expect(error.code).toBe('capability_disabled');
    expect(error.message).toMatch(/Outreach drafting is switched off/);
    expect((await h.call('POST', `/api/candidates/${opp}/match`, { body: {} })).status).toBe(200);
    // Reading the candidate is not an AI capability.
    expect((await h.call('GET', `/api/candidates/${opp}`)).status).toBe(200);

    await put(DEFAULT_GOVERNANCE);
    const on = await h.call('POST', `/api/candidates/${opp}/outreach`, { body: { tone: 'warm' } });
    expect(on.status).toBe(200);
  });
});

describe('automations may propose', () => {
  it('when an admin forbids it, webhook automations create no proposal; allowed again, they do', async () => {
    const logger = pino({ level: 'silent' });
    const deps = automationsFor({
      store: h.store,
      lever: h.lever,
      ai: createAiEngine(),
      queue: new SqliteQueue(h.store, { logger }),
    });
    const input = {
      opportunityId: opp,
      kind: 'tag' as const,
      subject: 'governance-test',
      payload: { addTags: ['fulcrum-governance-test'] },
      reason: 'test',
      provenance: null,
    };
    const count = async () =>
      (await h.store.db.selectFrom('proposals').select('id').where('kind', '=', 'tag').execute()).length;

    await put({ ...DEFAULT_GOVERNANCE, automationsMayPropose: false });
    expect(await upsertProposal(deps, input)).toEqual({ outcome: 'skipped', proposal: null });
    expect(await count()).toBe(0);

    await put(DEFAULT_GOVERNANCE);
    expect((await upsertProposal(deps, input)).outcome).toBe('created');
    expect(await count()).toBe(1);
  });
});

describe('GET /api/admin/audit/export', () => {
  it('downloads every audit row as JSONL or CSV, admins only', async () => {
    const rows = await h.store.db.selectFrom('audit_log').select('id').execute();
    expect(rows.length).toBeGreaterThan(0);

    expect((await h.call('GET', '/api/admin/audit/export')).status).toBe(403);

    const jsonl = await h.call('GET', '/api/admin/audit/export?format=jsonl', { token: h.adminToken });
    expect(jsonl.status).toBe(200);
    expect(jsonl.headers.get('content-disposition')).toMatch(/attachment; filename="fulcrum-audit-.*\.jsonl"/);
    const lines = (await jsonl.text()).trim().split('\n');
    expect(lines).toHaveLength(rows.length);
    expect(JSON.parse(lines[0]!)).toMatchObject({ id: rows[0]!.id, hash: expect.any(String) });

    const csv = await h.call('GET', '/api/admin/audit/export?format=csv', { token: h.adminToken });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const csvLines = (await csv.text()).trim().split('\n');
    expect(csvLines[0]).toMatch(/^id,at,actor/);

    const future = await h.call('GET', '/api/admin/audit/export?format=jsonl&since=2100-01-01', {
      token: h.adminToken,
    });
    expect((await future.text()).trim()).toBe('');
    expect((await h.call('GET', '/api/admin/audit/export?format=xml', { token: h.adminToken })).status).toBe(400);
  });
});

describe('retention job', () => {
  it('deletes AI results and decided proposals older than the retention period, keeps the rest', async () => {
    const { store, cleanup } = await openTempStore();
    try {
      const now = Date.UTC(2026, 10, 26);
      const old = now - 200 * DAY_MS;
      const recent = now - 10 * DAY_MS;
      const aiRow = (hash: string, at: number) => ({
        input_hash: hash,
        capability: 'match',
        opportunity_id: 'o1',
        provider: 'local',
        model: 'fulcrum-local',
        result: '{}',
        created_at: at,
        expires_at: null,
      });
      await store.db
        .insertInto('ai_results')
        .values([aiRow('old', old), aiRow('recent', recent)])
        .execute();
      const proposal = (status: string, at: number) => ({
        id: randomUUID(),
        opportunity_id: 'o1',
        kind: 'match-summary',
        status,
        payload: '{}',
        reason: 'r',
        created_by: 'a@b.c',
        created_at: at,
        updated_at: at,
        decided_by: null,
        result: null,
        error: null,
        source_capability: null,
        provenance: null,
      });
      const rows = {
        oldWritten: proposal('written', old),
        oldDiscarded: proposal('discarded', old),
        oldPending: proposal('pending', old),
        oldFailed: proposal('failed', old),
        recentWritten: proposal('written', recent),
      };
      await store.db.insertInto('proposals').values(Object.values(rows)).execute();
      // A ledger row pointing at an old written proposal must not block its deletion.
      await store.db
        .insertInto('write_ledger')
        .values({
          idempotency_key: 'k1',
          proposal_id: rows.oldWritten.id,
          opportunity_id: 'o1',
          operation: 'note',
          status: 'done',
          lever_object_id: 'n1',
          request: null,
          created_at: old,
          completed_at: old,
        })
        .execute();

      // Finished jobs and received webhook events go too; dead and queued jobs stay (they still need a look).
      const job = (status: JobStatus, at: number) => ({
        type: 'candidateStageChange',
        payload: '{}',
        status,
        attempts: 1,
        max_attempts: 5,
        run_at: at,
        created_at: at,
        updated_at: at,
      });
      await store.db
        .insertInto('jobs')
        .values([job('done', old), job('dead', old), job('queued', old), job('done', recent)])
        .execute();
      const event = (id: string, at: number) => ({
        event_id: id,
        token: `t-${id}`,
        event: 'candidateStageChange',
        triggered_at: at,
        received_at: at,
        payload: '{}',
      });
      await store.db
        .insertInto('webhook_events')
        .values([event('e-old', old), event('e-recent', recent)])
        .execute();

      const result = await runRetention(store, now);
      expect(result).toMatchObject({ aiResults: 1, proposals: 2, jobs: 1, webhookEvents: 1 });
      const jobsLeft = await store.db.selectFrom('jobs').select(['status', 'updated_at']).orderBy('id').execute();
      expect(jobsLeft).toEqual([
        { status: 'dead', updated_at: old },
        { status: 'queued', updated_at: old },
        { status: 'done', updated_at: recent },
      ]);
      const eventsLeft = await store.db.selectFrom('webhook_events').select('event_id').execute();
      expect(eventsLeft.map((r) => r.event_id)).toEqual(['e-recent']);
      const ai = await store.db.selectFrom('ai_results').select('input_hash').execute();
      expect(ai.map((r) => r.input_hash)).toEqual(['recent']);
      const left = (await store.db.selectFrom('proposals').select('id').execute()).map((r) => r.id).sort();
      expect(left).toEqual([rows.oldPending.id, rows.oldFailed.id, rows.recentWritten.id].sort());

      // A shorter retention period set by an admin takes effect on the next run.
      await store.db
        .insertInto('settings')
        .values({
          key: 'governance',
          value: JSON.stringify({ ...DEFAULT_GOVERNANCE, retentionDays: 5 }),
          updated_at: now,
        })
        .execute();
      expect(await runRetention(store, now)).toMatchObject({ aiResults: 1, proposals: 1 });
    } finally {
      await cleanup();
    }
  });
});
