import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppServices } from '../app.ts';
import { HttpError } from '../http/errors.ts';

/** Lever deliveries are small; anything bigger is not from Lever. */
export const WEBHOOK_BODY_LIMIT = 256 * 1024;

const tooLarge = () => new HttpError(413, 'invalid_request', 'Webhook body is too large (limit 256 kB).');

/**
 * Size limit for the hot path. Lever sends Content-Length, which is checked without touching the body; only
 * length-less (chunked) bodies go through hono/body-limit, because that middleware materializes a full web Request
 * on @hono/node-server, which measured as the largest single cost of a delivery.
 */
function webhookBodyLimit(): MiddlewareHandler {
  const streamed = bodyLimit({
    maxSize: WEBHOOK_BODY_LIMIT,
    onError: () => {
      throw tooLarge();
    },
  });
  return async (c, next) => {
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      if (!/^\d+$/.test(length) || Number(length) > WEBHOOK_BODY_LIMIT) throw tooLarge();
      return next();
    }
    return streamed(c, next);
  };
}

/** `POST /webhooks/lever/:webhookId`: verify, dedupe, enqueue, answer 200 in milliseconds (see webhooks/intake.ts). */
export function webhookRoutes(s: AppServices) {
  return new Hono().post('/lever/:webhookId', webhookBodyLimit(), async (c) => {
    let body: unknown;
    try {
      body = JSON.parse(await c.req.text());
    } catch {
      throw new HttpError(400, 'invalid_request', 'Webhook body is not valid JSON.');
    }
    const r = await s.intake.receive(c.req.param('webhookId'), body);
    return c.json(r.body, r.status);
  });
}
