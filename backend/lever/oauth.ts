import { z } from 'zod';
import { LeverAuthError } from './errors.ts';

/**
 * Lever's OAuth 2.0 authorization-code flow (docs/lever-api.md §2.2), for partner integrations: the authorize URL, the
 * code exchange, and bearer tokens that refresh themselves. Each refresh returns a NEW refresh token and invalidates
 * the old one, so two refreshes racing each other lock the account out: refreshes are shared inside a process
 * (refreshOnce) and, when the token store offers one, serialised across processes by its lock (a database lease in
 * backend/lever-oauth/token-store.ts).
 */
export type OAuthTokens = { accessToken: string; refreshToken: string; expiresAt: number };

/** Where tokens live (database row, file, memory). `save` must persist before it resolves. */
export interface OAuthTokenStore {
  load(): Promise<OAuthTokens>;
  save(tokens: OAuthTokens): Promise<void>;
  /**
   * Runs `fn` while holding a lock every process sharing these tokens respects. `fn` re-reads the tokens inside the
   * lock, so a process that waited sees the refresh another one made instead of spending the rotated token again.
   */
  withRefreshLock?<T>(fn: () => Promise<T>): Promise<T>;
}

export type OAuthConfig = {
  kind: 'oauth';
  tokens: OAuthTokenStore;
  clientId: string;
  clientSecret: string;
  /** Default https://auth.lever.co/oauth/token (sandbox: https://sandbox-lever.auth0.com/oauth/token). */
  tokenUrl?: string;
};

export const LEVER_TOKEN_URL = 'https://auth.lever.co/oauth/token';

/** Authorization server, token endpoint and `audience` for a Lever Data API base URL (docs/lever-api.md §1). */
export type LeverOAuthEndpoints = { authorizeUrl: string; tokenUrl: string; audience: string };

export function leverOAuthEndpoints(apiBaseUrl: string): LeverOAuthEndpoints {
  const base = new URL(apiBaseUrl.replace(/\/+$/, ''));
  const audience = `${base.origin}${base.pathname}/`;
  if (base.hostname === 'api.sandbox.lever.co') {
    return {
      authorizeUrl: 'https://sandbox-lever.auth0.com/authorize',
      tokenUrl: 'https://sandbox-lever.auth0.com/oauth/token',
      audience,
    };
  }
  if (base.hostname.endsWith('.lever.co')) {
    // EU accounts authorize on the global server and are redirected to their data centre (docs/lever-api.md §1).
    return {
      authorizeUrl: 'https://auth.lever.co/authorize',
      tokenUrl: LEVER_TOKEN_URL,
      audience: 'https://api.lever.co/v1/',
    };
  }
  // Anything else is the emulator (or a test double), which serves both endpoints on its own origin.
  return { authorizeUrl: `${base.origin}/oauth/authorize`, tokenUrl: `${base.origin}/oauth/token`, audience };
}

/**
 * The scopes Fulcrum asks for: the minimal set of docs/lever-api.md §2.3 plus what the posting rewrite, the funnel and
 * the contract check read or write. `offline_access` is what makes Lever return a refresh token.
 */
export const DEFAULT_LEVER_SCOPES = [
  'offline_access',
  'opportunities:read:admin',
  'opportunities:write:admin',
  'resumes:read:admin',
  'files:read:admin',
  'notes:write:admin',
  'feedback:read:admin',
  'interviews:read:admin',
  'panels:read:admin',
  'stages:read:admin',
  'archive_reasons:read:admin',
  'users:read:admin',
  'tags:read:admin',
  'postings:write:admin',
  'eeo_responses:read:admin',
  'webhooks:write:admin',
] as const;

/** The URL to send a Lever Super Admin to. `state` must be unguessable, single use and checked on return. */
export function buildAuthorizeUrl(p: {
  endpoints: LeverOAuthEndpoints;
  clientId: string;
  redirectUri: string;
  state: string;
  scopes: readonly string[];
}): string {
  const url = new URL(p.endpoints.authorizeUrl);
  url.searchParams.set('client_id', p.clientId);
  url.searchParams.set('redirect_uri', p.redirectUri);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('state', p.state);
  url.searchParams.set('audience', p.endpoints.audience);
  url.searchParams.set('scope', [...new Set(['offline_access', ...p.scopes])].join(' '));
  url.searchParams.set('prompt', 'consent');
  return url.toString();
}

const TokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.number().positive().default(3600),
  scope: z.string().optional(),
  token_type: z.string().optional(),
});

const TokenErrorSchema = z.looseObject({ error: z.string().optional(), error_description: z.string().optional() });

