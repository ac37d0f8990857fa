import { Hono } from 'hono';
import { type EmulatorContext, notFound } from '../context.ts';
import { serializeContact } from '../serialize.ts';

/** Contacts (the person behind opportunities). */
export function contactsRoutes(ctx: EmulatorContext): Hono {
  const app = new Hono();
  const { store } = ctx;

  app.get('/contacts/:id', (c) => {
    const [o] = store.opportunitiesOfContact(c.req.param('id'));
    return o ? c.json({ data: serializeContact(o) }) : notFound(c, 'Contact');
  });
  return app;
}
