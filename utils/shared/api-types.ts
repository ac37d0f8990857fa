import type { OutreachDraft, OutreachVariant, Tone } from '@/utils/contracts/ai.ts';

// The data the extension's runtimes pass each other besides the backend's contracts: what a request's failure looks
// like, and the records the background keeps in IndexedDB. Types and two small helpers only, imported by every
// runtime; the message protocol itself is the table in utils/background/api-handler.ts (see messaging.ts).

/** AI capabilities whose last result the background caches per opportunity. */
export type Capability = 'candidate' | 'match' | 'questions' | 'feedback';

/** An outreach draft the recruiter is editing; kept (in IndexedDB, by the background) until sent or discarded. */
export type DraftRecord = {
  opportunityId: string;
  subject: string;
  body: string;
  tone: Tone;
  variant: OutreachVariant;
  followUpDate: string;
  provenance: OutreachDraft['provenance'];
  updatedAt: string;
};

export type ConnectionReport = {
  backendUrl: string;
  backend: { ok: boolean; message: string };
  token: { ok: boolean; message: string } | null;
  lever: { ok: boolean; message: string } | null;
  ai: { ok: boolean; message: string } | null;
};

/** What went wrong, classified so the panel can tell the recruiter what to do about it. */
export type FailureKind =
  | 'unreachable'
  | 'no_token'
  | 'unauthorized'
  | 'forbidden'
  /** The recruiter's Fulcrum email matches no active Lever user, so the backend shows them no Lever data. */
  | 'no_lever_access'
  | 'lever_auth'
  | 'lever_permission'
  | 'lever_unavailable'
  | 'rate_limited'
  | 'not_found'
  | 'invalid_request'
  | 'conflict'
  /** The candidate's résumé file could not be read safely (over a limit, or over the backend's time or memory). */
  | 'resume_unreadable'
  /** The candidate opted out of automated assessment (compliance kit): only manual tools are offered. */
  | 'opted_out'
  | 'invalid_response'
  | 'server'
  | 'extension';

export type ApiFailure = { kind: FailureKind; message: string; status?: number; backendUrl?: string };

export type ApiResult<T> = { ok: true; data: T } | { ok: false; error: ApiFailure };

/** Thrown by the client when the background reports a failure. */
export class ApiFailureError extends Error {
  constructor(readonly failure: ApiFailure) {
    super(failure.message);
    this.name = 'ApiFailureError';
  }
}

export function failureOf(error: unknown): ApiFailure {
  if (error instanceof ApiFailureError) return error.failure;
  return { kind: 'extension', message: error instanceof Error ? error.message : String(error) };
}
