import type { ApiOp, ApiRequest, ApiResponses, RequestBody, RetryOp } from '@/utils/background/api-handler';

export {
  type ApiFailure,
  ApiFailureError,
  type ApiResult,
  type Capability,
  type ConnectionReport,
  type DraftRecord,
  type FailureKind,
  failureOf,
} from './api-types';
/**
 * Typed request/response messages between the side panel (or options page) and the background worker, which owns
 * every network call. The protocol is declared once, as the table of handlers in utils/background/api-handler.ts;
 * this file takes its TYPES only (erased when bundled), so neither the handlers nor zod land in the side panel.
 */
export type { ApiOp, ApiRequest, ApiResponses, RetryOp };

export type RequestOf<K extends ApiOp> = Extract<ApiRequest, { op: K }>;

export type ApiMessage = { type: 'fulcrum:api'; request: ApiRequest };

export function isApiMessage(message: unknown): message is ApiMessage {
  return (
    !!message &&
    typeof message === 'object' &&
    (message as { type?: unknown }).type === 'fulcrum:api' &&
    typeof (message as { request?: unknown }).request === 'object'
  );
}

/** The interface the UI uses. Tests inject a plain object implementing it (see components/ui/api-context.tsx). */
export type FulcrumApi = {
  [K in ApiOp]: (request: RequestBody<K>) => Promise<ApiResponses[K]>;
};

/**
 * The ops with `retry: true` in the handlers' table, for the client, which cannot import the table (it holds the
 * handlers and zod). Not a second declaration: typed `Record<RetryOp, true>`, so tsc rejects a missing op and an extra
 * one, and it always equals the table's.
 */
export const RETRY_OPS: Readonly<Record<RetryOp, true>> = {
  cached: true,
  getDraft: true,
  testConnection: true,
  status: true,
  candidate: true,
  audit: true,
  jdCheck: true,
  getGovernance: true,
  auditExport: true,
  inbox: true,
  rediscoverySync: true,
  rediscoveryStages: true,
  rediscoveryOutreach: true,
  notice: true,
  noticeTemplates: true,
  complianceSettings: true,
  retentionReport: true,
  optOut: true,
  checkCriteria: true,
  postingCriteria: true,
  scheduleInterviewers: true,
  scheduleBookings: true,
  bookingInvitation: true,
  offer: true,
};

/** Whether the client may ask `op` once more when its answer was lost. */
export function isRetrySafe(op: ApiOp): boolean {
  return Object.hasOwn(RETRY_OPS, op);
}
