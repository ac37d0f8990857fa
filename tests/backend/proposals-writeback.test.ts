import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ProposalListSchema, ProposalSchema } from '../../utils/contracts/api.ts';
import { type Harness, makeHarness } from './helpers/backend-harness.ts';

/**
 * Approved write-back against the Lever emulator: exactly one note per proposal whatever happens (double clicks,
 * 429s, 5xx, a lost response), the AI-assisted label with the approving recruiter and model, one note per
 * opportunity per kind updated in place, dry runs that write nothing.
 */

let h: Harness;
let opps: string[];

beforeAll(async () => {
  h = await makeHarness({ leverTimeoutMs: 400 });
  opps = await h.opportunityIds(8);
});
afterAll(() => h?.close());
// A failed assertion must not leave faults on for the next test.
afterEach(() => h.setFaults({ errorRate: 0, force429: 0, latencyMs: 0 }));

async function createProposal(opportunityId: string, text: string, kind = 'match-summary') {
  const res = await h.call('POST', '/api/proposals', {
    body: { opportunityId, kind, payload: { note: { text } }, reason: 'test' },
  });
  expect(res.status).toBe(201);
  return ProposalSchema.parse(await res.json());
}

const approve = (id: string, body: unknown = {}) => h.call('POST', `/api/proposals/${id}/approve`, { body });

async function latest(opportunityId: string) {
  const { proposals } = ProposalListSchema.parse(
    await (await h.call('GET', `/api/proposals?opportunityId=${opportunityId}`)).json(),
  );
  return proposals[0]!;
}

describe('approve', () => {
  it('writes one labelled note naming the approving recruiter, with perform_as resolved from the email', async () => {
    const opp = opps[0]!;
    const p = await createProposal(opp, 'Strong TypeScript background; ask about on-call.');
    const res = await approve(p.id);
    expect(res.status).toBe(200);
    const written = ProposalSchema.parse(await res.json());
    expect(written.status).toBe('written');
    expect(written.result?.noteId).toBeTruthy();
    expect(written.result?.written).toEqual(['note']);

    const note = await h.inspect.getNote(opp, written.result!.noteId!);
    const value = note.fields?.[0]?.value ?? '';
    expect(value).toMatch(/^\[Fulcrum · AI-assisted\] Match summary — approved by .+/);
    expect(value).toContain('Strong TypeScript background');
    expect(value).toContain(`[fulcrum-proposal:${p.id}]`);
    expect(written.preview.noteText).toBe(value);
    // Attributed to the recruiter's Lever user (perform_as), not left anonymous.
    const user = typeof note.user === 'string' ? note.user : note.user?.id;
    const row = await h.store.db
      .selectFrom('recruiters')
      .select('lever_user_id')
      .where('email', '=', h.recruiterEmail)
      .executeTakeFirstOrThrow();
    expect(row.lever_user_id).toBeTruthy();
    expect(user).toBe(row.lever_user_id);
    expect(await h.noteCount(opp)).toBe(1);
  });

  it('a double click (concurrent approvals) writes one note; both answers show the proposal', async () => {
    const opp = opps[1]!;
    const p = await createProposal(opp, 'Double click test.');
    const [a, b] = await Promise.all([approve(p.id), approve(p.id)]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    const after = await latest(opp);
    expect(after.status).toBe('written');
    // A third approve after the fact changes nothing either.
    expect((await approve(p.id)).status).toBe(200);
    expect(await h.noteCount(opp)).toBe(1);
  });

  it('dry run returns the exact text and writes nothing', async () => {
    const opp = opps[2]!;
    const p = await createProposal(opp, 'Dry run only.');
    const res = await approve(p.id, { dryRun: true });
    expect(res.status).toBe(200);
    const preview = ProposalSchema.parse(await res.json());
    expect(preview.status).toBe('pending');
    expect(preview.preview.noteText).toContain('[Fulcrum · AI-assisted] Match summary — approved by');
    expect(preview.preview.noteText).toContain('Dry run only.');
    expect(await h.noteCount(opp)).toBe(0);
    const ledger = await h.store.db.selectFrom('write_ledger').selectAll().where('proposal_id', '=', p.id).execute();
    expect(ledger).toHaveLength(0);
  });

  it('keeps one note per opportunity per kind: a second approved summary updates the first note', async () => {
    const opp = opps[3]!;
    const first = ProposalSchema.parse(await (await approve((await createProposal(opp, 'First summary.')).id)).json());
    const second = ProposalSchema.parse(
      await (await approve((await createProposal(opp, 'Second summary.')).id)).json(),
    );
    expect(second.status).toBe('written');
    expect(second.result?.noteId).toBe(first.result?.noteId);
    expect(await h.noteCount(opp)).toBe(1);
    const note = await h.inspect.getNote(opp, second.result!.noteId!);
    expect(note.fields?.[0]?.value).toContain('Second summary.');
  });

  it('survives 429s and 5xx from Lever: failed with a message, approve again succeeds, one note', async () => {
    const opp = opps[4]!;
    const p = await createProposal(opp, 'Written through faults.');
    await h.setFaults({ errorRate: 1 });
    const failed = await approve(p.id);
    expect(failed.status).toBeGreaterThanOrEqual(500);
    const err = (await failed.json()) as { error: { code: string; message: string } };
    expect(err.error.code).toBe('lever_unavailable');
    const stored = await latest(opp);
    expect(stored.status).toBe('failed');
    expect(stored.error).toMatch(/Approve again/);

    // Rate limited beyond the client's retries, then recovering.
    await h.setFaults({ errorRate: 0, force429: 20 });
    const limited = await approve(p.id);
    expect(limited.status).toBe(503);
    await h.setFaults({ force429: 2 });
    let last: Response = await approve(p.id);
    for (let i = 0; i < 5 && last.status !== 200; i++) last = await approve(p.id);
    expect(last.status).toBe(200);
    expect(ProposalSchema.parse(await last.json()).status).toBe('written');
    expect(await h.noteCount(opp)).toBe(1);
  });

  it('a write whose answer was lost (timeout after Lever created the note) is adopted, not posted twice', async () => {
    const opp = opps[5]!;
    const p = await createProposal(opp, 'Lost answer.');
    // Lever is slower than the client's 400 ms timeout: the POST lands, the answer never arrives.
    await h.setFaults({ latencyMs: 700 });
    const lost = await approve(p.id);
    expect(lost.status).toBeGreaterThanOrEqual(500);
    await new Promise((r) => setTimeout(r, 900));
    await h.setFaults({ latencyMs: 0 });
    expect(await h.noteCount(opp)).toBe(1);
    const res = await approve(p.id);
    expect(res.status).toBe(200);
    const written = ProposalSchema.parse(await res.json());
    expect(written.status).toBe('written');
    expect(await h.noteCount(opp)).toBe(1);
    const notes = await h.inspect.getNote(opp, written.result!.noteId!);
    expect(notes.fields?.[0]?.value).toContain(`[fulcrum-proposal:${p.id}]`);
  });

  it('audits approval and the Lever write with the proposal, actor and Lever ids', async () => {
    const opp = opps[0]!;
    const res = await h.call('GET', `/api/audit?opportunityId=${opp}`);
    expect(res.status).toBe(200);
    const { entries } = (await res.json()) as {
      entries: Array<{ action: string; actor: string; leverIds: string[]; decision: string | null }>;
    };
    const actions = entries.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['proposal.create', 'proposal.approve', 'lever.write']));
    const write = entries.find((e) => e.action === 'lever.write' && e.decision === 'written')!;
    expect(write.actor).toBe(h.recruiterEmail);
    expect(write.leverIds.length).toBe(2);
  });
});

