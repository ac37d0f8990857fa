import { z } from 'zod';
import { DEFAULT_LIMITS, type FetchLimits } from './bounded-fetch.ts';
import { AvailabilityError } from './types.ts';

/**
 * OAuth 2.0 access tokens for calendar APIs, held by the backend only (the extension never sees one). A token is
 * refreshed with the standard refresh_token grant (RFC 6749 §6: Google's and Microsoft's token endpoints speak it)
 * a minute before it expires, or once after the API answered 401. Concurrent callers share one refresh.
 */

export type OAuthToken = {
  accessToken: string;
  refreshToken?: string | null;
  /** Epoch ms; null = unknown (used until the API refuses it). */
  expiresAt?: number | null;
  tokenUrl?: string | null;
  clientId?: string | null;
  clientSecret?: string | null;
  scope?: string | null;
};

export interface TokenStore {
  load(): Promise<OAuthToken | null>;
  save(token: OAuthToken): Promise<void>;
}

const TokenResponse = z.object({
  access_token: z.string().min(1),
  expires_in: z.coerce.number().optional(),
  refresh_token: z.string().optional(),
  scope: z.string().optional(),
});

export class OAuthTokenProvider {
  private refreshing: Promise<string> | null = null;

  constructor(
    private readonly store: TokenStore,
    private readonly what: string,
    private readonly now: () => number = Date.now,
    private readonly limits: FetchLimits = DEFAULT_LIMITS,
  ) {}

  /** A usable access token, refreshed first when it is about to expire. */
  async accessToken(): Promise<string> {
    const t = await this.store.load();
    if (!t) throw new AvailabilityError(`${this.what} has no OAuth token; an admin must connect it.`, false);
    if (t.expiresAt && t.expiresAt - 60_000 <= this.now() && t.refreshToken && t.tokenUrl) return this.refresh();
    return t.accessToken;
  }

  /** Refreshes now (after a 401); one request however many callers wait. */
  refresh(): Promise<string> {
    if (!this.refreshing) {
      this.refreshing = this.doRefresh().finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  private async doRefresh(): Promise<string> {
    const t = await this.store.load();
    if (!t?.refreshToken || !t.tokenUrl) {
      throw new AvailabilityError(
        `${this.what} refused its OAuth token and it cannot be refreshed; reconnect it.`,
        false,
      );
    }
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: t.refreshToken });
    if (t.clientId) form.set('client_id', t.clientId);
    if (t.clientSecret) form.set('client_secret', t.clientSecret);
    if (t.scope) form.set('scope', t.scope);
    let res: Response;
    try {
      res = await fetch(t.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
        signal: AbortSignal.timeout(this.limits.timeoutMs),
      });
    } catch {
      throw new AvailabilityError(`Cannot reach the token endpoint of ${this.what}.`, true);
    }
    const body = await res.json().catch(() => null);
    const parsed = TokenResponse.safeParse(body);
    if (!res.ok || !parsed.success) {
      throw new AvailabilityError(
        `Refreshing the OAuth token of ${this.what} failed (HTTP ${res.status}); reconnect it.`,
        res.status >= 500,
      );
    }
    const next: OAuthToken = {
      ...t,
      accessToken: parsed.data.access_token,
      refreshToken: parsed.data.refresh_token ?? t.refreshToken,
      expiresAt: parsed.data.expires_in ? this.now() + parsed.data.expires_in * 1000 : null,
    };
    await this.store.save(next);
    return next.accessToken;
  }
}

/** A token store in memory (CLI flags, tests). */
export function memoryTokenStore(initial: OAuthToken | null): TokenStore & { current(): OAuthToken | null } {
  let t = initial;
  return {
    load: async () => t,
    save: async (n) => {
      t = n;
    },
    current: () => t,
  };
}
