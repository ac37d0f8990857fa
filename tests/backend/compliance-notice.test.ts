import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jurisdictionsOf } from '../../backend/compliance/jurisdiction.ts';
import { buildNotice, saveTemplate } from '../../backend/compliance/notice.ts';
import { renderTemplate } from '../../backend/compliance/notice-templates.ts';
import { writeComplianceSettings } from '../../backend/compliance/settings.ts';
import type { Posting } from '../../backend/lever/index.ts';
import {
  DEFAULT_COMPLIANCE_SETTINGS,
  NoticeSchema,
  NoticeTemplateListSchema,
} from '../../utils/contracts/compliance.ts';
import { type Harness, makeHarness } from './helpers/backend-harness.ts';
import { cleanupsAfterEach, openTempStoreUntilCleanup } from './helpers/temp-store.ts';

const where = (location: string | null, allLocations: string[] = [], country: string | null = null) => ({
  categories: { location, allLocations },
  country,
});
const ids = (r: ReturnType<typeof jurisdictionsOf>) => r.jurisdictions.map((j) => j.id).sort();

describe('jurisdiction of a posting location', () => {
  it.each([
    ['New York, NY', [], 'US', ['nyc-ll144']],
    ['Brooklyn, New York', [], 'US', ['nyc-ll144']],
    ['New York', [], null, ['nyc-ll144']],
    ['Chicago, IL', [], 'US', ['illinois-hb3773']],
    ['Springfield, IL', [], 'US', ['illinois-hb3773']],
    ['Denver, CO', [], 'US', ['colorado-ai-act']],
    ['San Francisco, CA', [], 'US', ['california-ads']],
    ['Fresno, CA', [], 'US', ['california-ads']],
    ['Berlin, Germany', [], 'DE', ['eu-ai-act']],
    ['Dublin, Ireland', [], 'IE', ['eu-ai-act']],
    ['Amsterdam, Netherlands', [], null, ['eu-ai-act']],
    // Country code alone.
    [null, [], 'FR', ['eu-ai-act']],
    // Several locations: each brings its own rules.
    [
      'New York, NY',
      ['New York, NY', 'Chicago, IL', 'Madrid, Spain'],
      'US',
      ['eu-ai-act', 'illinois-hb3773', 'nyc-ll144'],
    ],
  ] as const)('%s %j %s → %j', (location, all, country, expected) => {
    expect(ids(jurisdictionsOf(where(location, [...all], country)))).toEqual([...expected].sort());
  });

  it.each([
    // New York State outside the city has no LL144.
    ['Albany, NY', 'US'],
    ['Austin, TX', 'US'],
    ['London, UK', 'GB'],
    // Canada: "CA" after a province is not California; "ON" is not a US state we know.
    ['Toronto, ON, CA', 'CA'],
    // American towns named like European cities.
    ['Dublin, CA', 'US'],
    ['Paris, TX', 'US'],
  ] as const)('%s (%s) matches no EU or US-state rule it should not', (location, country) => {
    const r = jurisdictionsOf(where(location, [], country));
    if (location === 'Dublin, CA') expect(ids(r)).toEqual(['california-ads']);
    else expect(ids(r)).toEqual([]);
    if (ids(r).length === 0) expect(r.notes.join(' ')).toMatch(/No jurisdiction-specific rule matched/);
  });

  it('an unknown location is said so', () => {
    const r = jurisdictionsOf(where(null, [], null));
    expect(r.jurisdictions).toEqual([]);
    expect(r.notes[0]).toMatch(/no location or country in Lever/);
  });

  it('remote and Europe-wide roles get a note', () => {
    expect(jurisdictionsOf(where('Remote', [], 'US')).notes.join(' ')).toMatch(/remote role/);
    expect(jurisdictionsOf(where('Remote - EMEA', [], null)).notes.join(' ')).toMatch(/Europe or EMEA/);
  });

  it('stays fast and bounded on hostile input', () => {
    const long = `${'New York '.repeat(50_000)}`;
    const t0 = performance.now();
    const r = jurisdictionsOf(
      where(
        long,
        Array.from({ length: 5_000 }, () => long),
        'US',
      ),
    );
    expect(performance.now() - t0).toBeLessThan(1_000);
    expect(r.location.allLocations.length).toBeLessThanOrEqual(60);
    expect(r.location.location?.length).toBeLessThanOrEqual(200);
  });
});

