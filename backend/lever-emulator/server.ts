import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { hostPolicy } from '../http/host-check.ts';
import { adminRouter } from './admin.ts';
import { apiRouter } from './api.ts';
import { type EmulatorContext, type Faults, leverError, newEmulatorOAuth } from './context.ts';
import { issueTokens, oauthRouter } from './oauth.ts';
import { pagesRouter } from './pages.ts';
import { EmulatorStore } from './store.ts';
import { WebhookDispatcher } from './webhooks.ts';

/**
 * The Lever emulator: an HTTP server with the subset of Lever's API v1 Fulcrum uses (at /v1), Lever-Hire-like
 * pages, OAuth token refresh (/oauth/token) and test controls (/_admin). State lives in memory; reset re-seeds.
 */
export const DEFAULT_EMULATOR_PORT = 8788;
/** Documented demo key (docs/lever.md). Override with LEVER_EMULATOR_KEY. */
export const DEFAULT_EMULATOR_KEY = 'demo-emulator-key-0000';

export type EmulatorOptions = {
  /** Default 8788; 0 picks a free port. */
  port?: number;
  host?: string;
  apiKey?: string;
  seed?: number;
  opportunities?: number;
  ratePerSecond?: number;
  burst?: number;
  /** Gaps between webhook retries; default like Lever (minutes to hours). Five entries = five retries. */
  webhookRetryDelaysMs?: number[];
  faults?: Partial<Faults>;
  /** Host names (besides IP addresses and localhost) the admin API answers to; see backend/http/host-check.ts. */
  allowedHosts?: string[];
};

export type EmulatorHandle = {
  /** Origin, e.g. http://127.0.0.1:8788 (candidate pages live here). */
  url: string;
  /** Base URL for the Lever client: `${url}/v1`. */
  apiBaseUrl: string;
  apiKey: string;
  port: number;
  context: EmulatorContext;
  /** A fresh OAuth token pair the emulator accepts (for testing the bearer path). */
  issueOAuthTokens(expiresInSeconds?: number): { access_token: string; refresh_token: string; expires_in: number };
  close(): Promise<void>;
};

/** Fault knobs from the environment: LEVER_EMULATOR_LATENCY_MS, LEVER_EMULATOR_ERROR_RATE, LEVER_EMULATOR_FORCE_429. */
export function faultsFromEnv(env: Record<string, string | undefined> = process.env): Partial<Faults> {
  const num = (v: string | undefined) =>
    v === undefined || v === '' || Number.isNaN(Number(v)) ? undefined : Number(v);
  const out: Partial<Faults> = {};
  const latency = num(env.LEVER_EMULATOR_LATENCY_MS);
  const rate = num(env.LEVER_EMULATOR_ERROR_RATE);
  const force = num(env.LEVER_EMULATOR_FORCE_429);
  if (latency !== undefined) out.latencyMs = latency;
  if (rate !== undefined) out.errorRate = rate;
  if (force !== undefined) out.force429 = force;
  return out;
}

export function createEmulatorApp(opts: EmulatorOptions = {}): { app: Hono; context: EmulatorContext } {
  const apiKey = opts.apiKey ?? DEFAULT_EMULATOR_KEY;
  const store = new EmulatorStore({ seed: opts.seed, opportunities: opts.opportunities });
  const context: EmulatorContext = {
    store,
    dispatcher: new WebhookDispatcher(() => store.webhooks.values(), opts.webhookRetryDelaysMs),
    keys: new Map([[apiKey, new Set(['*'])]]),
    accessTokens: new Map(),
    refreshTokens: new Set(),
    oauth: newEmulatorOAuth(),
    faults: { latencyMs: 0, errorRate: 0, force429: 0, ...opts.faults },
    stats: { requests: 0, rateLimited: 0, injectedErrors: 0, byStatus: {} },
    buckets: new Map(),
    ratePerSecond: opts.ratePerSecond ?? 10,
    burst: opts.burst ?? 20,
    primaryKey: apiKey,
  };
  const app = new Hono();
  app.get('/', (c) => c.redirect('/candidates'));
  app.get('/healthz', (c) => c.json({ status: 'ok', opportunities: store.opportunities.length }));
  app.route('/v1', apiRouter(context));
  app.route(
    '/_admin',
    adminRouter(context, hostPolicy({ host: opts.host, allowedHosts: opts.allowedHosts?.join(',') })),
  );
  app.route('/oauth', oauthRouter(context));
  app.route('/', pagesRouter(context));
  app.notFound((c) => leverError(c, 404, 'ResourceNotFound', `No route ${c.req.method} ${c.req.path}`));
  app.onError((err, c) => {
    // A route helper's Lever-shaped error answer (context.ts fail): sent as it is.
    if (err instanceof HTTPException) return err.getResponse();
    if (err instanceof SyntaxError) return leverError(c, 400, 'BadRequestError', 'Body is not valid JSON');
    return leverError(c, 500, 'InternalServerError', err.message);
  });
  return { app, context };
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const host = opts.host ?? '127.0.0.1';
  const { app, context } = createEmulatorApp(opts);
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port: opts.port ?? DEFAULT_EMULATOR_PORT }, () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host}:${port}`;
  return {
    url,
    apiBaseUrl: `${url}/v1`,
    apiKey: context.primaryKey,
    port,
    context,
    issueOAuthTokens: (expiresIn = 3600) => issueTokens(context, expiresIn),
    close: async () => {
      context.dispatcher.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive sockets would hold close() open until they time out.
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
    },
  };
}
