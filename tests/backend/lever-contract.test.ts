import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  FeedbackSchema,
  InterviewSchema,
  NoteSchema,
  OpportunitySchema,
  PanelSchema,
  PostingSchema,
  RequisitionSchema,
  TokenBucket,
  UserSchema,
} from '../../backend/lever/index.ts';
import { type EmulatorHandle, startEmulator } from '../../backend/lever-emulator/server.ts';
import { type ContractSchemas, contractSchemas } from './lever-contract/schemas.ts';

/**
 * The Lever contract: the same assertions against the emulator and, when LEVER_CONTRACT_KEY (or
 * LEVER_CONTRACT_TOKEN, an OAuth access token) and LEVER_CONTRACT_BASE_URL are set, against a real Lever account.
 * Payloads are checked with schemas written from Lever's documentation (./lever-contract/schemas.ts): strictly for
 * the emulator (every documented field, nothing invented), leniently for Lever (documented fields typed, extra fields
 * allowed). Read-only against Lever, except on the one opportunity named in LEVER_CONTRACT_OPPORTUNITY (a note that
 * is deleted again, a tag that is removed again). Run it before going live: `npm run test:contract` (docs: README,
 * "A real Lever account").
 */

type Target = {
  name: string;
  mode: 'emulator' | 'lever';
  baseUrl: string;
  authorization: string;
  /** Opportunity the write checks may touch; null = no writes. */
  writable: string | null;
  performAs: string | null;
  bucket: TokenBucket;
};

type Answer = { status: number; json: unknown; headers: Headers };

async function call(
  t: Target,
  method: string,
  p: string,
  query: Record<string, string | string[]> = {},
  body?: unknown,
) {
  const url = new URL(`${t.baseUrl}${p}`);
  for (const [k, v] of Object.entries(query)) for (const x of Array.isArray(v) ? v : [v]) url.searchParams.append(k, x);
  for (let attempt = 0; ; attempt++) {
    await t.bucket.take();
    const res = await fetch(url, {
      method,
      headers: {
        authorization: t.authorization,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: 'manual',
    });
    if ((res.status === 429 || res.status === 503) && attempt < 4) {
      await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
      continue;
    }
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    return { status: res.status, json, headers: res.headers } satisfies Answer;
  }
}

/** Parses with the schema; on failure the message lists each issue with its path, so a report says what differs. */
function conforms<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issues = r.error.issues
      .slice(0, 12)
      .map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('\n');
    throw new Error(`${what} does not match Lever's documented shape:\n${issues}`);
  }
  return r.data;
}

const data = (a: Answer) => (a.json as { data: unknown }).data;

function fromEnv(): Target | null {
  const key = process.env.LEVER_CONTRACT_KEY;
  const token = process.env.LEVER_CONTRACT_TOKEN;
  const base = process.env.LEVER_CONTRACT_BASE_URL;
  if (!base || !(key || token)) return null;
  return {
    name: `Lever (${new URL(base).host})`,
    mode: 'lever',
    baseUrl: base.replace(/\/+$/, ''),
    authorization: token ? `Bearer ${token}` : `Basic ${Buffer.from(`${key}:`).toString('base64')}`,
    writable: process.env.LEVER_CONTRACT_OPPORTUNITY || null,
    performAs: process.env.LEVER_CONTRACT_PERFORM_AS || null,
    // Stay well under Lever's 10 requests/s: this may run next to a live integration on the same key.
    bucket: new TokenBucket(5, 5),
  };
}

/** A real account is read at 5 requests/s: give each check time. */
const SLOW = { timeout: 180_000 };

/** Endpoints a key may legitimately not have; a 403 there is reported, not failed. */
const OPTIONAL_PERMISSIONS = new Set(['/eeo/responses/pii', '/webhooks', '/requisitions', '/offers']);
const notes: string[] = [];
afterAll(() => {
  if (notes.length) console.log(`Lever contract notes:\n${notes.map((n) => `  - ${n}`).join('\n')}`);
});

