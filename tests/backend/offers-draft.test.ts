import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LeverClient } from '../../backend/lever/index.ts';
import { RequisitionSchema } from '../../backend/lever/index.ts';
import { OfferFieldSchema, requisitionsByCode } from '../../backend/lever/offers.ts';
import { generateSeed, SEED_REFERENCE_TIME } from '../../backend/lever-emulator/seed.ts';
import type { EmulatorHandle } from '../../backend/lever-emulator/server.ts';
import { type CheckName, runChecks } from '../../backend/offers/checks.ts';
import { draftLetter } from '../../backend/offers/draft-letter.ts';
import { letterFields } from '../../backend/offers/letter-fields.ts';
import { type OfferData, readOfferData } from '../../backend/offers/lever-data.ts';
import { createParagraphWriter } from '../../backend/offers/paragraphs.ts';
import { loadDefaultTemplate, parseTemplate, TemplateError } from '../../backend/offers/template.ts';
import { clientFor, testEmulator } from './lever-helpers.ts';

const FIXTURES = path.resolve(__dirname, 'lever-contract/fixtures');
/** The seed's offers start months after its reference time; checking "in the future" against it keeps tests stable. */
const NOW = new Date(SEED_REFERENCE_TIME);
const writer = createParagraphWriter({ now: () => NOW });
const opts = { now: NOW, holidays: [] as string[] };

/** What each seeded scenario must fail, and nothing else (the "consistent" offers must fail nothing). */
const EXPECTED: Record<string, CheckName[]> = {
  consistent: [],
  'above-band': ['salary_in_band'],
  'below-band': ['salary_in_band'],
  'currency-mismatch': ['currency_consistent', 'salary_in_band'],
  'weekend-start': ['start_date'],
};

let emu: EmulatorHandle;
let lever: LeverClient;
const data = new Map<string, { scenario: string; data: OfferData }>();

beforeAll(async () => {
  emu = await testEmulator({ opportunities: 300 });
  lever = clientFor(emu);
  // The emulator serves the default seed: the same data as generating it here.
  for (const s of generateSeed({ opportunities: 300 }).offerScenarios) {
    data.set(s.opportunityId, { scenario: s.scenario, data: await readOfferData(lever, s.opportunityId) });
  }
});
afterAll(async () => {
  await emu?.close();
});

describe('Lever offer data', () => {
  it('accepts the real requisition payload and Lever’s offer field shape', () => {
    const raw = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'write_requisitions.json'), 'utf8')) as {
      data: unknown;
    };
    const r = RequisitionSchema.parse(raw.data);
    expect(r.compensationBand).toEqual({ currency: 'USD', interval: 'per-year-salary', min: 100000, max: 130000 });
    expect(r.headcountTotal).toBe(10);
    expect(OfferFieldSchema.parse({ text: 'Salary', identifier: 'salary_amount', value: 100000 }).value).toBe(100000);
    // A value of an unexpected shape is kept as text rather than failing the whole offer.
    expect(OfferFieldSchema.parse({ identifier: 'custom_x', value: { a: 1 } }).value).toBe('{"a":1}');
  });

  it('reads offer, posting, requisition (by the posting’s requisition code), hiring manager and owner', async () => {
    expect(data.size).toBeGreaterThanOrEqual(8);
    const [first] = [...data.values()];
    const d = first?.data as OfferData;
    expect(d.offer?.fields?.length).toBeGreaterThanOrEqual(4);
    expect(d.requisitionVia).toBe('postingRequisitionCode');
    expect(d.posting?.requisitionCodes).toContain(d.requisition?.requisitionCode);
    expect(d.requisition?.compensationBand?.min).toBeTypeOf('number');
    expect(d.hiringManager?.name).toBeTruthy();
    expect(d.owner?.name).toBeTruthy();
    const byCode = await requisitionsByCode(lever, d.requisition?.requisitionCode as string);
    expect(byCode.map((r) => r.id)).toEqual([d.requisition?.id]);
    expect(await requisitionsByCode(lever, 'NO-SUCH-CODE')).toEqual([]);
  });

  it('serves offers in Lever’s shape (fields with identifiers, signatures, documents)', async () => {
    const [id] = [...data.keys()];
    const res = await fetch(`${emu.apiBaseUrl}/opportunities/${id}/offers`, {
      headers: { authorization: `Basic ${Buffer.from(`${emu.apiKey}:`).toString('base64')}` },
    });
    const body = (await res.json()) as { data: Array<Record<string, unknown>> };
    const offer = body.data[0] as Record<string, unknown>;
    expect(Object.keys(offer)).toEqual(
      expect.arrayContaining(['id', 'status', 'fields', 'signatures', 'sentDocument']),
    );
    expect(offer).not.toHaveProperty('opportunityId');
    const ids = (offer.fields as Array<{ identifier: string }>).map((f) => f.identifier);
    expect(ids).toEqual(
      expect.arrayContaining(['salary_amount', 'compensation_currency', 'salary_interval', 'anticipated_start_date']),
    );
  });
});

