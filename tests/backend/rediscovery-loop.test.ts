import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rediscoveredTag } from '../../backend/rediscovery/act.ts';
import { runSync } from '../../backend/rediscovery/sync.ts';
import { ProposalSchema } from '../../utils/contracts/api.ts';
import {
  ActResponseSchema,
  OutreachListSchema,
  OutreachRecordSchema,
  PipelineStagesSchema,
  RediscoverResponseSchema,
} from '../../utils/contracts/rediscovery.ts';
import { type Harness, makeHarness } from './helpers/backend-harness.ts';

/**
 * The act step end to end through the HTTP API the side panel uses, against the Lever emulator: find a past
 * applicant, draft, approve (tag + note), mark the email sent with a stage, approve the stage move. Every write
 * happens once, however often a step is repeated.
 */
let h: Harness;
beforeEach(async () => {
  h = await makeHarness({ emulator: { opportunities: 80 } });
});
afterEach(async () => h.close());

async function ok<T>(res: Response, schema: { parse(v: unknown): T }, status = 200): Promise<T> {
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(status);
  return schema.parse(body);
}

describe('rediscovery act loop over HTTP', () => {
  it('draft → approve → mark sent → approve the stage move: Lever shows the new stage, moved exactly once', async () => {
    await runSync({ store: h.store, lever: h.lever });
    const postingId = [...h.emulator.context.store.postings.keys()][1]!;
    const found = await ok(
      await h.call('POST', `/api/postings/${postingId}/rediscover`, {
        body: { limit: 5, excludeContactedWithinDays: 0 },
      }),
      RediscoverResponseSchema,
    );
    const top = found.results[0]!;
    const oppId = top.latestOpportunityId;
    const opp = () => h.emulator.context.store.opportunity(oppId)!;

    const acted = await ok(
      await h.call('POST', '/api/rediscovery/act', { body: { postingId, contactIds: [top.contactId] } }),
      ActResponseSchema,
      201,
    );
    const draft = acted.outreach[0]!;
    expect(draft.opportunityId).toBe(oppId);
    // A reopened panel finds the draft again, and where each of its proposals stands.
    const listed = async () =>
      (
        await ok(await h.call('GET', `/api/rediscovery/outreach?postingId=${postingId}`), OutreachListSchema)
      ).outreach.find((o) => o.id === draft.id);
    expect(await listed()).toMatchObject({
      tagProposalStatus: 'pending',
      stageProposalId: null,
      stageProposalStatus: null,
    });

    // The draft: tag and note once, however often it is approved.
    for (let i = 0; i < 2; i++) {
      const written = await ok(
        await h.call('POST', `/api/proposals/${draft.tagProposalId}/approve`, { body: { dryRun: false } }),
        ProposalSchema,
      );
      expect(written.status).toBe('written');
    }
    const title = h.emulator.context.store.postings.get(postingId)!.text;
    expect(opp().tags.filter((t) => t === rediscoveredTag(title))).toHaveLength(1);
    expect(await h.noteCount(oppId)).toBe(1);
    expect(await listed()).toMatchObject({ tagProposalStatus: 'written', stageProposalStatus: null });

    // The stages the panel offers come from Lever.
    const { stages, source } = await ok(await h.call('GET', '/api/rediscovery/stages'), PipelineStagesSchema);
    expect(source).toBe('lever');
    expect(stages.map((s) => s.id)).toEqual(h.emulator.context.store.seed.stages.map((s) => s.id));
    const target = stages.find((s) => s.id !== opp().stage && /screen/i.test(s.text)) ?? stages[3]!;
    const movesBefore = opp().stageChanges.length;

    // Mark sent proposes the move and writes nothing; repeating it returns the same proposal.
    const sent = await ok(
      await h.call('POST', `/api/rediscovery/outreach/${draft.id}/sent`, { body: { stageId: target.id } }),
      OutreachRecordSchema,
    );
    expect(sent.sentAt).not.toBeNull();
    const again = await ok(
      await h.call('POST', `/api/rediscovery/outreach/${draft.id}/sent`, { body: { stageId: target.id } }),
      OutreachRecordSchema,
    );
    expect(again.stageProposalId).toBe(sent.stageProposalId);
    expect(opp().stage).not.toBe(target.id);

    const preview = await ok(
      await h.call('POST', `/api/proposals/${sent.stageProposalId}/approve`, { body: { dryRun: true } }),
      ProposalSchema,
    );
    expect(preview).toMatchObject({ kind: 'stage', status: 'pending', payload: { stageId: target.id } });
    expect(opp().stage).not.toBe(target.id);

    for (let i = 0; i < 2; i++) {
      const moved = await ok(
        await h.call('POST', `/api/proposals/${sent.stageProposalId}/approve`, { body: { dryRun: false } }),
        ProposalSchema,
      );
      expect(moved).toMatchObject({ status: 'written', result: { written: ['stage'] } });
    }
    expect(opp().stage).toBe(target.id);
    expect(await listed()).toMatchObject({ stageProposalId: sent.stageProposalId, stageProposalStatus: 'written' });
    expect((await h.call('GET', '/api/rediscovery/outreach?postingId=')).status, 'a posting id is required').toBe(400);
    expect(
      opp()
        .stageChanges.slice(movesBefore)
        .map((c) => c.toStageId),
    ).toEqual([target.id]);
    expect(await h.noteCount(oppId)).toBe(1);

    // The audit trail has both writes, each attributed to the recruiter who approved it.
    const { entries } = (await (await h.call('GET', `/api/audit?opportunityId=${oppId}`)).json()) as {
      entries: Array<{ action: string; actor: string; capability: string }>;
    };
    const writes = entries.filter((e) => e.action === 'lever.write');
    expect(writes).toHaveLength(2);
    for (const w of writes) expect(w).toMatchObject({ actor: h.recruiterEmail, capability: 'rediscovery' });
  });

  it('refuses a stage Lever does not have, and a draft that does not exist', async () => {
    await runSync({ store: h.store, lever: h.lever });
    const missing = await h.call('POST', '/api/rediscovery/outreach/11111111-1111-4111-8111-111111111111/sent', {
      body: { stageId: h.emulator.context.store.seed.stages[0]!.id },
    });
    expect(missing.status).toBe(404);
    const postingId = [...h.emulator.context.store.postings.keys()][1]!;
    const found = RediscoverResponseSchema.parse(
      await (
        await h.call('POST', `/api/postings/${postingId}/rediscover`, { body: { excludeContactedWithinDays: 0 } })
      ).json(),
    );
    const acted = ActResponseSchema.parse(
      await (
        await h.call('POST', '/api/rediscovery/act', { body: { postingId, contactIds: [found.results[0]!.contactId] } })
      ).json(),
    );
    const bad = await h.call('POST', `/api/rediscovery/outreach/${acted.outreach[0]!.id}/sent`, {
      body: { stageId: 'no-such-stage' },
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain('no-such-stage');
  });

  it('a discarded stage move (the wrong stage) can be proposed again with another stage', async () => {
    await runSync({ store: h.store, lever: h.lever });
    const postingId = [...h.emulator.context.store.postings.keys()][1]!;
    const found = await ok(
      await h.call('POST', `/api/postings/${postingId}/rediscover`, { body: { excludeContactedWithinDays: 0 } }),
      RediscoverResponseSchema,
    );
    const acted = await ok(
      await h.call('POST', '/api/rediscovery/act', { body: { postingId, contactIds: [found.results[0]!.contactId] } }),
      ActResponseSchema,
      201,
    );
    const draft = acted.outreach[0]!;
    const opp = () => h.emulator.context.store.opportunity(draft.opportunityId)!;
    const stages = h.emulator.context.store.seed.stages.filter((s) => s.id !== opp().stage);
    const [wrong, right] = [stages[0]!, stages[1]!];
    const sent = (stageId: string) =>
      h
        .call('POST', `/api/rediscovery/outreach/${draft.id}/sent`, { body: { stageId } })
        .then((r) => ok(r, OutreachRecordSchema));
    const movesBefore = opp().stageChanges.length;
    const first = await sent(wrong.id);
    await ok(await h.call('POST', `/api/proposals/${first.stageProposalId}/discard`), ProposalSchema);
    const second = await sent(right.id);
    expect(second.stageProposalId).not.toBe(first.stageProposalId);
    expect(second.sentAt).toBe(first.sentAt);
    await ok(
      await h.call('POST', `/api/proposals/${second.stageProposalId}/approve`, { body: { dryRun: false } }),
      ProposalSchema,
    );
    expect(opp().stage).toBe(right.id);
    expect(
      opp()
        .stageChanges.slice(movesBefore)
        .map((c) => c.toStageId),
    ).toEqual([right.id]);
  });
});