let emu: EmulatorHandle | undefined;
let emulatorTarget: Target | undefined;
const real = fromEnv();
const targets: Array<{ label: string; get: () => Target }> = [
  {
    label: 'the Lever emulator',
    get: () => {
      if (!emulatorTarget) throw new Error('emulator not started');
      return emulatorTarget;
    },
  },
  ...(real ? [{ label: real.name, get: () => real }] : []),
];

beforeAll(async () => {
  emu = await startEmulator({ port: 0, opportunities: 160, ratePerSecond: 1000, burst: 1000 });
  emulatorTarget = {
    name: 'emulator',
    mode: 'emulator',
    baseUrl: emu.apiBaseUrl,
    authorization: `Basic ${Buffer.from(`${emu.apiKey}:`).toString('base64')}`,
    writable: null, // chosen below, from the data
    performAs: null,
    bucket: new TokenBucket(1000, 1000),
  };
});
afterAll(async () => {
  await emu?.close();
});

const FIXTURES = path.join(__dirname, 'lever-contract', 'fixtures');
const fixture = (name: string): unknown => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8'));

describe("recorded Lever payloads match the schemas written from Lever's docs", () => {
  const S = contractSchemas('lever');
  it('opportunities, users, requisitions, requisition fields and an error body', () => {
    conforms(S.Page(S.Opportunity()), fixture('opportunities.json'), 'opportunities.json');
    conforms(S.Page(S.User), fixture('users.json'), 'users.json');
    conforms(S.Requisition, (fixture('write_requisitions.json') as { data: unknown }).data, 'write_requisitions.json');
    conforms(
      S.RequisitionField.array(),
      (fixture('requisition_fields.json') as { data: unknown }).data,
      'requisition_fields.json',
    );
    conforms(S.ErrorBody, fixture('delete-missing-requisition-fields.json'), 'error body');
  });

  it('the schemas are not vacuous: a wrong type, a missing field or an identifier in anonymous EEO fails', () => {
    const [opp] = (fixture('opportunities.json') as { data: Array<Record<string, unknown>> }).data;
    expect(S.Opportunity().safeParse({ ...opp, createdAt: '2025-06-18' }).success).toBe(false);
    const { contact: _c, ...noContact } = opp as Record<string, unknown>;
    expect(S.Opportunity().safeParse(noContact).success).toBe(false);
    const eeo = {
      gender: 'Female',
      race: null,
      veteran: null,
      disability: null,
      currentStage: 'lead-new',
      appliedAt: 1750233426190,
      hiredDate: null,
      origin: 'applied',
      source: null,
      requisitionCodes: [],
    };
    expect(S.EeoAnonymous.safeParse(eeo).success).toBe(true);
    expect(S.EeoAnonymous.safeParse({ ...eeo, opportunityId: 'x' }).success).toBe(false);
    const field = { id: 'f', type: 'score-system', text: 'Rating', required: true, value: 3 };
    expect(S.FeedbackField.safeParse(field).success).toBe(false);
    expect(S.FeedbackField.safeParse({ ...field, value: '3 - Hire' }).success).toBe(true);
    // The emulator's strictness: an invented field fails.
    expect(contractSchemas('emulator').Stage.safeParse({ id: 'a', text: 'b', color: 'red' }).success).toBe(false);
  });
});

