import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Config } from '../config.ts';
import {
  buildAuthorizeUrl,
  DEFAULT_LEVER_SCOPES,
  exchangeAuthorizationCode,
  LEVER_BASE_URLS,
  LeverAuthError,
  type LeverOAuthEndpoints,
  leverOAuthEndpoints,
} from '../lever/index.ts';
import type { Database } from '../store/schema.ts';
import { parseSecretKey, SECRET_KEY_HELP } from './secret-box.ts';
import { DbOAuthTokenStore } from './token-store.ts';

/**
 * The connect flow for a Lever partner app (docs/lever-api.md §2.2): a Fulcrum admin starts it (route or CLI), a Lever
 * Super Admin approves it on Lever, and Lever sends the browser back to the callback with `code` and `state`.
 * - `state` is 32 random bytes, stored only as its SHA-256 with the admin who asked and an expiry (10 minutes); the
 *   callback consumes it atomically, so it works once, and only for the flow it was made for.
 * - The code is exchanged with the app's secret; the tokens are stored encrypted (token-store.ts). A denial
 *   (`error=access_denied`) consumes the state too and is reported as such.
 */

export const STATE_TTL_MS = 10 * 60_000;

export type OAuthSettings = {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  scopes: string[];
  endpoints: LeverOAuthEndpoints;
  apiBaseUrl: string;
};

export class ConnectError extends Error {
  override name = 'ConnectError';
  constructor(
    readonly kind: 'not-configured' | 'state' | 'denied' | 'exchange',
    message: string,
  ) {
    super(message);
  }
}

/** The OAuth app's settings from the config, or null when no OAuth client is configured. */
export function oauthSettings(config: Config): OAuthSettings | null {
  if (!config.LEVER_OAUTH_CLIENT_ID) return null;
  if (!config.LEVER_OAUTH_CLIENT_SECRET) {
    throw new ConnectError('not-configured', 'LEVER_OAUTH_CLIENT_SECRET must be set with LEVER_OAUTH_CLIENT_ID.');
  }
  const apiBaseUrl = config.LEVER_BASE_URL ?? LEVER_BASE_URLS.production;
  const derived = leverOAuthEndpoints(apiBaseUrl);
  return {
    clientId: config.LEVER_OAUTH_CLIENT_ID,
    clientSecret: config.LEVER_OAUTH_CLIENT_SECRET,
    redirectUri: config.LEVER_OAUTH_REDIRECT_URI ?? `http://127.0.0.1:${config.PORT}/oauth/lever/callback`,
    scopes: config.LEVER_OAUTH_SCOPES
      ? config.LEVER_OAUTH_SCOPES.split(/\s+/).filter(Boolean)
      : [...DEFAULT_LEVER_SCOPES],
    endpoints: {
      authorizeUrl: config.LEVER_OAUTH_AUTHORIZE_URL ?? derived.authorizeUrl,
      tokenUrl: config.LEVER_OAUTH_TOKEN_URL ?? derived.tokenUrl,
      audience: derived.audience,
    },
    apiBaseUrl,
  };
}

/** The token-encryption key; refuses (never stores tokens unencrypted) when FULCRUM_SECRET_KEY is missing. */
export function requireSecretKey(config: Pick<Config, 'FULCRUM_SECRET_KEY'>): Buffer {
  if (!config.FULCRUM_SECRET_KEY) {
    throw new ConnectError(
      'not-configured',
      `FULCRUM_SECRET_KEY is not set: Fulcrum refuses to store Lever OAuth tokens without encrypting them. ${SECRET_KEY_HELP}`,
    );
  }
  return parseSecretKey(config.FULCRUM_SECRET_KEY);
}

const hashState = (state: string) => createHash('sha256').update(state).digest('hex');

/** Starts a connection: a fresh single-use state and the URL to send a Lever Super Admin to. */
export async function startConnect(
  db: Kysely<Database>,
  settings: OAuthSettings,
  startedBy: string,
  now: number = Date.now(),
): Promise<{ authorizeUrl: string; state: string; expiresAt: number }> {
  const state = randomBytes(32).toString('base64url');
  const expiresAt = now + STATE_TTL_MS;
  await db
    .deleteFrom('lever_oauth_states')
    .where((eb) => eb.or([eb('expires_at', '<', now - STATE_TTL_MS), eb('used_at', 'is not', null)]))
    .execute();
  await db
    .insertInto('lever_oauth_states')
    .values({
      state_hash: hashState(state),
      created_by: startedBy,
      redirect_uri: settings.redirectUri,
      created_at: now,
      expires_at: expiresAt,
    })
    .execute();
  const authorizeUrl = buildAuthorizeUrl({
    endpoints: settings.endpoints,
    clientId: settings.clientId,
    redirectUri: settings.redirectUri,
    state,
    scopes: settings.scopes,
  });
  return { authorizeUrl, state, expiresAt };
}

export type CallbackParams = {
  state?: string | undefined;
  code?: string | undefined;
  error?: string | undefined;
  errorDescription?: string | undefined;
};

/** Consumes the state, then stores the tokens for the code (or reports the denial). Returns who started the flow. */
export async function completeConnect(
  db: Kysely<Database>,
  settings: OAuthSettings,
  key: Buffer,
  params: CallbackParams,
  now: number = Date.now(),
): Promise<{ connectedBy: string; scope: string | null }> {
  if (!params.state) throw new ConnectError('state', 'The callback has no state: start again from Fulcrum.');
  const hash = hashState(params.state);
  // One statement: the state is claimed and its row read back atomically, so two callbacks cannot both use it.
  const row = await db
    .updateTable('lever_oauth_states')
    .set({ used_at: now })
    .where('state_hash', '=', hash)
    .where('used_at', 'is', null)
    .where('expires_at', '>=', now)
    .returning(['created_by', 'redirect_uri'])
    .executeTakeFirst();
  if (!row) {
    throw new ConnectError(
      'state',
      'This Lever authorization link is unknown, expired or was already used. Start again with npm run cli -- lever connect.',
    );
  }
  if (params.error) {
    const why = params.errorDescription ? ` (${params.errorDescription.slice(0, 200)})` : '';
    throw new ConnectError(
      'denied',
      params.error === 'access_denied'
        ? `The Lever Super Admin did not allow Fulcrum access${why}. Nothing was stored.`
        : `Lever refused the authorization: ${params.error.slice(0, 60)}${why}. Nothing was stored.`,
    );
  }
  if (!params.code) throw new ConnectError('exchange', 'The callback has neither a code nor an error.');
  let tokens: Awaited<ReturnType<typeof exchangeAuthorizationCode>>;
  try {
    tokens = await exchangeAuthorizationCode({
      tokenUrl: settings.endpoints.tokenUrl,
      clientId: settings.clientId,
      clientSecret: settings.clientSecret,
      code: params.code,
      redirectUri: row.redirect_uri,
    });
  } catch (e) {
    throw new ConnectError(
      'exchange',
      e instanceof LeverAuthError ? e.message : 'The code exchange with Lever failed.',
    );
  }
  const store = new DbOAuthTokenStore(() => db, key);
  await store.connect(
    { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: tokens.expiresAt },
    { scope: tokens.scope ?? settings.scopes.join(' '), connectedBy: row.created_by },
  );
  return { connectedBy: row.created_by, scope: tokens.scope };
}
