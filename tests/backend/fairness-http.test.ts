import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AiEngine } from '../../backend/ai/types.ts';
import { createApp } from '../../backend/app.ts';
import { postingIdOf } from '../../backend/candidates/load-candidate.ts';
import { rewriteDescription } from '../../backend/fairness/rewrite-posting.ts';
import { SqliteQueue } from '../../backend/jobs/sqlite-queue.ts';
import { collect } from '../../backend/lever/index.ts';
import { ProposalSchema } from '../../utils/contracts/api.ts';
import { BiasTestReportSchema, FunnelReportSchema, JdCheckResponseSchema } from '../../utils/contracts/fairness.ts';
import { type Harness, makeHarness } from './helpers/backend-harness.ts';
import { dataBlockOf, type FakeOpenAi, startFakeOpenAi } from './helpers/fake-openai.ts';

/**
 * Fair-hiring HTTP routes against the real SQLite store and Lever emulator: the job-description check and its rewrite
 * proposal (recruiters), the diversity funnel, its CSV and the bias self-test (admins only).
 */

let h: Harness;
let postingId: string;
let performAs: string;

const BIASED =
  'We want a rockstar ninja who is aggressive and competitive. You will dominate the market with our wizards.';

type ErrorBody = { error: { code: string; message: string } };
const errorOf = async (res: Response) => ((await res.json()) as ErrorBody).error;

beforeAll(async () => {
  h = await makeHarness();
  // A posting that real candidates applied to, so the bias test has resumes to work with.
  const opps = await collect(h.inspect.listOpportunities({ archived: false, limit: 50, expand: ['applications'] }));
  const counts = new Map<string, number>();
  for (const o of opps) {
    const p = postingIdOf(o);
    if (p) counts.set(p, (counts.get(p) ?? 0) + 1);
  }
  postingId = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
  const users = await collect(h.inspect.listUsers());
  performAs = users[0]!.id;
  // Lever's writable description is content.descriptionHtml (the plain description is derived from it).
  await h.inspect.updatePosting(postingId, { content: { descriptionHtml: `<p>${BIASED}</p>` } }, { performAs });
});
afterAll(() => h?.close());

describe('GET /api/postings/:postingId/jd-check', () => {
  it('re-reads the posting from Lever and returns findings whose offsets point into the returned text', async () => {
    const res = await h.call('GET', `/api/postings/${postingId}/jd-check`);
    expect(res.status).toBe(200);
    const body = JdCheckResponseSchema.parse(await res.json());
    expect(body.posting.id).toBe(postingId);
    expect(body.text).toContain('rockstar ninja');
    const spans = body.findings.filter((f) => f.end > f.start);
    for (const f of spans) expect(body.text.slice(f.start, f.end)).toBe(f.text);
    expect(spans.map((f) => f.text.toLowerCase())).toEqual(expect.arrayContaining(['ninja', 'aggressive']));
    expect(body.verdict).toBe('masculine-leaning');
  });

  it('404 for a posting Lever does not have, 400 for a malformed id', async () => {
    const missing = await h.call('GET', '/api/postings/00000000-0000-4000-8000-000000000000/jd-check');
    expect(missing.status).toBe(404);
    expect((await errorOf(missing)).message).toMatch(/no posting/i);
    expect((await h.call('GET', '/api/postings/not-an-id/jd-check')).status).toBe(400);
  });
});

describe('the deterministic rewrite', () => {
  it('replaces only words with a direct alternative, keeping case and plurals, and is repeatable', () => {
    const html = '<p>Ninjas wanted: our <b>rockstar</b> team is aggressive. Must have a degree.</p>';
    const first = rewriteDescription(html);
    expect(first.description).toMatch(/^Experts wanted: our /);
    expect(first.description).not.toMatch(/ninja|<b>/i);
    expect(first.replacements[0]).toEqual({ from: 'Ninjas', to: 'Experts' });
    // "rockstar" has advice, not a replacement: it is left for the recruiter, as are missing pay and location.
    expect(first.description).toContain('rockstar');
    expect(first.leftForReview).toBeGreaterThan(0);
    expect(rewriteDescription(html)).toEqual(first);
  });
});