async function tokenRequest(
  tokenUrl: string,
  form: Record<string, string>,
): Promise<z.infer<typeof TokenResponseSchema>> {
  let res: Response;
  try {
    res = await fetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams(form),
      signal: AbortSignal.timeout(30_000),
      redirect: 'error',
    });
  } catch (cause) {
    throw new LeverAuthError(`Could not reach Lever's token endpoint (${new URL(tokenUrl).origin}).`, { cause });
  }
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const e = TokenErrorSchema.safeParse(body);
    const said =
      e.success && e.data.error
        ? ` (${e.data.error}${e.data.error_description ? `: ${e.data.error_description.slice(0, 200)}` : ''})`
        : '';
    throw new LeverAuthError(`Lever's token endpoint refused the request: HTTP ${res.status}${said}.`);
  }
  const parsed = TokenResponseSchema.safeParse(body);
  if (!parsed.success) throw new LeverAuthError("Lever's token endpoint answered with an unexpected body.");
  return parsed.data;
}

/** Exchanges the code from the callback for tokens. Lever only returns a refresh token for `offline_access`. */
export async function exchangeAuthorizationCode(p: {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  code: string;
  redirectUri: string;
  now?: () => number;
}): Promise<OAuthTokens & { scope: string | null }> {
  const t = await tokenRequest(p.tokenUrl, {
    grant_type: 'authorization_code',
    client_id: p.clientId,
    client_secret: p.clientSecret,
    code: p.code,
    redirect_uri: p.redirectUri,
  });
  if (!t.refresh_token) {
    throw new LeverAuthError('Lever returned no refresh token: the requested scopes must include offline_access.');
  }
  return {
    accessToken: t.access_token,
    refreshToken: t.refresh_token,
    expiresAt: (p.now ?? Date.now)() + t.expires_in * 1000,
    scope: t.scope ?? null,
  };
}

export function memoryTokenStore(initial: OAuthTokens): OAuthTokenStore & { current(): OAuthTokens } {
  let tokens = initial;
  return {
    load: async () => tokens,
    save: async (t) => {
      tokens = t;
    },
    current: () => tokens,
  };
}

const inFlight = new WeakMap<OAuthTokenStore, Promise<OAuthTokens>>();

/** Refresh a minute early so a request does not leave with a token that expires on the way. */
const EARLY_MS = 60_000;

/** A valid access token, refreshing first if it is about to expire. */
export async function currentAccessToken(cfg: OAuthConfig): Promise<string> {
  const tokens = await cfg.tokens.load();
  if (tokens.expiresAt - EARLY_MS > Date.now()) return tokens.accessToken;
  return (await refreshOnce(cfg, tokens.accessToken)).accessToken;
}

/**
 * Refreshes unless another caller already did: concurrent callers in this process share one in-flight refresh; the
 * store's lock makes other processes wait; and a caller whose rejected token (`staleAccessToken`) has already been
 * replaced, here or elsewhere, just uses the new one.
 */
export function refreshOnce(cfg: OAuthConfig, staleAccessToken: string): Promise<OAuthTokens> {
  const running = inFlight.get(cfg.tokens);
  if (running) return running;
  const refresh = async (): Promise<OAuthTokens> => {
    const tokens = await cfg.tokens.load();
    if (tokens.accessToken !== staleAccessToken && tokens.expiresAt - EARLY_MS > Date.now()) return tokens;
    let t: z.infer<typeof TokenResponseSchema>;
    try {
      t = await tokenRequest(cfg.tokenUrl ?? LEVER_TOKEN_URL, {
        grant_type: 'refresh_token',
        client_id: cfg.clientId,
        client_secret: cfg.clientSecret,
        refresh_token: tokens.refreshToken,
      });
    } catch (e) {
      throw new LeverAuthError(
        `Lever refused to refresh the OAuth token. A Lever Super Admin must reconnect Fulcrum (npm run cli -- lever connect). ${(e as Error).message}`,
        { cause: e },
      );
    }
    const next: OAuthTokens = {
      accessToken: t.access_token,
      // Lever rotates the refresh token on every refresh; keep the old one only if none came back.
      refreshToken: t.refresh_token ?? tokens.refreshToken,
      expiresAt: Date.now() + t.expires_in * 1000,
    };
    await cfg.tokens.save(next);
    return next;
  };
  const p = cfg.tokens.withRefreshLock ? cfg.tokens.withRefreshLock(refresh) : refresh();
  inFlight.set(cfg.tokens, p);
  return p.finally(() => inFlight.delete(cfg.tokens));
}
