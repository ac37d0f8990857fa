import { Hono } from 'hono';
import type { EmulatorContext } from './context.ts';
import { newToken } from './store.ts';

/**
 * A stand-in for Lever's OAuth token endpoint (refresh grant only), so the client's bearer-token path and its
 * refresh lock can be tested: every refresh rotates the refresh token and the old one stops working, as in Lever.
 */
export const EMULATOR_OAUTH_CLIENT = { clientId: 'emulator-client', clientSecret: 'emulator-secret' };

export function oauthRouter(ctx: EmulatorContext): Hono {
  const app = new Hono();
  app.post('/token', async (c) => {
    const type = c.req.header('content-type') ?? '';
    const form: Record<string, string> = type.includes('json')
      ? ((await c.req.json().catch(() => ({}))) as Record<string, string>)
      : Object.fromEntries(new URLSearchParams(await c.req.text()));
    if (
      form.client_id !== EMULATOR_OAUTH_CLIENT.clientId ||
      form.client_secret !== EMULATOR_OAUTH_CLIENT.clientSecret
    ) {
      return c.json({ error: 'invalid_client' }, 401);
    }
    if (form.grant_type !== 'refresh_token' || !form.refresh_token || !ctx.refreshTokens.has(form.refresh_token)) {
      return c.json({ error: 'invalid_grant', error_description: 'Unknown or already used refresh token' }, 403);
    }
    ctx.refreshTokens.delete(form.refresh_token);
    return c.json(issueTokens(ctx, 3600));
  });
  return app;
}

/** Mints a token pair the emulator will accept (tests use this to start an OAuth session). */
export function issueTokens(ctx: EmulatorContext, expiresIn: number) {
  const access = newToken();
  const refresh = newToken();
  ctx.accessTokens.set(access, Date.now() + expiresIn * 1000);
  ctx.refreshTokens.add(refresh);
  return {
    access_token: access,
    refresh_token: refresh,
    token_type: 'Bearer',
    expires_in: expiresIn,
    scope: 'offline_access',
  };
}