describe.each(targets)('Lever API contract: $label', ({ get }) => {
  let t: Target;
  let S: ContractSchemas;
  /** A sample of opportunities to read sub-resources of: for the emulator, late-stage ones that have all of them. */
  let sample: string[] = [];

  beforeAll(async () => {
    t = get();
    S = contractSchemas(t.mode);
    const page = await call(t, 'GET', '/opportunities', { limit: '100', expand: ['stage'] });
    expect(page.status).toBe(200);
    const opps = (data(page) as Array<{ id: string; stage: { text: string } | string }>) ?? [];
    const late = opps.filter(
      (o) => typeof o.stage === 'object' && ['On-site interview', 'Offer'].includes(o.stage.text),
    );
    sample = (t.mode === 'emulator' ? [...late.slice(0, 6), ...opps.slice(0, 2)] : opps.slice(0, 8)).map((o) => o.id);
    if (t.mode === 'emulator') t.writable = opps[1]?.id ?? null;
  });

  const optional = async (p: string, a: Answer): Promise<boolean> => {
    if (a.status === 403 && t.mode === 'lever' && [...OPTIONAL_PERMISSIONS].some((x) => p.endsWith(x))) {
      notes.push(`${t.name}: the key may not read ${p} (403); Fulcrum features that need it stay off.`);
      return false;
    }
    expect(a.status, `${p}: ${JSON.stringify(a.json).slice(0, 200)}`).toBe(200);
    return true;
  };

  it('lists opportunities, plain and with every documented expand', SLOW, async () => {
    const plain = await call(t, 'GET', '/opportunities', { limit: '25' });
    expect(plain.status).toBe(200);
    conforms(S.Page(S.Opportunity()), plain.json, 'GET /opportunities');
    const all = [...S.OPPORTUNITY_EXPANDS];
    const expanded = await call(t, 'GET', '/opportunities', { limit: '10', expand: all });
    const page = conforms(S.Page(S.Opportunity(all)), expanded.json, 'GET /opportunities?expand=…');
    // What the client's own schemas make of the same payload.
    for (const o of page.data) OpportunitySchema.parse(o);
    const deleted = await call(t, 'GET', '/opportunities/deleted', { limit: '10' });
    expect(deleted.status).toBe(200);
    conforms(S.Page(S.DeletedOpportunity), deleted.json, 'GET /opportunities/deleted');
  });

  it('include returns only the fields named; expand overrides include', SLOW, async () => {
    const oppId = sample[0] as string;
    const keys = async (query: Record<string, string | string[]>) => {
      const a = await call(t, 'GET', `/opportunities/${oppId}`, query);
      expect(a.status).toBe(200);
      return data(a) as Record<string, unknown>;
    };
    expect(Object.keys(await keys({ include: 'id' }))).toEqual(['id']);
    expect(Object.keys(await keys({ include: ['name', 'tags'] })).sort()).toEqual(['name', 'tags']);
    const withOwner = await keys({ include: 'name', expand: 'owner' });
    expect(Object.keys(withOwner).sort()).toEqual(['name', 'owner']);
    if (withOwner.owner !== null) conforms(S.User, withOwner.owner, 'expanded owner');

    const list = await call(t, 'GET', '/postings', { limit: '5' });
    expect(list.status).toBe(200);
    const postings = conforms(S.Page(S.Posting), list.json, 'GET /postings').data;
    // `content` comes by default, on the list too.
    for (const p of postings) conforms(S.PostingContent, p.content, `posting ${p.id} content`);
    const pid = postings[0]?.id as string;
    const only = await call(t, 'GET', `/postings/${pid}`, { include: 'id' });
    expect(data(only)).toEqual({ id: pid });
    const text = await call(t, 'GET', `/postings/${pid}`, { include: 'text' });
    expect(Object.keys(data(text) as object)).toEqual(['text']);
  });

  it('reads one opportunity, its contact and every per-opportunity list', SLOW, async () => {
    const seen: Record<string, number> = {};
    for (const oppId of sample) {
      const one = await call(t, 'GET', `/opportunities/${oppId}`);
      const opp = conforms(S.Opportunity(), data(one), `GET /opportunities/${oppId}`);
      const contact = await call(t, 'GET', `/contacts/${opp.contact}`);
      if (contact.status !== 403) conforms(S.Contact, data(contact), 'GET /contacts/:id');
      const lists: Array<[string, z.ZodType]> = [
        ['notes', S.Note],
        ['feedback', S.Feedback],
        ['interviews', S.Interview],
        ['panels', S.Panel],
        ['offers', S.Offer],
        ['resumes', S.Resume],
        ['files', S.LeverFile],
      ];
      for (const [sub, schema] of lists) {
        const p = `/opportunities/${oppId}/${sub}`;
        const a = await call(t, 'GET', p);
        if (!(await optional(`/${sub}`, a))) continue;
        const page = conforms(S.Page(schema), a.json, `GET ${p}`) as { data: unknown[] };
        seen[sub] = (seen[sub] ?? 0) + page.data.length;
        const client = {
          notes: NoteSchema,
          feedback: FeedbackSchema,
          interviews: InterviewSchema,
          panels: PanelSchema,
        }[sub as 'notes'];
        for (const x of page.data) client?.parse(x);
      }
    }
    if (t.mode === 'emulator') {
      // The emulator's sample is chosen to exercise every shape.
      for (const sub of ['feedback', 'interviews', 'panels', 'resumes', 'notes'])
        expect(seen[sub] ?? 0).toBeGreaterThan(0);
    } else {
      notes.push(`${t.name}: per-opportunity items checked: ${JSON.stringify(seen)}`);
    }
  });

  it('reference data: stages, archive reasons, users, tags, sources, postings, requisitions', SLOW, async () => {
    conforms(S.Page(S.Stage), (await call(t, 'GET', '/stages')).json, 'GET /stages');
    conforms(S.Page(S.ArchiveReason), (await call(t, 'GET', '/archive_reasons')).json, 'GET /archive_reasons');
    const users = conforms(S.Page(S.User), (await call(t, 'GET', '/users', { limit: '20' })).json, 'GET /users');
    for (const u of users.data) UserSchema.parse(u);
    conforms(S.Page(S.Count), (await call(t, 'GET', '/tags')).json, 'GET /tags');
    conforms(S.Page(S.Count), (await call(t, 'GET', '/sources')).json, 'GET /sources');
    const postings = conforms(S.Page(S.Posting), (await call(t, 'GET', '/postings', { limit: '10' })).json, 'postings');
    const pid = postings.data[0]?.id as string;
    const posting = conforms(S.Posting, data(await call(t, 'GET', `/postings/${pid}`)), 'GET /postings/:id');
    PostingSchema.parse(posting);
    const reqs = await call(t, 'GET', '/requisitions', { limit: '10' });
    if (await optional('/requisitions', reqs)) {
      const page = conforms(S.Page(S.Requisition), reqs.json, 'GET /requisitions');
      for (const r of page.data) RequisitionSchema.parse(r);
      if (page.data[0]) {
        conforms(S.Requisition, data(await call(t, 'GET', `/requisitions/${page.data[0].id}`)), 'requisition');
      }
    }
  });

  it(
    'EEO: anonymous responses carry no identifiers; the PII endpoint has them behind its own permission',
    SLOW,
    async () => {
      const window = { fromDate: '0', toDate: String(Date.now()) };
      const anon = await call(t, 'GET', '/eeo/responses', window);
      if (await optional('/eeo/responses', anon)) {
        const page = conforms(S.Page(S.EeoAnonymous), anon.json, 'GET /eeo/responses');
        if (t.mode === 'emulator') expect(page.data.length).toBeGreaterThan(0);
      }
      const pii = await call(t, 'GET', '/eeo/responses/pii', {
        created_at_start: '0',
        created_at_end: String(Date.now()),
      });
      if (await optional('/eeo/responses/pii', pii)) {
        const page = conforms(S.Page(S.EeoPii), pii.json, 'GET /eeo/responses/pii');
        if (t.mode === 'emulator') expect(page.data.length).toBeGreaterThan(0);
      }
    },
  );

  it("webhooks list, and an unknown object is a 404 with Lever's error body", SLOW, async () => {
    const hooks = await call(t, 'GET', '/webhooks');
    if (await optional('/webhooks', hooks)) conforms(S.Page(S.Webhook(false)), hooks.json, 'GET /webhooks');
    const missing = await call(t, 'GET', '/opportunities/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    conforms(S.ErrorBody, missing.json, '404 body');
  });

  it(
    'writes on the contract opportunity only: a note (full note + noteId), read back, deleted; a tag added and removed',
    SLOW,
    async (ctx) => {
      if (!t.writable) {
        notes.push(
          `${t.name}: write checks skipped (set LEVER_CONTRACT_OPPORTUNITY to an opportunity they may touch).`,
        );
        ctx.skip();
        return;
      }
      const opp = t.writable;
      const q: Record<string, string> = t.performAs ? { perform_as: t.performAs } : {};
      const marker = `Fulcrum contract check ${new Date().toISOString()} (safe to delete)`;
      const created = await call(t, 'POST', `/opportunities/${opp}/notes`, q, { value: marker });
      expect(created.status).toBe(201);
      const note = conforms(S.CreatedNote, data(created), 'POST /notes') as { noteId: string };
      try {
        const read = await call(t, 'GET', `/opportunities/${opp}/notes/${note.noteId}`);
        const n = conforms(S.Note, data(read), 'GET /notes/:id');
        expect(n.fields[0]?.value).toBe(marker);
      } finally {
        const del = await call(t, 'DELETE', `/opportunities/${opp}/notes/${note.noteId}`, q);
        expect(del.status).toBe(204);
      }
      const tag = 'fulcrum-contract-check';
      const added = await call(t, 'POST', `/opportunities/${opp}/addTags`, q, { tags: [tag] });
      expect((conforms(S.Opportunity(), data(added), 'POST /addTags') as { tags: string[] }).tags).toContain(tag);
      const removed = await call(t, 'POST', `/opportunities/${opp}/removeTags`, q, { tags: [tag] });
      expect((conforms(S.Opportunity(), data(removed), 'POST /removeTags') as { tags: string[] }).tags).not.toContain(
        tag,
      );
    },
  );
});

describe('emulator-only: per-key permissions and webhook creation', () => {
  it('a key without the EEO PII permission reads anonymous responses and gets 403 on /eeo/responses/pii', async () => {
    const e = emu as EmulatorHandle;
    const admin = `Basic ${Buffer.from(`${e.apiKey}:`).toString('base64')}`;
    const key = 'contract-no-pii-key';
    const made = await fetch(`${e.url}/_admin/keys`, {
      method: 'POST',
      headers: { authorization: admin, 'content-type': 'application/json' },
      body: JSON.stringify({ key, permissions: ['eeo_responses:read'] }),
    });
    expect(made.status).toBe(201);
    const t: Target = {
      ...(emulatorTarget as Target),
      authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}`,
    };
    expect((await call(t, 'GET', '/eeo/responses', { fromDate: '0', toDate: String(Date.now()) })).status).toBe(200);
    const pii = await call(t, 'GET', '/eeo/responses/pii');
    expect(pii.status).toBe(403);
    expect((pii.json as { message: string }).message).toContain('eeo_responses_pii:read');
  });

  it('creates a webhook with an origin condition and its signature token, lists it without the token', async () => {
    const t = emulatorTarget as Target;
    const S = contractSchemas('emulator');
    const body = {
      url: 'https://fulcrum.example/webhooks/lever',
      event: 'candidateStageChange',
      configuration: { conditions: { origins: ['applied', 'referred'] } },
    };
    const created = await call(t, 'POST', '/webhooks', {}, body);
    expect(created.status).toBe(201);
    const hook = conforms(S.Webhook(true), data(created), 'POST /webhooks');
    expect(hook.configuration.conditions?.origins).toEqual(['applied', 'referred']);
    const listed = conforms(S.Page(S.Webhook(false)), (await call(t, 'GET', '/webhooks')).json, 'GET /webhooks');
    expect(listed.data.find((w) => w.id === hook.id)?.configuration).toEqual({
      conditions: { origins: ['applied', 'referred'] },
    });
    expect((await call(t, 'DELETE', `/webhooks/${hook.id}`)).status).toBe(204);
  });
});
