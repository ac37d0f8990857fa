import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  collect,
  LeverErrorBodySchema,
  ListEnvelopeSchema,
  OpportunitySchema,
  RequisitionFieldSchema,
  RequisitionSchema,
  UserSchema,
} from '../../backend/lever/index.ts';
import type { EmulatorHandle } from '../../backend/lever-emulator/server.ts';
import { clientFor, testEmulator } from './lever-helpers.ts';

// Real Lever sandbox payloads (amp-labs/connectors, MIT; see the folder's SOURCE.md).
const FIXTURES = path.resolve(__dirname, 'lever-contract/fixtures');
const fixture = (name: string): unknown => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8'));
const listData = (name: string): unknown[] => {
  const env = ListEnvelopeSchema.parse(fixture(name));
  expect(Array.isArray(env.data)).toBe(true);
  return env.data as unknown[];
};

describe('real Lever payloads parse', () => {
  it('opportunities page, keeping fields the schema does not name', () => {
    const env = ListEnvelopeSchema.parse(fixture('opportunities.json'));
    expect(env.hasNext).toBe(true);
    expect(env.next).toMatch(/^%5B/);
    const [opp] = listData('opportunities.json').map((o) => OpportunitySchema.parse(o));
    expect(opp?.stage).toBe('lead-new');
    expect(opp?.tags).toContain('Go tech');
    expect(opp?.urls?.show).toContain('/candidates/2087af84-f146-4535-9368-2309e33e049f');
    expect((opp as Record<string, unknown>).opportunityLocation).toBe('Chennai');
  });

  it('users page', () => {
    const [user] = listData('users.json').map((u) => UserSchema.parse(u));
    expect(user?.accessRole).toBe('super admin');
    expect(user?.deactivatedAt).toBeNull();
  });

  it('requisition and requisition fields', () => {
    const req = RequisitionSchema.parse((fixture('write_requisitions.json') as { data: unknown }).data);
    expect(req.compensationBand?.max).toBe(130000);
    expect(req.customFields?.cost_center).toEqual({ city: 'New York', campus_code: '9' });
    const field = RequisitionFieldSchema.parse((fixture('write_requisition_field.json') as { data: unknown }).data);
    expect(field.subfields?.map((s) => s.id)).toEqual(['city', 'campus_code', 'department']);
    expect(listData('requisition_fields.json').map((f) => RequisitionFieldSchema.parse(f).id)).toEqual(['field1']);
  });

  it('error body', () => {
    const e = LeverErrorBodySchema.parse(fixture('delete-missing-requisition-fields.json'));
    expect(e.code).toBe('NotFoundError');
  });

  it('a minimal object with only an id does not crash; a missing id does', () => {
    expect(OpportunitySchema.parse({ id: 'x' }).id).toBe('x');
    expect(OpportunitySchema.safeParse({ name: 'no id' }).success).toBe(false);
    expect(OpportunitySchema.safeParse({ id: 'x', tags: 'not-a-list' }).success).toBe(false);
  });
});

describe('the emulator answers in shapes the schemas accept', () => {
  let emu: EmulatorHandle;
  beforeAll(async () => {
    emu = await testEmulator({ opportunities: 120 });
  });
  afterAll(async () => {
    await emu.close();
  });

  it('every object type the client reads', async () => {
    const lever = clientFor(emu);
    const opps = await collect(
      lever.listOpportunities({ expand: ['applications', 'stage', 'owner', 'contact', 'followers', 'sourcedBy'] }),
    );
    const late = opps.find(
      (o) => typeof o.stage === 'object' && ['On-site interview', 'Offer'].includes(o.stage?.text ?? ''),
    );
    if (!late) throw new Error('no late-stage candidate');
    const app = late.applications?.[0];
    expect(typeof app === 'object' && app.posting).toBeTruthy();
    expect(typeof late.owner === 'object' && late.owner?.email).toMatch(/@acme-demo\.example$/);
    expect(typeof late.contact === 'object' && late.contact?.id).toBeTruthy();

    const feedback = await collect(lever.listFeedback(late.id));
    expect(feedback.length).toBeGreaterThanOrEqual(2);
    const types = new Set(feedback.flatMap((f) => f.fields?.map((x) => x.type) ?? []));
    for (const t of ['score-system', 'scorecard', 'score', 'yes-no', 'dropdown', 'multiple-select', 'textarea']) {
      expect(types).toContain(t);
    }
    expect((await collect(lever.listInterviews(late.id))).length).toBe(feedback.length);
    expect((await collect(lever.listPanels(late.id))).length).toBe(1);
    const withOffer = opps.find((o) => typeof o.stage === 'object' && o.stage?.text === 'Offer');
    if (withOffer) expect((await collect(lever.listOffers(withOffer.id)))[0]?.fields?.length).toBeGreaterThan(0);

    const postings = await collect(lever.listPostings());
    expect(postings.length).toBeGreaterThanOrEqual(8);
    expect(postings[0]?.content?.lists?.map((l) => l.text)).toEqual([
      'What you will do',
      'Requirements',
      'Nice to have',
    ]);
    expect((await lever.getPosting(postings[0]?.id ?? '')).categories?.department).toBeTruthy();
    expect((await collect(lever.listUsers())).length).toBeGreaterThan(5);
    expect((await lever.listArchiveReasons()).find((r) => r.type === 'hired')?.text).toBe('Hired');
    const [req] = await collect(lever.paginate('/requisitions', {}, RequisitionSchema));
    expect((await lever.getRequisition(req?.id ?? '')).requisitionCode).toBeTruthy();
    const eeo = await collect(lever.listEeoResponses({ fromDate: 0, toDate: Date.now() }));
    expect(eeo.length).toBeGreaterThan(0);
    expect(eeo.length).toBeLessThan(opps.length);
  });
});