function posting(location: string | null, country: string | null, over: Partial<Posting> = {}): Posting {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    text: 'Senior Backend Engineer',
    categories: { location: location ?? undefined, allLocations: location ? [location] : [] },
    country: country ?? undefined,
    content: {
      description: 'We build payments.',
      lists: [{ text: 'Requirements', content: '<li>5+ years of Go</li><li>Experience with PostgreSQL</li>' }],
    },
    ...over,
  } as Posting;
}

describe('notice per jurisdiction', () => {
  const cleanups = cleanupsAfterEach();
  const opts = { retentionDays: 180, installJurisdictions: [] as never[] };

  it.each([
    [
      'New York, NY',
      'US',
      'nyc-ll144',
      /automated employment decision tool[\s\S]*ten business days[\s\S]*alternative selection process/,
    ],
    ['Chicago, IL', 'US', 'illinois-hb3773', /Illinois Human Rights Act[\s\S]*zip codes/],
    ['Denver, CO', 'US', 'colorado-ai-act', /high-risk artificial intelligence system[\s\S]*correct[\s\S]*appeal/],
    ['San Francisco, CA', 'US', 'california-ads', /automated-decision system[\s\S]*four years/],
    ['Berlin, Germany', 'DE', 'eu-ai-act', /high-risk[\s\S]*Article 86[\s\S]*human intervention/],
  ] as const)('%s (%s) gets the generic section and the %s section', async (location, country, id, wording) => {
    const { store } = await openTempStoreUntilCleanup(cleanups);
    await writeComplianceSettings(
      store.db,
      {
        ...DEFAULT_COMPLIANCE_SETTINGS,
        organization: 'Acme',
        contactEmail: 'hiring@acme.example',
        biasAuditUrl: 'https://acme.example/audit',
      },
      'admin@test',
      Date.now(),
    );
    const n = NoticeSchema.parse(await buildNotice(store.db, posting(location, country), opts));
    expect(n.sections.map((s) => s.jurisdiction)).toEqual(['generic', id]);
    const generic = n.sections[0]!.text;
    // What it assesses, the data used, how to ask for an alternative or a human review, retention.
    expect(generic).toContain('Acme uses Fulcrum');
    expect(generic).toContain('What it assesses: 5+ years of Go; Experience with PostgreSQL');
    expect(generic).toMatch(/The data it uses: the résumé and application answers/);
    expect(generic).toMatch(/reviewed without the tool \(an alternative process\), or for a person to review/);
    expect(generic).toContain('hiring@acme.example');
    expect(generic).toMatch(/How long we keep it: .*kept for/);
    expect(n.sections[1]!.text).toMatch(wording);
    expect(n.text).not.toMatch(/\{\{\w+\}\}/);
    expect(n.notes).toEqual([]);
  });

  it('retention in the notice follows the law that applies: four years in California, the admin period elsewhere', async () => {
    const { store } = await openTempStoreUntilCleanup(cleanups);
    const ca = await buildNotice(store.db, posting('San Francisco, CA', 'US'), opts);
    expect(ca.sections[0]!.text).toContain('kept for 4 years');
    const tx = await buildNotice(store.db, posting('Austin, TX', 'US'), opts);
    expect(tx.sections[0]!.text).toContain('kept for 180 days');
    const eu = await buildNotice(store.db, posting('Berlin, Germany', 'DE'), { ...opts, retentionDays: 30 });
    expect(eu.sections[0]!.text).toContain('kept for 6 months');
  });

  it('an unknown location gives the generic notice and a note saying so; missing settings are flagged', async () => {
    const { store } = await openTempStoreUntilCleanup(cleanups);
    const n = await buildNotice(store.db, posting(null, null), opts);
    expect(n.sections.map((s) => s.jurisdiction)).toEqual(['generic']);
    expect(n.notes.join('\n')).toMatch(/no location or country in Lever/);
    expect(n.notes.join('\n')).toMatch(/contact address/);
    expect(n.sections[0]!.text).toContain("[contact email: set it in Fulcrum's compliance settings]");
  });

  it("an admin's template replaces the default wording; placeholders are filled once, never re-expanded", async () => {
    const { store } = await openTempStoreUntilCleanup(cleanups);
    await saveTemplate(
      store.db,
      'nyc-ll144',
      'NYC: write to {{contactEmail}} about {{postingTitle}}. {{unknown}}',
      'a@x',
      1,
    );
    const n = await buildNotice(store.db, posting('New York, NY', 'US', { text: 'Role {{contactEmail}}' }), opts);
    const nyc = n.sections.find((s) => s.jurisdiction === 'nyc-ll144')!;
    expect(nyc.edited).toBe(true);
    expect(nyc.text).toBe(
      "NYC: write to [contact email: set it in Fulcrum's compliance settings] about Role {{contactEmail}}. {{unknown}}",
    );
    await saveTemplate(store.db, 'nyc-ll144', null, 'a@x', 2);
    expect((await buildNotice(store.db, posting('New York, NY', 'US'), opts)).sections[1]!.edited).toBe(false);
    expect(renderTemplate('{{a}}{{b}}', { a: '{{b}}', b: 'x' })).toBe('{{b}}x');
  });
});

