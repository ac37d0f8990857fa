import { setTimeout as sleep } from 'node:timers/promises';
import { type Context, Hono } from 'hono';
import type { EmulatorContext } from './context.ts';
import { newToken } from './store.ts';

/**
 * A stand-in for Lever's OAuth authorization server (auth.lever.co; docs/lever-api.md §2.2), so the connect flow and
 * the refresh lock can be tested end to end:
 * - `GET /oauth/authorize` checks client_id, redirect_uri, response_type=code, state and audience, and shows a
 *   consent page (Allow / Deny) as Lever does to a Super Admin; `decision=allow|deny` answers at once (tests).
 * - `POST /oauth/token` exchanges a code (single use, 10 minutes, same client and redirect_uri) or a refresh token.
 *   Every refresh rotates the refresh token and the old one stops working, as in Lever. Only `offline_access`
 *   earns a refresh token. Tokens get the API permissions their scopes name (`notes:write:admin` → notes:write and
 *   notes:read), which the API gate enforces.
 */
export const EMULATOR_OAUTH_CLIENT = { clientId: 'emulator-client', clientSecret: 'emulator-secret' };

const CODE_TTL_MS = 10 * 60_000;

type Pending = { clientId: string; redirectUri: string; state: string; scope: string; expiresAt: number };

