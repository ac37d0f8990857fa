import { afterEach, describe, expect, it } from 'vitest';
import { synthesizeFeedbackLocal } from '../../backend/ai/synthesize-feedback.ts';
import { toFeedbackInput } from '../../backend/candidates/load-candidate.ts';
import { overallRating } from '../../backend/candidates/overall-rating.ts';
import { computeFunnel } from '../../backend/fairness/diversity-funnel.ts';
import { FunnelPermissionError, loadFunnel } from '../../backend/fairness/load-funnel.ts';
import {
  collect,
  createLeverClient,
  descriptionToLeverHtml,
  type Feedback,
  LeverApiError,
  type LeverClient,
  TokenBucket,
} from '../../backend/lever/index.ts';
import { feedbackStats } from '../../backend/rediscovery/normalize.ts';
import { type RecordedLever, recordedLever, type StubReply } from './helpers/recorded-lever.ts';

/**
 * The four behaviours where Fulcrum's idea of Lever differed from recorded real Lever traffic (issue 16), plus the
 * transport's redirect and stale-cursor handling, checked against a stub that answers exactly as Lever does.
 */

const stubs: RecordedLever[] = [];
afterEach(async () => {
  for (const s of stubs.splice(0)) await s.close();
});

async function stub(reply: (r: { method: string; url: URL; body: string }) => StubReply | Promise<StubReply>) {
  const s = await recordedLever(reply);
  stubs.push(s);
  return s;
}

function client(baseUrl: string, apiKey = 'recorded-key'): LeverClient {
  return createLeverClient({
    baseUrl,
    auth: { kind: 'apiKey', apiKey },
    bucket: new TokenBucket(1000, 1000),
    retryBaseMs: 1,
    maxRetries: 1,
  });
}

const POSTING = '7f6a8f4a-2f43-4d1e-9b6c-7a3c1d5e9f10';
const STAGES = [
  { id: 'applicant-new', text: 'New applicant' },
  { id: 'phone-screen', text: 'Phone screen' },
];

describe('include narrows the fields Lever returns', () => {
  it('the client always asks for id with include, so a narrowed read can still be keyed', async () => {
    const s = await stub(() => ({ json: { data: [], hasNext: false } }));
    await collect(client(s.baseUrl).listOpportunities({ include: ['name'] }));
    expect(s.requests[0]?.url.searchParams.getAll('include').sort()).toEqual(['id', 'name']);
  });

  it('refuses an updated_at window mixed with other posting filters (Lever allows it with confidentiality only)', async () => {
    const s = await stub(() => ({ json: { data: [], hasNext: false } }));
    const lever = client(s.baseUrl);
    // @ts-expect-error the filter shapes do not allow the mix
    expect(() => lever.listPostings({ updatedAtStart: 1, state: 'published' })).toThrow(/confidentiality/);
    await collect(lever.listPostings({ updatedAtStart: 1, confidentiality: 'all' }));
    const q = s.requests[0]?.url.searchParams;
    expect([...(q?.keys() ?? [])].sort()).toEqual(['confidentiality', 'limit', 'updated_at_start']);
  });
});

