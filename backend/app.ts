import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { requestId } from 'hono/request-id';
import { LeverAccess } from './access/lever-access.ts';
import { LeverStages } from './access/lever-stages.ts';
import { assertEveryRouteHasRule, createGuards, type Guards } from './access/route-rules.ts';
import type { AiEngine } from './ai/types.ts';
import type { AutomationDeps } from './automations/context.ts';
import { metricsFor } from './automations/metrics.ts';
import { automationDeps } from './automations/register.ts';
import { CandidatePipeline } from './candidates/pipeline.ts';
import type { Config } from './config.ts';
import { aiCapabilityOf, requireCapability } from './governance/require-capability.ts';
import { requireNotOptedOut } from './governance/require-not-opted-out.ts';
import { createAudit } from './http/audit.ts';
import { type AuthEnv, createLeverUserResolver, requireRecruiter } from './http/auth.ts';
import { HttpError, toHttpError } from './http/errors.ts';
import { hostPolicy, requireKnownHost } from './http/host-check.ts';
import type { Logger } from './http/logger.ts';
import { KeyedRateLimiter } from './http/rate-limit.ts';
import type { JobQueue } from './jobs/queue.ts';
import { type LeverClient, LeverForbiddenError } from './lever/index.ts';
import { ProposalRepo } from './proposals/repo.ts';
import { ProposalService } from './proposals/service.ts';
import { WriteBack } from './proposals/write-back.ts';
import type { HybridRanking } from './rediscovery/rediscover-hybrid.ts';
import { adminRoutes } from './routes/admin.ts';
import { auditRoutes } from './routes/audit.ts';
import { inboxRoutes, metricsRoutes } from './routes/automations.ts';
import { candidateRoutes } from './routes/candidates.ts';
import { complianceRoutes } from './routes/compliance.ts';
import { healthRoutes } from './routes/health.ts';
import { leverOAuthCallbackRoutes } from './routes/lever-oauth.ts';
import { offerRoutes } from './routes/offers.ts';
import { postingRoutes } from './routes/postings.ts';
import { proposalRoutes } from './routes/proposals.ts';
import { rediscoveryRoutes } from './routes/rediscovery.ts';
import { schedulingRoutes } from './routes/scheduling.ts';
import { statusRoutes } from './routes/status.ts';
import type { Store } from './store/db.ts';
import { webhookListener } from './webhooks/http-intake.ts';
import { intakeStoreFor, WebhookIntake } from './webhooks/intake.ts';

export type AppDeps = {
  config: Config;
  store: Store;
  lever: LeverClient;
  ai: AiEngine;
  queue: JobQueue;
  logger: Logger;
  /** Rediscovery's vector index and hybrid ranking, when an embeddings endpoint is configured. */
  hybrid?: HybridRanking | undefined;
  now?: () => Date;
  /** False while starting or shutting down: /readyz answers 503 so no new traffic is routed here. */
  isReady?: () => boolean;
  /** What the automations hand archive/hire/delete events and hires to (see AutomationDeps). */
  talentPool?: AutomationDeps['talentPool'];
  hris?: AutomationDeps['hris'];
};

/** Everything the routers share, built once per app. */
export type AppServices = AppDeps & {
  clock: () => number;
  nowDate: () => Date;
  audit: ReturnType<typeof createAudit>;
  proposals: ProposalService;
  /** Load → run a capability → cache by input hash → audit, with the one posting cache (candidates/pipeline.ts). */
  pipeline: CandidatePipeline;
  resolveLeverUser: ReturnType<typeof createLeverUserResolver>;
  intake: WebhookIntake;
  /** Who may see and do what, from the caller's Lever role (backend/access/policy.ts). */
  access: LeverAccess;
  /** The access-rule middlewares every route declares (backend/access/route-rules.ts). */
  guards: Guards;
  /** Lever's pipeline stages, for checking stage moves. */
  stages: LeverStages;
  /** What the automation job handlers run with, over these same services (registered by server.ts). */
  automations: AutomationDeps;
};

/** API bodies are small JSON; webhook bodies have their own, smaller limit. */
const API_BODY_LIMIT = 1024 * 1024;

/**
 * The composition root: every service the routers, the automation handlers and the server share, built once per
 * backend.
 */
export function createServices(deps: AppDeps): AppServices {
  const nowDate = deps.now ?? (() => new Date());
  const clock = () => nowDate().getTime();
  const audit = createAudit(deps.store);
  const resolveLeverUser = createLeverUserResolver(deps.store, deps.lever, deps.logger, clock);
  const stages = new LeverStages(deps.lever, clock);
  const repo = new ProposalRepo(deps.store, clock);
  const proposals = new ProposalService(
    repo,
    new WriteBack(deps.store, deps.lever, clock),
    audit,
    clock,
    resolveLeverUser,
    { checkPayload: (payload) => stages.checkPayload(payload) },
  );
  const access = new LeverAccess({ lever: deps.lever, resolveLeverUser, now: clock, logger: deps.logger });
  const guards = createGuards(access, (id) => repo.get(id));
  const intake = new WebhookIntake(intakeStoreFor(deps.store, deps.queue), {
    replayWindowMs: deps.config.WEBHOOK_REPLAY_WINDOW_MS,
    now: clock,
    onEnqueued: () => deps.queue.notify(),
  });
  const pipeline = new CandidatePipeline({ store: deps.store, lever: deps.lever, ai: deps.ai, audit, now: clock });
  const automations = automationDeps({ ...deps, now: clock, audit, proposals, pipeline });
  return {
    ...deps,
    clock,
    nowDate,
    audit,
    proposals,
    pipeline,
    resolveLeverUser,
    intake,
    access,
    guards,
    stages,
    automations,
  };
}

