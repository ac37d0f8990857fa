import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAiEngine } from '../../backend/ai/engine.ts';
import { verifyAuditChain } from '../../backend/audit/audit-log.ts';
import { handleCandidateDeleted } from '../../backend/automations/deleted.ts';
import { findLeftovers, VACUUM_JOB } from '../../backend/governance/erase-person.ts';
import { createLeverClient } from '../../backend/lever/index.ts';
import { runSync } from '../../backend/rediscovery/sync.ts';
import { DB_FILE_NAME } from '../../backend/store/db.ts';
import { automationsFor } from './helpers/automation-deps.ts';
import { type Stack, startStack, waitFor } from './helpers/automations-stack.ts';

/**
 * candidateDeleted end to end: the emulator's signed webhook reaches the backend, the job re-reads Lever, and only a
 * 404 there erases what Fulcrum holds about the opportunity. A delivery for an opportunity Lever still has (forged,
 * or sent by mistake) erases nothing; neither does a Lever that cannot be reached.
 */

let s: Stack;
beforeAll(async () => {
  s = await startStack();
}, 60_000);
afterAll(() => s?.close());

const count = (sql: string, ...params: unknown[]) =>
  (s.backend.store.sqlite.prepare(sql).get(...params) as { n: number }).n;

async function idle(): Promise<void> {
  await waitFor(async () => {
    const st = await s.backend.queue.stats();
    return st.running === 0 && (st.queued === 0 || (st.oldestDueAt ?? 0) > Date.now());
  }, 15_000);
}

/** An applicant the automations have worked on (proposals, score, audit) and the talent-pool sync has indexed. */
async function applicant(name: string): Promise<string> {
  const opp = await s.apply({ strong: true, name });
  await waitFor(async () => count('SELECT count(*) AS n FROM proposals WHERE opportunity_id = ?', opp) >= 3, 10_000);
  await idle();
  await runSync({ store: s.backend.store, lever: s.backend.lever });
  return opp;
}

const stateOf = (opp: string) => ({
  proposals: count('SELECT count(*) AS n FROM proposals WHERE opportunity_id = ?', opp),
  aiResults: count('SELECT count(*) AS n FROM ai_results WHERE opportunity_id = ?', opp),
  watchers: count('SELECT count(*) AS n FROM automation_watchers WHERE opportunity_id = ?', opp),
  index: count('SELECT count(*) AS n FROM rd_opportunity WHERE opportunity_id = ?', opp),
  audit: count('SELECT count(*) AS n FROM audit_log WHERE opportunity_id = ? AND erased_at IS NULL', opp),
});

function doneDeletions(): number {
  return count("SELECT count(*) AS n FROM jobs WHERE type = 'candidateDeleted' AND status IN ('done', 'dead')");
}

describe('candidateDeleted', () => {
  it('for an opportunity Lever still has, erases nothing', async () => {
    const opp = await applicant('Still Here');
    const before = stateOf(opp);
    expect(before.proposals).toBeGreaterThanOrEqual(3);
    expect(before.index).toBe(1);
    const done = doneDeletions();
    const res = await s.deliver('candidateDeleted', { opportunityId: opp, candidateId: opp });
    expect(res.status).toBe(200);
    await waitFor(async () => doneDeletions() > done, 10_000);
    expect(stateOf(opp)).toEqual(before);
    expect((await findLeftovers(s.backend.store.db, ['Still Here'])).length).toBeGreaterThan(0);
  });

  it('when Lever cannot be asked, fails (the queue retries it) and erases nothing', async () => {
    const opp = await applicant('Unreachable Lever');
    const before = stateOf(opp);
    const unreachable = createLeverClient({
      baseUrl: 'http://127.0.0.1:9/v1',
      auth: { kind: 'apiKey', apiKey: 'x-key-123456' },
      maxRetries: 0,
      timeoutMs: 500,
    });
    const deps = automationsFor({
      store: s.backend.store,
      lever: unreachable,
      ai: createAiEngine(),
      queue: s.backend.queue,
    });
    await expect(
      handleCandidateDeleted(deps, { eventId: 'e1', event: 'candidateDeleted', data: { opportunityId: opp } }),
    ).rejects.toThrow();
    expect(stateOf(opp)).toEqual(before);
  });

  it('once Lever answers 404, erases the opportunity everywhere, keeps the audit chain verifiable, and queues a VACUUM', async () => {
    const opp = await applicant('Gwendolyn Erasewell');
    expect(stateOf(opp).audit).toBeGreaterThan(0);
    const done = doneDeletions();
    // Deleting it in Lever makes the emulator send the webhook itself, as Lever does.
    const adminAuth = `Basic ${Buffer.from(`${s.emulator.apiKey}:`).toString('base64')}`;
    const del = await fetch(`${s.emulator.url}/_admin/opportunities/${opp}`, {
      method: 'DELETE',
      headers: { authorization: adminAuth },
    });
    expect(del.status).toBe(204);
    await waitFor(async () => doneDeletions() > done, 10_000);

    expect(stateOf(opp)).toEqual({ proposals: 0, aiResults: 0, watchers: 0, index: 0, audit: 0 });
    expect(
      count('SELECT count(*) AS n FROM audit_log WHERE opportunity_id = ? AND erased_at IS NOT NULL', opp),
    ).toBeGreaterThan(0);
    expect(await findLeftovers(s.backend.store.db, ['Gwendolyn Erasewell'])).toEqual([]);
    expect(await verifyAuditChain(s.backend.store)).toMatchObject({ ok: true });
    // The others are still there.
    expect((await findLeftovers(s.backend.store.db, ['Still Here'])).length).toBeGreaterThan(0);

    // The debounced VACUUM is queued for later; run it now and the name is gone from the files as well.
    const vacuum = s.backend.store.sqlite
      .prepare("SELECT id, run_at FROM jobs WHERE type = ? AND status = 'queued'")
      .get(VACUUM_JOB) as { id: number; run_at: number } | undefined;
    expect(vacuum?.run_at).toBeGreaterThan(Date.now() + 5 * 60_000);
    s.backend.store.sqlite.prepare('UPDATE jobs SET run_at = ? WHERE id = ?').run(Date.now(), vacuum?.id);
    s.backend.queue.notify();
    await waitFor(
      async () => count("SELECT count(*) AS n FROM jobs WHERE type = ? AND status = 'done'", VACUUM_JOB) === 1,
      10_000,
    );
    for (const f of [DB_FILE_NAME, `${DB_FILE_NAME}-wal`]) {
      const file = path.join(s.dataDir, f);
      if (!fs.existsSync(file)) continue;
      const text = fs.readFileSync(file).toString('latin1').toLowerCase();
      expect(text.includes('gwendolyn'), f).toBe(false);
      expect(text.includes('erasewel'), f).toBe(false);
    }
  });
});