describe('POST /api/postings/:postingId/rewrite', () => {
  it('proposes the deterministic rewrite, changes nothing in Lever until approved, then updates the posting', async () => {
    const res = await h.call('POST', `/api/postings/${postingId}/rewrite`);
    expect(res.status).toBe(201);
    const proposal = ProposalSchema.parse(await res.json());
    expect(proposal).toMatchObject({ kind: 'posting-rewrite', status: 'pending', opportunityId: postingId });
    const description = proposal.payload.posting!.description;
    expect(description).toMatch(/\bexpert\b/i);
    expect(description).not.toMatch(/ninja|wizard/i);
    expect((await h.inspect.getPosting(postingId)).content?.description).toBe(BIASED);

    const approved = await h.call('POST', `/api/proposals/${proposal.id}/approve`, { body: { dryRun: false } });
    expect(approved.status).toBe(200);
    expect(ProposalSchema.parse(await approved.json())).toMatchObject({
      status: 'written',
      result: { written: ['posting'] },
    });
    expect((await h.inspect.getPosting(postingId)).content?.description).toBe(description);
    // What was written is Lever's description HTML: the text as one escaped paragraph.
    expect((await h.inspect.getPosting(postingId)).content?.descriptionHtml).toBe(`<p>${description}</p>`);
    // Put the biased text back for the other tests.
    await h.inspect.updatePosting(postingId, { content: { descriptionHtml: `<p>${BIASED}</p>` } }, { performAs });
  });
});

describe('admin-only fair-hiring reports', () => {
  const window = 'from=2000-01-01&to=2100-01-01';

  it('the funnel, its CSV and the bias test are 403 for recruiters', async () => {
    for (const [method, url, body] of [
      ['GET', `/api/admin/funnel?${window}`, undefined],
      ['GET', `/api/admin/funnel.csv?${window}`, undefined],
      ['POST', '/api/admin/bias-test', { postingId }],
    ] as const) {
      const res = await h.call(method, url, { body });
      expect(res.status).toBe(403);
      expect((await errorOf(res)).code).toBe('forbidden');
    }
  });

  it('admins get the funnel report and the same report as CSV', async () => {
    const res = await h.call('GET', `/api/admin/funnel?${window}&minCount=5`, { token: h.adminToken });
    expect(res.status).toBe(200);
    const report = FunnelReportSchema.parse(await res.json());
    expect(report.minCount).toBe(5);
    expect(report.dimensions.map((d) => d.dimension)).toEqual(['gender', 'race', 'veteran', 'disability']);
    expect(report.dimensions[0]!.totals[0]!.value).toBeGreaterThan(0);

    const csv = await h.call('GET', `/api/admin/funnel.csv?${window}&minCount=5`, { token: h.adminToken });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toMatch(/attachment/);
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toMatch(/^"dimension","group","stage","count"/);
    expect(lines.some((l) => l.startsWith('"gender","All applicants"'))).toBe(true);
  });

  it('rejects a window that ends before it starts and an unknown team with a 400', async () => {
    const backwards = await h.call('GET', '/api/admin/funnel?from=2026-02-01&to=2026-01-01', { token: h.adminToken });
    expect(backwards.status).toBe(400);
    expect((await errorOf(backwards)).message).toMatch(/ends before it starts/);
    const team = await h.call('GET', `/api/admin/funnel?${window}&team=No Such Team`, { token: h.adminToken });
    expect(team.status).toBe(400);
    expect((await errorOf(team)).message).toMatch(/No Such Team/);
  });

  it('computes the funnel without ever calling the AI engine', async () => {
    const explode = () => {
      throw new Error('EEO data must never reach the AI engine');
    };
    const engine = new Proxy({} as AiEngine, { get: () => explode });
    const logger = pino({ level: 'silent' });
    const app = createApp({
      config: h.config,
      store: h.store,
      lever: h.lever,
      ai: engine,
      queue: new SqliteQueue(h.store, { logger }),
      logger,
    });
    const headers = { authorization: `Bearer ${h.adminToken}` };
    const res = await app.request(`/api/admin/funnel?${window}`, { headers });
    expect(res.status).toBe(200);
    FunnelReportSchema.parse(await res.json());
    expect((await app.request(`/api/admin/funnel.csv?${window}`, { headers })).status).toBe(200);
    // The same engine does fail on an AI route, so the funnel passing above is not an accident of the proxy.
    const bias = await app.request('/api/admin/bias-test', {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ postingId, resumes: 2 }),
    });
    expect(bias.status).toBe(500);
  });

  it('runs the bias test on real resumes with the active engine and audits it with provider and model', async () => {
    const res = await h.call('POST', '/api/admin/bias-test', {
      token: h.adminToken,
      body: { postingId, resumes: 3 },
    });
    expect(res.status).toBe(200);
    const report = BiasTestReportSchema.parse(await res.json());
    expect(report.postingId).toBe(postingId);
    expect(report.provider.name).toBe('local');
    expect(report.resumes).toBeGreaterThan(0);
    expect(report.resumes).toBeLessThanOrEqual(3);
    expect(report.copiesScored).toBeGreaterThan(report.resumes);
    // The local engine never sees names as a signal: swapping them must not move a single score.
    expect(report.zeroDifference).toBe(true);

    const audit = await h.store.db.selectFrom('audit_log').selectAll().where('capability', '=', 'bias-test').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: h.adminEmail, provider: 'local', action: 'fairness.bias-test' });
    expect(audit[0]!.model).toBeTruthy();
    expect(JSON.parse(audit[0]!.output!)).toMatchObject({ postingId, zeroDifference: true });
  });

  it('bounds the bias test at 20 resumes', async () => {
    const res = await h.call('POST', '/api/admin/bias-test', {
      token: h.adminToken,
      body: { postingId, resumes: 21 },
    });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toMatch(/resumes/);
  });
});