/**
 * The backend's node:http request listener: Lever webhook deliveries on the plain-node fast path
 * (webhooks/http-intake.ts), everything else through the Hono app.
 */
export function createRequestListener(s: AppServices): (req: IncomingMessage, res: ServerResponse) => void {
  const webhook = webhookListener({ intake: s.intake, metrics: metricsFor(s.store), logger: s.logger });
  const app = getRequestListener(buildApp(s).fetch);
  return (req, res) => {
    if (!webhook(req, res)) void app(req, res);
  };
}

/** The HTTP API (without the webhook fast path, which only the node listener serves). */
export function createApp(deps: AppDeps): AppType {
  return buildApp(createServices(deps));
}

/** The HTTP app: one router per URL prefix, one error handler, request ids and PII-free access logs. */
function buildApp(s: AppServices) {
  const app = new Hono<AuthEnv>();
  app.use(requestId());
  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    // Ids, status and latency only: never names, emails, resume or note text.
    s.logger.info(
      {
        reqId: c.get('requestId'),
        method: c.req.method,
        route: c.req.routePath,
        status: c.res.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
        recruiterId: c.get('recruiter')?.id,
      },
      'request',
    );
  });

  // DNS rebinding: only requests whose Host names this backend (http/host-check.ts), /healthz included. Lever's
  // webhook deliveries take the node fast path (createRequestListener) and are proven by their signature instead.
  app.use(
    requireKnownHost(
      hostPolicy({
        host: s.config.HOST,
        publicUrl: s.config.PUBLIC_URL,
        allowedHosts: s.config.ALLOWED_HOSTS,
      }),
    ),
  );
  app.onError((err, c) => {
    // Lever refused something while serving this recruiter: their role or access may have changed, re-read it.
    if (err instanceof LeverForbiddenError) s.access.forget(c.get('recruiter') ?? { leverUserId: null });
    const h = toHttpError(err);
    const log = { reqId: c.get('requestId'), route: c.req.routePath, status: h.status, code: h.code, err: err.name };
    if (h.status >= 500) s.logger.error({ ...log, stack: err.stack }, 'request failed');
    else s.logger.debug(log, 'request rejected');
    return c.json({ error: { code: h.code, message: h.message } }, h.status);
  });
  app.notFound((c) =>
    c.json({ error: { code: 'not_found', message: `No route ${c.req.method} ${c.req.path}.` } }, 404),
  );

  const origins = new Set(
    s.config.CORS_ORIGINS.split(',')
      .map((o) => o.trim())
      .filter(Boolean),
  );
  const limiter = new KeyedRateLimiter(s.config.API_RATE_PER_SECOND, s.config.API_RATE_BURST);
  // One router per URL prefix, chained so the app's type carries every route. Order matters: a middleware applies
  // to the routes mounted after it.
  const routed = app
    .route('/', healthRoutes(s))
    // Lever's OAuth redirect lands here: no Fulcrum token, authorised by its single-use state (routes/lever-oauth.ts).
    .route('/', leverOAuthCallbackRoutes(s))
    .use(
      '/api/*',
      cors({
        origin: (origin) => (origins.has(origin) ? origin : null),
        allowHeaders: ['Authorization', 'Content-Type'],
        allowMethods: ['GET', 'POST', 'PATCH', 'PUT', 'OPTIONS'],
        maxAge: 600,
      }),
    )
    .use(
      '/api/*',
      bodyLimit({
        maxSize: API_BODY_LIMIT,
        onError: () => {
          throw new HttpError(413, 'invalid_request', 'Request body is too large (limit 1 MB).');
        },
      }),
    )
    .use('/api/*', requireRecruiter(s.store, limiter, s.resolveLeverUser))
    .route('/api/status', statusRoutes(s))
    // Admins can switch AI capabilities off (Settings → AI governance); checked before the AI route runs.
    .use('/api/*', requireCapability(s.store, aiCapabilityOf))
    // Candidates who opted out of automated assessment (compliance kit, issue 21): AI routes answer 409.
    .use('/api/*', requireNotOptedOut(s, aiCapabilityOf))
    .route('/api/candidates', candidateRoutes(s))
    // Proposals, with the automations' mark-sent (issue 9).
    .route('/api/proposals', proposalRoutes(s))
    .route('/api/inbox', inboxRoutes(s))
    // /metrics is behind the admin bearer token.
    .use('/metrics', requireRecruiter(s.store, limiter, s.resolveLeverUser))
    .route('/metrics', metricsRoutes(s))
    .route('/api/audit', auditRoutes(s))
    .route('/api/admin', adminRoutes(s))
    .route('/api/postings', postingRoutes(s))
    .route('/api/rediscovery', rediscoveryRoutes(s))
    // Issue 19: interview scheduling (slots, booking proposals, bookings); calendars are under /api/admin.
    .route('/api/scheduling', schedulingRoutes(s))
    // Offer letters (issue 20): draft from Lever's offer, checks, approval chain, filed as a PDF through a proposal.
    .route('/api/offers', offerRoutes(s))
    .route('/api/compliance', complianceRoutes(s));
  // A route that declares no access rule is a route that answers everyone: refuse to build the app.
  assertEveryRouteHasRule(routed);
  return routed;
}

/** The HTTP app's type: every route under its prefix, for typed clients (hono/client) and tests. */
export type AppType = ReturnType<typeof buildApp>;
