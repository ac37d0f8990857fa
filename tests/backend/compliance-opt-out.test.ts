import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAiEngine } from '../../backend/ai/engine.ts';
import { handleApplicationCreated } from '../../backend/automations/application-created.ts';
import { handleFeedbackPoll } from '../../backend/automations/feedback-poll.ts';
import { handleFollowUp } from '../../backend/automations/follow-up.ts';
import { handleStageChange } from '../../backend/automations/stage-change.ts';
import { recordOptOut, withdrawOptOut } from '../../backend/compliance/opt-out.ts';
import { aiCapabilityOf } from '../../backend/governance/require-capability.ts';
import { SqliteQueue } from '../../backend/jobs/sqlite-queue.ts';
import { collect } from '../../backend/lever/index.ts';
import { runSync } from '../../backend/rediscovery/sync.ts';
import { OptOutStatusSchema } from '../../utils/contracts/compliance.ts';
import { RediscoverResponseSchema } from '../../utils/contracts/rediscovery.ts';
import { automationsFor } from './helpers/automation-deps.ts';
import { type Harness, makeHarness } from './helpers/backend-harness.ts';

/**
 * Opt-out of automated assessment, end to end against the real app, SQLite and the Lever emulator: every AI route
 * (walked from the app's own route table through aiCapabilityOf, so a new AI route is covered without editing this
 * file) answers 409 for a candidate opted out by each of the three means, and nothing is written: no proposal, no AI
 * cache row, no ai.generate audit row, no note or tag in Lever. Rediscovery leaves them out; automations do nothing.
 */

const TAG = 'fulcrum:no-automated-assessment';
const OPTED_OUT = { error: { code: 'opted_out', message: 'candidate opted out of automated assessment' } };

let h: Harness;
const usable: string[] = [];
/** Usable candidates with interview feedback (the feedback poll has something to synthesise). */
const withFeedback: string[] = [];

/** What anything Fulcrum might write about one opportunity adds up to, in SQLite and in Lever. */
async function footprint(opportunityId: string) {
  const n = (sql: string) => (h.store.sqlite.prepare(sql).get(opportunityId) as { n: number }).n;
  const opp = await h.inspect.getOpportunity(opportunityId);
  return {
    proposals: n('SELECT count(*) AS n FROM proposals WHERE opportunity_id = ?'),
    aiResults: n('SELECT count(*) AS n FROM ai_results WHERE opportunity_id = ?'),
    generated: n("SELECT count(*) AS n FROM audit_log WHERE opportunity_id = ? AND action = 'ai.generate'"),
    notes: (await collect(h.inspect.listNotes(opportunityId))).length,
    tags: [...(opp.tags ?? [])].sort(),
  };
}

/** Every route the app mounts that aiCapabilityOf calls an AI route, with its parameters filled in. */
function aiRoutes(opportunityId: string, postingId: string): Array<{ method: string; path: string }> {
  const seen = new Set<string>();
  const out: Array<{ method: string; path: string }> = [];
  for (const r of h.app.routes) {
    const path = r.path.replace(':opportunityId', opportunityId).replace(':postingId', postingId);
    const key = `${r.method} ${path}`;
    if (r.method === 'ALL' || seen.has(key) || !aiCapabilityOf(r.method, path)) continue;
    seen.add(key);
    out.push({ method: r.method, path });
  }
  return out;
}

const bodyFor = (path: string, contactIds: string[], postingId: string) =>
  path.endsWith('/rediscovery/act') ? { postingId, contactIds, tone: 'warm' } : {};

beforeAll(async () => {
  h = await makeHarness({ emulator: { opportunities: 60 } });
  // Candidates this recruiter may see, applied to a posting, with a resume: the AI routes work for them.
  for (const id of await h.opportunityIds(40)) {
    const res = await h.call('GET', `/api/candidates/${id}`);
    if (res.status !== 200) continue;
    const ctx = (await res.json()) as { posting: { id: string } | null; feedbackCount: number };
    if (ctx.posting && ctx.feedbackCount > 0) withFeedback.push(id);
    else if (ctx.posting) usable.push(id);
  }
  await runSync({ store: h.store, lever: h.lever });
}, 120_000);
afterAll(async () => h.close());

