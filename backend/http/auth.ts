import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { checkToken, hashToken, isWellFormedToken, setLeverUserId } from '../auth/recruiters.ts';
import type { LeverClient } from '../lever/index.ts';
import type { Store } from '../store/db.ts';
import { forbidden, HttpError, unauthorized } from './errors.ts';
import type { Logger } from './logger.ts';
import type { KeyedRateLimiter } from './rate-limit.ts';

/** The signed-in recruiter, as the routes see it. */
export type Principal = {
  id: string;
  email: string;
  name: string;
  role: 'recruiter' | 'admin';
  leverUserId: string | null;
};

export type AuthEnv = { Variables: { recruiter: Principal; requestId: string } };

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** The client's address as the socket reports it; a shared key when there is no socket (app.request in tests). */
function clientKey(c: Context): string {
  try {
    return `ip:${getConnInfo(c).remote.address ?? '?'}`;
  } catch {
    return 'ip:?';
  }
}

const tooMany = () =>
  new HttpError(429, 'rate_limited', 'Too many requests with this token. Slow down and try again in a second.');

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * Bearer token → recruiter. Missing, unknown, revoked and expired tokens are all 401 with a message that says what
 * to do. Rate limiting is keyed by the sha256 of a token that authenticates (checked before the database is asked,
 * once the token has a bucket), so one recruiter's traffic cannot exhaust another's. Anything else that costs a
 * lookup (a malformed header, a token that is unknown or revoked) is charged to the client's address instead: keys an
 * attacker can mint for free (random tokens) never get buckets of their own, and guessing is throttled per client.
 */
export function requireRecruiter(
  store: Store,
  limiter: KeyedRateLimiter,
  resolveLeverUser: (p: Principal) => Promise<string | null>,
): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (!header) {
      throw unauthorized(
        'Sign in first: add your Fulcrum token in the extension options (Authorization: Bearer <token>).',
      );
    }
    const token = BEARER.exec(header)?.[1];
    if (!token || !isWellFormedToken(token)) {
      if (!limiter.take(clientKey(c))) throw tooMany();
      throw unauthorized(
        token
          ? 'This is not a Fulcrum token (they start with "flk_"). Paste the token your admin gave you.'
          : 'The Authorization header must be "Bearer <token>".',
      );
    }
    const key = `token:${hashToken(token)}`;
    if (!limiter.peek(key)) throw tooMany();
    const check = await checkToken(store, token);
    if (check.status === 'invalid') {
      if (!limiter.take(clientKey(c))) throw tooMany();
      throw unauthorized('This Fulcrum token is invalid or was revoked. Ask your admin for a new one.');
    }
    if (!limiter.take(key)) throw tooMany();
    if (check.status === 'expired') {
      throw unauthorized(
        `This Fulcrum token expired on ${day(check.expiredAt)}. Ask your admin to rotate it (npm run cli -- recruiters rotate ${check.email}).`,
      );
    }
    const r = check.recruiter;
    const principal: Principal = {
      id: r.id,
      email: r.email,
      name: r.name ?? r.email,
      role: r.role,
      leverUserId: r.leverUserId ?? null,
    };
    // First use: map the email to a Lever user in the background; approval waits for it if it is still missing.
    if (!principal.leverUserId) void resolveLeverUser(principal);
    c.set('recruiter', principal);
    await next();
  };
}

export function requireRole(role: 'admin'): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    if (c.get('recruiter').role !== role) throw forbidden('Only Fulcrum admins can do this.');
    await next();
  };
}

/**
 * Maps a recruiter's email to their Lever user id (for perform_as) and caches it in the recruiters table. Lever
 * needs an exact email match; a miss is remembered for a few minutes so every request does not ask Lever again.
 */
export function createLeverUserResolver(store: Store, lever: LeverClient, logger: Logger, now: () => number) {
  const misses = new Map<string, number>();
  const found = new Map<string, string>();
  const inFlight = new Map<string, Promise<string | null>>();
  const MISS_TTL_MS = 5 * 60 * 1000;
  const lookup = async (p: { id: string; email: string }): Promise<string | null> => {
    try {
      for await (const u of lever.listUsers({ email: p.email })) {
        if (u.email?.toLowerCase() === p.email.toLowerCase() && !u.deactivatedAt) {
          await setLeverUserId(store, p.id, u.id);
          found.set(p.email, u.id);
          misses.delete(p.email);
          return u.id;
        }
      }
      misses.set(p.email, now());
      return null;
    } catch (e) {
      logger.warn(
        { err: { name: (e as Error).name, code: (e as { code?: string }).code } },
        'lever user lookup failed',
      );
      return null;
    }
  };
  return (p: { id: string; email: string; leverUserId: string | null }): Promise<string | null> => {
    if (p.leverUserId) return Promise.resolve(p.leverUserId);
    const cached = found.get(p.email);
    if (cached) return Promise.resolve(cached);
    const missedAt = misses.get(p.email);
    if (missedAt !== undefined && now() - missedAt < MISS_TTL_MS) return Promise.resolve(null);
    let pending = inFlight.get(p.email);
    if (!pending) {
      pending = lookup(p).finally(() => inFlight.delete(p.email));
      inFlight.set(p.email, pending);
    }
    return pending;
  };
}
