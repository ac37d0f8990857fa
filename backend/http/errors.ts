import { z } from 'zod';
import { ErrorCodes } from '../../utils/contracts/api.ts';
import { AiError } from '../ai/errors.ts';
import {
  LeverApiError,
  LeverAuthError,
  LeverForbiddenError,
  LeverNotFoundError,
  LeverRateLimitedError,
  LeverUnauthorizedError,
} from '../lever/index.ts';
import { UnreadableResumeError } from '../sandbox/errors.ts';

/**
 * The one mapping from failures to `{error: {code, message}}`. Messages are written for the recruiter; internals
 * (stack traces, SQL, Lever's raw words) stay in the logs.
 */
export class HttpError extends Error {
  readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429 | 500 | 502 | 503;
  readonly code: string;
  constructor(status: HttpError['status'], code: string, message: string) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
  }
}

export const badRequest = (message: string) => new HttpError(400, ErrorCodes.validation, message);
export const notFound = (message: string) => new HttpError(404, ErrorCodes.notFound, message);
export const unauthorized = (message: string) => new HttpError(401, ErrorCodes.unauthorized, message);
export const forbidden = (message: string) => new HttpError(403, ErrorCodes.forbidden, message);
export const conflict = (message: string) => new HttpError(409, ErrorCodes.conflict, message);

export type ErrorBody = { error: { code: string; message: string } };

/** Turns a zod error into one readable line naming the offending fields. */
export function describeZodError(error: z.ZodError): string {
  const parts = error.issues.slice(0, 5).map((i) => {
    const where = i.path.length ? i.path.join('.') : 'body';
    return `${where}: ${i.message}`;
  });
  return `Invalid request: ${parts.join('; ')}`;
}

/** A Lever failure as the recruiter should see it. 404 stays a 404; the rest are upstream problems (502/503). */
export function leverErrorToHttp(e: LeverApiError): HttpError {
  if (e instanceof LeverNotFoundError) return new HttpError(404, ErrorCodes.notFound, e.message);
  if (e instanceof LeverUnauthorizedError) return new HttpError(502, ErrorCodes.leverAuth, e.message);
  if (e instanceof LeverForbiddenError) return new HttpError(502, ErrorCodes.leverPermission, e.message);
  if (e.retryable || e.kind !== 'http' || e instanceof LeverRateLimitedError || e.status >= 500) {
    return new HttpError(503, ErrorCodes.leverUnavailable, e.message);
  }
  return new HttpError(502, ErrorCodes.leverUnavailable, e.message);
}

export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof z.ZodError) return badRequest(describeZodError(err));
  if (err instanceof LeverApiError) return leverErrorToHttp(err);
  // OAuth tokens missing, revoked or unreadable: an admin must (re)connect Fulcrum to Lever; the message says how.
  if (err instanceof LeverAuthError) return new HttpError(502, ErrorCodes.leverAuth, err.message);
  // A résumé Fulcrum will not read (sandbox/errors.ts): the message says why, for the side panel.
  if (err instanceof UnreadableResumeError) return new HttpError(422, ErrorCodes.resumeUnreadable, err.message);
  if (err instanceof AiError) {
    return new HttpError(err.retryable ? 503 : 502, err.code, `The AI engine could not answer: ${err.message}`);
  }
  // Hono's own HTTPException (e.g. from body-limit) carries a status we can trust.
  const status = (err as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (status === 413) return new HttpError(413, ErrorCodes.validation, 'Request body is too large.');
    const message = err instanceof Error && err.message ? err.message : 'Invalid request.';
    return new HttpError(400, ErrorCodes.validation, `Invalid request: ${message}.`);
  }
  return new HttpError(
    500,
    ErrorCodes.internal,
    'Something went wrong in the Fulcrum backend. Try again; if it keeps happening, tell your admin.',
  );
}
