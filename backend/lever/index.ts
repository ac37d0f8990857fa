/** The Lever integration's public API. Everything else in Fulcrum imports Lever code from here. */
export {
  type CreateWebhookInput,
  collect,
  createLeverClient,
  LEVER_BASE_URLS,
  LeverClient,
  type LeverClientOptions,
  type NoteInput,
  type OpportunityExpand,
  type OpportunityFilters,
  type PanelInput,
  type PostingExpand,
  type PostingFilters,
  type WriteOptions,
} from './client.ts';
export {
  LeverApiError,
  LeverAuthError,
  LeverBadRequestError,
  type LeverErrorKind,
  LeverForbiddenError,
  LeverNotFoundError,
  LeverRateLimitedError,
  LeverUnauthorizedError,
  nullIfNotFound,
} from './errors.ts';
export {
  buildAuthorizeUrl,
  currentAccessToken,
  DEFAULT_LEVER_SCOPES,
  exchangeAuthorizationCode,
  type LeverOAuthEndpoints,
  leverOAuthEndpoints,
  memoryTokenStore,
  type OAuthConfig,
  type OAuthTokenStore,
  type OAuthTokens,
} from './oauth.ts';
export { descriptionToLeverHtml } from './posting-html.ts';
export { TokenBucket } from './rate-limit.ts';
export * from './schemas.ts';
export type { LeverAuth, LeverStats, RequestInfo } from './transport.ts';
export { signLeverWebhook, verifyLeverWebhook } from './webhook-signature.ts';