describe('AI routes refuse an opted-out candidate with 409 and write nothing', () => {
  const ways = [
    {
      name: 'Lever tag',
      optOut: async (id: string) => {
        await h.inspect.addTags(id, [TAG]);
      },
    },
    {
      name: 'CLI record',
      optOut: async (id: string) => {
        await recordOptOut(h.store.db, {
          opportunityId: id,
          contactId: null,
          source: 'cli',
          by: 'cli',
          now: Date.now(),
        });
      },
    },
    {
      name: 'recruiter action in the panel',
      optOut: async (id: string) => {
        const res = await h.call('PUT', `/api/candidates/${id}/opt-out`, { body: { optedOut: true, reason: 'asked' } });
        expect(res.status).toBe(200);
        expect(OptOutStatusSchema.parse(await res.json()).optedOut).toBe(true);
      },
    },
  ];

  it('the route table has the AI routes this test walks', () => {
    const routes = aiRoutes('o', 'p').map((r) => `${r.method} ${r.path}`);
    for (const cap of ['match', 'outreach', 'questions', 'feedback']) {
      expect(routes).toContain(`POST /api/candidates/o/${cap}`);
    }
    expect(routes).toContain('POST /api/rediscovery/act');
    expect(routes).toContain('POST /api/postings/p/rediscover');
  });

  it.each(ways.map((w, i) => [w.name, i] as const))('opted out by %s', async (_name, i) => {
    const id = usable[i];
    if (!id) throw new Error('not enough usable candidates in the emulator');
    const ctx = (await (await h.call('GET', `/api/candidates/${id}`)).json()) as {
      posting: { id: string };
      contactId: string;
    };
    await ways[i]!.optOut(id);
    const before = await footprint(id);
    for (const route of aiRoutes(id, ctx.posting.id)) {
      const res = await h.call(route.method, route.path, {
        body: bodyFor(route.path, [ctx.contactId], ctx.posting.id),
      });
      if (route.path.endsWith('/rediscover')) {
        // About a posting, not a person: it answers, without the opted-out person.
        expect(res.status, route.path).toBe(200);
        const r = RediscoverResponseSchema.parse(await res.json());
        expect(r.results.map((x) => x.contactId)).not.toContain(ctx.contactId);
        continue;
      }
      expect(res.status, `${route.method} ${route.path}`).toBe(409);
      expect(await res.json()).toEqual(OPTED_OUT);
    }
    expect(await footprint(id)).toEqual(before);
    expect(before.proposals + before.aiResults + before.generated).toBe(0);
  });

  it('a candidate who did not opt out is served (the check can fail), and an undone CLI opt-out serves again', async () => {
    const id = usable[3];
    if (!id) throw new Error('not enough usable candidates');
    expect((await h.call('POST', `/api/candidates/${id}/match`, { body: {} })).status).toBe(200);
    await recordOptOut(h.store.db, { opportunityId: id, contactId: null, source: 'cli', by: 'cli', now: Date.now() });
    expect((await h.call('POST', `/api/candidates/${id}/match`, { body: {} })).status).toBe(409);
    await withdrawOptOut(h.store.db, { opportunityId: id, by: 'cli', now: Date.now() });
    expect((await h.call('POST', `/api/candidates/${id}/match`, { body: {} })).status).toBe(200);
    const actions = h.store.sqlite
      .prepare("SELECT action FROM audit_log WHERE opportunity_id = ? AND capability = 'compliance' ORDER BY id")
      .all(id) as Array<{ action: string }>;
    expect(actions.map((a) => a.action)).toEqual(['compliance.opt-out', 'compliance.opt-out.withdrawn']);
  });

  it('a Lever tag opt-out is audited once when first seen; only admins withdraw a local opt-out', async () => {
    const id = usable[0]!;
    const rows = h.store.sqlite
      .prepare("SELECT output FROM audit_log WHERE opportunity_id = ? AND action = 'compliance.opt-out'")
      .all(id) as Array<{ output: string }>;
    expect(rows).toHaveLength(1);
    expect(rows[0]!.output).toContain('lever-tag');
    const other = usable[2]!;
    const denied = await h.call('PUT', `/api/candidates/${other}/opt-out`, { body: { optedOut: false } });
    expect(denied.status).toBe(403);
  });
});

describe('rediscovery leaves opted-out people out', () => {
  it('a person ranked before is gone from the results once opted out, and /act refuses them', async () => {
    const postingId = [...h.emulator.context.store.postings.keys()][0]!;
    const first = RediscoverResponseSchema.parse(
      await (await h.call('POST', `/api/postings/${postingId}/rediscover`, { body: { limit: 10 } })).json(),
    );
    // Someone the other tests do not use, so opting them out here changes nothing there.
    const top = first.results.find(
      (r) => !usable.includes(r.latestOpportunityId) && !withFeedback.includes(r.latestOpportunityId),
    );
    if (!top) throw new Error('rediscovery found nobody to test with');
    await recordOptOut(h.store.db, {
      opportunityId: top.latestOpportunityId,
      contactId: top.contactId,
      source: 'cli',
      by: 'cli',
      now: Date.now(),
    });
    const again = RediscoverResponseSchema.parse(
      await (await h.call('POST', `/api/postings/${postingId}/rediscover`, { body: { limit: 10 } })).json(),
    );
    expect(again.results.map((r) => r.contactId)).not.toContain(top.contactId);
    expect(again.excluded.optedOut).toBeGreaterThanOrEqual(1);
    const proposals = () => (h.store.sqlite.prepare('SELECT count(*) AS n FROM proposals').get() as { n: number }).n;
    const before = proposals();
    const act = await h.call('POST', '/api/rediscovery/act', {
      body: { postingId, contactIds: [top.contactId], tone: 'warm' },
    });
    expect(act.status).toBe(409);
    expect(await act.json()).toEqual(OPTED_OUT);
    expect(proposals()).toBe(before);
  });
});

