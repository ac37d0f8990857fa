/**
 * Every failure the Lever client can produce. `message` is written for a recruiter or an admin and says what to do;
 * `leverMessage` keeps Lever's own words for logs. `retryable` tells the job queue whether trying later can help.
 */
export type LeverErrorKind =
  | 'http' // Lever answered with a non-2xx status
  | 'network' // the request never got an answer (connection refused, reset, DNS)
  | 'timeout' // no answer within timeoutMs
  | 'outcome-unknown' // a non-idempotent write got no answer: it may or may not have happened
  | 'invalid-response'; // Lever answered 2xx with a body that does not match the schema

export class LeverApiError extends Error {
  override readonly name = 'LeverApiError';
  readonly kind: LeverErrorKind;
  /** HTTP status, or 0 when no answer arrived. */
  readonly status: number;
  /** Lever's `code` (e.g. "ResourceNotFound"), or a code of ours for failures without a Lever answer. */
  readonly code: string;
  /** Lever's own `message`, verbatim. */
  readonly leverMessage: string;
  readonly retryable: boolean;
  readonly method: string;
  readonly path: string;

  constructor(init: {
    kind: LeverErrorKind;
    status: number;
    code: string;
    leverMessage: string;
    retryable: boolean;
    method: string;
    path: string;
    message?: string;
    cause?: unknown;
  }) {
    super(init.message ?? describe(init), { cause: init.cause });
    this.kind = init.kind;
    this.status = init.status;
    this.code = init.code;
    this.leverMessage = init.leverMessage;
    this.retryable = init.retryable;
    this.method = init.method;
    this.path = init.path;
  }
}

type LeverApiErrorInit = ConstructorParameters<typeof LeverApiError>[0];

/** Lever answered 400: the request was invalid (a bad filter, or an offset cursor that expired). */
export class LeverBadRequestError extends LeverApiError {
  /** True when Lever said the offset cursor is no longer valid; the list must restart from the first page. */
  get isInvalidOffset(): boolean {
    return /invalid offset/i.test(this.leverMessage);
  }
}
/** Lever answered 401: the API key or token is invalid or was revoked. */
export class LeverUnauthorizedError extends LeverApiError {}
/** Lever answered 403: the key may not use this endpoint (or see this record). */
export class LeverForbiddenError extends LeverApiError {}
/** Lever answered 404: no such record, or the key cannot see it (confidential). */
export class LeverNotFoundError extends LeverApiError {}
/** Lever answered 429 and kept refusing after the retries. */
export class LeverRateLimitedError extends LeverApiError {}

const BY_STATUS: Record<number, new (init: LeverApiErrorInit) => LeverApiError> = {
  400: LeverBadRequestError,
  401: LeverUnauthorizedError,
  403: LeverForbiddenError,
  404: LeverNotFoundError,
  429: LeverRateLimitedError,
};

/** For `.catch()` on a read whose record may be gone: null on Lever's 404, any other failure rethrown. */
export function nullIfNotFound(e: unknown): null {
  if (e instanceof LeverNotFoundError) return null;
  throw e;
}

/** The error for a Lever answer: the subclass for the statuses callers tell apart, else a plain LeverApiError. */
export function leverApiError(init: LeverApiErrorInit): LeverApiError {
  const Subclass = init.kind === 'http' ? BY_STATUS[init.status] : undefined;
  return Subclass ? new Subclass(init) : new LeverApiError(init);
}

function describe(e: {
  kind: LeverErrorKind;
  status: number;
  leverMessage: string;
  method: string;
  path: string;
}): string {
  const endpoint = `${e.method} ${e.path}`;
  const said = e.leverMessage ? ` Lever said: "${e.leverMessage}".` : '';
  switch (e.kind) {
    case 'network':
      return `Could not reach Lever (${endpoint}). Check the network and the Lever base URL, then try again.`;
    case 'timeout':
      return `Lever did not answer in time (${endpoint}). Try again in a minute.`;
    case 'outcome-unknown':
      return `Lever did not confirm ${endpoint}; the change may or may not have been made. Check the candidate in Lever before trying again.`;
    case 'invalid-response':
      return `Lever answered ${endpoint} with data Fulcrum does not understand.${said}`;
    case 'http':
      break;
  }
  switch (e.status) {
    case 400:
      return `Lever rejected the request as invalid (${endpoint}).${said}`;
    case 401:
      return 'The Lever API key or token is invalid or was revoked. Ask a Lever Super Admin for a new key (Settings → Integrations and API → API Credentials).';
    case 403:
      return `The Lever API key does not have permission for ${endpoint}. Ask a Lever Super Admin to enable this endpoint for the key.`;
    case 404:
      return `Not found in Lever (${endpoint}): it may have been deleted, or the key cannot see confidential records.`;
    case 422:
      return `Lever could not process this file (${endpoint}).${said}`;
    case 429:
      return 'Lever is rate-limiting Fulcrum. The request was retried and still refused; try again shortly.';
    case 503:
      return 'Lever is temporarily unavailable (maintenance). Try again in a few minutes.';
    default:
      if (e.status >= 500)
        return `Lever had an internal error (${endpoint}, HTTP ${e.status}). Try again later.${said}`;
      return `Lever refused ${endpoint} (HTTP ${e.status}).${said}`;
  }
}

/** OAuth refresh failed: the stored refresh token is expired, revoked or was already rotated. */
export class LeverAuthError extends Error {
  override readonly name = 'LeverAuthError';
}
