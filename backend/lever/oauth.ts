import { z } from 'zod';
import { LeverAuthError } from './errors.ts';

/**
 * OAuth bearer tokens for one Lever account. Each refresh returns a NEW refresh token and invalidates the old one,
 * so two concurrent refreshes would lock the account out: refreshes run one at a time per store (see refreshOnce).
 */
export type OAuthTokens = { accessToken: string; refreshToken: string; expiresAt: number };

/** Where tokens live (database row, file, memory). `save` must persist before it resolves. */
export interface OAuthTokenStore {
  load(): Promise<OAuthTokens>;
  save(tokens: OAuthTokens): Promise<void>;
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

const TokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.number().positive().default(3600),
});

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
 * Refreshes unless another caller already did: concurrent callers share one in-flight refresh, and a caller whose
 * rejected token (`staleAccessToken`) has already been replaced just uses the new one.
 */
export function refreshOnce(cfg: OAuthConfig, staleAccessToken: string): Promise<OAuthTokens> {
  const running = inFlight.get(cfg.tokens);
  if (running) return running;
  const p = (async () => {
    const tokens = await cfg.tokens.load();
    if (tokens.accessToken !== staleAccessToken && tokens.expiresAt - EARLY_MS > Date.now()) return tokens;
    const res = await fetch(cfg.tokenUrl ?? LEVER_TOKEN_URL, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: cfg.clientId,
        client_secret: cfg.clientSecret,
        refresh_token: tokens.refreshToken,
      }),
    });
    if (!res.ok) {
      throw new LeverAuthError(
        `Lever refused to refresh the OAuth token (HTTP ${res.status}). A Lever Super Admin must reconnect Fulcrum.`,
      );
    }
    const parsed = TokenResponseSchema.safeParse(await res.json().catch(() => null));
    if (!parsed.success) throw new LeverAuthError('Lever answered the token refresh with an unexpected body.');
    const next: OAuthTokens = {
      accessToken: parsed.data.access_token,
      refreshToken: parsed.data.refresh_token ?? tokens.refreshToken,
      expiresAt: Date.now() + parsed.data.expires_in * 1000,
    };
    await cfg.tokens.save(next);
    return next;
  })();
  inFlight.set(cfg.tokens, p);
  return p.finally(() => inFlight.delete(cfg.tokens));
}
