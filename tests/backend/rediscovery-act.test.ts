import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAiEngine } from '../../backend/ai/engine.ts';
import { toPostingInput } from '../../backend/candidates/load-candidate.ts';
import { createAudit } from '../../backend/http/audit.ts';
import type { EmulatorHandle } from '../../backend/lever-emulator/server.ts';
import { ProposalRepo } from '../../backend/proposals/repo.ts';
import { type Actor, ProposalService } from '../../backend/proposals/service.ts';
import { WriteBack } from '../../backend/proposals/write-back.ts';
import { draftReengagement, markOutreachSent, rediscoveredTag } from '../../backend/rediscovery/act.ts';
import { rediscover } from '../../backend/rediscovery/rediscover.ts';
import { runSync } from '../../backend/rediscovery/sync.ts';
import type { Store } from '../../backend/store/db.ts';
import { openTempStore } from './helpers/temp-store.ts';
import { clientFor, testEmulator } from './lever-helpers.ts';

let emu: EmulatorHandle;
let t: { store: Store; cleanup(): Promise<void> };
beforeEach(async () => {
  emu = await testEmulator({ opportunities: 120 });
  t = await openTempStore();
});
afterEach(async () => {
  await emu.close();
  await t.cleanup();
});

describe('rediscovery act step', () => {
  it('drafts a re-engagement email that cites the earlier application, and writes to Lever only after approval', async () => {
    const lever = clientFor(emu);
    await runSync({ store: t.store, lever });
    const seedUser = emu.context.store.seed.users[0]!;
    const actor: Actor = { id: 'r1', email: seedUser.email, name: seedUser.name, leverUserId: seedUser.id };
    const clock = () => Date.now();
    const proposals = new ProposalService(
      new ProposalRepo(t.store, clock),
      new WriteBack(t.store, lever, clock),
      createAudit(t.store),
      clock,
      async () => seedUser.id,
    );
    const posting = toPostingInput(await lever.getPosting([...emu.context.store.postings.keys()][1]!));
    const [top] = rediscover(t.store, posting, { limit: 3 }).results;
    expect(top).toBeDefined();

    const deps = { store: t.store, ai: createAiEngine(), proposals };
    const res = await draftReengagement(deps, actor, posting, [top!.contactId, 'no-such-contact'], 'warm');
    expect(res.skipped).toEqual([
      { contactId: 'no-such-contact', reason: expect.stringContaining('not in the talent pool') },
    ]);
    const [draft] = res.outreach;
    const earlier = top!.past.applications[0]!.postingTitle!;
    expect(draft!.body).toContain(earlier);
    expect(draft!.body).toContain(posting.title);

    const opp = () => emu.context.store.opportunity(top!.latestOpportunityId)!;
    expect(opp().tags).not.toContain(rediscoveredTag(posting.title));
    const pending = await proposals.mustGet(draft!.tagProposalId);
    expect(pending).toMatchObject({ status: 'pending', kind: 'rediscovery', opportunityId: top!.latestOpportunityId });
    expect(pending.payload.note?.text).toContain(draft!.subject);

    await proposals.approve(actor, draft!.tagProposalId, false);
    expect(opp().tags).toContain(rediscoveredTag(posting.title));

    // Marking the email sent proposes (does not perform) the stage move; repeating it does not add a second one.
    // Two at once (a double click) keep one pending stage move too.
    const stage = emu.context.store.seed.stages[3]!;
    const [sent, twin] = await Promise.all([
      markOutreachSent(deps, actor, draft!.id, stage.id, stage.text),
      markOutreachSent(deps, actor, draft!.id, stage.id, stage.text),
    ]);
    expect(twin).toEqual(sent);
    expect(sent.sentAt).not.toBeNull();
    expect(await markOutreachSent(deps, actor, draft!.id, stage.id, stage.text)).toEqual(sent);
    const moves = await proposals.list({ opportunityId: top!.latestOpportunityId, status: 'pending' });
    expect(moves.filter((p) => p.kind === 'stage').map((p) => p.id)).toEqual([sent.stageProposalId]);
    const move = await proposals.mustGet(sent.stageProposalId!);
    expect(move).toMatchObject({ kind: 'stage', status: 'pending', payload: { stageId: stage.id } });
    expect(opp().stage).not.toBe(stage.id);
    await proposals.approve(actor, move.id, false);
    expect(opp().stage).toBe(stage.id);
  });
});
