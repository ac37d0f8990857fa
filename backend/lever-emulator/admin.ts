import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { type HostPolicy, hostAllowed, hostPolicy, misdirectedMessage } from '../http/host-check.ts';
import { badRequest, type EmulatorContext, fail, leverError, notFound } from './context.ts';
import { credentialOf } from './gate.ts';
import type { EmuApplication, EmuOpportunity, EmuResume } from './model.ts';
import { newId } from './store.ts';

/**
 * Test and demo controls under /_admin, guarded by an API key with every permission ('*'). Not part of Lever.
 */
const FaultsBody = z.object({
  latencyMs: z.number().int().min(0).max(120_000).optional(),
  errorRate: z.number().min(0).max(1).optional(),
  force429: z.number().int().min(0).optional(),
});

const ApplicationBody = z.object({
  postingId: z.string().min(1),
  name: z.string().min(1),
  email: z.string().email(),
  phone: z.string().optional(),
  headline: z.string().optional(),
  resumeText: z.string().optional(),
  origin: z.enum(['applied', 'sourced', 'referred', 'agency', 'university', 'internal']).optional(),
});

const KeyBody = z.object({ key: z.string().min(8), permissions: z.array(z.string().min(1)) });

const ResetBody = z.object({ seed: z.number().int().optional(), opportunities: z.number().int().min(0).optional() });

export function adminRouter(ctx: EmulatorContext, hosts: HostPolicy = hostPolicy({})): Hono {
  const app = new Hono();
  const { store, dispatcher } = ctx;

  app.use('*', async (c, next) => {
    // DNS rebinding: the demo key is public, so a web page must not reach these controls under its own name.
    const host = c.req.header('host') ?? new URL(c.req.url).host;
    if (!hostAllowed(host, hosts)) {
      return leverError(c, 421, 'MisdirectedRequest', misdirectedMessage(host, "The Lever emulator's admin API"));
    }
    const cred = credentialOf(ctx, c.req.header('authorization'));
    if (!cred) return leverError(c, 401, 'UnauthorizedError', 'Invalid or missing API credentials');
    if (!cred.perms.has('*')) return leverError(c, 403, 'ForbiddenError', 'Admin endpoints need the emulator key');
    await next();
  });

  const json = async <T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> => {
    const text = await c.req.text();
    const parsed = schema.safeParse(text ? JSON.parse(text) : {});
    return parsed.success ? parsed.data : fail(badRequest(c, z.prettifyError(parsed.error).replace(/\n/g, ' ')));
  };

  app.post('/reset', async (c) => {
    const b = await json(c, ResetBody);
    store.reset(b);
    dispatcher.clear();
    for (const k of [...ctx.keys.keys()]) if (k !== ctx.primaryKey) ctx.keys.delete(k);
    ctx.faults.latencyMs = 0;
    ctx.faults.errorRate = 0;
    ctx.faults.force429 = 0;
    ctx.buckets.clear();
    Object.assign(ctx.stats, { requests: 0, rateLimited: 0, injectedErrors: 0, byStatus: {} });
    return c.json({ data: { opportunities: store.opportunities.length, epoch: store.epoch } });
  });

  app.get('/faults', (c) => c.json({ data: ctx.faults }));
  app.post('/faults', async (c) => {
    const b = await json(c, FaultsBody);
    Object.assign(ctx.faults, b);
    return c.json({ data: ctx.faults });
  });

  app.get('/stats', (c) => c.json({ data: { ...ctx.stats, opportunities: store.opportunities.length } }));

  app.post('/keys', async (c) => {
    const b = await json(c, KeyBody);
    ctx.keys.set(b.key, new Set(b.permissions));
    return c.json({ data: { key: b.key, permissions: b.permissions } }, 201);
  });

  app.get('/webhook-deliveries', (c) => c.json({ data: dispatcher.log }));

  // A candidate applying to a posting: new (or reused, by email) contact, opportunity, application and resume.
  app.post('/applications', async (c) => {
    const b = await json(c, ApplicationBody);
    const posting = store.postings.get(b.postingId);
    if (!posting) return notFound(c, 'Posting');
    const existing = store.findContactByEmail(b.email);
    const now = Math.max(Date.now(), (store.opportunities.at(-1)?.createdAt ?? 0) + 1);
    const stage = store.seed.stages[2] ?? store.seed.stages[0];
    if (!stage) return badRequest(c, 'No stages');
    const origin = b.origin ?? 'applied';
    const o: EmuOpportunity = {
      id: newId(),
      contact: existing?.contact ?? newId(),
      name: existing?.name ?? b.name,
      headline: b.headline ?? existing?.headline ?? '',
      emails: [b.email.toLowerCase()],
      phones: b.phone ? [{ type: 'mobile', value: b.phone }] : [],
      links: [],
      location: existing?.location ?? '',
      stage: stage.id,
      stageChanges: [{ toStageId: stage.id, toStageIndex: 2, userId: posting.owner, updatedAt: now }],
      archived: null,
      confidentiality: 'non-confidential',
      tags: [],
      sources: ['Company website'],
      origin,
      sourcedBy: null,
      owner: posting.owner,
      followers: [posting.owner],
      applicationId: newId(),
      postingId: posting.id,
      createdAt: now,
      updatedAt: now,
      lastInteractionAt: now,
      lastAdvancedAt: now,
      snoozedUntil: null,
      seedIndex: -1,
    };
    const app: EmuApplication = {
      id: o.applicationId,
      opportunityId: o.id,
      createdAt: now,
      type: 'posting',
      posting: posting.id,
      postingOwner: posting.owner,
      postingHiringManager: posting.hiringManager,
      user: null,
      name: o.name,
      email: b.email,
      phone: b.phone ? { type: 'mobile', value: b.phone } : null,
      company: null,
      links: [],
      comments: null,
    };
    const resume: EmuResume = {
      id: newId(),
      opportunityId: o.id,
      createdAt: now,
      fileName: `${o.name.replace(/\s+/g, '_')}_Resume.txt`,
      parsedData: { positions: [], schools: [] },
      profile: { summary: '', skills: [], years: 0 },
    };
    store.addOpportunity(o, app, resume, b.resumeText ?? `${o.name}\n${b.email}\n`);
    dispatcher.emit(
      'applicationCreated',
      { opportunityId: o.id, candidateId: o.id, contactId: o.contact, applicationId: app.id, postingId: posting.id },
      origin,
    );
    return c.json({ data: { opportunityId: o.id, applicationId: app.id, contactId: o.contact } }, 201);
  });

  app.delete('/opportunities/:id', (c) => {
    const o = store.opportunity(c.req.param('id'));
    if (!o) return notFound(c, 'Opportunity');
    store.remove(o, c.req.query('perform_as') ?? null);
    dispatcher.emit('candidateDeleted', { opportunityId: o.id, candidateId: o.id, contactId: o.contact }, o.origin);
    return c.body(null, 204);
  });

  return app;
}
