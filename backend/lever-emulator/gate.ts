import { setTimeout as sleep } from 'node:timers/promises';
import type { Context, MiddlewareHandler, Next } from 'hono';
import { bucketFor, type EmulatorContext, leverError } from './context.ts';

/**
 * What stands in front of every /v1 call, in Lever's order: credentials (401), the per-key token bucket (429),
 * the per-endpoint permission of the key (403). Fault injection (forced 429s, latency, random 500s) runs after
 * the rate limit, and the latency is applied BEFORE the handler runs, so a client that times out still causes the
 * write: exactly the "did my POST happen?" situation clients must handle.
 */

/** The credential of a request: an API key (Basic user) or an OAuth access token, or null. */
export function credentialOf(
  ctx: EmulatorContext,
  header: string | undefined,
): { id: string; perms: Set<string> } | null {
  if (!header) return null;
  const [scheme, value] = header.split(' ', 2);
  if (scheme?.toLowerCase() === 'basic' && value) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const key = decoded.includes(':') ? decoded.slice(0, decoded.indexOf(':')) : decoded;
    const perms = ctx.keys.get(key);
    return perms ? { id: `key:${key}`, perms } : null;
  }
  if (scheme?.toLowerCase() === 'bearer' && value) {
    const expires = ctx.accessTokens.get(value);
    if (expires === undefined || expires <= Date.now()) return null;
    // A token from the authorize flow has the permissions its scopes grant; one minted by a test has them all.
    return { id: `oauth:${value}`, perms: ctx.oauth.tokenPermissions.get(value) ?? new Set(['*']) };
  }
  return null;
}

/** The permission an endpoint needs, named after Lever's OAuth scopes without the `:admin` suffix. */
export function permissionFor(method: string, path: string): string {
  const access = method === 'GET' ? 'read' : 'write';
  const p = path.replace(/^\/v1/, '').split('/').filter(Boolean);
  const [root, , sub] = p;
  if (root === 'opportunities') {
    if (!sub || p[1] === 'deleted') return `opportunities:${access}`;
    const map: Record<string, string> = {
      notes: 'notes',
      feedback: 'feedback',
      resumes: 'resumes',
      files: 'files',
      interviews: 'interviews',
      panels: 'panels',
      offers: 'offers',
      applications: 'applications',
    };
    const resource = map[sub];
    return resource ? `${resource}:${access}` : 'opportunities:write';
  }
  // The EEO responses WITH identifiers have their own permission, apart from the anonymous ones.
  if (root === 'eeo' && p[2] === 'pii') return `eeo_responses_pii:${access}`;
  const roots: Record<string, string> = {
    contacts: 'contact',
    eeo: 'eeo_responses',
    archive_reasons: 'archive_reasons',
  };
  return `${roots[root ?? ''] ?? root}:${access}`;
}

function countStatus(ctx: EmulatorContext, status: number): void {
  ctx.stats.byStatus[status] = (ctx.stats.byStatus[status] ?? 0) + 1;
}

export function apiGate(ctx: EmulatorContext): MiddlewareHandler {
  return async (c: Context, next: Next) => {
    ctx.stats.requests++;
    const res = await gate(ctx, c, next);
    if (res) {
      countStatus(ctx, res.status);
      return res;
    }
    countStatus(ctx, c.res.status);
  };
}

async function gate(ctx: EmulatorContext, c: Context, next: Next): Promise<Response | undefined> {
  const cred = credentialOf(ctx, c.req.header('authorization'));
  if (!cred) {
    c.header('www-authenticate', 'Basic realm="Lever API"');
    return leverError(c, 401, 'UnauthorizedError', 'Invalid or missing API credentials');
  }
  if (!bucketFor(ctx, cred.id).tryTake()) {
    ctx.stats.rateLimited++;
    return leverError(c, 429, 'TooManyRequestsError', 'Rate limit exceeded. Retry with exponential backoff.');
  }
  if (ctx.faults.force429 > 0) {
    ctx.faults.force429--;
    ctx.stats.rateLimited++;
    return leverError(c, 429, 'TooManyRequestsError', 'Rate limit exceeded. Retry with exponential backoff.');
  }
  const needed = permissionFor(c.req.method, c.req.path);
  if (!cred.perms.has('*') && !cred.perms.has(needed)) {
    return leverError(c, 403, 'ForbiddenError', `This API key does not have the ${needed} permission`);
  }
  if (ctx.faults.latencyMs > 0) await sleep(ctx.faults.latencyMs);
  if (ctx.faults.errorRate > 0 && Math.random() < ctx.faults.errorRate) {
    ctx.stats.injectedErrors++;
    return leverError(c, 500, 'InternalServerError', 'Injected fault');
  }
  await next();
  return undefined;
}
