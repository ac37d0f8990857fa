import { Hono } from 'hono';
import { z } from 'zod';
import { WEBHOOK_EVENTS } from '../../lever/schemas.ts';
import { type EmulatorContext, listPage, notFound } from '../context.ts';
import { serializeWebhook } from '../serialize.ts';
import { newId, newToken } from '../store.ts';
import { body } from './shared.ts';

/** Webhook subscriptions: list, create (with its signature token), delete. */
export function webhooksRoutes(ctx: EmulatorContext): Hono {
  const app = new Hono();
  const { store } = ctx;

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
  return app;
}
