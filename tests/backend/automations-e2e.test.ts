import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect } from '../../backend/lever/index.ts';
import { ProposalSchema } from '../../utils/contracts/api.ts';
import { type InboxItem, InboxResponseSchema, PolicyResponseSchema } from '../../utils/contracts/automations.ts';
import { type Stack, startStack, waitFor } from './helpers/automations-stack.ts';

/**
 * Issue 9 end to end: the Lever emulator fires real signed webhooks at a real backend (startBackend on loopback,
 * SQLite in a temp dir, local AI engine); everything is observed through the HTTP API and the emulator.
 */

let s: Stack;

beforeAll(async () => {
  s = await startStack();
});
afterAll(async () => {
  await s?.close();
});

async function inbox(token: string): Promise<InboxItem[]> {
  const res = await s.api('GET', '/api/inbox', token);
  expect(res.status).toBe(200);
  return InboxResponseSchema.parse(await res.json()).items;
}

const kindsFor = (items: InboxItem[], opp: string) =>
  items
    .filter((i) => i.opportunityId === opp)
    .map((i) => i.kind)
    .sort();

/** (kind, status, subject) of every proposal of an opportunity: the end state two delivery orders must share. */
function proposalState(opp: string): string[] {
  return (
    s.backend.store.sqlite
      .prepare('SELECT kind, status, source_capability AS subject FROM proposals WHERE opportunity_id = ?')
      .all(opp) as Array<{ kind: string; status: string; subject: string }>
  )
    .map(
      (r) => `${r.kind}|${r.status}|${r.subject.replace(/^automation\.questions:.*$/, 'automation.questions:<stage>')}`,
    )
    .sort();
}

async function idle(): Promise<void> {
  await waitFor(async () => {
    const st = await s.backend.queue.stats();
    return st.running === 0 && (st.oldestDueAt === null || st.queued === 0);
  }, 10_000);
  // The queue polls every 500 ms; one more beat lets a job enqueued by the last one be claimed.
  await new Promise((r) => setTimeout(r, 50));
  await waitFor(async () => (await s.backend.queue.stats()).running === 0, 10_000);
}

async function notesOf(opp: string): Promise<number> {
  return (await collect(s.inspect.listNotes(opp))).length;
}

describe('applicationCreated → inbox', () => {
  it('a strong application reaches the owner’s inbox as score + match summary, tag and outreach within 2 s, writing nothing to Lever', async () => {
    const started = performance.now();
    const opp = await s.apply({ strong: true, name: 'Strong Applicant' });
    const items = await waitFor(async () => {
      const list = await inbox(s.owner.token);
      return kindsFor(list, opp).length >= 3 ? list : null;
    }, 2_000);
    const latencyMs = performance.now() - started;
    console.log(`[automations] application → 3 proposals in the inbox: ${latencyMs.toFixed(0)} ms`);
    expect(items, 'proposals did not reach the inbox within 2 s').toBeTruthy();
    expect(latencyMs).toBeLessThan(2_000);
    const mine = (items ?? []).filter((i) => i.opportunityId === opp);
    expect(mine.map((i) => i.kind).sort()).toEqual(['match-summary', 'outreach', 'tag']);
    const summary = mine.find((i) => i.kind === 'match-summary');
    expect(summary?.candidateName).toBe('Strong Applicant');
    expect(summary?.reason).toMatch(/scored \d+\/100/);
    expect(mine.find((i) => i.kind === 'tag')?.payload.addTags).toEqual(['fulcrum:strong-match']);
    expect(mine.find((i) => i.kind === 'outreach')?.payload.note?.text).toMatch(/Subject:/);

    // The score is stored and audited as the automation.
    const score = s.backend.store.sqlite
      .prepare("SELECT result FROM ai_results WHERE opportunity_id = ? AND capability = 'match'")
      .get(opp) as { result: string } | undefined;
    expect(JSON.parse(score?.result ?? '{}').score).toBeGreaterThanOrEqual(70);
    const audit = s.backend.store.sqlite
      .prepare("SELECT actor, action FROM audit_log WHERE opportunity_id = ? AND action = 'ai.generate'")
      .all(opp);
    expect(audit).toEqual([{ actor: 'automation', action: 'ai.generate' }]);
    // Nothing is written to Lever before a recruiter approves.
    expect(await notesOf(opp)).toBe(0);
    const leverOpp = await s.inspect.getOpportunity(opp);
    expect(leverOpp.tags ?? []).not.toContain('fulcrum:strong-match');

    // Someone who neither owns nor follows the posting does not see it; an admin does.
    expect(kindsFor(await inbox(s.other.token), opp)).toEqual([]);
    expect(kindsFor(await inbox(s.admin.token), opp)).toEqual(['match-summary', 'outreach', 'tag']);
  });

  it('a weak application stores its score and proposes nothing (no noise)', async () => {
    const opp = await s.apply({ strong: false });
    const stored = await waitFor(async () =>
      s.backend.store.sqlite
        .prepare("SELECT result FROM ai_results WHERE opportunity_id = ? AND capability = 'match'")
        .get(opp),
    );
    expect(stored).toBeTruthy();
    await idle();
    expect(JSON.parse((stored as { result: string }).result).score).toBeLessThan(70);
    expect(kindsFor(await inbox(s.admin.token), opp)).toEqual([]);
  });
});

