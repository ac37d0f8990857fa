import { type Context, Hono } from 'hono';
import type { AppServices } from '../app.ts';
import type { AuthEnv } from '../http/auth.ts';
import { HttpError } from '../http/errors.ts';
import {
  ConnectError,
  completeConnect,
  oauthSettings,
  requireSecretKey,
  startConnect,
} from '../lever-oauth/connect.ts';
import { DbOAuthTokenStore } from '../lever-oauth/token-store.ts';

/**
 * Connecting Fulcrum to Lever with OAuth (a Lever partner app; docs/lever-api.md §2.2):
 * - `POST /api/admin/lever/connect` (Fulcrum admins): a fresh single-use state and the Lever URL to approve it at;
 * - `GET /api/admin/lever/connection` (Fulcrum admins): whether Fulcrum is connected, with which scopes, since when
 *   and by whom: never a token;
 * - `GET /oauth/lever/callback`: where Lever sends the Super Admin's browser back. It carries no Fulcrum token (it is
 *   a redirect from Lever), so its rule is 'public'; what authorises it is the state, which only a Fulcrum admin can
 *   have started, which expires after 10 minutes and which works once.
 */

function settingsOrThrow(s: AppServices) {
  let settings: ReturnType<typeof oauthSettings>;
  try {
    settings = oauthSettings(s.config);
  } catch (e) {
    throw new HttpError(409, 'not_configured', (e as Error).message);
  }
  if (!settings) {
    throw new HttpError(
      409,
      'not_configured',
      'Lever OAuth is not configured: set LEVER_OAUTH_CLIENT_ID, LEVER_OAUTH_CLIENT_SECRET and FULCRUM_SECRET_KEY (README, "A real Lever account").',
    );
  }
  let key: Buffer;
  try {
    key = requireSecretKey(s.config);
  } catch (e) {
    throw new HttpError(409, 'not_configured', (e as Error).message);
  }
  return { settings, key };
}

export function leverOAuthAdminRoutes(s: AppServices) {
  return new Hono<AuthEnv>()
    .post('/lever/connect', s.guards.fulcrumAdmin(), async (c) => {
      const { settings } = settingsOrThrow(s);
      const started = await startConnect(s.store.db, settings, c.get('recruiter').email, s.clock());
      return c.json({
        authorizeUrl: started.authorizeUrl,
        redirectUri: settings.redirectUri,
        expiresAt: new Date(started.expiresAt).toISOString(),
      });
    })
    .get('/lever/connection', s.guards.fulcrumAdmin(), async (c) => {
      if (s.config.LEVER_API_KEY || !s.config.LEVER_OAUTH_CLIENT_ID) {
        return c.json({ mode: s.config.LEVER_API_KEY ? 'api-key' : 'emulator', connected: !!s.config.LEVER_API_KEY });
      }
      const { key } = settingsOrThrow(s);
      const info = await new DbOAuthTokenStore(() => s.store.db, key).info();
      const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
      return c.json({
        mode: 'oauth',
        connected: info.connected,
        scope: info.scope,
        connectedBy: info.connectedBy,
        connectedAt: iso(info.connectedAt),
        accessTokenExpiresAt: iso(info.accessTokenExpiresAt),
      });
    });
}

const esc = (t: string) => t.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function page(c: Context, status: 200 | 400 | 403 | 409 | 502, title: string, text: string): Response {
  c.header('cache-control', 'no-store');
  c.header('content-security-policy', "default-src 'none'");
  return c.html(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title></head>` +
      `<body><h1>${esc(title)}</h1><p>${esc(text)}</p></body></html>`,
    status,
  );
}

export function leverOAuthCallbackRoutes(s: AppServices) {
  return new Hono().get('/oauth/lever/callback', s.guards.public(), async (c) => {
    let ctx: ReturnType<typeof settingsOrThrow>;
    try {
      ctx = settingsOrThrow(s);
    } catch (e) {
      return page(c, 409, 'Lever OAuth is not configured', (e as Error).message);
    }
    const q = (k: string) => c.req.query(k)?.slice(0, 2000);
    try {
      const done = await completeConnect(
        s.store.db,
        ctx.settings,
        ctx.key,
        { state: q('state'), code: q('code'), error: q('error'), errorDescription: q('error_description') },
        s.clock(),
      );
      s.logger.info({ connectedBy: done.connectedBy }, 'lever oauth connected');
      return page(c, 200, 'Fulcrum is connected to Lever', 'You can close this tab.');
    } catch (e) {
      if (!(e instanceof ConnectError)) throw e;
      s.logger.warn({ kind: e.kind }, 'lever oauth callback refused');
      const status = e.kind === 'denied' ? 403 : e.kind === 'exchange' ? 502 : 400;
      const title = e.kind === 'denied' ? 'Access was not granted' : 'Fulcrum could not connect to Lever';
      return page(c, status, title, e.message);
    }
  });
}
