import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, type User } from '../../backend/lever/index.ts';
import { generateSeed } from '../../backend/lever-emulator/seed.ts';
import { readOfferData } from '../../backend/offers/lever-data.ts';
import type { OfferView } from '../../utils/contracts/offers.ts';
import { type Harness, makeHarness } from './helpers/backend-harness.ts';

/**
 * The offer flow through the real app (SQLite, the emulator, the local engine): draft, checks blocking approval,
 * an admin override, the chain recruiter → hiring manager → finance with the diff since the last approved version,
 * and filing the approved letter as a PDF on the opportunity through the proposal flow, once.
 */
const SEED = 7;
const OPPS = 120;
const scenarios = generateSeed({ seed: SEED, opportunities: OPPS }).offerScenarios;

let h: Harness;
let users: User[];
type Who = { token: string; email: string };
const people = new Map<string, Who>();

/** A Fulcrum recruiter for a Lever user (by email, so perform_as and the access policy resolve to that user). */
async function as(u: User, role: 'recruiter' | 'admin' = 'recruiter'): Promise<Who> {
  const key = `${u.id}:${role}`;
  let w = people.get(key);
  if (!w) {
    const existing = u.email === h.recruiterEmail ? h.recruiterToken : u.email === h.adminEmail ? h.adminToken : null;
    const token = existing ?? (await h.addRecruiter({ email: u.email as string, name: u.name as string, role })).token;
    w = { token, email: u.email as string };
    people.set(key, w);
  }
  return w;
}

async function json<T>(res: Response, status: number): Promise<T> {
  const body = await res.text();
  expect({ status: res.status, body: res.status === status ? '' : body }).toEqual({ status, body: '' });
  return JSON.parse(body) as T;
}

/** The owner, the hiring manager and a Lever admin for finance, all different people. */
async function cast(opportunityId: string) {
  const d = await readOfferData(h.inspect, opportunityId);
  const owner = users.find(
    (u) => u.id === (typeof d.opportunity.owner === 'string' ? d.opportunity.owner : d.opportunity.owner?.id),
  );
  const manager = users.find((u) => u.id === d.hiringManager?.id);
  const finance = users.find((u) => u.accessRole === 'admin' && u.id !== owner?.id && u.id !== manager?.id);
  if (!owner || !manager || !finance || owner.id === manager.id) return null;
  return { owner: await as(owner), manager: await as(manager), finance: await as(finance, 'admin') };
}

beforeAll(async () => {
  h = await makeHarness({ emulator: { seed: SEED, opportunities: OPPS } });
  users = await collect(h.inspect.listUsers());
}, 60_000);
afterAll(async () => {
  await h?.close();
});

