import { Hono } from 'hono';
import { type EmulatorContext, listPage, notFound } from '../context.ts';
import { serializeRequisition } from '../serialize.ts';

/** Requisitions. */
export function requisitionsRoutes(ctx: EmulatorContext): Hono {
  const app = new Hono();
  const { store } = ctx;

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
  return app;
}
