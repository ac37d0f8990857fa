import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { badRequest, type EmulatorContext, fail, leverError, listPage, notFound } from '../context.ts';
import type { EmuNote, EmuOpportunity } from '../model.ts';
import { serializeNote } from '../serialize.ts';
import { newId } from '../store.ts';
import { body, performAs, touch, withOpp } from './shared.ts';

/** Notes on an opportunity: read, add (also as a reply in a thread), change or delete the ones made through the API. */
export function notesRoutes(ctx: EmulatorContext): Hono {
  const app = new Hono();
  const { store } = ctx;

  const visibleNotes = (o: EmuOpportunity) => store.records(o).notes;

  app.get('/opportunities/:id/notes', (c) => {
    const o = withOpp(c, store);
    return listPage(c, ctx, visibleNotes(o), (n) => n.id, serializeNote);
  });

  app.get('/opportunities/:id/notes/:noteId', (c) => {
    const o = withOpp(c, store);
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
    const o = withOpp(c, store);
    const user = performAs(c, store, false);
    const b = await body(c, NoteBody);
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

  const apiNote = (c: Context, o: EmuOpportunity): EmuNote => {
    const n = store.records(o).notes.find((x) => x.id === c.req.param('noteId'));
    if (!n) fail(notFound(c, 'Note'));
    if (n.createdVia !== 'api') {
      fail(leverError(c, 403, 'ForbiddenError', 'Notes created in Lever cannot be changed or deleted through the API'));
    }
    return n;
  };

  app.put('/opportunities/:id/notes/:noteId', async (c) => {
    const o = withOpp(c, store);
    const user = performAs(c, store, false);
    const found = apiNote(c, o);
    const b = await body(c, NoteUpdate);
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
    const o = withOpp(c, store);
    const found = apiNote(c, o);
    const r = store.mutableRecords(o);
    r.notes = r.notes.filter((n) => n.id !== found.id);
    touch(o);
    return c.body(null, 204);
  });
  return app;
}