describe('POST /api/postings/:postingId/rewrite with an LLM configured', () => {
  let llm: FakeOpenAi;
  let hl: Harness;
  beforeAll(async () => {
    llm = await startFakeOpenAi();
    hl = await makeHarness({ env: { AI_BASE_URL: llm.baseUrl, AI_MODEL: 'fake-rewriter', AI_TIMEOUT_MS: '5000' } });
    await hl.inspect.updatePosting(postingId, { content: { descriptionHtml: `<p>${BIASED}</p>` } }, { performAs });
  });
  afterAll(async () => {
    await hl?.close();
    await llm?.close();
  });

  it("proposes the model's rewrite, sending it only the posting text and the findings", async () => {
    const rewritten =
      'We want an experienced engineer who is bold and motivated. You will lead the market with our experts.';
    llm.setHandler(() => ({ content: { description: rewritten } }));
    const res = await hl.call('POST', `/api/postings/${postingId}/rewrite`);
    expect(res.status).toBe(201);
    const proposal = ProposalSchema.parse(await res.json());
    expect(proposal.payload.posting).toEqual({ description: rewritten });
    expect(proposal.reason).toMatch(/rewritten by fake-rewriter/);
    const sent = dataBlockOf(llm.chatRequests().at(-1)!) as { description: string; findings: Array<{ text: string }> };
    expect(sent.description).toBe(BIASED);
    expect(sent.findings.map((f) => f.text.toLowerCase())).toContain('ninja');
    expect(Object.keys(sent).sort()).toEqual(['description', 'findings']);
  });

  it('falls back to the deterministic rewrite when the model answers something unusable', async () => {
    llm.setHandler(() => ({ content: { description: 'Too short.' } }));
    const res = await hl.call('POST', `/api/postings/${postingId}/rewrite`);
    expect(res.status).toBe(201);
    const proposal = ProposalSchema.parse(await res.json());
    expect(proposal.payload.posting!.description).toBe(rewriteDescription(BIASED).description);
    expect(proposal.reason).toMatch(/from the job-description check: "ninja" → "expert"/);
  });
});
