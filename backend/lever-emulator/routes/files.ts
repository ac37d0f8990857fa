import { Hono } from 'hono';
import { badRequest, type EmulatorContext, leverError, notFound } from '../context.ts';
import type { EmuFile } from '../model.ts';
import { textToPdf } from '../pdf.ts';
import { renderResumeText } from '../resume-text.ts';
import { serializeFile, serializeResume } from '../serialize.ts';
import { newId } from '../store.ts';
import { performAs, sub, touch, ui, withOpp } from './shared.ts';

/** Résumés and files on an opportunity: read, download, upload, delete. */
export function filesRoutes(ctx: EmulatorContext): Hono {
  const app = new Hono();
  const { store } = ctx;

  sub(
    app,
    ctx,
    'resumes',
    (o) => [store.records(o).resume],
    (r, c) => serializeResume(r, ui(c)),
  );
  sub(
    app,
    ctx,
    'files',
    (o) => store.records(o).files,
    (f, c) => serializeFile(f, ui(c)),
  );

  app.get('/opportunities/:id/resumes/:subId/download', (c) => {
    const o = withOpp(c, store);
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
    const o = withOpp(c, store);
    const f = store.records(o).files.find((x) => x.id === c.req.param('subId'));
    if (!f) return notFound(c, 'File');
    c.header('content-disposition', `attachment; filename="${f.name}"`);
    return c.body(new Uint8Array(f.content), 200, { 'content-type': f.contentType });
  });

  app.post('/opportunities/:id/files', async (c) => {
    const o = withOpp(c, store);
    const _user = performAs(c, store, true);
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
    const o = withOpp(c, store);
    const _user = performAs(c, store, true);
    const r = store.mutableRecords(o);
    const before = r.files.length;
    r.files = r.files.filter((f) => f.id !== c.req.param('fileId'));
    return before === r.files.length ? notFound(c, 'File') : c.body(null, 204);
  });
  return app;
}