describe('stage changes and archive', () => {
  it('interview stage → questions; debrief stage → feedback synthesis refreshed by the poll; archive drops pending', async () => {
    const opp = await s.apply({ strong: true });
    await waitFor(async () => kindsFor(await inbox(s.owner.token), opp).length >= 3, 3_000);
    const stages = await s.inspect.listStages();
    const phone = stages.find((x) => /phone screen/i.test(x.text));
    const reference = stages.find((x) => /reference/i.test(x.text));
    if (!phone || !reference) throw new Error('emulator stages missing');

    await s.inspect.changeStage(opp, phone.id);
    const q = await waitFor(
      async () => (await inbox(s.owner.token)).find((i) => i.opportunityId === opp && i.kind === 'interview-questions'),
      3_000,
    );
    expect(q?.payload.note?.text).toMatch(/^Questions for Phone screen:/);
    expect(q?.reason).toMatch(/Phone screen/);

    // Debrief with one feedback form: a synthesis; a second form arrives (no webhook): the poll refreshes it.
    const emu = s.emulator.context.store;
    const o = emu.opportunity(opp);
    if (!o) throw new Error('emulator lost the opportunity');
    const form = (n: number) => ({
      id: `fb-${opp}-${n}`,
      opportunityId: opp,
      type: 'interview' as const,
      text: 'Interview feedback',
      instructions: '',
      baseTemplateId: 'tpl',
      fields: [
        { id: 'f1', type: 'score-system', text: 'Overall', required: true, value: 3 },
        {
          id: 'f2',
          type: 'textarea',
          text: 'Comments',
          required: false,
          value: `Solid Python and Redis depth (${n}).`,
        },
      ],
      user: s.owner.leverUserId,
      panel: null,
      interview: null,
      createdAt: Date.now(),
      updatedAt: Date.now(),
      completedAt: Date.now(),
    });
    emu.records(o).feedback.push(form(1));
    await s.inspect.changeStage(opp, reference.id);
    const first = await waitFor(
      async () => (await inbox(s.owner.token)).find((i) => i.opportunityId === opp && i.kind === 'feedback-synthesis'),
      3_000,
    );
    expect(first?.payload.note?.text).toMatch(/\(1 forms\)/);
    const poll = s.backend.store.sqlite
      .prepare(
        "SELECT id, run_at FROM jobs WHERE type = 'automation.feedback-poll' AND status = 'queued' AND payload LIKE ?",
      )
      .get(`%${opp}%`) as { id: number; run_at: number } | undefined;
    expect(poll, 'a feedback poll is scheduled').toBeTruthy();
    expect((poll?.run_at ?? 0) - Date.now()).toBeGreaterThan(9 * 60_000); // default: every 10 minutes

    emu.records(o).feedback.push(form(2));
    // Time travel: make the scheduled poll due now instead of in 10 minutes.
    s.backend.store.sqlite.prepare('UPDATE jobs SET run_at = ? WHERE id = ?').run(Date.now(), poll?.id);
    const refreshed = await waitFor(async () => {
      const it = (await inbox(s.owner.token)).find((i) => i.opportunityId === opp && i.kind === 'feedback-synthesis');
      return it?.payload.note?.text.includes('(2 forms)') ? it : null;
    }, 3_000);
    expect(refreshed?.proposalId).toBe(first?.proposalId); // refreshed in place, not a second pending proposal

    // Archive: every pending proposal of the candidate leaves the inbox, with the reason; the poll stops.
    const reasons = await s.inspect.listArchiveReasons({ type: 'non-hired' });
    await s.inspect.setArchived(opp, { reason: reasons[0]?.id ?? '' });
    await waitFor(async () => kindsFor(await inbox(s.admin.token), opp).length === 0, 3_000);
    expect(kindsFor(await inbox(s.admin.token), opp)).toEqual([]);
    const dropped = s.backend.store.sqlite
      .prepare('SELECT DISTINCT status, error FROM proposals WHERE opportunity_id = ?')
      .all(opp);
    expect(dropped).toEqual([{ status: 'discarded', error: 'Discarded automatically: candidate archived.' }]);
    expect(
      s.backend.store.sqlite.prepare('SELECT 1 FROM automation_polls WHERE opportunity_id = ?').get(opp),
    ).toBeUndefined();
    expect(await notesOf(opp)).toBe(0);
  });
});