describe('offer approval chain', () => {
  it('drafts, walks the chain with diffs, restarts it on a new version, files one PDF in Lever', async () => {
    let target: { id: string; cast: NonNullable<Awaited<ReturnType<typeof cast>>> } | undefined;
    for (const s of scenarios.filter((x) => x.scenario === 'consistent')) {
      const c = await cast(s.opportunityId);
      if (c) {
        target = { id: s.opportunityId, cast: c };
        break;
      }
    }
    expect(target, 'a consistent offer with distinct owner, hiring manager and finance').toBeDefined();
    const { id, cast: who } = target as NonNullable<typeof target>;

    const v1 = await json<OfferView>(
      await h.call('POST', '/api/offers/draft', { token: who.owner.token, body: { opportunityId: id } }),
      201,
    );
    expect(v1.blocked).toBe(false);
    expect(v1.checks.every((c) => c.ok)).toBe(true);
    expect(v1.chain.map((s) => [s.name, s.state])).toEqual([
      ['Recruiter', 'next'],
      ['Hiring manager', 'waiting'],
      ['Finance', 'waiting'],
    ]);
    expect(v1.canApprove).toBe(true);

    // Out of order: the hiring manager cannot take the recruiter's step.
    const early = await h.call('POST', `/api/offers/${v1.letterId}/approve`, {
      token: who.manager.token,
      body: { version: 1 },
    });
    expect(early.status).toBe(403);
    await json(
      await h.call('POST', `/api/offers/${v1.letterId}/approve`, { token: who.owner.token, body: { version: 1 } }),
      200,
    );
    // Nobody approves two steps of one version.
    expect(
      (await h.call('POST', `/api/offers/${v1.letterId}/approve`, { token: who.owner.token, body: { version: 1 } }))
        .status,
    ).toBe(403);

    // The owner edits the letter: a new version, the chain starts again, the diff shows the change since v1.
    const text = v1.text.replace('We look forward to welcoming you.', 'We look forward to welcoming you to the team.');
    const v2 = await json<OfferView>(
      await h.call('POST', `/api/offers/${v1.letterId}/versions`, { token: who.owner.token, body: { text } }),
      200,
    );
    expect(v2.version).toBe(2);
    expect(v2.chain[0]?.state).toBe('next');
    expect(v2.diff.fromVersion).toBe(1);
    expect(v2.diff.lines.filter((l) => l.op !== ' ')).toEqual([
      { op: '-', text: 'We look forward to welcoming you.' },
      { op: '+', text: 'We look forward to welcoming you to the team.' },
    ]);
    // Approving a version that is no longer current is refused.
    expect(
      (await h.call('POST', `/api/offers/${v1.letterId}/approve`, { token: who.owner.token, body: { version: 1 } }))
        .status,
    ).toBe(409);

    for (const w of [who.owner, who.manager, who.finance]) {
      await json(
        await h.call('POST', `/api/offers/${v1.letterId}/approve`, { token: w.token, body: { version: 2 } }),
        200,
      );
    }
    const done = (
      await json<{ letter: OfferView }>(
        await h.call('GET', `/api/offers?opportunityId=${id}`, { token: who.manager.token }),
        200,
      )
    ).letter;
    expect(done.status).toBe('approved');
    expect(done.chain.map((s) => s.decidedBy)).toEqual([who.owner.email, who.manager.email, who.finance.email]);
    expect(done.proposal?.status).toBe('pending');

    // Filing goes through the proposal flow; approving twice uploads one file.
    const before = (await collect(h.inspect.listFiles(id))).length;
    const pid = done.proposal?.id as string;
    const written = await json<{ status: string; result: { written: string[] } }>(
      await h.call('POST', `/api/proposals/${pid}/approve`, { token: who.owner.token, body: {} }),
      200,
    );
    expect(written.status).toBe('written');
    expect(written.result.written).toEqual(['file']);
    await h.call('POST', `/api/proposals/${pid}/approve`, { token: who.owner.token, body: {} });
    const files = await collect(h.inspect.listFiles(id));
    expect(files.length).toBe(before + 1);
    const pdf = files.find((f) => f.name?.startsWith('Offer letter'));
    expect(pdf?.ext).toBe('pdf');
    const bytes = await h.inspect.downloadFile(id, pdf?.id as string);
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const after = (
      await json<{ letter: OfferView }>(
        await h.call('GET', `/api/offers?opportunityId=${id}`, { token: who.owner.token }),
        200,
      )
    ).letter;
    expect(after.status).toBe('filed');
    expect(after.versions.map((v) => v.version)).toEqual([1, 2]);

    const audit = await h.store.db
      .selectFrom('audit_log')
      .select(['action', 'actor'])
      .where('opportunity_id', '=', id)
      .where('capability', '=', 'offer')
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      'offer.draft',
      'offer.approve',
      'offer.revise',
      'offer.approve',
      'offer.approve',
      'offer.approve',
      'proposal.create',
      'proposal.approve',
      'lever.write',
    ]);
  }, 120_000);

  it('a failed check blocks approval until a Fulcrum admin overrides it with a reason (audited)', async () => {
    const above = scenarios.find((s) => s.scenario === 'above-band')?.opportunityId as string;
    const who = await cast(above);
    expect(who).not.toBeNull();
    const { owner, finance } = who as NonNullable<typeof who>;
    const v = await json<OfferView>(
      await h.call('POST', '/api/offers/draft', { token: owner.token, body: { opportunityId: above } }),
      201,
    );
    expect(v.blocked).toBe(true);
    expect(v.canApprove).toBe(false);
    const refused = await h.call('POST', `/api/offers/${v.letterId}/approve`, {
      token: owner.token,
      body: { version: 1 },
    });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('offer_checks_failed');

    const body = { check: 'salary_in_band', reason: 'Approved exception: senior scope agreed with finance' };
    expect((await h.call('POST', `/api/offers/${v.letterId}/overrides`, { token: owner.token, body })).status).toBe(
      403,
    );
    expect(
      (
        await h.call('POST', `/api/offers/${v.letterId}/overrides`, {
          token: finance.token,
          body: { ...body, reason: 'ok' },
        })
      ).status,
    ).toBe(400);
    const o = await json<OfferView>(
      await h.call('POST', `/api/offers/${v.letterId}/overrides`, { token: finance.token, body }),
      200,
    );
    expect(o.blocked).toBe(false);
    expect(o.checks.find((c) => c.name === 'salary_in_band')?.override?.reason).toBe(body.reason);
    await json(
      await h.call('POST', `/api/offers/${v.letterId}/approve`, { token: owner.token, body: { version: 1 } }),
      200,
    );
    const row = await h.store.db
      .selectFrom('audit_log')
      .select(['actor', 'output'])
      .where('action', '=', 'offer.override')
      .executeTakeFirst();
    expect(row?.actor).toBe(finance.email);
    expect(row?.output).toContain('senior scope');
  }, 60_000);

  it('answers 404 to a Lever interviewer who is not on the candidate, and refuses bad input', async () => {
    const id = scenarios[0]?.opportunityId as string;
    const d = await readOfferData(h.inspect, id);
    const interviews = await collect(h.inspect.listInterviews(id));
    const on = new Set(interviews.flatMap((i) => (i.interviewers ?? []).map((x) => x.id)));
    const outsider = users.find((u) => u.accessRole === 'interviewer' && !on.has(u.id) && u.id !== d.hiringManager?.id);
    expect(outsider).toBeDefined();
    const w = await as(outsider as User);
    expect((await h.call('GET', `/api/offers?opportunityId=${id}`, { token: w.token })).status).toBe(404);
    expect((await h.call('POST', '/api/offers/draft', { token: w.token, body: { opportunityId: id } })).status).toBe(
      404,
    );
    expect((await h.call('POST', '/api/offers/draft', { body: { opportunityId: 'nope' } })).status).toBe(400);
    expect((await h.call('GET', '/api/offers?opportunityId=00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect(
      (await h.call('POST', '/api/offers/00000000-0000-4000-8000-000000000000/approve', { body: { version: 1 } }))
        .status,
    ).toBe(404);
  }, 60_000);

  it('templates: admins add valid ones (drafting with them works), others are refused', async () => {
    const source = '---\nname: Short\n---\nDear {{candidate_name}}, welcome as {{job_title}} from {{start_date}}.\n';
    expect((await h.call('POST', '/api/offers/templates', { body: { name: 'Short', source } })).status).toBe(403);
    const bad = await h.call('POST', '/api/offers/templates', {
      token: h.adminToken,
      body: { name: 'Bad', source: 'Hi {{salry}}' },
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain('{{salry}}');
    const t = await json<{ id: string; fields: string[] }>(
      await h.call('POST', '/api/offers/templates', { token: h.adminToken, body: { name: 'Short', source } }),
      201,
    );
    expect(t.fields).toEqual(['candidate_name', 'job_title', 'start_date']);
    const list = await json<{ templates: Array<{ id: string }> }>(await h.call('GET', '/api/offers/templates'), 200);
    expect(list.templates.map((x) => x.id)).toEqual(['default', t.id]);
    const id = scenarios.find((s) => s.scenario === 'weekend-start')?.opportunityId as string;
    const v = await json<OfferView>(
      await h.call('POST', '/api/offers/draft', { body: { opportunityId: id, templateId: t.id } }),
      201,
    );
    expect(v.templateName).toBe('Short');
    expect(v.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['start_date']);
  }, 60_000);
});