describe('anonymous EEO responses carry no identifiers', () => {
  // Recorded shape of GET /eeo/responses: a plain list, no opportunityId/contact/posting; appliedAt as a number.
  const anonymous = (n: number, gender: string) =>
    Array.from({ length: n }, () => ({
      gender,
      race: 'Decline to self-identify',
      veteran: 'I am not a protected veteran',
      disability: 'No, I do not have a disability',
      currentStage: 'phone-screen',
      appliedAt: 1750233426190,
      hiredDate: null,
      origin: 'applied',
      source: 'LinkedIn',
      requisitionCodes: ['ENG-9'],
    }));

  it('the account-wide funnel reads the anonymous list (`data: [...]`)', async () => {
    const s = await stub(({ url }) => {
      if (url.pathname === '/v1/stages') return { json: { data: STAGES, hasNext: false } };
      if (url.pathname === '/v1/eeo/responses') {
        return { json: { data: [...anonymous(6, 'Female'), ...anonymous(7, 'Male')], hasNext: false } };
      }
      return { status: 404, json: { code: 'ResourceNotFound', message: 'not found' } };
    });
    const report = await loadFunnel(client(s.baseUrl), { fromDate: 0, toDate: Date.now() });
    const gender = report.dimensions.find((d) => d.dimension === 'gender');
    expect(gender?.totals[1]?.value).toBe(13);
  });

  it('a per-posting funnel needs /eeo/responses/pii: without its permission the error says so', async () => {
    const s = await stub(({ url }) => {
      if (url.pathname === '/v1/stages') return { json: { data: STAGES, hasNext: false } };
      if (url.pathname === '/v1/eeo/responses') return { json: { data: anonymous(20, 'Female'), hasNext: false } };
      if (url.pathname === '/v1/eeo/responses/pii') {
        return { status: 403, json: { code: 'ForbiddenError', message: 'Key lacks EEO responses (PII)' } };
      }
      return { status: 404, json: { code: 'ResourceNotFound', message: 'not found' } };
    });
    const e = await loadFunnel(client(s.baseUrl), { fromDate: 0, toDate: Date.now(), postingIds: [POSTING] }).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(FunnelPermissionError);
    expect((e as Error).message).toMatch(/EEO responses \(PII\)/);
    expect((e as Error).message).toMatch(/eeo_responses_pii:read:admin/);
  });

  it('with the PII permission it joins on posting, and no identifier reaches the report', async () => {
    const pii = [
      ...anonymous(6, 'Female').map((r, i) => ({
        ...r,
        opportunityId: `opp-f-${i}`,
        contact: `c-f-${i}`,
        posting: POSTING,
      })),
      ...anonymous(5, 'Male').map((r, i) => ({
        ...r,
        opportunityId: `opp-m-${i}`,
        contact: `c-m-${i}`,
        posting: POSTING,
      })),
      ...anonymous(9, 'Male').map((r, i) => ({
        ...r,
        opportunityId: `opp-o-${i}`,
        contact: `c-o-${i}`,
        posting: 'other',
      })),
    ];
    const s = await stub(({ url }) => {
      if (url.pathname === '/v1/stages') return { json: { data: STAGES, hasNext: false } };
      if (url.pathname === '/v1/eeo/responses/pii') return { json: { data: pii, hasNext: false } };
      return { status: 404, json: { code: 'ResourceNotFound', message: 'not found' } };
    });
    const report = await loadFunnel(client(s.baseUrl), {
      fromDate: 1000,
      toDate: 2000,
      postingIds: [POSTING],
      minCount: 2,
    });
    expect(report.dimensions[0]?.totals[0]?.value).toBe(11);
    const text = JSON.stringify(report);
    expect(text).not.toMatch(/opp-|c-f-|c-m-/);
    const q = s.requests.find((r) => r.url.pathname === '/v1/eeo/responses/pii')?.url.searchParams;
    expect(q?.get('created_at_start')).toBe('1000');
    expect(q?.get('created_at_end')).toBe('2000');
  });

  it('the client drops identifiers from the anonymous endpoint even if some arrived', async () => {
    const s = await stub(() => ({
      json: { data: [{ ...anonymous(1, 'Female')[0], opportunityId: 'leak', contact: 'leak' }], hasNext: false },
    }));
    const [r] = await collect(client(s.baseUrl).listEeoResponses());
    expect(r).not.toHaveProperty('opportunityId');
    expect(r).not.toHaveProperty('contact');
    expect(r?.gender).toBe('Female');
  });

  it('computeFunnel refuses a posting filter over responses that name no posting, rather than count nobody', () => {
    expect(() =>
      computeFunnel({ responses: anonymous(3, 'Female'), stages: STAGES, filter: { postingIds: [POSTING] } }),
    ).toThrow(/eeo\/responses\/pii/);
    // The docs' example has appliedAt as a string: both are read.
    const r = computeFunnel({
      responses: [{ ...anonymous(1, 'Female')[0], appliedAt: '1750233426190' }],
      stages: STAGES,
      filter: { appliedFrom: 1750233426000 },
      minCount: 1,
    });
    expect(r.dimensions[0]?.totals[0]?.value).toBe(1);
  });
});

describe('the overall interview rating is the option text', () => {
  const form = (fields: Feedback['fields']): Feedback => ({
    id: 'fb-1',
    type: 'interview',
    text: 'Interview feedback',
    user: { id: 'u-1', name: 'Sam Interviewer' },
    fields,
    completedAt: 1750233426190,
  });

  it('reads "3 - Hire" from a score-system field and a type:score overall:true field', () => {
    const a = toFeedbackInput(form([{ id: 'f1', type: 'score-system', text: 'Rating', value: '3 - Hire' }]));
    expect(a.overall).toEqual({ label: '3 - Hire', value: 3 });
    const b = toFeedbackInput(
      form([
        { id: 'f0', type: 'score', text: 'Communication', value: 2 },
        { id: 'f1', type: 'score', overall: true, text: 'Overall', value: '4 - Strong Hire' },
      ]),
    );
    expect(b.overall).toEqual({ label: '4 - Strong Hire', value: 4 });
    // Custom option texts without numbers count by their position among the four options.
    const options = ['Definitely not', 'Lean no', 'Lean yes', 'Absolutely'].map((text) => ({ text }));
    expect(overallRating([{ type: 'score-system', value: 'Lean yes', options }])).toEqual({
      label: 'Lean yes',
      value: 3,
    });
    expect(overallRating([{ type: 'score-system', value: '7 - Wow' }])).toBeNull();
    expect(overallRating([{ type: 'text', value: '3 - Hire' }])).toBeNull();
  });

  it('feedback synthesis and the rediscovery index see the ratings', () => {
    const forms = ['3 - Hire', '4 - Strong Hire', '3 - Hire'].map((v, i) => ({
      ...form([{ id: 'f1', type: 'score-system', text: 'Rating', value: v }]),
      id: `fb-${i}`,
    }));
    const posting = {
      id: POSTING,
      title: 'Engineer',
      team: null,
      location: null,
      text: '',
      requirements: [],
      niceToHave: [],
    };
    const synthesis = synthesizeFeedbackLocal(posting, forms.map(toFeedbackInput));
    expect(synthesis.consensus.recommendation).toBe('hire');
    expect(synthesis.consensus.scoreDistribution.find((d) => d.label === '3 - Hire')?.count).toBe(2);
    expect(feedbackStats(forms)).toMatchObject({ count: 3, average: 3.33, positive: 3, negative: 0 });
  });
});