describe('candidateDeleted', () => {
  it('a candidate deleted in Lever leaves nothing pending: their proposals are erased, the audit keeps tombstones', async () => {
    const opp = await s.apply({ strong: true });
    await waitFor(async () => kindsFor(await inbox(s.owner.token), opp).length >= 3, 3_000);
    const res = await fetch(`${s.emulator.url}/_admin/opportunities/${opp}`, {
      method: 'DELETE',
      headers: { authorization: `Basic ${Buffer.from(`${s.emulator.apiKey}:`).toString('base64')}` },
    });
    expect(res.status).toBe(204);
    await waitFor(async () => kindsFor(await inbox(s.admin.token), opp).length === 0, 3_000);
    // Issue 14: Lever confirmed the deletion (404), so Fulcrum keeps nothing about the opportunity.
    await waitFor(
      async () =>
        s.backend.store.sqlite.prepare('SELECT id FROM proposals WHERE opportunity_id = ?').all(opp).length === 0,
      3_000,
    );
    const audit = s.backend.store.sqlite
      .prepare('SELECT DISTINCT output FROM audit_log WHERE opportunity_id = ?')
      .all(opp);
    expect(audit).toEqual([{ output: '{"erased":true}' }]);
  });
});

describe('duplicate and out-of-order delivery', () => {
  it('the same events twice, or the stage change before applicationCreated, give the same end state', async () => {
    const stages = await s.inspect.listStages();
    const phone = stages.find((x) => /phone screen/i.test(x.text));
    if (!phone) throw new Error('no phone screen stage');

    // In order, each event delivered twice (two deliveries with distinct ids: the handlers must dedupe).
    const a = await s.apply({ strong: true, origin: 'internal' });
    await s.deliver('applicationCreated', { opportunityId: a, postingId: s.postingId });
    await s.deliver('applicationCreated', { opportunityId: a, postingId: s.postingId });
    await idle();
    await s.inspect.changeStage(a, phone.id); // fires candidateStageChange
    await s.deliver('candidateStageChange', { opportunityId: a, toStageId: phone.id });
    await idle();

    // Out of order: the stage change arrives (and is processed) before applicationCreated, which then arrives twice at once.
    const b = await s.apply({ strong: true, origin: 'internal' });
    await s.inspect.changeStage(b, phone.id);
    await idle();
    await Promise.all([
      s.deliver('applicationCreated', { opportunityId: b, postingId: s.postingId }),
      s.deliver('applicationCreated', { opportunityId: b, postingId: s.postingId }),
    ]);
    await idle();

    const expected = [
      'interview-questions|pending|automation.questions:<stage>',
      'match-summary|pending|automation.match',
      'outreach|pending|automation.outreach:first-contact',
      'tag|pending|automation.strong-match-tag',
    ];
    expect(proposalState(a)).toEqual(expected);
    expect(proposalState(b)).toEqual(expected);
  });
});

