import { Hono } from 'hono';
import { type EmulatorContext, listPage, notFound } from '../context.ts';

/** Pipeline stages and archive reasons. */
export function stagesRoutes(ctx: EmulatorContext): Hono {
  const app = new Hono();
  const { store } = ctx;

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
  return app;
}
