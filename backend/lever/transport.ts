import { setTimeout as sleep } from 'node:timers/promises';
import { LeverApiError, leverApiError } from './errors.ts';
import { currentAccessToken, type OAuthConfig, refreshOnce } from './oauth.ts';
import { bucketForObject, type RateBudget, sharedBucket } from './rate-limit.ts';
import { LeverErrorBodySchema } from './schemas.ts';

/**
 * The one place HTTP requests to Lever are made: rate limiting, auth headers, timeouts, retries and error mapping.
 *
 * Retry rules: 429 and 503 mean Lever did not process the request, so every method retries them with exponential
 * backoff and full jitter. Other 5xx, timeouts and dropped connections leave the outcome unknown, so only idempotent
 * calls (GET, PUT, DELETE, and set-like POSTs such as addTags that the caller marks idempotent) retry them; a POST
 * that creates something surfaces `outcome-unknown` instead of risking a duplicate. A refused connection never
 * reached Lever and is retried for every method.
 */
export type LeverAuth = { kind: 'apiKey'; apiKey: string } | OAuthConfig;

export type RequestInfo = { method: string; path: string; status: number; attempt: number; ms: number };

export type TransportOptions = {
  baseUrl: string;
  auth: LeverAuth;
  ratePerSecond?: number;
  burst?: number;
  maxRetries?: number;
  timeoutMs?: number;
  /** First backoff step; attempt n waits a random time in [0, min(maxBackoffMs, retryBaseMs * 2^n)). */
  retryBaseMs?: number;
  maxBackoffMs?: number;
  onRequest?: (info: RequestInfo) => void;
  /**
   * Overrides the per-credential in-process bucket: a PgRateBudget shares one budget across backend instances, tests
   * pass their own.
   */
  bucket?: RateBudget;
};

export type LeverStats = { requests: number; rateLimited: number; retries: number; errors: number };

export type QueryValue = string | number | boolean | undefined | null | ReadonlyArray<string>;
export type Query = Record<string, QueryValue>;

export type RequestSpec = {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Query;
  json?: unknown;
  form?: FormData;
  /** Safe to repeat after an unknown outcome. Defaults to true for GET/PUT/DELETE, false for POST. */
  idempotent?: boolean;
};

export type RawResponse = { status: number; body: Buffer; contentType: string };

const REFUSED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Redirect hops followed for one request before giving up (a loop, or a chain Lever does not document). */
const MAX_REDIRECTS = 3;

/**
 * Where a redirect may be followed with the credentials: the same origin, or the same host upgraded to https. Any
 * other host gets nothing: Lever documents a 301 for accounts that live in another data centre (docs/lever-api.md §1),
 * and sending the key or token there is not our call to make; the error names the base URL to configure instead.
 */
function sameOriginRedirect(from: URL, to: URL): boolean {
  if (from.origin === to.origin) return true;
  return from.hostname === to.hostname && from.protocol === 'http:' && to.protocol === 'https:';
}

export class LeverTransport {
  readonly baseUrl: string;
  readonly stats: LeverStats = { requests: 0, rateLimited: 0, retries: 0, errors: 0 };
  private readonly auth: LeverAuth;
  private readonly bucket: RateBudget;
  private readonly maxRetries: number;
  private readonly timeoutMs: number;
  private readonly retryBaseMs: number;
  private readonly maxBackoffMs: number;
  private readonly onRequest: ((info: RequestInfo) => void) | undefined;

  constructor(opts: TransportOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.auth = opts.auth;
    const rate = opts.ratePerSecond ?? 8;
    const burst = opts.burst ?? 16;
    this.bucket =
      opts.bucket ??
      (opts.auth.kind === 'apiKey'
        ? sharedBucket(`${this.baseUrl}|key:${opts.auth.apiKey}`, rate, burst)
        : bucketForObject(opts.auth.tokens, rate, burst));
    this.maxRetries = opts.maxRetries ?? 5;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.retryBaseMs = opts.retryBaseMs ?? 500;
    this.maxBackoffMs = opts.maxBackoffMs ?? 15_000;
    this.onRequest = opts.onRequest;
  }