describe('draft and checks on every seeded offer', () => {
  it('finds every seeded inconsistency and nothing on the consistent offers', async () => {
    const seen = new Set<string>();
    for (const [id, { scenario, data: d }] of data) {
      const r = await draftLetter(d, loadDefaultTemplate(), writer, opts);
      const failed = r.checks.filter((c) => !c.ok).map((c) => c.name);
      expect({ id, scenario, failed: failed.sort() }).toEqual({
        id,
        scenario,
        failed: [...EXPECTED[scenario]!].sort(),
      });
      seen.add(scenario);
    }
    expect([...seen].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it('puts no number in any letter that is not a Lever field, and fills names verbatim', async () => {
    for (const { data: d } of data.values()) {
      const r = await draftLetter(d, loadDefaultTemplate(), writer, opts);
      const leverNumbers = new Set(
        d.fields
          .filter((f) => typeof f.value === 'number')
          .flatMap((f) => {
            const v = f.value as number;
            const day = new Date(v);
            return f.identifier.includes('date')
              ? [String(day.getUTCDate()), String(day.getUTCFullYear())]
              : [String(v), v.toLocaleString('en-US')];
          }),
      );
      for (const m of r.letter.matchAll(/\d[\d,]*/g)) expect(leverNumbers, `${m[0]} in letter`).toContain(m[0]);
      expect(r.letter).toContain(d.opportunity.name as string);
      expect(r.letter).toContain(d.posting?.text as string);
      expect(r.letter).not.toMatch(/\{\{|\[missing:/);
    }
  });

  it('flags a number a recruiter typed into the letter, a missing bonus, a holiday and a past date', async () => {
    const consistent = [...data.values()].find(
      (x) => x.scenario === 'consistent' && !x.data.fields.some((f) => f.identifier.includes('bonus')),
    );
    const d = consistent?.data as OfferData;
    const template = loadDefaultTemplate();
    const r = await draftLetter(d, template, writer, opts);
    const fields = letterFields(d);
    const edited = r.letter.replace(
      '## Your offer',
      '## Your offer\n\nYou will also receive a relocation allowance of 7,500.',
    );
    const failed = (checks: ReturnType<typeof runChecks>) => checks.filter((c) => !c.ok).map((c) => c.name);
    const edit = runChecks({ data: d, template, letter: edited, fields, ...opts });
    expect(failed(edit)).toEqual(['numbers_match_lever']);
    expect(edit.find((c) => c.name === 'numbers_match_lever')?.detail).toContain('7,500');

    const withBonus = parseTemplate(`${template.body}\n\nYour signing bonus: {{bonus}}.`);
    const b = await draftLetter(d, withBonus, writer, opts);
    expect(failed(b.checks)).toEqual(['bonus_present', 'fields_complete']);

    const start = new Date(
      fields.start_date ? (d.fields.find((f) => f.identifier === 'anticipated_start_date')?.value as number) : 0,
    );
    const holiday = start.toISOString().slice(0, 10);
    const h = await draftLetter(d, template, writer, { now: NOW, holidays: [holiday] });
    expect(failed(h.checks)).toEqual(['start_date']);
    const late = await draftLetter(d, template, writer, { now: new Date(start.getTime() + 86_400_000), holidays: [] });
    expect(failed(late.checks)).toEqual(['start_date']);
  });

  it('a justification resolves an out-of-band salary; a template in another currency is flagged', async () => {
    const above = [...data.values()].find((x) => x.scenario === 'above-band')?.data as OfferData;
    const j = await draftLetter(above, loadDefaultTemplate(), writer, {
      ...opts,
      justification: 'Competing offer at this level',
    });
    const band = j.checks.find((c) => c.name === 'salary_in_band');
    expect(band?.ok).toBe(true);
    expect(band?.detail).toContain('Competing offer at this level');

    const consistent = [...data.values()].find((x) => x.scenario === 'consistent')?.data as OfferData;
    const other = consistent.requisition?.compensationBand?.currency === 'EUR' ? 'USD' : 'EUR';
    const t = parseTemplate(`---\ncurrency: ${other}\n---\n${loadDefaultTemplate().body}`);
    const c = await draftLetter(consistent, t, writer, opts);
    expect(c.checks.filter((x) => !x.ok).map((x) => x.name)).toEqual(['currency_consistent']);
  });
});

describe('templates', () => {
  it('refuses unknown fields, stray braces and bad front matter with a message', () => {
    expect(() => parseTemplate('Dear {{candidat_name}}')).toThrow(/Unknown field \{\{candidat_name\}\}/);
    expect(() => parseTemplate('Salary: {{salary}} }}')).toThrow(TemplateError);
    expect(() => parseTemplate('---\ncurrency: dollars\n---\nHi')).toThrow(/currency/);
    expect(() => parseTemplate('---\nname: x\nHi')).toThrow(/closing/);
    expect(parseTemplate('Hi {{custom_relocation}} {{welcome}}').placeholders).toEqual([
      'custom_relocation',
      'welcome',
    ]);
  });
});