describe('posting descriptions are written as content.descriptionHtml', () => {
  it('turns text into paragraphs and escapes everything that is not an allowed tag', () => {
    expect(descriptionToLeverHtml('First line\nsecond line\n\nA & B <3')).toBe(
      '<p>First line<br>second line</p><p>A &#38; B &#60;3</p>',
    );
    const html = descriptionToLeverHtml(
      '<div class="x" onclick="steal()">Hi <b>there</b><script>alert(1)</script><img src=x onerror=alert(1)>' +
        '<a href="javascript:alert(1)">no</a> <a href="https://acme.example/jobs" target="_blank">yes</a>' +
        '<span style="font-size: 18px; color: red">big</span><span style="font-size: 18px">ok</span><h1>T</h1></div>',
    );
    expect(html).toBe(
      '<div class="x">Hi <b>there</b><a>no</a> <a href="https://acme.example/jobs">yes</a>' +
        '<span>big</span><span style="font-size: 18px">ok</span>T</div>',
    );
    // Unbalanced markup is closed; a lone '<' and entities survive as text.
    expect(descriptionToLeverHtml('<p><b>bold <i>both</p> 1 < 2 &amp; done')).toBe(
      '<p><b>bold <i>both</i></b></p> 1 &#60; 2 &#38; done',
    );
  });

  it('stays linear on hostile input (a long run of "<" without ">")', () => {
    const input = `${'<a'.repeat(100_000)}x`;
    const out = descriptionToLeverHtml(input);
    expect(out.startsWith('<p>&#60;a&#60;a')).toBe(true);
    expect(out.length).toBeGreaterThan(input.length);
  });
});

describe('transport: redirects and stale cursors', () => {
  it('follows a same-host 301 with the credentials and repeats the request', async () => {
    const s = await stub(({ url }) =>
      url.pathname === '/v1/stages'
        ? { status: 301, headers: { location: '/v2/stages' } }
        : { json: { data: STAGES, hasNext: false } },
    );
    const stages = await client(s.baseUrl).listStages();
    expect(stages.map((x) => x.id)).toEqual(['applicant-new', 'phone-screen']);
    expect(s.requests.map((r) => r.url.pathname)).toEqual(['/v1/stages', '/v2/stages']);
    expect(s.requests[1]?.headers.authorization).toBe(`Basic ${Buffer.from('recorded-key:').toString('base64')}`);
  });

  it('refuses a redirect to another host without sending it the key, and names the base URL to set', async () => {
    const other = await stub(() => ({ json: { data: STAGES } }));
    const otherHost = other.origin.replace('127.0.0.1', 'localhost');
    const s = await stub(() => ({ status: 301, headers: { location: `${otherHost}/v1/stages` } }));
    const e = await client(s.baseUrl)
      .listStages()
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LeverApiError);
    expect((e as LeverApiError).code).toBe('CrossHostRedirect');
    expect((e as LeverApiError).message).toContain(`LEVER_BASE_URL=${otherHost}/v1`);
    expect(other.requests).toHaveLength(0);
  });

  it('restarts from page one on 400 "Invalid offset token", and only for that message', async () => {
    let stale = true;
    const page = (ids: string[], next?: string) => ({
      json: { data: ids.map((id) => ({ id, text: id })), hasNext: !!next, ...(next ? { next } : {}) },
    });
    const s = await stub(({ url }) => {
      const offset = url.searchParams.get('offset');
      if (!offset) return page(['a', 'b'], 'tok-1');
      if (offset === 'tok-1' && stale) {
        stale = false;
        return {
          status: 400,
          json: { code: 'BadRequestError', message: 'Invalid offset token: Offset token is invalid for sort' },
        };
      }
      return page(['c']);
    });
    expect((await client(s.baseUrl).listStages()).map((x) => x.id)).toEqual(['a', 'b', 'c']);
    expect(s.requests.filter((r) => !r.url.searchParams.get('offset'))).toHaveLength(2);

    const other = await stub(({ url }) =>
      url.searchParams.get('offset')
        ? { status: 400, json: { code: 'BadRequestError', message: 'limit must be an integer between 1 and 100' } }
        : page(['a'], 'tok-1'),
    );
    const e = await client(other.baseUrl)
      .listStages()
      .catch((x: unknown) => x);
    expect((e as LeverApiError).status).toBe(400);
    expect(other.requests).toHaveLength(2);
  });
});
