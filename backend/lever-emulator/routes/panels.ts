import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { badRequest, type EmulatorContext, fail, notFound } from '../context.ts';
import type { EmuInterview, EmuOpportunity, EmuPanel } from '../model.ts';
import { serializeInterview, serializePanel } from '../serialize.ts';
import { newId } from '../store.ts';
import { body, performAs, sub, touch, withOpp } from './shared.ts';

/** Interview panels and their interviews: read, and the writes on externally managed panels (with their webhooks). */
export function panelsRoutes(ctx: EmulatorContext): Hono {
  const app = new Hono();
  const { store, dispatcher } = ctx;

  sub(
    app,
    ctx,
    'interviews',
    (o) => store.records(o).interviews,
    (i) => serializeInterview(i),
  );
  sub(
    app,
    ctx,
    'panels',
    (o) => store.records(o).panels,
    (p, c) => {
      const o = store.opportunity(c.req.param('id') ?? '');
      return serializePanel(p, o ? store.records(o).interviews : []);
    },
  );

  /** One interview as Lever takes it; a panel's interviews share the panel's timezone. */
  const InterviewBody = z.object({
    subject: z.string().optional(),
    note: z.string().optional(),
    interviewers: z.array(z.object({ id: z.string(), feedbackTemplate: z.string().optional() })).min(1),
    date: z.number(),
    duration: z.number().int().positive(),
    location: z.string().optional(),
    feedbackTemplate: z.string().optional(),
    timezone: z.string().optional(),
  });

  const PanelBody = z.object({
    timezone: z.string().min(1),
    start: z.number().optional(),
    end: z.number().optional(),
    note: z.string().optional(),
    externalUrl: z.string().optional(),
    externallyManaged: z.boolean().optional(),
    interviews: z.array(InterviewBody.omit({ timezone: true })).min(1),
  });

  // Issue 19: panel and interview writes (docs/lever-api.md §6 "Interviews and panels": POST, PUT as a full replace,
  // DELETE, all with perform_as, only on externally managed panels; deleting a panel's last interview deletes it).
  const buildInterview = (
    o: EmuOpportunity,
    panel: EmuPanel,
    iv: z.infer<typeof InterviewBody>,
    user: string,
    id = newId(),
    createdAt = Date.now(),
  ): EmuInterview => ({
    id,
    opportunityId: o.id,
    panel: panel.id,
    subject: iv.subject ?? `Interview with ${o.name}`,
    note: iv.note ?? '',
    interviewers: iv.interviewers.map((w) => {
      const u = store.users.get(w.id);
      return { id: w.id, email: u?.email ?? '', name: u?.name ?? '', feedbackTemplate: w.feedbackTemplate ?? null };
    }),
    timezone: iv.timezone ?? panel.timezone,
    date: iv.date,
    duration: iv.duration,
    location: iv.location ?? '',
    feedbackTemplate: iv.feedbackTemplate ?? null,
    feedbackForms: [],
    user,
    stage: o.stage,
    canceledAt: null,
    postings: [o.postingId],
    createdAt,
  });

  app.post('/opportunities/:id/panels', async (c) => {
    const o = withOpp(c, store);
    const user = performAs(c, store, true);
    const b = await body(c, PanelBody);
    for (const iv of b.interviews) {
      for (const who of iv.interviewers)
        if (!store.users.has(who.id)) return badRequest(c, `Unknown interviewer ${who.id}`);
    }
    const now = Date.now();
    const panel: EmuPanel = {
      id: newId(),
      opportunityId: o.id,
      applications: [o.applicationId],
      interviews: [],
      start: b.start ?? Math.min(...b.interviews.map((i) => i.date)),
      end: b.end ?? Math.max(...b.interviews.map((i) => i.date + i.duration * 60_000)),
      timezone: b.timezone,
      note: b.note ?? '',
      externallyManaged: true,
      externalUrl: b.externalUrl ?? null,
      canceledAt: null,
      user: user as string,
      stage: o.stage,
      createdAt: now,
    };
    const r = store.mutableRecords(o);
    const interviews = b.interviews.map((iv) => buildInterview(o, panel, iv, user as string, newId(), now));
    panel.interviews = interviews.map((i) => i.id);
    r.panels.push(panel);
    r.interviews.push(...interviews);
    touch(o);
    for (const iv of interviews) {
      dispatcher.emit('interviewCreated', { opportunityId: o.id, panelId: panel.id, interviewId: iv.id }, o.origin);
    }
    // Lever's documented example double-wraps this response; the client accepts both.
    return c.json({ data: serializePanel(panel, interviews) }, 201);
  });

  const unknownInterviewer = (ivs: Array<z.infer<typeof InterviewBody>>) =>
    ivs.flatMap((iv) => iv.interviewers.map((w) => w.id)).find((id) => !store.users.has(id));
  const managedPanel = (c: Context, o: EmuOpportunity, panelId: string): EmuPanel => {
    const p = store.mutableRecords(o).panels.find((x) => x.id === panelId);
    if (!p) fail(notFound(c, 'Panel'));
    if (!p.externallyManaged) fail(badRequest(c, 'Only externally managed panels can be changed through the API'));
    return p;
  };
  const emitInterview = (event: string, o: EmuOpportunity, panelId: string, interviewId: string) =>
    dispatcher.emit(event, { opportunityId: o.id, panelId, interviewId }, o.origin);
  const resetPanelSpan = (p: EmuPanel, r: ReturnType<typeof store.mutableRecords>) => {
    const mine = r.interviews.filter((i) => i.panel === p.id);
    p.interviews = mine.map((i) => i.id);
    if (mine.length) {
      p.start = Math.min(...mine.map((i) => i.date));
      p.end = Math.max(...mine.map((i) => i.date + i.duration * 60_000));
    }
  };

  app.put('/opportunities/:id/panels/:panelId', async (c) => {
    const o = withOpp(c, store);
    const user = performAs(c, store, true);
    const p = managedPanel(c, o, c.req.param('panelId'));
    const b = await body(c, PanelBody);
    const bad = unknownInterviewer(b.interviews);
    if (bad) return badRequest(c, `Unknown interviewer ${bad}`);
    const r = store.mutableRecords(o);
    const before = r.interviews.filter((i) => i.panel === p.id);
    p.timezone = b.timezone;
    p.note = b.note ?? '';
    p.externalUrl = b.externalUrl ?? null;
    const events: Array<[string, string]> = [];
    const next = b.interviews.map((iv, k) => {
      const keep = before[k];
      events.push([keep ? 'interviewUpdated' : 'interviewCreated', '']);
      const built = buildInterview(o, p, iv, user as string, keep?.id);
      if (keep) built.createdAt = keep.createdAt;
      (events[k] as [string, string])[1] = built.id;
      return built;
    });
    for (const gone of before.slice(b.interviews.length)) events.push(['interviewDeleted', gone.id]);
    r.interviews = [...r.interviews.filter((i) => i.panel !== p.id), ...next];
    resetPanelSpan(p, r);
    if (b.start !== undefined) p.start = b.start;
    if (b.end !== undefined) p.end = b.end;
    touch(o);
    for (const [event, id] of events) emitInterview(event, o, p.id, id);
    return c.json({ data: serializePanel(p, next) });
  });

  app.delete('/opportunities/:id/panels/:panelId', (c) => {
    const o = withOpp(c, store);
    const _user = performAs(c, store, true);
    const p = managedPanel(c, o, c.req.param('panelId'));
    const r = store.mutableRecords(o);
    const gone = r.interviews.filter((i) => i.panel === p.id);
    r.interviews = r.interviews.filter((i) => i.panel !== p.id);
    r.panels = r.panels.filter((x) => x.id !== p.id);
    touch(o);
    for (const iv of gone) emitInterview('interviewDeleted', o, p.id, iv.id);
    return c.body(null, 204);
  });

  app.post('/opportunities/:id/interviews', async (c) => {
    const o = withOpp(c, store);
    const user = performAs(c, store, true);
    const b = await body(c, InterviewBody.extend({ panel: z.string().min(1) }));
    const p = managedPanel(c, o, b.panel);
    const bad = unknownInterviewer([b]);
    if (bad) return badRequest(c, `Unknown interviewer ${bad}`);
    const r = store.mutableRecords(o);
    const iv = buildInterview(o, p, b, user as string);
    r.interviews.push(iv);
    resetPanelSpan(p, r);
    touch(o);
    emitInterview('interviewCreated', o, p.id, iv.id);
    return c.json({ data: serializeInterview(iv) }, 201);
  });

  app.put('/opportunities/:id/interviews/:interviewId', async (c) => {
    const o = withOpp(c, store);
    const user = performAs(c, store, true);
    const r = store.mutableRecords(o);
    const old = r.interviews.find((i) => i.id === c.req.param('interviewId'));
    if (!old) return notFound(c, 'Interview');
    const p = managedPanel(c, o, old.panel);
    const b = await body(c, InterviewBody);
    const bad = unknownInterviewer([b]);
    if (bad) return badRequest(c, `Unknown interviewer ${bad}`);
    const iv = { ...buildInterview(o, p, b, user as string, old.id), createdAt: old.createdAt };
    r.interviews = r.interviews.map((i) => (i.id === old.id ? iv : i));
    resetPanelSpan(p, r);
    touch(o);
    emitInterview('interviewUpdated', o, p.id, iv.id);
    return c.json({ data: serializeInterview(iv) });
  });

  app.delete('/opportunities/:id/interviews/:interviewId', (c) => {
    const o = withOpp(c, store);
    const _user = performAs(c, store, true);
    const r = store.mutableRecords(o);
    const old = r.interviews.find((i) => i.id === c.req.param('interviewId'));
    if (!old) return notFound(c, 'Interview');
    const p = managedPanel(c, o, old.panel);
    r.interviews = r.interviews.filter((i) => i.id !== old.id);
    resetPanelSpan(p, r);
    if (p.interviews.length === 0) r.panels = r.panels.filter((x) => x.id !== p.id);
    touch(o);
    emitInterview('interviewDeleted', o, p.id, old.id);
    return c.body(null, 204);
  });
  return app;
}