describe('follow-ups', () => {
  it('approved + marked sent → a follow-up draft at the follow-up date; a stage move cancels it', async () => {
    const opp = await s.apply({ strong: true });
    const outreach = await waitFor(
      async () => (await inbox(s.owner.token)).find((i) => i.opportunityId === opp && i.kind === 'outreach'),
      3_000,
    );
    if (!outreach) throw new Error('no outreach proposal');
    // Not sendable before approval.
    expect((await s.api('POST', `/api/proposals/${outreach.proposalId}/mark-sent`, s.owner.token, {})).status).toBe(
      409,
    );
    const approved = await s.api('POST', `/api/proposals/${outreach.proposalId}/approve`, s.owner.token, {});
    expect(approved.status).toBe(200);
    expect(ProposalSchema.parse(await approved.json()).status).toBe('written');
    const soon = new Date(Date.now() + 300).toISOString();
    const sent = await s.api('POST', `/api/proposals/${outreach.proposalId}/mark-sent`, s.owner.token, {
      followUpAt: soon,
    });
    expect(sent.status).toBe(200);
    const followUp = await waitFor(
      async () => (await inbox(s.owner.token)).find((i) => i.opportunityId === opp && i.kind === 'outreach'),
      4_000,
    );
    expect(followUp?.payload.note?.text).toMatch(/^Outreach draft \(follow-up\)/);

    // Second candidate: marked sent with the follow-up far away, then they move stage (a reply): cancelled.
    const opp2 = await s.apply({ strong: true });
    const o2 = await waitFor(
      async () => (await inbox(s.owner.token)).find((i) => i.opportunityId === opp2 && i.kind === 'outreach'),
      3_000,
    );
    if (!o2) throw new Error('no outreach proposal');
    await s.api('POST', `/api/proposals/${o2.proposalId}/approve`, s.owner.token, {});
    expect((await s.api('POST', `/api/proposals/${o2.proposalId}/mark-sent`, s.owner.token, {})).status).toBe(200);
    const stages = await s.inspect.listStages();
    await s.inspect.changeStage(opp2, stages.find((x) => /recruiter screen/i.test(x.text))?.id ?? '');
    const row = await waitFor(
      async () =>
        s.backend.store.sqlite
          .prepare(
            "SELECT status, cancel_reason FROM automation_followups WHERE proposal_id = ? AND status = 'cancelled'",
          )
          .get(o2.proposalId),
      3_000,
    );
    expect(row).toEqual({ status: 'cancelled', cancel_reason: 'candidate moved stage' });
  });
});

describe('policy and metrics', () => {
  it('admins set a posting threshold and auto-write; recruiters get 403', async () => {
    expect((await s.api('GET', '/api/admin/policy', s.owner.token)).status).toBe(403);
    expect(
      (
        await s.api('PUT', '/api/admin/policy', s.owner.token, {
          scope: { level: 'global' },
          settings: { threshold: 10 },
        })
      ).status,
    ).toBe(403);
    const put = await s.api('PUT', '/api/admin/policy', s.admin.token, {
      scope: { level: 'posting', postingId: s.postingId },
      settings: { threshold: 60, autoWriteMatchSummary: true },
    });
    expect(put.status).toBe(200);
    expect(PolicyResponseSchema.parse(await put.json()).effective).toMatchObject({
      threshold: 60,
      autoWriteMatchSummary: true,
      interviewQuestions: true,
    });
    expect(
      (
        await s.api('PUT', '/api/admin/policy', s.admin.token, {
          scope: { level: 'global' },
          settings: { threshold: 170 },
        })
      ).status,
    ).toBe(400);

    const opp = await s.apply({ strong: true });
    // The match summary goes straight to Lever, labelled automated; tag and outreach still wait for a click.
    const notes = await waitFor(async () => {
      const n = await collect(s.inspect.listNotes(opp));
      return n.length ? n : null;
    }, 3_000);
    const text = JSON.stringify(notes);
    expect(text).toContain('approved by Fulcrum automation');
    await idle();
    expect(kindsFor(await inbox(s.admin.token), opp)).toEqual(['outreach', 'tag']);
    expect((await s.inspect.getOpportunity(opp)).tags ?? []).not.toContain('fulcrum:strong-match');
    const writes = s.backend.store.sqlite
      .prepare("SELECT actor FROM audit_log WHERE opportunity_id = ? AND action = 'lever.write'")
      .all(opp);
    expect(writes).toEqual([{ actor: 'automation' }]);
    await s.api('PUT', '/api/admin/policy', s.admin.token, {
      scope: { level: 'posting', postingId: s.postingId },
      settings: { threshold: 70, autoWriteMatchSummary: false },
    });
  });

  it('no automation job was dead-lettered along the way', async () => {
    await idle();
    const dead = s.backend.store.sqlite.prepare("SELECT type, last_error FROM jobs WHERE status = 'dead'").all();
    expect(dead).toEqual([]);
  });

  it('/metrics is Prometheus text for admins only', async () => {
    expect((await fetch(`${s.backend.url}/metrics`)).status).toBe(401);
    expect((await s.api('GET', '/metrics', s.owner.token)).status).toBe(403);
    const res = await s.api('GET', '/metrics', s.admin.token);
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toMatch(/^fulcrum_jobs\{status="dead"\} \d+$/m);
    expect(body).toMatch(/^fulcrum_webhooks_total\{event="applicationCreated",outcome="ok"\} [1-9]\d*$/m);
    expect(body).toMatch(/^fulcrum_job_duration_seconds_count\{type="applicationCreated",outcome="done"\} [1-9]\d*$/m);
    expect(body).toMatch(/^fulcrum_lever_requests_total [1-9]\d*$/m);
    expect(body).toMatch(/^fulcrum_webhook_to_proposal_seconds_count\{event="applicationCreated"\} [1-9]\d*$/m);
  });
});