  /** Sends the request and returns the 2xx body; throws LeverApiError otherwise. */
  async request(spec: RequestSpec): Promise<RawResponse> {
    const idempotent = spec.idempotent ?? spec.method !== 'POST';
    let url = this.url(spec.path, spec.query);
    let method: RequestSpec['method'] = spec.method;
    let sendBody = true;
    let hops = 0;
    let authRetried = false;
    for (let attempt = 0; ; attempt++) {
      await this.bucket.take();
      const authorization = await this.authorization();
      const started = performance.now();
      this.stats.requests++;
      let res: Response;
      let body: Buffer;
      try {
        const json = sendBody && spec.json !== undefined;
        res = await fetch(url, {
          method,
          headers: {
            authorization,
            accept: 'application/json',
            ...(json ? { 'content-type': 'application/json' } : {}),
          },
          body: json ? JSON.stringify(spec.json) : sendBody ? spec.form : undefined,
          signal: AbortSignal.timeout(this.timeoutMs),
          redirect: 'manual', // followed below, and only where the Authorization header may go
        });
        body = Buffer.from(await res.arrayBuffer());
      } catch (cause) {
        const ms = performance.now() - started;
        this.onRequest?.({ method: spec.method, path: spec.path, status: 0, attempt, ms });
        const refused = REFUSED.has(errorCode(cause));
        const timedOut = isTimeout(cause);
        if ((idempotent || refused) && attempt < this.maxRetries) {
          await this.backoff(attempt);
          continue;
        }
        this.stats.errors++;
        throw new LeverApiError({
          kind: !idempotent && !refused ? 'outcome-unknown' : timedOut ? 'timeout' : 'network',
          status: 0,
          code: timedOut ? 'RequestTimeout' : 'NetworkError',
          leverMessage: '',
          retryable: idempotent || refused,
          method: spec.method,
          path: spec.path,
          cause,
        });
      }
      const ms = performance.now() - started;
      this.onRequest?.({ method: spec.method, path: spec.path, status: res.status, attempt, ms });
      if (res.ok) return { status: res.status, body, contentType: res.headers.get('content-type') ?? '' };

      if (REDIRECTS.has(res.status)) {
        const location = res.headers.get('location');
        const from = new URL(url);
        const to = location ? safeUrl(location, from) : null;
        if (to && sameOriginRedirect(from, to) && hops < MAX_REDIRECTS) {
          hops++;
          url = to.toString();
          // 303 means "read the answer there"; 301/302/307/308 repeat the same request (an API is not a browser form).
          if (res.status === 303) {
            method = 'GET';
            sendBody = false;
          }
          attempt--;
          continue;
        }
        this.stats.errors++;
        throw this.redirectError(spec, res.status, to, hops >= MAX_REDIRECTS);
      }

      if (res.status === 429) this.stats.rateLimited++;
      if (res.status === 401 && this.auth.kind === 'oauth' && !authRetried) {
        authRetried = true;
        await refreshOnce(this.auth, authorization.slice('Bearer '.length));
        attempt--;
        continue;
      }
      const notProcessed = res.status === 429 || res.status === 503;
      const unknownOutcome = res.status >= 500 && !notProcessed;
      if ((notProcessed || (unknownOutcome && idempotent)) && attempt < this.maxRetries) {
        await this.backoff(attempt);
        continue;
      }
      this.stats.errors++;
      const parsed = LeverErrorBodySchema.safeParse(safeJson(body));
      const leverMessage = (parsed.success ? parsed.data.message : undefined) ?? body.toString('utf8').slice(0, 300);
      throw leverApiError({
        kind: unknownOutcome && !idempotent ? 'outcome-unknown' : 'http',
        status: res.status,
        code: (parsed.success ? parsed.data.code : undefined) ?? `HTTP${res.status}`,
        leverMessage,
        retryable: notProcessed || (unknownOutcome && idempotent),
        method: spec.method,
        path: spec.path,
      });
    }
  }

  private redirectError(spec: RequestSpec, status: number, to: URL | null, tooMany: boolean) {
    const endpoint = `${spec.method} ${spec.path}`;
    let message: string;
    if (!to) message = `Lever answered ${endpoint} with HTTP ${status} but no usable Location header.`;
    else if (tooMany) message = `Lever redirected ${endpoint} more than ${MAX_REDIRECTS} times; giving up.`;
    else {
      const base = `${to.origin}${new URL(this.baseUrl).pathname}`;
      message =
        `Lever moved ${endpoint} to another host (${to.origin}). Fulcrum does not send Lever credentials to a ` +
        `different host: if this Lever account lives in another region (for example the EU), set ` +
        `LEVER_BASE_URL=${base} and restart.`;
    }
    return new LeverApiError({
      kind: 'http',
      status,
      code: to && !tooMany ? 'CrossHostRedirect' : 'BadRedirect',
      leverMessage: to ? `Location: ${to.origin}${to.pathname}` : '',
      retryable: false,
      method: spec.method,
      path: spec.path,
      message,
    });
  }

  private async authorization(): Promise<string> {
    if (this.auth.kind === 'apiKey') return `Basic ${Buffer.from(`${this.auth.apiKey}:`).toString('base64')}`;
    return `Bearer ${await currentAccessToken(this.auth)}`;
  }

  private async backoff(attempt: number): Promise<void> {
    this.stats.retries++;
    const cap = Math.min(this.maxBackoffMs, this.retryBaseMs * 2 ** attempt);
    await sleep(Math.random() * cap);
  }

  private url(path: string, query: Query | undefined): string {
    const u = new URL(`${this.baseUrl}${path}`);
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined || v === null) continue;
      if (Array.isArray(v)) for (const item of v) u.searchParams.append(k, item);
      else u.searchParams.append(k, String(v));
    }
    return u.toString();
  }
}

function errorCode(e: unknown): string {
  const cause = (e as { cause?: { code?: unknown } } | null)?.cause;
  return typeof cause?.code === 'string' ? cause.code : '';
}

function isTimeout(e: unknown): boolean {
  return e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
}

function safeUrl(location: string, base: URL): URL | null {
  try {
    return new URL(location, base);
  } catch {
    return null;
  }
}

export function safeJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}
