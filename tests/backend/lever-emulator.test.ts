import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { collect } from '../../backend/lever/index.ts';
import { renderResumeText } from '../../backend/lever-emulator/resume-text.ts';
import { generateSeed } from '../../backend/lever-emulator/seed.ts';
import type { EmulatorHandle } from '../../backend/lever-emulator/server.ts';
import { admin, clientFor, first, testEmulator } from './lever-helpers.ts';

describe('seed', () => {
  const data = generateSeed({ seed: 7, opportunities: 300 });
  const all = data.opportunities.map((o) => data.candidate(o.seedIndex));

  it('is deterministic for a seed and different for another', () => {
    const again = generateSeed({ seed: 7, opportunities: 300 });
    expect(again.opportunities.map((o) => o.id)).toEqual(data.opportunities.map((o) => o.id));
    expect(JSON.stringify(again.candidate(123))).toBe(JSON.stringify(data.candidate(123)));
    expect(generateSeed({ seed: 8, opportunities: 5 }).opportunities[0]?.id).not.toBe(data.opportunities[0]?.id);
  });

  it('has postings across five departments with requirement lists, salary on most', () => {
    expect(data.postings.length).toBeGreaterThanOrEqual(8);
    const departments = new Set(data.postings.map((p) => p.categories.department));
    for (const d of ['Engineering', 'Sales', 'Design', 'Operations', 'Customer Success'])
      expect(departments).toContain(d);
    for (const p of data.postings) {
      expect(p.content.lists.map((l) => l.text)).toContain('Requirements');
      expect(p.content.description.length).toBeGreaterThan(200);
    }
    const withSalary = data.postings.filter((p) => p.salaryRange).length;
    expect(withSalary).toBeGreaterThan(data.postings.length / 2);
    expect(withSalary).toBeLessThan(data.postings.length); // some without, for the JD checker
  });

  it('spreads candidates over stages, with hired and non-hired archived past applicants', () => {
    expect(new Set(data.opportunities.map((o) => o.stage)).size).toBe(8);
    const reasonType = new Map(data.archiveReasons.map((r) => [r.id, r.type]));
    const archived = data.opportunities.filter((o) => o.archived);
    expect(archived.some((o) => reasonType.get(o.archived?.reason ?? '') === 'hired')).toBe(true);
    expect(archived.some((o) => reasonType.get(o.archived?.reason ?? '') === 'non-hired')).toBe(true);
    expect(data.archiveReasons.map((r) => r.text)).toEqual([
      'Hired',
      'Underqualified',
      'Timing',
      'Position filled',
      'Withdrew',
      'No response',
    ]);
  });

  it('gives every candidate a resume, and later-stage ones scorecards from several interviewers who sometimes disagree', () => {
    expect(all.every((c) => c.resume.parsedData.positions.length > 0)).toBe(true);
    const scored = all.filter((c) => c.feedback.length >= 2);
    expect(scored.length).toBeGreaterThan(30);
    const ratings = scored.map((c) => c.feedback.map((f) => Number(String(f.fields[0]?.value).slice(0, 1))));
    expect(ratings.some((r) => Math.max(...r) - Math.min(...r) >= 2)).toBe(true);
    expect(all.some((c) => c.notes.length > 0)).toBe(true);
  });

  it('has EEO responses for part of the applicants, users with roles, duplicates and planted injections', () => {
    const eeo = all.filter((c) => c.eeo.length > 0).length;
    expect(eeo).toBeGreaterThan(30);
    expect(eeo).toBeLessThan(300);
    const roles = new Set(data.users.map((u) => u.accessRole));
    for (const r of ['super admin', 'admin', 'team member', 'interviewer']) expect(roles).toContain(r);
    expect(data.users[0]?.email).toBe('alex.rivera@acme-demo.example');

    const contacts = new Map<string, number>();
    for (const o of data.opportunities) contacts.set(o.contact, (contacts.get(o.contact) ?? 0) + 1);
    expect([...contacts.values()].some((n) => n === 2)).toBe(true);

    const injected = all.filter((c) => c.resume.profile.hiddenText);
    expect(injected.length).toBeGreaterThanOrEqual(3);
    const first = injected[0];
    if (!first) throw new Error('no injection');
    expect(renderResumeText(first.opportunity, first.resume)).toContain(first.resume.profile.hiddenText);
  });

  it('generates 10,000 opportunities quickly', () => {
    const started = performance.now();
    const big = generateSeed({ opportunities: 10_000 });
    expect(big.opportunities).toHaveLength(10_000);
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});

describe('emulator HTTP', () => {
  let emu: EmulatorHandle;
  beforeAll(async () => {
    emu = await testEmulator({ opportunities: 40, ratePerSecond: 10, burst: 20 });
  });
  afterAll(async () => {
    await emu.close();
  });
  // Reset refills the emulator's rate-limit buckets, so each test starts with Lever's full burst of 20.
  beforeEach(async () => {
    await admin(emu, 'POST', '/reset', {});
  });

  const basic = () => `Basic ${Buffer.from(`${emu.apiKey}:`).toString('base64')}`;

  it('rejects requests without credentials with Lever’s error shape', async () => {
    const res = await fetch(`${emu.apiBaseUrl}/opportunities`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ code: 'UnauthorizedError', message: expect.any(String) });
  });

  it('answers 429 past a burst of 20 at 10 requests/s', async () => {
    const started = performance.now();
    const statuses = await Promise.all(
      Array.from({ length: 40 }, () =>
        fetch(`${emu.apiBaseUrl}/stages`, { headers: { authorization: basic() } }).then((r) => r.status),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    const ok = statuses.filter((s) => s === 200).length;
    const limited = statuses.filter((s) => s === 429).length;
    expect(ok + limited).toBe(40);
    // The burst of 20 passes, plus whatever refilled at 10/s while the requests were in flight; the rest is 429.
    expect(ok).toBeGreaterThanOrEqual(20);
    expect(ok).toBeLessThanOrEqual(20 + Math.ceil(seconds * 10) + 1);
    expect(limited).toBeGreaterThan(0);
    const stats = (await admin(emu, 'GET', '/stats')) as { rateLimited: number };
    expect(stats.rateLimited).toBe(limited);
  });

  it('refuses made-up pagination cursors and bad limits', async () => {
    const get = (q: string) => fetch(`${emu.apiBaseUrl}/opportunities?${q}`, { headers: { authorization: basic() } });
    const bad = await get('offset=0.123.not-a-uuid');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/Invalid offset token/);
    expect((await get('limit=101')).status).toBe(400);
  });

  it('serves a Lever-Hire-like candidate page with client-side links to other candidates', async () => {
    const lever = clientFor(emu);
    const opp = await first(lever.listOpportunities({ limit: 1, expand: ['stage'] }));
    const res = await fetch(`${emu.url}/candidates/${opp?.id}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`<title>${opp?.name} – Lever Hire</title>`);
    expect(html).toContain(typeof opp?.stage === 'object' ? opp.stage?.text : '');
    expect(html).toContain('history.pushState');
    const links = [...html.matchAll(/data-opportunity-id="([0-9a-f-]{36})" href="\/candidates\/\1"/g)];
    expect(links.length).toBeGreaterThanOrEqual(2);
    const next = links[0]?.[1];
    const json = (await (await fetch(`${emu.url}/_pages/candidates/${next}.json`)).json()) as {
      title: string;
      html: string;
    };
    expect(json.title).toMatch(/ – Lever Hire$/);
    expect(json.html).toContain(`data-opportunity-id="${next}"`);

    expect((await fetch(`${emu.url}/candidates`)).status).toBe(200);
    const [posting] = await collect(lever.listPostings());
    const page = await (await fetch(`${emu.url}/jobs/postings/${posting?.id}`)).text();
    expect(page).toContain('Requirements');
    expect((await fetch(`${emu.url}/candidates/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
  });

  it('reset re-seeds: changes vanish and the same seeded ids come back', async () => {
    const lever = clientFor(emu);
    const opp = await first(lever.listOpportunities({ limit: 1 }));
    await lever.addTags(opp?.id ?? '', ['to-be-reset']);
    await admin(emu, 'POST', '/reset', {});
    const again = await lever.getOpportunity(opp?.id ?? '');
    expect(again.tags).not.toContain('to-be-reset');
  });
});