describe('edit and discard', () => {
  it('edits a pending proposal, then refuses to edit or discard it once written', async () => {
    const opp = opps[6]!;
    const p = await createProposal(opp, 'Before edit.');
    const edited = await h.call('PATCH', `/api/proposals/${p.id}`, {
      body: { payload: { note: { text: 'After edit.' }, addTags: ['fulcrum-reviewed'] } },
    });
    expect(edited.status).toBe(200);
    const e = ProposalSchema.parse(await edited.json());
    expect(e.preview.noteText).toContain('After edit.');
    const written = ProposalSchema.parse(await (await approve(p.id)).json());
    expect(written.result?.written).toEqual(['note', 'addTags']);
    const opportunity = await h.inspect.getOpportunity(opp);
    expect(opportunity.tags).toContain('fulcrum-reviewed');
    expect(
      (await h.call('PATCH', `/api/proposals/${p.id}`, { body: { payload: { note: { text: 'x' } } } })).status,
    ).toBe(409);
    expect((await h.call('POST', `/api/proposals/${p.id}/discard`)).status).toBe(409);
  });

  it('discarding writes nothing and approving a discarded proposal does not write', async () => {
    const opp = opps[7]!;
    const p = await createProposal(opp, 'Discard me.');
    const d = ProposalSchema.parse(await (await h.call('POST', `/api/proposals/${p.id}/discard`)).json());
    expect(d.status).toBe('discarded');
    const a = ProposalSchema.parse(await (await approve(p.id)).json());
    expect(a.status).toBe('discarded');
    expect(await h.noteCount(opp)).toBe(0);
  });
});
