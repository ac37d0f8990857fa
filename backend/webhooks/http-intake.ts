import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCodes } from '../../utils/contracts/api.ts';
import type { AutomationMetrics } from '../automations/metrics.ts';
import { toHttpError } from '../http/errors.ts';
import type { Logger } from '../http/logger.ts';
import { WEBHOOK_EVENTS } from '../lever/index.ts';
import type { IntakeResult, WebhookIntake } from './intake.ts';

/** Lever deliveries are small; anything bigger is not from Lever. */
export const WEBHOOK_BODY_LIMIT = 256 * 1024;

const ROUTE = '/webhooks/lever/:webhookId';
const PREFIX = '/webhooks/lever/';
const KNOWN_EVENTS = new Set<string>(WEBHOOK_EVENTS);

type Answer = { status: number; body: unknown };

const error = (status: number, code: string, message: string): Answer => ({
  status,
  body: { error: { code, message } },
});

/**
 * `POST /webhooks/lever/:webhookId` on plain node:http, in front of the Hono app (see app.ts createRequestListener).
 * The intake itself is the same WebhookIntake; what this skips is the web-standard Request/Response layer, which
 * measured as most of a delivery's server CPU (0.42 ms per delivery through Hono vs 0.12 ms for the intake work,
 * bench/webhook-intake.bench.ts). It keeps everything the Hono path gave a delivery: the body size limit (checked on
 * Content-Length before reading, and while streaming for chunked bodies), `{error: {code, message}}` answers, an
 * X-Request-Id, the PII-free access log line and the per-event delivery metrics.
 *
 * Returns false for any request that is not a webhook delivery, so the caller hands it to the app.
 */
export function webhookListener(deps: {
  intake: WebhookIntake;
  metrics: AutomationMetrics;
  logger: Logger;
}): (req: IncomingMessage, res: ServerResponse) => boolean {
  const { intake, metrics, logger } = deps;

  const finish = (res: ServerResponse, started: number, reqId: string, event: string, a: Answer) => {
    const json = JSON.stringify(a.body);
    res.writeHead(a.status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(json),
      'x-request-id': reqId,
    });
    res.end(json);
    metrics.webhook(event, a.status === 200 ? 'ok' : String(a.status));
    // Ids, status and latency only: never the payload.
    logger.info(
      {
        reqId,
        method: 'POST',
        route: ROUTE,
        status: a.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
      },
      'request',
    );
  };

  const handle = async (webhookId: string, text: string): Promise<{ event: string; answer: Answer }> => {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { event: 'unknown', answer: error(400, ErrorCodes.validation, 'Webhook body is not valid JSON.') };
    }
    const e = (body as { event?: unknown } | null)?.event;
    const event = typeof e === 'string' && KNOWN_EVENTS.has(e) ? e : 'unknown';
    const r: IntakeResult = await intake.receive(webhookId, body);
    return { event, answer: r };
  };

  return (req, res) => {
    const url = req.url ?? '';
    if (req.method !== 'POST' || !url.startsWith(PREFIX)) return false;
    const end = url.indexOf('?');
    const rawId = url.slice(PREFIX.length, end === -1 ? undefined : end);
    if (rawId === '' || rawId.includes('/')) return false;

    const started = performance.now();
    const reqId = (req.headers['x-request-id'] as string | undefined)?.slice(0, 255) || randomUUID();
    const tooLarge = error(413, ErrorCodes.validation, 'Webhook body is too large (limit 256 kB).');
    const length = req.headers['content-length'];
    if (length !== undefined && (!/^\d+$/.test(length) || Number(length) > WEBHOOK_BODY_LIMIT)) {
      // Refused before reading: the client is told not to reuse this connection for the unread body.
      res.shouldKeepAlive = false;
      finish(res, started, reqId, 'unknown', tooLarge);
      req.resume();
      return true;
    }
    let webhookId: string;
    try {
      webhookId = decodeURIComponent(rawId);
    } catch {
      finish(res, started, reqId, 'unknown', error(400, ErrorCodes.validation, 'Webhook id in the URL is not valid.'));
      req.resume();
      return true;
    }

    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > WEBHOOK_BODY_LIMIT) {
        refused = true;
        res.shouldKeepAlive = false;
        finish(res, started, reqId, 'unknown', tooLarge);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (refused) return;
      const text =
        chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8');
      handle(webhookId, text).then(
        ({ event, answer }) => finish(res, started, reqId, event, answer),
        (err: unknown) => {
          // Nothing of this delivery was stored; a 5xx makes Lever deliver it again later.
          const h = toHttpError(err);
          logger.error(
            { reqId, route: ROUTE, status: h.status, err: (err as Error)?.name, stack: (err as Error)?.stack },
            'request failed',
          );
          finish(res, started, reqId, 'unknown', error(h.status, h.code, h.message));
        },
      );
    });
    req.on('error', () => {
      // The client went away mid-body: there is no one to answer.
      refused = true;
    });
    return true;
  };
}
