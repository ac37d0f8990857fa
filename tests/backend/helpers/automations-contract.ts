import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { verifyAuditChain } from '../../../backend/audit/audit-log.ts';
import { closeCandidate } from '../../../backend/automations/close-candidate.ts';
import { type AutomationDeps, recordWatchers, stopPoll, upsertProposal } from '../../../backend/automations/context.ts';
import { cancelFollowUps, rememberFollowUpDate } from '../../../backend/automations/follow-up.ts';
import { listInbox } from '../../../backend/automations/inbox.ts';
import { metricsFor } from '../../../backend/automations/metrics.ts';
import { deleteAiResultsBefore, readCached, writeCached } from '../../../backend/candidates/ai-results.ts';
import { createLeverClient, type Opportunity, type Posting, TokenBucket } from '../../../backend/lever/index.ts';
import {
  type AutomationProposalInput,
  discardPendingOf,
  hasProposalAbout,
  upsertAutomationProposal,
} from '../../../backend/proposals/automation-proposals.ts';
import type { Store } from '../../../backend/store/db.ts';
import { withTransaction } from '../../../backend/store/dialect.ts';
import type { Provenance } from '../../../utils/contracts/ai.ts';
import { DEFAULT_GOVERNANCE } from '../../../utils/contracts/governance.ts';
import { cleanupsAfterEach } from './temp-store.ts';

/**
 * One store for a test on the engine under test, how to close it, and `twin()`: a second store on the same database
 * (another backend instance: on PostgreSQL its own pool), or null where the engine has one writer per database.
 */
export type AutomationsHarness = { store: Store; twin(): Promise<Store | null>; close(): Promise<void> };

const OPP = '00000000-0000-4000-8000-0000000000a1';
const OPP2 = '00000000-0000-4000-8000-0000000000a2';
const ACTOR = 'automation';

const provenance: Provenance = {
  provider: 'local',
  model: 'linear-match',
  version: '1',
  promptVersion: 'p1',
  inputHash: 'h1',
  latencyMs: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
};

const input = (over: Partial<AutomationProposalInput> = {}): AutomationProposalInput => ({
  opportunityId: OPP,
  kind: 'tag',
  subject: 'automation.strong-match-tag',
  payload: { addTags: ['fulcrum:strong-match'] },
  reason: 'Score 90 is at or above the threshold (70).',
  provenance,
  ...over,
});

let tick = 1_000;
const now = () => ++tick;

const proposalsOf = (store: Store, opportunityId = OPP) =>
  store.db
    .selectFrom('proposals')
    .selectAll()
    .where('opportunity_id', '=', opportunityId)
    .orderBy('created_at')
    .execute();

const auditOf = (store: Store, action: string) =>
  store.db
    .selectFrom('audit_log')
    .select(['actor', 'opportunity_id', 'capability', 'output', 'decision'])
    .where('action', '=', action)
    .orderBy('id')
    .execute();

const outputOf = (row: { output: string | null }) =>
  z
    .object({ proposalId: z.string() })
    .loose()
    .parse(JSON.parse(row.output ?? 'null'));

/** Admin governance as the settings route stores it (one row; the module's helpers change signature in issue 17). */
async function setGovernance(store: Store, governance: typeof DEFAULT_GOVERNANCE): Promise<void> {
  const value = JSON.stringify(governance);
  await store.db
    .insertInto('settings')
    .values({ key: 'governance', value, updated_at: now() })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: now() }))
    .execute();
}

/** The handlers' dependencies that storage needs: the real store, clock and metrics (Lever is never called). */
function depsOf(store: Store): AutomationDeps {
  const lever = createLeverClient({
    baseUrl: 'http://127.0.0.1:9/v1',
    auth: { kind: 'apiKey', apiKey: 'unused' },
    bucket: new TokenBucket(1, 1),
  });
  return { store, lever, now, metrics: metricsFor(store) } as unknown as AutomationDeps;
}

/**
 * What the automations' storage promises, run unchanged against SQLite (tests/backend/automations-storage.test.ts)
 * and PostgreSQL (tests/postgres/automations-pg.test.ts): one proposal per opportunity and subject however often a
 * job is replayed or however many writers race, each step audited in the proposal's transaction; follow-up rows;
 * the inbox; metrics; the ai_results cache.
 */
