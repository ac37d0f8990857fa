import ky, { HTTPError, type KyInstance, TimeoutError } from 'ky';
import type { z } from 'zod';
import { ApiErrorSchema, OpportunityIdSchema, StatusResponseSchema } from '@/utils/contracts/api.ts';
import type { FunnelQuery } from '@/utils/contracts/fairness.ts';
import type { ApiFailure, ConnectionReport, FailureKind } from '@/utils/shared/api-types';
import type { Settings } from '@/utils/shared/settings';

// How the background worker talks to the backend: the HTTP client, the checks on ids before they go into a URL, the
// validation of answers, and the classification of failures. The message handlers (api-handler.ts) use these.

/** How the client reaches the backend; tests pass a fake `fetch`. */
export type ClientOptions = {
  fetch?: typeof fetch;
  /** Timeout for everything but AI calls. */
  timeoutMs?: number;
};

/** A failure already classified: thrown by the helpers and handlers, answered to the panel as it is. */
export class FailureError extends Error {
  constructor(readonly failure: ApiFailure) {
    super(failure.message);
  }
}

const CODE_KINDS: Record<string, FailureKind> = {
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  no_lever_access: 'no_lever_access',
  not_found: 'not_found',
  invalid_request: 'invalid_request',
  lever_auth: 'lever_auth',
  lever_permission: 'lever_permission',
  lever_unavailable: 'lever_unavailable',
  rate_limited: 'rate_limited',
  conflict: 'conflict',
  offer_checks_failed: 'conflict',
  resume_unreadable: 'resume_unreadable',
  opted_out: 'opted_out',
  internal: 'server',
};

/** Turns anything thrown while talking to the backend into a failure the panel can explain. */
export async function toFailure(error: unknown, backendUrl: string): Promise<ApiFailure> {
  if (error instanceof FailureError) return { backendUrl, ...error.failure };
  if (error instanceof HTTPError) {
    const status = error.response.status;
    const body = ApiErrorSchema.safeParse(await error.response.json().catch(() => null));
    const code = body.success ? body.data.error.code : undefined;
    const message = body.success ? body.data.error.message : `HTTP ${status} ${error.response.statusText}`.trim();
    let kind: FailureKind = (code && CODE_KINDS[code]) || 'server';
    if (status === 401) kind = 'unauthorized';
    else if (!code || !CODE_KINDS[code]) {
      if (status === 403) kind = 'forbidden';
      else if (status === 404) kind = 'not_found';
      else if (status === 429) kind = 'rate_limited';
      else if (status >= 400 && status < 500) kind = 'invalid_request';
    }
    return { kind, message, status, backendUrl };
  }
  if (error instanceof TimeoutError) {
    return { kind: 'unreachable', message: 'The backend did not answer in time.', backendUrl };
  }
  // fetch rejects with a TypeError when nothing listens, DNS fails or the host permission is missing.
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'unreachable', message, backendUrl };
}

/** The backend answer, checked against its contract; a mismatch is an `invalid_response` failure. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new FailureError({
      kind: 'invalid_response',
      message: `${what}: ${issue ? `${issue.path.join('.') || '(root)'} ${issue.message}` : 'invalid'}`,
    });
  }
  return result.data;
}

/** An opportunity id made safe for a URL path; anything else is refused before a request is made. */
export function opportunity(id: string): string {
  const result = OpportunityIdSchema.safeParse(id);
  if (!result.success) throw new FailureError({ kind: 'invalid_request', message: `Not an opportunity id: ${id}` });
  return encodeURIComponent(result.data);
}

export function posting(id: string): string {
  // Lever posting ids are UUIDs like opportunity ids.
  const result = OpportunityIdSchema.safeParse(id);
  if (!result.success) throw new FailureError({ kind: 'invalid_request', message: `Not a posting id: ${id}` });
  return encodeURIComponent(result.data);
}

export function booking(id: string): string {
  // Fulcrum's booking ids are UUIDs too.
  const result = OpportunityIdSchema.safeParse(id);
  if (!result.success) throw new FailureError({ kind: 'invalid_request', message: `Not a booking id: ${id}` });
  return encodeURIComponent(result.data);
}

/** The funnel filters as query parameters, leaving out the ones not set. */
export function funnelParams(query: FunnelQuery): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') out[key] = String(value);
  return out;
}

export function makeClient(settings: Settings, deps: ClientOptions, withAuth = true): KyInstance {
  return ky.create({
    prefixUrl: settings.backendUrl,
    timeout: deps.timeoutMs ?? 15_000,
    // GETs may be retried once (idempotent); POST/PATCH never are: the backend ledger dedupes, but the UI must
    // not silently send a write twice.
    retry: { limit: 1, methods: ['get'], statusCodes: [503, 504] },
    headers: withAuth && settings.token ? { authorization: `Bearer ${settings.token}` } : {},
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
}

export async function testConnection(
  backendUrl: string,
  token: string,
  deps: ClientOptions,
): Promise<ConnectionReport> {
  const report: ConnectionReport = {
    backendUrl,
    backend: { ok: false, message: '' },
    token: null,
    lever: null,
    ai: null,
  };
  const client = makeClient({ backendUrl, token }, { ...deps, timeoutMs: deps.timeoutMs ?? 5_000 });
  try {
    await client.get('healthz', { retry: 0 });
    report.backend = { ok: true, message: `Backend reachable at ${backendUrl}` };
  } catch (error) {
    const failure = await toFailure(error, backendUrl);
    if (failure.kind === 'unreachable') {
      report.backend = {
        ok: false,
        message: `Cannot reach ${backendUrl} (${failure.message}). Start the backend with npm start, or fix the URL.`,
      };
      return report;
    }
    report.backend = { ok: false, message: `Backend at ${backendUrl} answered /healthz with HTTP ${failure.status}.` };
  }
  if (!token) {
    report.token = { ok: false, message: 'No token entered: paste your recruiter token.' };
    return report;
  }
  try {
    const status = parse(StatusResponseSchema, await client.get('api/status', { retry: 0 }).json(), 'GET /api/status');
    report.token = { ok: true, message: `Token valid: ${status.recruiter.email} (${status.recruiter.role})` };
    const where = status.lever.mode === 'emulator' ? 'Lever emulator' : 'Lever';
    report.lever = status.lever.reachable
      ? { ok: true, message: `${where} reachable` }
      : { ok: false, message: `${where} not reachable${status.lever.message ? `: ${status.lever.message}` : ''}` };
    report.ai = {
      ok: true,
      message: `AI provider: ${status.ai.provider === 'local' ? 'local engine' : 'OpenAI-compatible'} (${status.ai.model})`,
    };
  } catch (error) {
    const failure = await toFailure(error, backendUrl);
    report.token =
      failure.kind === 'unauthorized'
        ? { ok: false, message: 'Token invalid (401): paste a valid recruiter token.' }
        : { ok: false, message: `Could not check the token: ${failure.message}` };
  }
  return report;
}

/** Local storage (IndexedDB) failures are the extension's, not the network's. */
export async function local<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new FailureError({
      kind: 'extension',
      message: `Local storage failed: ${error instanceof Error ? error.message : String(error)}`,
    });
  }
}