/** API permissions (gate.ts names) a scope string grants; a write scope implies its read. */
export function permissionsOfScope(scope: string): Set<string> {
  const perms = new Set<string>();
  for (const s of scope.split(/\s+/).filter(Boolean)) {
    const m = /^([a-z_]+):(read|write):admin$/.exec(s);
    if (!m) continue;
    perms.add(`${m[1]}:${m[2]}`);
    if (m[2] === 'write') perms.add(`${m[1]}:read`);
  }
  return perms;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function page(c: Context, status: 200 | 400, title: string, body: string): Response {
  return c.html(
    `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title></head><body>` +
      `<h1>${esc(title)}</h1>${body}</body></html>`,
    status,
  );
}

function redirectBack(c: Context, redirectUri: string, params: Record<string, string>): Response {
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return c.redirect(url.toString(), 302);
}

export function oauthRouter(ctx: EmulatorContext): Hono {
  const app = new Hono();
  const pending = new Map<string, Pending>();

  const approve = (c: Context, p: Pending): Response => {
    const code = newToken();
    ctx.oauth.codes.set(code, {
      clientId: p.clientId,
      redirectUri: p.redirectUri,
      scope: p.scope,
      expiresAt: Date.now() + CODE_TTL_MS,
    });
    return redirectBack(c, p.redirectUri, { code, state: p.state });
  };
  const deny = (c: Context, p: Pending): Response =>
    redirectBack(c, p.redirectUri, {
      error: 'access_denied',
      error_description: 'The Super Admin did not allow access',
      state: p.state,
    });

  app.get('/authorize', (c) => {
    const q = (k: string) => c.req.query(k) ?? '';
    if (q('client_id') !== EMULATOR_OAUTH_CLIENT.clientId) {
      return page(c, 400, 'Unknown application', '<p>client_id is not a registered application.</p>');
    }
    let redirectUri: URL;
    try {
      redirectUri = new URL(q('redirect_uri'));
      if (redirectUri.protocol !== 'http:' && redirectUri.protocol !== 'https:') throw new Error('scheme');
    } catch {
      return page(c, 400, 'Invalid redirect_uri', '<p>redirect_uri must be an absolute http(s) URL.</p>');
    }
    const state = q('state');
    const fail = (error: string, description: string) =>
      redirectBack(c, redirectUri.toString(), { error, error_description: description, ...(state ? { state } : {}) });
    if (q('response_type') !== 'code') return fail('unsupported_response_type', 'response_type must be code');
    if (!state) return fail('invalid_request', 'state is required');
    const audience = `${new URL(c.req.url).origin}/v1/`;
    if (q('audience') !== audience) return fail('invalid_request', `audience must be ${audience}`);
    const p: Pending = {
      clientId: q('client_id'),
      redirectUri: redirectUri.toString(),
      state,
      scope: q('scope'),
      expiresAt: Date.now() + CODE_TTL_MS,
    };
    const decision = q('decision');
    if (decision === 'allow') return approve(c, p);
    if (decision === 'deny') return deny(c, p);
    const id = newToken();
    pending.set(id, p);
    const scopes = p.scope.split(/\s+/).filter(Boolean);
    return page(
      c,
      200,
      'Authorize Fulcrum',
      `<p>Fulcrum asks for access to this Lever account:</p><ul>${scopes.map((s) => `<li>${esc(s)}</li>`).join('')}</ul>` +
        `<p><a id="allow" href="/oauth/authorize/decision?request=${id}&amp;allow=1">Allow</a> ` +
        `<a id="deny" href="/oauth/authorize/decision?request=${id}&amp;allow=0">Deny</a></p>`,
    );
  });

  app.get('/authorize/decision', (c) => {
    const id = c.req.query('request') ?? '';
    const p = pending.get(id);
    pending.delete(id);
    if (!p || p.expiresAt < Date.now()) {
      return page(c, 400, 'This request expired', '<p>Start again from Fulcrum.</p>');
    }
    return c.req.query('allow') === '1' ? approve(c, p) : deny(c, p);
  });

  app.post('/token', async (c) => {
    const type = c.req.header('content-type') ?? '';
    const form: Record<string, string> = type.includes('json')
      ? ((await c.req.json().catch(() => ({}))) as Record<string, string>)
      : Object.fromEntries(new URLSearchParams(await c.req.text()));
    if (ctx.oauth.latencyMs > 0) await sleep(ctx.oauth.latencyMs);
    const refuse = (status: 400 | 401 | 403, error: string, description: string) => {
      ctx.oauth.calls.refused++;
      return c.json({ error, error_description: description }, status);
    };
    if (
      form.client_id !== EMULATOR_OAUTH_CLIENT.clientId ||
      form.client_secret !== EMULATOR_OAUTH_CLIENT.clientSecret
    ) {
      return refuse(401, 'invalid_client', 'Unknown client or wrong secret');
    }
    if (form.grant_type === 'authorization_code') {
      const code = form.code ? ctx.oauth.codes.get(form.code) : undefined;
      if (form.code) ctx.oauth.codes.delete(form.code); // single use, even when the rest is wrong
      if (!code || code.expiresAt < Date.now() || code.clientId !== form.client_id) {
        return refuse(403, 'invalid_grant', 'Unknown, expired or already used authorization code');
      }
      if (code.redirectUri !== form.redirect_uri) {
        return refuse(403, 'invalid_grant', 'redirect_uri does not match the one the code was issued for');
      }
      ctx.oauth.calls.authorization_code++;
      return c.json(mintTokens(ctx, 3600, code.scope));
    }
    if (form.grant_type === 'refresh_token') {
      if (!form.refresh_token || !ctx.refreshTokens.has(form.refresh_token)) {
        return refuse(403, 'invalid_grant', 'Unknown or already used refresh token');
      }
      ctx.refreshTokens.delete(form.refresh_token);
      const scope = ctx.oauth.refreshScopes.get(form.refresh_token);
      ctx.oauth.refreshScopes.delete(form.refresh_token);
      ctx.oauth.calls.refresh_token++;
      return c.json(mintTokens(ctx, 3600, scope));
    }
    return refuse(400, 'unsupported_grant_type', 'grant_type must be authorization_code or refresh_token');
  });
  return app;
}

/** A token pair with every permission (tests start an OAuth session with it). */
export function issueTokens(ctx: EmulatorContext, expiresIn: number) {
  const t = mintTokens(ctx, expiresIn);
  return { ...t, refresh_token: t.refresh_token as string };
}

/**
 * Mints tokens the emulator will accept. With a `scope`, the access token has only the permissions it names and a
 * refresh token comes only with offline_access; without one, it has every permission.
 */
function mintTokens(ctx: EmulatorContext, expiresIn: number, scope?: string) {
  const access = newToken();
  ctx.accessTokens.set(access, Date.now() + expiresIn * 1000);
  const withRefresh = scope === undefined || scope.split(/\s+/).includes('offline_access');
  const refresh = withRefresh ? newToken() : undefined;
  if (refresh) ctx.refreshTokens.add(refresh);
  if (scope !== undefined) {
    ctx.oauth.tokenPermissions.set(access, permissionsOfScope(scope));
    if (refresh) ctx.oauth.refreshScopes.set(refresh, scope);
  }
  return {
    access_token: access,
    ...(refresh ? { refresh_token: refresh } : {}),
    token_type: 'Bearer',
    expires_in: expiresIn,
    scope: scope ?? 'offline_access',
  };
}
