import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { WEBHOOK_EVENTS } from '../lever/schemas.ts';
import {
  badRequest,
  type EmulatorContext,
  INVALID_OFFSET,
  leverError,
  listPage,
  msParam,
  multi,
  notFound,
  opportunityCursor,
  parseLimit,
  parseOpportunityCursor,
} from './context.ts';
import { apiGate } from './gate.ts';
import type { EmuFile, EmuInterview, EmuNote, EmuOpportunity, EmuPanel } from './model.ts';
import { textToPdf } from './pdf.ts';
import { DESCRIPTION_TAGS, disallowedTags, textOfHtml } from './posting-html.ts';
import { renderResumeText } from './resume-text.ts';
import {
  postingLevel,
  publicRecord,
  serializeContact,
  serializeEeoAnonymous,
  serializeEeoPii,
  serializeFeedback,
  serializeFile,
  serializeInterview,
  serializeNote,
  serializeOffer,
  serializeOpportunity,
  serializePanel,
  serializePosting,
  serializeRequisition,
  serializeResume,
  serializeUser,
  serializeWebhook,
} from './serialize.ts';
import { newId, newToken } from './store.ts';

/** The emulated subset of Lever's Data API v1, mounted at /v1. Shapes and status codes follow docs/lever-api.md. */
export function apiRouter(ctx: EmulatorContext): Hono {
  const app = new Hono();
  const { store, dispatcher } = ctx;
  const ui = (c: Context) => new URL(c.req.url).origin;
  app.use('*', apiGate(ctx));

  const body = async <T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T> | Response> => {
    const raw: unknown = await c.req.json().catch(() => undefined);
    const parsed = schema.safeParse(raw);
    if (!parsed.success) return badRequest(c, `Invalid body: ${z.prettifyError(parsed.error).replace(/\n/g, ' ')}`);
    return parsed.data;
  };
  const performAs = (c: Context, required: boolean): string | null | Response => {
    const id = c.req.query('perform_as');
    if (!id) return required ? badRequest(c, 'perform_as is required for this endpoint') : null;
    return store.users.has(id) ? id : badRequest(c, `perform_as user ${id} does not exist`);
  };
  const withOpp = (c: Context): EmuOpportunity | Response =>
    store.opportunity(c.req.param('id') ?? '') ?? notFound(c, 'Opportunity');
  const touch = (o: EmuOpportunity) => {
    o.updatedAt = Date.now();
    o.lastInteractionAt = o.updatedAt;
  };
  const oppJson = (c: Context, o: EmuOpportunity, status: 200 | 201 = 200) =>
    c.json({ data: serializeOpportunity(o, store, ui(c), new Set(), new Set()) }, status);

  // ------------------------------------------------------------ opportunities

  app.get('/opportunities', (c) => {
    const limit = parseLimit(c);
    if (limit instanceof Response) return limit;
    const f = {
      tags: new Set(multi(c, 'tag')),
      stages: new Set(multi(c, 'stage_id')),
      postings: new Set(multi(c, 'posting_id')),
      email: c.req.query('email')?.toLowerCase(),
      contact: c.req.query('contact_id'),
      origin: c.req.query('origin'),
      archived: c.req.query('archived'),
      reason: c.req.query('archive_reason_id'),
      confidentiality: c.req.query('confidentiality') ?? 'non-confidential',
      updStart: msParam(c, 'updated_at_start'),
      updEnd: msParam(c, 'updated_at_end'),
      crStart: msParam(c, 'created_at_start'),
      crEnd: msParam(c, 'created_at_end'),
    };
    if ([f.updStart, f.updEnd, f.crStart, f.crEnd].some((v) => Number.isNaN(v))) {
      return badRequest(c, 'Time filters must be epoch milliseconds');
    }
    const match = (o: EmuOpportunity): boolean => {
      if (o.deletedAt !== undefined) return false;
      if (f.confidentiality !== 'all' && o.confidentiality !== f.confidentiality) return false;
      if (f.tags.size && !o.tags.some((t) => f.tags.has(t))) return false;
      if (f.stages.size && !f.stages.has(o.stage)) return false;
      if (f.postings.size && !f.postings.has(o.postingId)) return false;
      if (f.email && !o.emails.some((e) => e.toLowerCase() === f.email)) return false;
      if (f.contact && o.contact !== f.contact) return false;
      if (f.origin && o.origin !== f.origin) return false;
      if (f.archived === 'true' && !o.archived) return false;
      if (f.archived === 'false' && o.archived) return false;
      if (f.reason && o.archived?.reason !== f.reason) return false;
      if (f.updStart !== undefined && o.updatedAt < f.updStart) return false;
      if (f.updEnd !== undefined && o.updatedAt > f.updEnd) return false;
      if (f.crStart !== undefined && o.createdAt < f.crStart) return false;
      if (f.crEnd !== undefined && o.createdAt > f.crEnd) return false;
      return true;
    };
    let start = 0;
    const offset = c.req.query('offset');
    if (offset) {
      const cur = parseOpportunityCursor(offset);
      const pos = cur ? store.positionOf(cur.id) : undefined;
      if (
        !cur ||
        cur.epoch !== store.epoch ||
        pos === undefined ||
        store.opportunities[pos]?.createdAt !== cur.createdAt
      ) {
        return badRequest(c, INVALID_OFFSET);
      }
      start = pos + 1;
    }
    const page: EmuOpportunity[] = [];
    let i = start;
    const all = store.opportunities;
    for (; i < all.length && page.length < limit; i++) {
      const o = all[i] as EmuOpportunity;
      if (match(o)) page.push(o);
    }
    let hasNext = false;
    for (; i < all.length; i++) {
      if (match(all[i] as EmuOpportunity)) {
        hasNext = true;
        break;
      }
    }
    const expand = new Set(multi(c, 'expand'));
    const include = new Set(multi(c, 'include'));
    const last = page.at(-1);
    return c.json({
      data: page.map((o) => serializeOpportunity(o, store, ui(c), expand, include)),
      hasNext,
      ...(hasNext && last ? { next: opportunityCursor(store.epoch, last.createdAt, last.id) } : {}),
    });
  });

  app.get('/opportunities/deleted', (c) => {
    const from = msParam(c, 'deleted_at_start') ?? 0;
    const to = msParam(c, 'deleted_at_end') ?? Number.MAX_SAFE_INTEGER;
    const items = store.deleted.filter((d) => d.deletedAt >= from && d.deletedAt <= to);
    return listPage(
      c,
      ctx,
      items,
      (d) => d.id,
      (d) => d,
    );
  });

  app.get('/opportunities/:id', (c) => {
    const o = withOpp(c);
    if (o instanceof Response) return o;
    const data = serializeOpportunity(o, store, ui(c), new Set(multi(c, 'expand')), new Set(multi(c, 'include')));
    return c.json({ data });
  });

  // ------------------------------------------------------------ notes

  const visibleNotes = (o: EmuOpportunity) => store.records(o).notes;

  app.get('/opportunities/:id/notes', (c) => {
    const o = withOpp(c);
    if (o instanceof Response) return o;
    return listPage(c, ctx, visibleNotes(o), (n) => n.id, serializeNote);
  });

  app.get('/opportunities/:id/notes/:noteId', (c) => {
    const o = withOpp(c);
    if (o instanceof Response) return o;
    const n = visibleNotes(o).find((x) => x.id === c.req.param('noteId'));
    return n ? c.json({ data: serializeNote(n) }) : notFound(c, 'Note');
  });

  const NoteBody = z.object({
    value: z.string().min(1),
    secret: z.boolean().optional(),
    score: z.number().int().min(1).max(4).nullish(),
    notifyFollowers: z.boolean().optional(),
    createdAt: z.number().optional(),
  });

  app.post('/opportunities/:id/notes', async (c) => {
    const o = withOpp(c);
    if (o instanceof Response) return o;
    const user = performAs(c, false);
    if (user instanceof Response) return user;
    const b = await body(c, NoteBody);
    if (b instanceof Response) return b;
    if (b.createdAt !== undefined && b.createdAt > Date.now()) return badRequest(c, 'createdAt must be in the past');
    const r = store.mutableRecords(o);
    const now = b.createdAt ?? Date.now();
    const field = {
      type: 'note' as const,
      text: 'Note' as const,
      value: b.value,
      createdAt: now,
      user,
      score: b.score ?? null,
    };
    const threadId = c.req.query('note_id');
    if (threadId) {
      const thread = r.notes.find((n) => n.id === threadId);
      if (!thread) return notFound(c, 'Note');
      thread.fields.push(field);
      touch(o);
      // Recorded live responses are the whole note plus `noteId` (the docs show `{noteId}` only).
      return c.json({ data: { ...serializeNote(thread), noteId: thread.id } }, 201);
    }
    const note: EmuNote = {
      id: newId(),
      opportunityId: o.id,
      text: 'Note',
      user,
      secret: b.secret ?? false,
      createdAt: now,
      completedAt: now,
      fields: [field],
      createdVia: 'api',
    };
    r.notes.push(note);
    touch(o);
    return c.json({ data: { ...serializeNote(note), noteId: note.id } }, 201);
  });

  const NoteUpdate = z.object({
    value: z.string().min(1).optional(),
    values: z
      .array(z.union([z.string(), z.object({ value: z.string(), score: z.number().int().min(1).max(4).nullish() })]))
      .optional(),
    secret: z.boolean().optional(),
    score: z.number().int().min(1).max(4).nullish(),
  });

  const apiNote = (c: Context, o: EmuOpportunity): EmuNote | Response => {
    const n = store.records(o).notes.find((x) => x.id === c.req.param('noteId'));
    if (!n) return notFound(c, 'Note');
    if (n.createdVia !== 'api') {
      return leverError(
        c,
        403,
        'ForbiddenError',
        'Notes created in Lever cannot be changed or deleted through the API',
      );
    }
    return n;
  };

  app.put('/opportunities/:id/notes/:noteId', async (c) => {
    const o = withOpp(c);
    if (o instanceof Response) return o;
    const user = performAs(c, false);
    if (user instanceof Response) return user;
    const found = apiNote(c, o);
    if (found instanceof Response) return found;
    const b = await body(c, NoteUpdate);
    if (b instanceof Response) return b;
    const values = b.values ?? (b.value !== undefined ? [b.value] : undefined);
    if (!values || values.length === 0) return badRequest(c, 'values is required');
    const n = store.mutableRecords(o).notes.find((x) => x.id === found.id) as EmuNote;
    const now = Date.now();
    n.fields = values.map((v) => ({
      type: 'note',
      text: 'Note',
      value: typeof v === 'string' ? v : v.value,
      createdAt: now,
      user: user ?? n.user,
      score: (typeof v === 'string' ? undefined : v.score) ?? b.score ?? null,
    }));
    if (b.secret !== undefined) n.secret = b.secret;
    touch(o);
    return c.json({ data: serializeNote(n) });
  });

  app.delete('/opportunities/:id/notes/:noteId', (c) => {
    const o = withOpp(c);
    if (o instanceof Response) return o;
    const found = apiNote(c, o);
    if (found instanceof Response) return found;
    const r = store.mutableRecords(o);
    r.notes = r.notes.filter((n) => n.id !== found.id);
    touch(o);
    return c.body(null, 204);
  });

  // ------------------------------------------------------------ per-opportunity reads

  const sub = <T extends { id: string; opportunityId: string }>(
    name: string,
    pick: (o: EmuOpportunity) => T[],
    render: (x: T, c: Context) => unknown = (x) => publicRecord(x),
  ) => {
    app.get(`/opportunities/:id/${name}`, (c) => {
      const o = withOpp(c);
      if (o instanceof Response) return o;
      return listPage(
        c,
        ctx,
        pick(o),
        (x) => x.id,
        (x) => render(x, c),
      );
    });
    app.get(`/opportunities/:id/${name}/:subId`, (c) => {
      const o = withOpp(c);
      if (o instanceof Response) return o;
      const x = pick(o).find((y) => y.id === c.req.param('subId'));
      return x ? c.json({ data: render(x, c) }) : notFound(c, name);
    });
  };
  sub(
    'feedback',
    (o) => store.records(o).feedback,
    (f) => serializeFeedback(f),
  );
  sub(
    'interviews',
    (o) => store.records(o).interviews,
    (i) => serializeInterview(i),
  );
  sub(
    'offers',
    (o) => store.records(o).offers,
    (x) => serializeOffer(x),
  );
  sub(
    'panels',
    (o) => store.records(o).panels,
    (p, c) => {
      const o = store.opportunity(c.req.param('id') ?? '');
      return serializePanel(p, o ? store.records(o).interviews : []);
    },
  );
  sub(
    'resumes',
    (o) => [store.records(o).resume],
    (r, c) => serializeResume(r, ui(c)),
  );
  sub(
    'files',
    (o) => store.records(o).files,
    (f, c) => serializeFile(f, ui(c)),
  );

  app.get('/opportunities/:id/resumes/:subId/download', (c) => {
    const o = withOpp(c);
    if (o instanceof Response) return o;
    const r = store.records(o);
    if (r.resume.id !== c.req.param('subId')) return notFound(c, 'Resume');
    const text = r.resumeTexts.get(r.resume.id) ?? renderResumeText(o, r.resume);
    c.header('content-disposition', `attachment; filename="${r.resume.fileName}"`);
    if (r.resume.fileName.endsWith('.pdf')) {
      return c.body(new Uint8Array(textToPdf(text)), 200, { 'content-type': 'application/pdf' });
    }
    return c.body(text, 200, { 'content-type': 'text/plain; charset=utf-8' });
  });

  app.get('/opportunities/:id/files/:subId/download', (c) => {
    const o = withOpp(c);
    if (o instanceof Response) return o;
    const f = store.records(o).files.find((x) => x.id === c.req.param('subId'));
    if (!f) return notFound(c, 'File');
    c.header('content-disposition', `attachment; filename="${f.name}"`);
    return c.body(new Uint8Array(f.content), 200, { 'content-type': f.contentType });
  });

  app.post('/opportunities/:id/files', async (c) => {
    const o = withOpp(c);
    if (o instanceof Response) return o;
    const user = performAs(c, true);
    if (user instanceof Response) return user;
    const form = await c.req.formData().catch(() => undefined);
    const file = form?.get('file');
    if (!(file instanceof File)) return badRequest(c, 'Multipart field "file" is required');
    if (file.size > 30 * 1024 * 1024) return leverError(c, 413, 'PayloadTooLarge', 'Files are limited to 30 MB');
    const ext = file.name.includes('.') ? (file.name.split('.').pop() ?? '').toLowerCase() : '';
    const f: EmuFile = {
      id: newId(),
      opportunityId: o.id,
      name: file.name,
      ext,
      contentType: file.type || 'application/octet-stream',
      content: Buffer.from(await file.arrayBuffer()),
      uploadedAt: Date.now(),
    };
    store.mutableRecords(o).files.push(f);
    touch(o);
    return c.json({ data: serializeFile(f, ui(c)) }, 201);
  });

  app.delete('/opportunities/:id/files/:fileId', (c) => {
    const o = withOpp(c);
    if (o instanceof Response) return o;
    const user = performAs(c, true);
    if (user instanceof Response) return user;
    const r = store.mutableRecords(o);
    const before = r.files.length;
    r.files = r.files.filter((f) => f.id !== c.req.param('fileId'));
    return before === r.files.length ? notFound(c, 'File') : c.body(null, 204);
  });

  const PanelBody = z.object({
    timezone: z.string().min(1),
    start: z.number().optional(),
    end: z.number().optional(),
    note: z.string().optional(),
    externalUrl: z.string().optional(),
    externallyManaged: z.boolean().optional(),
    interviews: z
      .array(
        z.object({
          subject: z.string().optional(),
          note: z.string().optional(),
          interviewers: z.array(z.object({ id: z.string(), feedbackTemplate: z.string().optional() })).min(1),
          date: z.number(),
          duration: z.number().int().positive(),
          location: z.string().optional(),
          feedbackTemplate: z.string().optional(),
        }),
      )
      .min(1),
  });

  app.post('/opportunities/:id/panels', async (c) => {
    const o = withOpp(c);
    if (o instanceof Response) return o;
    const user = performAs(c, true);
    if (user instanceof Response) return user;
    const b = await body(c, PanelBody);
    if (b instanceof Response) return b;
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
    const interviews: EmuInterview[] = b.interviews.map((iv) => ({
      id: newId(),
      opportunityId: o.id,
      panel: panel.id,
      subject: iv.subject ?? `Interview with ${o.name}`,
      note: iv.note ?? '',
      interviewers: iv.interviewers.map((w) => {
        const u = store.users.get(w.id);
        return { id: w.id, email: u?.email ?? '', name: u?.name ?? '', feedbackTemplate: w.feedbackTemplate ?? null };
      }),
      timezone: b.timezone,
      date: iv.date,
      duration: iv.duration,
      location: iv.location ?? '',
      feedbackTemplate: iv.feedbackTemplate ?? null,
      feedbackForms: [],
      user: user as string,
      stage: o.stage,
      canceledAt: null,
      postings: [o.postingId],
      createdAt: now,
    }));
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

  // Issue 19: panel and interview writes (docs/lever-api.md §6 "Interviews and panels": POST, PUT as a full replace,
  // DELETE, all with perform_as, only on externally managed panels; deleting a panel's last interview deletes it).
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
  const buildInterview = (
    o: EmuOpportunity,
    panel: EmuPanel,
    iv: z.infer<typeof InterviewBody>,
    user: string,
    id = newId(),
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
    createdAt: Date.now(),
  });
  const unknownInterviewer = (ivs: Array<z.infer<typeof InterviewBody>>) =>
    ivs.flatMap((iv) => iv.interviewers.map((w) => w.id)).find((id) => !store.users.has(id));
  const managedPanel = (c: Context, o: EmuOpportunity, panelId: string): EmuPanel | Response => {
    const p = store.mutableRecords(o).panels.find((x) => x.id === panelId);
    if (!p) return notFound(c, 'Panel');
    if (!p.externallyManaged) return badRequest(c, 'Only externally managed panels can be changed through the API');
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
    const o = withOpp(c);
    if (o instanceof Response) return o;
    const user = performAs(c, true);
    if (user instanceof Response) return user;
    const p = managedPanel(c, o, c.req.param('panelId'));
    if (p instanceof Response) return p;
    const b = await body(c, PanelBody);
    if (b instanceof Response) return b;
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
    const o = withOpp(c);
    if (o instanceof Response) return o;
    const user = performAs(c, true);
    if (user instanceof Response) return user;
    const p = managedPanel(c, o, c.req.param('panelId'));
    if (p instanceof Response) return p;
    const r = store.mutableRecords(o);
    const gone = r.interviews.filter((i) => i.panel === p.id);
    r.interviews = r.interviews.filter((i) => i.panel !== p.id);
    r.panels = r.panels.filter((x) => x.id !== p.id);
    touch(o);
    for (const iv of gone) emitInterview('interviewDeleted', o, p.id, iv.id);
    return c.body(null, 204);
  });

  app.post('/opportunities/:id/interviews', async (c) => {
    const o = withOpp(c);
    if (o instanceof Response) return o;
    const user = performAs(c, true);
    if (user instanceof Response) return user;
    const b = await body(c, InterviewBody.extend({ panel: z.string().min(1) }));
    if (b instanceof Response) return b;
    const p = managedPanel(c, o, b.panel);
    if (p instanceof Response) return p;
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
    const o = withOpp(c);
    if (o instanceof Response) return o;
    const user = performAs(c, true);
    if (user instanceof Response) return user;
    const r = store.mutableRecords(o);
    const old = r.interviews.find((i) => i.id === c.req.param('interviewId'));
    if (!old) return notFound(c, 'Interview');
    const p = managedPanel(c, o, old.panel);
    if (p instanceof Response) return p;
    const b = await body(c, InterviewBody);
    if (b instanceof Response) return b;
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
    const o = withOpp(c);
    if (o instanceof Response) return o;
    const user = performAs(c, true);
    if (user instanceof Response) return user;
    const r = store.mutableRecords(o);
    const old = r.interviews.find((i) => i.id === c.req.param('interviewId'));
    if (!old) return notFound(c, 'Interview');
    const p = managedPanel(c, o, old.panel);
    if (p instanceof Response) return p;
    r.interviews = r.interviews.filter((i) => i.id !== old.id);
    resetPanelSpan(p, r);
    if (p.interviews.length === 0) r.panels = r.panels.filter((x) => x.id !== p.id);
    touch(o);
    emitInterview('interviewDeleted', o, p.id, old.id);
    return c.body(null, 204);
  });

  // ------------------------------------------------------------ opportunity writes

  const stringsBody = (field: string) => z.object({ [field]: z.array(z.string().min(1)).min(1) });
  const setOp = (path: string, field: 'tags' | 'links' | 'sources', add: boolean) => {
    app.post(`/opportunities/:id/${path}`, async (c) => {
      const o = withOpp(c);
      if (o instanceof Response) return o;
      const user = performAs(c, false);
      if (user instanceof Response) return user;
      const b = await body(c, stringsBody(field));
      if (b instanceof Response) return b;
      const values = b[field] as string[];
      const current = o[field];
      o[field] = add
        ? [...current, ...values.filter((v) => !current.includes(v))]
        : current.filter((v) => !values.includes(v));
      touch(o);
      return oppJson(c, o);
    });
  };
  setOp('addTags', 'tags', true);
  setOp('removeTags', 'tags', false);
  setOp('addLinks', 'links', true);
  setOp('removeLinks', 'links', false);
  setOp('addSources', 'sources', true);
  setOp('removeSources', 'sources', false);

  app.put('/opportunities/:id/stage', async (c) => {
    const o = withOpp(c);
    if (o instanceof Response) return o;
    const user = performAs(c, false);
    if (user instanceof Response) return user;
    const b = await body(c, z.object({ stage: z.string().min(1) }));
    if (b instanceof Response) return b;
    const index = store.seed.stages.findIndex((s) => s.id === b.stage);
    if (index < 0) return badRequest(c, `Stage ${b.stage} does not exist`);
    const from = o.stage;
    if (from !== b.stage) {
      o.stage = b.stage;
      o.lastAdvancedAt = Date.now();
      o.stageChanges.push({
        toStageId: b.stage,
        toStageIndex: index,
        userId: user ?? o.owner,
        updatedAt: o.lastAdvancedAt,
      });
      touch(o);
      dispatcher.emit(
        'candidateStageChange',
        { opportunityId: o.id, candidateId: o.id, contactId: o.contact, fromStageId: from, toStageId: b.stage },
        o.origin,
      );
    }
    return oppJson(c, o);
  });

  app.put('/opportunities/:id/archived', async (c) => {
    const o = withOpp(c);
    if (o instanceof Response) return o;
    const user = performAs(c, false);
    if (user instanceof Response) return user;
    const b = await body(
      c,
      z.object({
        reason: z.string().min(1).nullable(),
        cleanInterviews: z.boolean().optional(),
        requisitionId: z.string().optional(),
      }),
    );
    if (b instanceof Response) return b;
    const reason = b.reason === null ? null : store.seed.archiveReasons.find((r) => r.id === b.reason);
    if (reason === undefined) return badRequest(c, `Archive reason ${b.reason} does not exist`);
    const from = o.archived;
    if (from?.reason === reason?.id) return oppJson(c, o);
    o.archived = reason ? { reason: reason.id, archivedAt: Date.now() } : null;
    touch(o);
    const data = {
      opportunityId: o.id,
      candidateId: o.id,
      contactId: o.contact,
      fromArchived: from,
      toArchived: o.archived,
    };
    dispatcher.emit('candidateArchiveChange', data, o.origin);
    if (reason?.type === 'hired') {
      dispatcher.emit('candidateHired', { opportunityId: o.id, candidateId: o.id, contactId: o.contact }, o.origin);
    }
    return oppJson(c, o);
  });

  // ------------------------------------------------------------ reference data

  app.get('/contacts/:id', (c) => {
    const [o] = store.opportunitiesOfContact(c.req.param('id'));
    return o ? c.json({ data: serializeContact(o) }) : notFound(c, 'Contact');
  });

  app.get('/stages', (c) =>
    listPage(
      c,
      ctx,
      store.seed.stages,
      (s) => s.id,
      (s) => s,
    ),
  );
  app.get('/stages/:sid', (c) => {
    const s = store.seed.stages.find((x) => x.id === c.req.param('sid'));
    return s ? c.json({ data: s }) : notFound(c, 'Stage');
  });

  app.get('/archive_reasons', (c) => {
    const type = c.req.query('type');
    const items = store.seed.archiveReasons.filter((r) => !type || r.type === type);
    return listPage(
      c,
      ctx,
      items,
      (r) => r.id,
      (r) => r,
    );
  });
  app.get('/archive_reasons/:rid', (c) => {
    const r = store.seed.archiveReasons.find((x) => x.id === c.req.param('rid'));
    return r ? c.json({ data: r }) : notFound(c, 'Archive reason');
  });

  app.get('/users', (c) => {
    const email = c.req.query('email')?.toLowerCase();
    const role = c.req.query('accessRole');
    const items = [...store.users.values()].filter(
      (u) => (!email || u.email === email) && (!role || u.accessRole === role),
    );
    return listPage(c, ctx, items, (u) => u.id, serializeUser);
  });
  app.get('/users/:uid', (c) => {
    const u = store.users.get(c.req.param('uid'));
    return u ? c.json({ data: serializeUser(u) }) : notFound(c, 'User');
  });

  const counts = (pick: (o: EmuOpportunity) => string[]) => {
    const m = new Map<string, number>();
    for (const o of store.opportunities) {
      if (o.deletedAt !== undefined) continue;
      for (const t of pick(o)) m.set(t, (m.get(t) ?? 0) + 1);
    }
    return [...m].sort((a, b) => a[0].localeCompare(b[0])).map(([text, count]) => ({ text, count }));
  };
  app.get('/tags', (c) =>
    listPage(
      c,
      ctx,
      counts((o) => o.tags),
      (t) => t.text,
      (t) => t,
    ),
  );
  app.get('/sources', (c) =>
    listPage(
      c,
      ctx,
      counts((o) => o.sources),
      (t) => t.text,
      (t) => t,
    ),
  );

  app.get('/requisitions', (c) => {
    const status = c.req.query('status');
    const code = c.req.query('requisition_code');
    const items = store.seed.requisitions.filter(
      (r) => (!status || r.status === status) && (!code || r.requisitionCode === code),
    );
    return listPage(c, ctx, items, (r) => r.id, serializeRequisition);
  });
  app.get('/requisitions/:rid', (c) => {
    const r = store.seed.requisitions.find((x) => x.id === c.req.param('rid'));
    return r ? c.json({ data: serializeRequisition(r) }) : notFound(c, 'Requisition');
  });

  // ------------------------------------------------------------ postings

  app.get('/postings', (c) => {
    const q = (k: string) => c.req.query(k);
    const tags = multi(c, 'tag');
    const conf = q('confidentiality') ?? 'non-confidential';
    const updStart = msParam(c, 'updated_at_start');
    const updEnd = msParam(c, 'updated_at_end');
    if (Number.isNaN(updStart) || Number.isNaN(updEnd)) return badRequest(c, 'Time filters must be epoch milliseconds');
    const attributes = ['state', 'distributionChannel', 'team', 'department', 'location', 'commitment', 'level', 'tag'];
    const mixed = attributes.filter((k) => q(k) !== undefined);
    if ((updStart !== undefined || updEnd !== undefined) && mixed.length > 0) {
      // Lever's docs: the updated_at_* window combines with confidentiality only.
      return badRequest(
        c,
        `updated_at_start/updated_at_end can only be combined with confidentiality, not ${mixed.join(', ')}`,
      );
    }
    const items = [...store.postings.values()].filter(
      (p) =>
        (!q('state') || p.state === q('state')) &&
        (!q('distributionChannel') || p.distributionChannels.includes(q('distributionChannel') as string)) &&
        (!q('team') || p.categories.team === q('team')) &&
        (!q('department') || p.categories.department === q('department')) &&
        (!q('location') || p.categories.location === q('location')) &&
        (!q('commitment') || p.categories.commitment === q('commitment')) &&
        (tags.length === 0 || p.tags.some((t) => tags.includes(t))) &&
        (!q('level') || postingLevel(p) === q('level')) &&
        (conf === 'all' || p.confidentiality === conf) &&
        (updStart === undefined || p.updatedAt >= updStart) &&
        (updEnd === undefined || p.updatedAt <= updEnd),
    );
    // `content` comes by default; include narrows to the named fields, expand expands users (docs/lever-api.md §3, §4).
    const shaping = { include: new Set(multi(c, 'include')), expand: new Set(multi(c, 'expand')) };
    return listPage(
      c,
      ctx,
      items,
      (p) => p.id,
      (p) => serializePosting(p, ui(c), store, shaping),
    );
  });

  app.get('/postings/:pid', (c) => {
    const p = store.postings.get(c.req.param('pid'));
    const shaping = { include: new Set(multi(c, 'include')), expand: new Set(multi(c, 'expand')) };
    return p ? c.json({ data: serializePosting(p, ui(c), store, shaping) }) : notFound(c, 'Posting');
  });

  const PostingPatch = z
    .object({
      text: z.string().min(1),
      state: z.enum(['published', 'internal', 'closed', 'draft', 'pending', 'rejected']),
      tags: z.array(z.string()),
      content: z.object({
        description: z.string().optional(),
        descriptionHtml: z.string().optional(),
        lists: z.array(z.object({ text: z.string(), content: z.string() })).optional(),
        closing: z.string().optional(),
        closingHtml: z.string().optional(),
      }),
      workplaceType: z.enum(['onsite', 'remote', 'hybrid', 'unspecified']),
      salaryRange: z.object({ min: z.number(), max: z.number(), currency: z.string(), interval: z.string() }),
      salaryDescription: z.string(),
    })
    .partial();

  app.post('/postings/:pid', async (c) => {
    const p = store.postings.get(c.req.param('pid'));
    if (!p) return notFound(c, 'Posting');
    const user = performAs(c, true);
    if (user instanceof Response) return user;
    const b = await body(c, PostingPatch);
    if (b instanceof Response) return b;
    const { content, ...rest } = b;
    // The writable description is content.descriptionHtml; Lever derives the plain content.description from it, so a
    // `description` in the body changes nothing (as on Lever, where it is not a documented writable field).
    const { description: _ignored, ...writable } = content ?? {};
    for (const [field, html] of [
      ['descriptionHtml', writable.descriptionHtml],
      ['closingHtml', writable.closingHtml],
    ] as const) {
      const bad = html === undefined ? [] : disallowedTags(html);
      if (bad.length > 0) {
        return badRequest(
          c,
          `content.${field} may only use the tags ${[...DESCRIPTION_TAGS].join(', ')} (found ${bad.join(', ')})`,
        );
      }
    }
    Object.assign(p, rest);
    if (content) {
      p.content = { ...p.content, ...writable };
      if (writable.descriptionHtml !== undefined) p.content.description = textOfHtml(writable.descriptionHtml);
      if (writable.closingHtml !== undefined) p.content.closing = textOfHtml(writable.closingHtml);
    }
    p.updatedAt = Date.now();
    return c.json({ data: serializePosting(p, ui(c), store) });
  });

  // ------------------------------------------------------------ EEO

  app.get('/eeo/responses', (c) => {
    const to = msParam(c, 'toDate') ?? Date.now();
    const from = msParam(c, 'fromDate') ?? to - 7 * 86_400_000;
    if (Number.isNaN(from) || Number.isNaN(to)) return badRequest(c, 'fromDate and toDate must be epoch milliseconds');
    const items = eeoIn(from, to);
    // Anonymous: a plain `data: [...]` list with the answers and pipeline facts and NO opportunity, contact or
    // posting (docs/lever-api.md §4, corrected against recorded traffic).
    return listPage(
      c,
      ctx,
      items,
      (e) => e.eeo.opportunityId,
      (e) => serializeEeoAnonymous(e.eeo, e.stage),
    );
  });

  // With identifiers: its own permission (eeo_responses_pii:read; gate.ts), window on created_at_*, expandable.
  app.get('/eeo/responses/pii', (c) => {
    const to = msParam(c, 'created_at_end') ?? Date.now();
    const from = msParam(c, 'created_at_start') ?? to - 7 * 86_400_000;
    if (Number.isNaN(from) || Number.isNaN(to)) {
      return badRequest(c, 'created_at_start and created_at_end must be epoch milliseconds');
    }
    const expand = new Set(multi(c, 'expand'));
    return listPage(
      c,
      ctx,
      eeoIn(from, to),
      (e) => e.eeo.opportunityId,
      (e) => serializeEeoPii(e.eeo, e.stage, store, ui(c), expand),
    );
  });

  /** EEO self-reports of the opportunities created in [from, to], each with the opportunity's current stage. */
  function eeoIn(from: number, to: number) {
    return store.opportunities
      .filter((o) => o.deletedAt === undefined && o.createdAt >= from && o.createdAt <= to)
      .flatMap((o) => store.records(o).eeo.map((eeo) => ({ eeo, stage: o.stage })));
  }

  // ------------------------------------------------------------ webhooks

  app.get('/webhooks', (c) =>
    listPage(
      c,
      ctx,
      [...store.webhooks.values()],
      (w) => w.id,
      (w) => serializeWebhook(w, false),
    ),
  );

  const WebhookBody = z.object({
    url: z.string().url(),
    event: z.enum(WEBHOOK_EVENTS),
    configuration: z.object({ conditions: z.object({ origins: z.array(z.string()) }).optional() }).optional(),
  });

  app.post('/webhooks', async (c) => {
    const b = await body(c, WebhookBody);
    if (b instanceof Response) return b;
    const now = Date.now();
    const w = {
      id: newId(),
      url: b.url,
      event: b.event,
      createdAt: now,
      updatedAt: now,
      signatureToken: newToken(),
      origins: b.configuration?.conditions?.origins ?? null,
    };
    store.webhooks.set(w.id, w);
    return c.json({ data: serializeWebhook(w, true) }, 201);
  });

  app.delete('/webhooks/:wid', (c) => {
    const existed = store.webhooks.delete(c.req.param('wid'));
    return existed ? c.body(null, 204) : notFound(c, 'Webhook');
  });

  app.notFound((c) => leverError(c, 404, 'ResourceNotFound', `No route ${c.req.method} ${c.req.path}`));
  return app;
}
