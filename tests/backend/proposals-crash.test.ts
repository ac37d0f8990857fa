import { spawn } from 'node:child_process';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAiEngine } from '../../backend/ai/engine.ts';
import { createApp } from '../../backend/app.ts';
import { APPROVAL_LEASE_MS } from '../../backend/proposals/service.ts';
import { ProposalSchema } from '../../utils/contracts/api.ts';
import { type Harness, makeHarness } from './helpers/backend-harness.ts';

/**
 * kill -9 in the middle of a write-back: a separate backend process approves, its note POST reaches Lever, and the
 * process dies before recording the note id. After the approval lease expires, approving again in another process
 * adopts the note Lever already has (found by the proposal marker) instead of posting a second one.
 */

let h: Harness;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(() => h?.close());

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

describe('crash during write-back', () => {
  it('a process killed mid-write leaves exactly one note after the retry', async () => {
    const [opp] = (await h.opportunityIds(1)) as [string];
    const created = await h.call('POST', '/api/proposals', {
      body: { opportunityId: opp, kind: 'match-summary', payload: { note: { text: 'Crash-safe summary.' } } },
    });
    const proposal = ProposalSchema.parse(await created.json());
    // Earlier requests mapped perform_as (first use), so the note POST is the only slow call the child makes.
    expect((await h.call('POST', `/api/proposals/${proposal.id}/approve`, { body: { dryRun: true } })).status).toBe(
      200,
    );
    await h.setFaults({ latencyMs: 1500 });

    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'tests/backend/helpers/approve-child.ts',
        h.dataDir,
        h.emulator.apiBaseUrl,
        h.emulator.apiKey,
        h.recruiterToken,
        proposal.id,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise<number | null>((r) =>
      child.once('exit', (_code, signal) => r(signal === 'SIGKILL' ? -9 : _code)),
    );
    // Wait until the child has recorded that a note POST may be going out, then kill it while Lever is still working.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const started = await h.store.db
        .selectFrom('write_ledger')
        .select('status')
        .where('proposal_id', '=', proposal.id)
        .where('operation', '=', 'note-create')
        .executeTakeFirst();
      if (started?.status === 'started') break;
      if (Date.now() > deadline) throw new Error('child never started the write');
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGKILL');
    expect(await exited).toBe(-9);

    // Lever finishes the POST the dead process sent.
    await new Promise((r) => setTimeout(r, 1500));
    await h.setFaults({ latencyMs: 0 });
    expect(await h.noteCount(opp)).toBe(1);
    const stuck = ProposalSchema.parse(
      ((await (await h.call('GET', `/api/proposals?opportunityId=${opp}`)).json()) as { proposals: unknown[] })
        .proposals[0],
    );
    expect(stuck.status).toBe('approved');

    // Within the lease, a second approval does nothing; after it, a new process resumes and adopts the note.
    expect(
      ProposalSchema.parse(await (await h.call('POST', `/api/proposals/${proposal.id}/approve`)).json()).status,
    ).toBe('approved');
    const later = createApp({
      config: h.config,
      store: h.store,
      lever: h.lever,
      ai: createAiEngine(),
      queue: { stop: async () => {} } as never,
      logger: pino({ level: 'silent' }),
      now: () => new Date(Date.now() + APPROVAL_LEASE_MS + 1000),
    });
    const res = await later.request(`/api/proposals/${proposal.id}/approve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.recruiterToken}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(200);
    const written = ProposalSchema.parse(await res.json());
    expect(written.status).toBe('written');
    expect(await h.noteCount(opp)).toBe(1);
  }, 60_000);
});