describe('automations create nothing for an opted-out candidate', () => {
  const deps = () =>
    automationsFor({
      store: h.store,
      lever: h.lever,
      ai: createAiEngine(),
      queue: new SqliteQueue(h.store, { logger: pino({ level: 'silent' }) }),
    });
  const job = (event: string, opportunityId: string) => ({
    eventId: `ev-${event}-${opportunityId}`,
    event,
    data: { opportunityId },
  });

  async function interviewStage(id: string) {
    const stage = (await h.inspect.listStages()).find((s) => /interview|screen/i.test(s.text));
    if (!stage) throw new Error('no interview stage');
    await h.inspect.changeStage(id, stage.id);
    return stage;
  }
  async function debriefStage(id: string) {
    const stage = (await h.inspect.listStages()).find((s) => /debrief|offer|decision|reference/i.test(s.text));
    if (!stage) throw new Error('no debrief stage');
    await h.inspect.changeStage(id, stage.id);
    return stage;
  }

  const handlers = [
    {
      name: 'applicationCreated',
      run: (id: string) => handleApplicationCreated(deps(), job('applicationCreated', id)),
    },
    {
      name: 'candidateStageChange (interview)',
      run: async (id: string) => {
        await interviewStage(id);
        await handleStageChange(deps(), job('candidateStageChange', id));
      },
    },
    {
      name: 'feedback poll (debrief)',
      run: async (id: string) => {
        const stage = await debriefStage(id);
        h.store.sqlite
          .prepare(
            'INSERT OR REPLACE INTO automation_polls (opportunity_id, stage_id, token, updated_at) VALUES (?, ?, ?, ?)',
          )
          .run(id, stage.id, 'tok', Date.now());
        await handleFeedbackPoll(deps(), { opportunityId: id, stageId: stage.id, token: 'tok' });
      },
    },
    {
      name: 'follow-up',
      run: async (id: string) => {
        const opp = await h.inspect.getOpportunity(id);
        const stage = typeof opp.stage === 'string' ? opp.stage : (opp.stage?.id ?? null);
        const proposalId = `fu-${id}`;
        h.store.sqlite
          .prepare(
            `INSERT OR REPLACE INTO automation_followups (proposal_id, opportunity_id, follow_up_date, status, stage_at_send, sent_at, run_at, updated_at)
             VALUES (?, ?, '2026-01-01', 'scheduled', ?, ?, ?, ?)`,
          )
          .run(proposalId, id, stage, Date.now(), Date.now(), Date.now());
        await handleFollowUp(deps(), { proposalId });
      },
    },
  ];

  // Controls: the same handlers on candidates who did not opt out do write (so the checks below can fail).
  it.each(handlers.map((x, i) => [x.name, i] as const))(
    'control: %s writes for a candidate who did not opt out',
    async (_name, i) => {
      const id = handlers[i]!.name.startsWith('feedback') ? withFeedback[0] : usable[9 + i];
      if (!id) throw new Error('not enough usable candidates');
      await handlers[i]!.run(id);
      const after = await footprint(id);
      expect(after.aiResults + after.proposals).toBeGreaterThan(0);
    },
  );

  it.each(handlers.map((x) => [x.name, x] as const))('%s', async (_name, handler) => {
    const id = _name.startsWith('feedback') ? withFeedback[1] : usable[5 + handlers.findIndex((x) => x.name === _name)];
    if (!id) throw new Error('not enough usable candidates');
    await h.inspect.addTags(id, [TAG]);
    const notesBefore = (await collect(h.inspect.listNotes(id))).length;
    await handler.run(id);
    const after = await footprint(id);
    expect(after.proposals).toBe(0);
    expect(after.aiResults).toBe(0);
    expect(after.generated).toBe(0);
    expect(after.notes).toBe(notesBefore);
    expect(after.tags).toEqual(expect.arrayContaining([TAG]));
    expect(after.tags.filter((t) => t.startsWith('fulcrum:') && t !== TAG)).toEqual([]);
  });
});