describe('notice over HTTP', () => {
  let h: Harness;
  let postingId: string;
  beforeAll(async () => {
    h = await makeHarness();
    const posting = [...h.emulator.context.store.postings.values()].find((p) => p.confidentiality !== 'confidential');
    if (!posting) throw new Error('no posting');
    posting.categories.location = 'Chicago, IL';
    posting.categories.allLocations = ['Chicago, IL'];
    postingId = posting.id;
  });
  afterAll(async () => h.close());

  it('a recruiter gets the notice for the posting page; only admins edit templates', async () => {
    const res = await h.call('GET', `/api/postings/${postingId}/notice`);
    expect(res.status).toBe(200);
    const n = NoticeSchema.parse(await res.json());
    expect(n.jurisdictions.map((j) => j.id)).toEqual(['illinois-hb3773']);

    const denied = await h.call('PUT', '/api/admin/compliance/notice-templates/illinois-hb3773', {
      body: { body: 'changed' },
    });
    expect(denied.status).toBe(403);
    const saved = await h.call('PUT', '/api/admin/compliance/notice-templates/illinois-hb3773', {
      token: h.adminToken,
      body: { body: 'Illinois, edited: {{contactEmail}}' },
    });
    expect(saved.status).toBe(200);
    const again = NoticeSchema.parse(await (await h.call('GET', `/api/postings/${postingId}/notice`)).json());
    expect(again.sections[1]!.text).toMatch(/^Illinois, edited: /);

    const list = NoticeTemplateListSchema.parse(
      await (await h.call('GET', '/api/admin/compliance/notice-templates', { token: h.adminToken })).json(),
    );
    expect(list.templates.find((t) => t.jurisdiction === 'illinois-hb3773')?.updatedBy).toBe(h.adminEmail);
    const bad = await h.call('PUT', '/api/admin/compliance/notice-templates/texas', {
      token: h.adminToken,
      body: { body: 'x' },
    });
    expect(bad.status).toBe(400);
    const audit = h.store.sqlite
      .prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'compliance.notice-template.update'")
      .get() as { n: number };
    expect(audit.n).toBe(1);
  });

  it('an unknown posting is a 404 with a message', async () => {
    const res = await h.call('GET', '/api/postings/00000000-0000-4000-8000-00000000dead/notice');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBeTruthy();
  });
});