export function describeAutomationsContract(name: string, open: () => Promise<AutomationsHarness>): void {
  const cleanups = cleanupsAfterEach();
  async function setup(): Promise<AutomationsHarness> {
    const h = await open();
    cleanups.push(() => h.close());
    return h;
  }

  describe(`${name}: the automations storage contract`, () => {
    describe('automation proposals', () => {
      it('are created once per subject: a replayed job changes nothing, a new payload refreshes, a decided subject is not re-proposed', async () => {
        const { store } = await setup();
        const first = await upsertAutomationProposal(store.db, ACTOR, now, input());
        expect(first.outcome).toBe('created');
        expect(first.proposal).toMatchObject({ opportunityId: OPP, kind: 'tag', status: 'pending', createdBy: ACTOR });

        // The same webhook job again (redelivery, retry): no second proposal, no second audit entry.
        const replay = await upsertAutomationProposal(store.db, ACTOR, now, input());
        expect(replay).toEqual({ outcome: 'unchanged', proposal: first.proposal });
        expect(await proposalsOf(store)).toHaveLength(1);
        const created = await auditOf(store, 'proposal.create');
        expect(created).toHaveLength(1);
        expect(created[0]).toMatchObject({
          actor: ACTOR,
          opportunity_id: OPP,
          capability: 'automation.strong-match-tag',
        });
        expect(outputOf(created[0] as { output: string | null }).proposalId).toBe(first.proposal?.id);
        expect(await hasProposalAbout(store.db, OPP, 'tag', 'automation.strong-match-tag')).toBe(true);
        expect(await hasProposalAbout(store.db, OPP, 'tag', 'other')).toBe(false);

        // New content for the same (opportunity, kind): the pending proposal is refreshed in place.
        const refreshed = await upsertAutomationProposal(
          store.db,
          ACTOR,
          now,
          input({ payload: { addTags: ['fulcrum:strong-match', 'x'] } }),
        );
        expect(refreshed.outcome).toBe('refreshed');
        expect(refreshed.proposal?.id).toBe(first.proposal?.id);
        expect(refreshed.proposal?.payload).toEqual({ addTags: ['fulcrum:strong-match', 'x'] });
        expect(await proposalsOf(store)).toHaveLength(1);
        expect(await auditOf(store, 'proposal.refresh')).toHaveLength(1);

        // Once decided (here discarded), the subject is never proposed again.
        expect(await discardPendingOf(store.db, ACTOR, now, OPP, 'candidate archived')).toEqual([first.proposal?.id]);
        expect(await upsertAutomationProposal(store.db, ACTOR, now, input())).toEqual({
          outcome: 'skipped',
          proposal: null,
        });
        expect(await proposalsOf(store)).toHaveLength(1);
        // A different subject of the same kind is a new proposal.
        const next = await upsertAutomationProposal(store.db, ACTOR, now, input({ subject: 'automation.other' }));
        expect(next.outcome).toBe('created');
        expect(await proposalsOf(store)).toHaveLength(2);
        expect((await verifyAuditChain(store)).ok).toBe(true);
      });

      it('concurrent writers for the same subject produce exactly one proposal and one audit entry', async () => {
        const h = await setup();
        const twin = await h.twin();
        if (twin) cleanups.push(() => twin.close());
        const stores = twin ? [h.store, twin] : [h.store];
        for (let round = 0; round < 3; round++) {
          const opp = `00000000-0000-4000-8000-00000000b${round}00`;
          const results = await Promise.all(
            Array.from({ length: 8 }, (_, i) =>
              upsertAutomationProposal(
                (stores[i % stores.length] as Store).db,
                ACTOR,
                now,
                input({ opportunityId: opp }),
              ),
            ),
          );
          expect(results.filter((r) => r.outcome === 'created')).toHaveLength(1);
          expect(results.filter((r) => r.outcome === 'unchanged')).toHaveLength(7);
          expect(new Set(results.map((r) => r.proposal?.id)).size).toBe(1);
          expect(await proposalsOf(h.store, opp)).toHaveLength(1);
        }
        expect(await auditOf(h.store, 'proposal.create')).toHaveLength(3);
        expect((await verifyAuditChain(h.store)).ok).toBe(true);
      });

      it('the audit entry is written in the proposal’s transaction: a failed audit leaves no proposal, and a caller’s rollback takes both', async () => {
        const { store } = await setup();
        // An empty model name is refused by the audit log, after the proposal row was inserted.
        await expect(
          upsertAutomationProposal(store.db, ACTOR, now, input({ provenance: { ...provenance, model: '' } })),
        ).rejects.toThrow();
        expect(await proposalsOf(store)).toHaveLength(0);
        expect(await auditOf(store, 'proposal.create')).toHaveLength(0);

        await expect(
          withTransaction(store.db, async (trx) => {
            const r = await upsertAutomationProposal(trx, ACTOR, now, input());
            expect(r.outcome).toBe('created');
            throw new Error('the caller failed after the upsert');
          }),
        ).rejects.toThrow('the caller failed');
        expect(await proposalsOf(store)).toHaveLength(0);
        expect(await auditOf(store, 'proposal.create')).toHaveLength(0);
        expect((await verifyAuditChain(store)).ok).toBe(true);
      });

      it('discarding drops every pending proposal of the opportunity, each audited, and leaves others alone', async () => {
        const { store } = await setup();
        const a = await upsertAutomationProposal(store.db, ACTOR, now, input());
        const b = await upsertAutomationProposal(
          store.db,
          ACTOR,
          now,
          input({ kind: 'match-summary', subject: 'automation.match', payload: { note: { text: 'Match 90' } } }),
        );
        const other = await upsertAutomationProposal(store.db, ACTOR, now, input({ opportunityId: OPP2 }));
        const dropped = await discardPendingOf(store.db, ACTOR, now, OPP, 'candidate hired');
        expect(new Set(dropped)).toEqual(new Set([a.proposal?.id, b.proposal?.id]));
        expect((await proposalsOf(store)).map((p) => [p.status, p.decided_by, p.error])).toEqual([
          ['discarded', ACTOR, 'Discarded automatically: candidate hired.'],
          ['discarded', ACTOR, 'Discarded automatically: candidate hired.'],
        ]);
        expect((await proposalsOf(store, OPP2)).map((p) => p.status)).toEqual(['pending']);
        const audit = await auditOf(store, 'proposal.discard');
        expect(new Set(audit.map((r) => outputOf(r).proposalId))).toEqual(new Set(dropped));
        expect(audit.every((r) => r.decision === 'discarded' && r.opportunity_id === OPP)).toBe(true);
        // Nothing pending any more: a second discard is a no-op.
        expect(await discardPendingOf(store.db, ACTOR, now, OPP, 'candidate hired')).toEqual([]);
        expect(other.outcome).toBe('created');
      });

      it('upsertProposal honours the governance switch and counts what it created in the store’s metrics', async () => {
        const { store } = await setup();
        const deps = depsOf(store);
        await setGovernance(store, { ...DEFAULT_GOVERNANCE, automationsMayPropose: false });
        expect(await upsertProposal(deps, input())).toEqual({ outcome: 'skipped', proposal: null });
        expect(await proposalsOf(store)).toHaveLength(0);
        await setGovernance(store, DEFAULT_GOVERNANCE);
        expect((await upsertProposal(deps, input())).outcome).toBe('created');
        expect((await upsertProposal(deps, input())).outcome).toBe('unchanged');
        // metricsFor needs only the Kysely store: the same registry for the same store, on either engine.
        expect(metricsFor(store)).toBe(deps.metrics);
        const text = metricsFor(store).render(
          { queued: 0, running: 0, done: 0, dead: 0, retrying: 0, oldestDueAt: null },
          { requests: 0, rateLimited: 0, retries: 0, errors: 0 },
        );
        expect(text).toContain('fulcrum_automation_proposals_total{kind="tag",outcome="created"} 1');
        expect(text).not.toContain('outcome="unchanged"');
      });
    });

    describe('follow-ups, polls and the candidate leaving', () => {
      const followUps = (store: Store) =>
        store.db.selectFrom('automation_followups').selectAll().orderBy('proposal_id').execute();

      it('a draft keeps its follow-up date until sent; cancelling stops it; a cancelled row is not revived', async () => {
        const { store } = await setup();
        const deps = depsOf(store);
        await rememberFollowUpDate(deps, 'p1', OPP, '2026-02-01');
        await rememberFollowUpDate(deps, 'p1', OPP, '2026-02-03');
        await rememberFollowUpDate(deps, 'p2', OPP2, '2026-02-05');
        expect((await followUps(store)).map((r) => [r.proposal_id, r.status, r.follow_up_date])).toEqual([
          ['p1', 'draft', '2026-02-03'],
          ['p2', 'draft', '2026-02-05'],
        ]);
        // What markSent writes: the row becomes scheduled with the stage at send.
        await store.db
          .updateTable('automation_followups')
          .set({ status: 'scheduled', stage_at_send: 'stage-1', sent_at: now(), run_at: now() })
          .where('proposal_id', '=', 'p1')
          .execute();
        expect(await cancelFollowUps(deps, OPP, 'candidate moved stage')).toBe(1);
        expect(await cancelFollowUps(deps, OPP, 'candidate moved stage')).toBe(0);
        await rememberFollowUpDate(deps, 'p1', OPP, '2026-03-01');
        expect((await followUps(store))[0]).toMatchObject({
          status: 'cancelled',
          cancel_reason: 'candidate moved stage',
          follow_up_date: '2026-02-03',
        });
      });

      it('a deleted candidate leaves nothing pending: proposals discarded, follow-ups cancelled, poll stopped, pool updated', async () => {
        const { store } = await setup();
        const deps = depsOf(store);
        const p = await upsertAutomationProposal(store.db, ACTOR, now, input());
        await rememberFollowUpDate(deps, p.proposal?.id ?? '', OPP, '2026-02-01');
        await store.db
          .insertInto('automation_polls')
          .values({ opportunity_id: OPP, stage_id: 's', token: 't', updated_at: now() })
          .execute();
        const pool = (contact: string, opps: string[]) => ({
          contact_id: contact,
          opportunity_ids: JSON.stringify(opps),
          name: contact,
          text: '',
          best_stage: null,
          last_contact_at: null,
          data: null,
          updated_at: now(),
        });
        await store.db
          .insertInto('talent_pool')
          .values([pool('c1', [OPP]), pool('c2', [OPP2, OPP]), pool('c3', [OPP2])])
          .execute();
        await closeCandidate(
          deps,
          { eventId: 'e1', event: 'candidateDeleted', data: { opportunityId: OPP } },
          'candidateDeleted',
        );
        expect((await proposalsOf(store)).map((r) => r.status)).toEqual(['discarded']);
        expect((await followUps(store)).map((r) => [r.status, r.cancel_reason])).toEqual([
          ['cancelled', 'candidate deleted'],
        ]);
        expect(await store.db.selectFrom('automation_polls').selectAll().execute()).toEqual([]);
        const left = await store.db
          .selectFrom('talent_pool')
          .select(['contact_id', 'opportunity_ids'])
          .orderBy('contact_id')
          .execute();
        expect(left).toEqual([
          { contact_id: 'c2', opportunity_ids: JSON.stringify([OPP2]) },
          { contact_id: 'c3', opportunity_ids: JSON.stringify([OPP2]) },
        ]);
        // Replayed: the same end state.
        await closeCandidate(
          deps,
          { eventId: 'e1', event: 'candidateDeleted', data: { opportunityId: OPP } },
          'candidateDeleted',
        );
        expect(await auditOf(store, 'proposal.discard')).toHaveLength(1);
        await stopPoll(deps, OPP);
      });
    });

    describe('inbox', () => {
      const opp = (id: string, owner: string, followers: string[]): Opportunity =>
        ({
          id,
          name: `Candidate ${id.slice(-2)}`,
          owner,
          followers,
          urls: { show: `https://lever/${id}` },
        }) as Opportunity;
      const posting = {
        id: 'post-1',
        text: 'Backend engineer',
        owner: 'u-posting',
        followers: [],
      } as unknown as Posting;

      it('lists pending proposals newest first: admins see all, a recruiter what they own, follow or created', async () => {
        const { store } = await setup();
        const deps = depsOf(store);
        await recordWatchers(deps, opp(OPP, 'u-owner', ['u-follower']), posting);
        await recordWatchers(deps, opp(OPP2, 'u-other', []), null);
        // Re-recorded: the watcher row is replaced, not duplicated.
        await recordWatchers(deps, opp(OPP, 'u-owner', ['u-follower', 'u-late']), posting);
        const a = await upsertAutomationProposal(store.db, ACTOR, now, input());
        const b = await upsertAutomationProposal(store.db, 'rec@example.com', now, input({ opportunityId: OPP2 }));
        const gone = await upsertAutomationProposal(
          store.db,
          ACTOR,
          now,
          input({ opportunityId: OPP2, kind: 'match-summary', subject: 's', payload: { note: { text: 'x' } } }),
        );
        await store.db
          .updateTable('proposals')
          .set({ status: 'approved' })
          .where('id', '=', gone.proposal?.id ?? '')
          .execute();

        const ids = async (v: { email: string; role: 'recruiter' | 'admin'; leverUserId: string | null }) =>
          (await listInbox(store, v)).map((i) => i.proposalId);
        expect(await ids({ email: 'admin@example.com', role: 'admin', leverUserId: null })).toEqual([
          b.proposal?.id,
          a.proposal?.id,
        ]);
        expect(await ids({ email: 'x@example.com', role: 'recruiter', leverUserId: 'u-late' })).toEqual([
          a.proposal?.id,
        ]);
        expect(await ids({ email: 'x@example.com', role: 'recruiter', leverUserId: 'u-posting' })).toEqual([
          a.proposal?.id,
        ]);
        expect(await ids({ email: 'rec@example.com', role: 'recruiter', leverUserId: null })).toEqual([b.proposal?.id]);
        expect(await ids({ email: 'x@example.com', role: 'recruiter', leverUserId: 'u-nobody' })).toEqual([]);
        // A prefix of a watcher's id is not that watcher.
        expect(await ids({ email: 'x@example.com', role: 'recruiter', leverUserId: 'u-own' })).toEqual([]);
        const [item] = await listInbox(store, { email: 'x@example.com', role: 'recruiter', leverUserId: 'u-owner' });
        expect(item).toMatchObject({
          opportunityId: OPP,
          candidateName: `Candidate ${OPP.slice(-2)}`,
          postingTitle: 'Backend engineer',
          leverUrl: `https://lever/${OPP}`,
          kind: 'tag',
          summary: 'Add tags: fulcrum:strong-match',
          createdBy: ACTOR,
        });
      });
    });

    describe('ai_results', () => {
      const Schema = z.object({ score: z.number() });
      const row = (key: string, opportunityId: string, at: number, result: unknown) => ({
        capability: 'match',
        key,
        opportunityId,
        provider: 'local',
        model: 'm',
        result,
        now: at,
      });

      it('caches by (capability, key), keeps the newest write, re-validates on read, and deletes by age', async () => {
        const { store } = await setup();
        await writeCached(store, row('k1', OPP, 100, { score: 1 }));
        await writeCached(store, row('k1', OPP, 200, { score: 2 }));
        await writeCached(store, row('k2', OPP, 300, { score: 'not a number' }));
        await writeCached(store, row('k3', OPP2, 100, { score: 3 }));
        await writeCached(store, row('k4', OPP2, 500, { score: 4 }));
        expect(await readCached(store, 'match', 'k1', Schema)).toEqual({ score: 2 });
        expect(await readCached(store, 'other', 'k1', Schema)).toBeNull();
        expect(await readCached(store, 'match', 'k2', Schema)).toBeNull();
        expect(await readCached(store, 'match', 'missing', Schema)).toBeNull();

        // Retention: everything stored before the cutoff goes, in the caller's transaction.
        expect(await withTransaction(store.db, (trx) => deleteAiResultsBefore(trx, 250))).toBe(2); // k1 (200), k3 (100)
        expect(await readCached(store, 'match', 'k1', Schema)).toBeNull();
        expect(await withTransaction(store.db, (trx) => deleteAiResultsBefore(trx, 1_000))).toBe(2);
        expect(await store.db.selectFrom('ai_results').selectAll().execute()).toEqual([]);
      });
    });
  });
}
