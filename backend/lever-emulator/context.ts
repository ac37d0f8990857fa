import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { TokenBucket } from '../lever/rate-limit.ts';
import type { EmulatorStore } from './store.ts';
import type { WebhookDispatcher } from './webhooks.ts';

/** State shared by the emulator's routers: data, keys, rate limits, fault knobs and counters. */
export type Faults = { latencyMs: number; errorRate: number; force429: number };

export type EmulatorStats = {
  requests: number;
  rateLimited: number;
  injectedErrors: number;
  byStatus: Record<string, number>;
};

export type EmulatorContext = {
  store: EmulatorStore;
  dispatcher: WebhookDispatcher;
  /** API key → permissions ('*' = everything, including /_admin). */
  keys: Map<string, Set<string>>;
  /** OAuth access token → expiry (ms); refresh token → still valid. */
  accessTokens: Map<string, number>;
  refreshTokens: Set<string>;
  /** The authorize flow's state (oauth.ts). */
  oauth: EmulatorOAuth;
  faults: Faults;
  stats: EmulatorStats;
  buckets: Map<string, TokenBucket>;
  ratePerSecond: number;
  burst: number;
  primaryKey: string;
};

/** What the emulator's stand-in for Lever's authorization server keeps (oauth.ts). */
export type EmulatorOAuth = {
  /** Authorization codes: single use, valid 10 minutes, bound to the client, redirect URI and scope they were issued for. */
  codes: Map<string, { clientId: string; redirectUri: string; scope: string; expiresAt: number }>;
  /** Access token → the API permissions its scopes grant (tokens missing here have every permission). */
  tokenPermissions: Map<string, Set<string>>;
  /** Refresh token → the scope it carries on to the tokens it is exchanged for. */
  refreshScopes: Map<string, string>;
  /** Answers of POST /oauth/token by grant, so a test can count refreshes (a refresh race shows as two). */
  calls: { authorization_code: number; refresh_token: number; refused: number };
  /** Delay before the token endpoint answers, ms (a slow Lever makes refresh races likely). */
  latencyMs: number;
};

export function newEmulatorOAuth(): EmulatorOAuth {
  return {
    codes: new Map(),
    tokenPermissions: new Map(),
    refreshScopes: new Map(),
    calls: { authorization_code: 0, refresh_token: 0, refused: 0 },
    latencyMs: 0,
  };
}

export function bucketFor(ctx: EmulatorContext, credential: string): TokenBucket {
  let b = ctx.buckets.get(credential);
  if (!b) {
    b = new TokenBucket(ctx.ratePerSecond, ctx.burst);
    ctx.buckets.set(credential, b);
  }
  return b;
}

export function leverError(c: Context, status: ContentfulStatusCode, code: string, message: string): Response {
  return c.json({ code, message }, status);
}

/**
 * Ends the request with this Lever-shaped error answer, from a helper that cannot go on: it is thrown as Hono's
 * HTTPException, and server.ts's error handler answers with it unchanged.
 */
export function fail(res: Response): never {
  throw new HTTPException(res.status as ContentfulStatusCode, { res });
}

export const notFound = (c: Context, what: string) => leverError(c, 404, 'ResourceNotFound', `${what} not found`);
export const badRequest = (c: Context, message: string) => leverError(c, 400, 'BadRequestError', message);

export const INVALID_OFFSET = 'Invalid offset token: Offset token is invalid for sort';

/** `limit` as Lever reads it: 1–100, default 100; anything else fails the request with Lever's 400. */
export function parseLimit(c: Context): number {
  const raw = c.req.query('limit');
  if (raw === undefined) return 100;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 100) fail(badRequest(c, 'limit must be an integer between 1 and 100'));
  return n;
}

function encodeCursor(parts: unknown[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

function decodeCursor(token: string): unknown[] | null {
  try {
    const v: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    return Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}

/**
 * One page of an in-memory list with an opaque cursor bound to the reset epoch and to the last item returned, so a
 * cursor from before a reset, or one that was made up, is refused like Lever refuses it.
 */
export function listPage<T>(
  c: Context,
  ctx: EmulatorContext,
  items: readonly T[],
  idOf: (item: T) => string,
  render: (item: T) => unknown,
  wrap?: (data: unknown[]) => unknown,
): Response {
  const limit = parseLimit(c);
  let start = 0;
  const offset = c.req.query('offset');
  if (offset) {
    const parts = decodeCursor(offset);
    const [epoch, index, lastId] = parts ?? [];
    const prev = typeof index === 'number' ? items[index - 1] : undefined;
    if (epoch !== ctx.store.epoch || prev === undefined || idOf(prev) !== lastId) return badRequest(c, INVALID_OFFSET);
    start = index as number;
  }
  const slice = items.slice(start, start + limit);
  const end = start + slice.length;
  const hasNext = end < items.length;
  const last = slice.at(-1);
  const data = slice.map(render);
  return c.json({
    data: wrap ? wrap(data) : data,
    hasNext,
    ...(hasNext && last !== undefined ? { next: encodeCursor([ctx.store.epoch, end, idOf(last)]) } : {}),
  });
}

/** Cursor for the opportunities list, shaped like Lever's `0.<createdAt>.<uuid>` (the leading part is our epoch). */
export function opportunityCursor(epoch: number, createdAt: number, id: string): string {
  return `${epoch}.${createdAt}.${id}`;
}

export function parseOpportunityCursor(token: string): { epoch: number; createdAt: number; id: string } | null {
  const m = /^(\d+)\.(\d+)\.([0-9a-f-]{36})$/i.exec(token);
  if (!m) return null;
  return { epoch: Number(m[1]), createdAt: Number(m[2]), id: m[3] as string };
}

/** Query values that may repeat (`?tag=a&tag=b`); comma lists are accepted too. */
export function multi(c: Context, name: string): string[] {
  return (c.req.queries(name) ?? []).flatMap((v) => v.split(',')).filter(Boolean);
}

export function msParam(c: Context, name: string): number | undefined {
  const v = c.req.query(name);
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : Number.NaN;
}
