import { browser } from 'wxt/browser';
import type {
  FeedbackSynthesis,
  InterviewQuestions,
  MatchResult,
  OutreachDraft,
  OutreachVariant,
  Tone,
} from '@/utils/contracts/ai.ts';
import type {
  AuditEntry,
  CandidateContext,
  Proposal,
  ProposalKind,
  ProposalPayload,
  StatusResponse,
} from '@/utils/contracts/api.ts';
import type { InboxResponse } from '@/utils/contracts/automations.ts';
import type {
  ComplianceSettings,
  CriteriaCheckResponse,
  Explanation,
  Notice,
  NoticeTemplate,
  NoticeTemplateList,
  OptOutStatus,
  PostingCriteriaCheck,
  RetentionReport,
} from '@/utils/contracts/compliance.ts';
import type { BiasTestReport, FunnelQuery, FunnelReport, JdCheckResponse } from '@/utils/contracts/fairness.ts';
import type { Governance, GovernanceResponse } from '@/utils/contracts/governance.ts';
import type { OfferView, OfferViewResponse } from '@/utils/contracts/offers.ts';
import type {
  ActResponse,
  OutreachList,
  OutreachRecord,
  PipelineStages,
  RediscoverResponse,
  RediscoveryFilters,
  SyncProgress,
} from '@/utils/contracts/rediscovery.ts';
import type {
  BookingList,
  InterviewerList,
  RescheduleRequest,
  ScheduleProposalInput,
  SlotsRequestInput,
  SlotsResponse,
} from '@/utils/contracts/scheduling.ts';
import { readCachedResult } from '@/utils/panel/cache-reader';
import { clearSnapshots } from '@/utils/panel/snapshot';

/**
 * Typed request/response messages between the side panel (or options page) and the background worker, which owns
 * every network call. This file imports contract TYPES only, so zod never lands in the side-panel bundle.
 */

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

export type ApiRequest =
  // Offer letters (issue 20)
  | { op: 'offer'; opportunityId: string }
  | { op: 'draftOffer'; opportunityId: string; templateId?: string; justification?: string }
  | { op: 'reviseOffer'; letterId: string; text: string; justification?: string }
  | { op: 'approveOffer'; letterId: string; version: number; comment?: string }
  | { op: 'overrideOfferCheck'; letterId: string; check: string; reason: string }
  | { op: 'candidate'; opportunityId: string }
  | { op: 'match'; opportunityId: string; refresh?: boolean }
  | { op: 'outreach'; opportunityId: string; tone: Tone; variant: OutreachVariant; refresh?: boolean }
  | { op: 'questions'; opportunityId: string; stage?: string; refresh?: boolean }
  | { op: 'feedback'; opportunityId: string; refresh?: boolean }
  | { op: 'cached'; opportunityId: string; capability: Capability }
  | { op: 'createProposal'; opportunityId: string; kind: ProposalKind; payload: ProposalPayload; reason?: string }
  | { op: 'editProposal'; id: string; payload: ProposalPayload }
  | { op: 'approveProposal'; id: string; dryRun: boolean }
  | { op: 'discardProposal'; id: string }
  | { op: 'audit'; opportunityId: string }
  | { op: 'status' }
  | { op: 'testConnection'; backendUrl: string; token: string }
  | { op: 'getDraft'; opportunityId: string }
  | { op: 'saveDraft'; draft: DraftRecord }
  | { op: 'deleteDraft'; opportunityId: string }
  // Fair hiring and governance (issue 8)
  | { op: 'jdCheck'; postingId: string }
  | { op: 'proposeRewrite'; postingId: string }
  | { op: 'funnel'; query: FunnelQuery }
  | { op: 'funnelCsv'; query: FunnelQuery }
  | { op: 'biasTest'; postingId: string; resumes?: number }
  | { op: 'getGovernance' }
  | { op: 'putGovernance'; governance: Governance }
  | { op: 'auditExport'; format: 'jsonl' | 'csv'; since?: string }
  // Automations inbox (issue 9)
  | { op: 'inbox' }
  | { op: 'markSent'; id: string; followUpAt?: string }
  // Rediscovery (issue 7)
  | { op: 'rediscoverySync' }
  | { op: 'rediscover'; postingId: string; limit?: number; filters?: RediscoveryFilters }
  | { op: 'rediscoveryAct'; postingId: string; contactIds: string[]; tone?: 'warm' | 'concise' | 'formal' }
  | { op: 'rediscoveryStages' }
  | { op: 'rediscoveryOutreach'; postingId: string }
  | { op: 'rediscoveryMarkSent'; outreachId: string; stageId: string }
  // Compliance kit (issue 21)
  | { op: 'notice'; postingId: string }
  | { op: 'noticeTemplates' }
  | { op: 'putNoticeTemplate'; jurisdiction: NoticeTemplate['jurisdiction']; body: string | null }
  | { op: 'complianceSettings' }
  | { op: 'putComplianceSettings'; settings: ComplianceSettings }
  | { op: 'auditPackCsv'; from: string; to: string; postingId?: string }
  | { op: 'retentionReport' }
  | { op: 'optOut'; opportunityId: string }
  | { op: 'setOptOut'; opportunityId: string; optedOut: boolean; reason?: string }
  | { op: 'explanation'; opportunityId: string }
  | { op: 'explanationPdf'; opportunityId: string }
  | { op: 'checkCriteria'; criteria: string[] }
  | { op: 'postingCriteria'; postingId: string }
  | { op: 'confirmCriterion'; postingId: string; text: string; confirmed: boolean }
  // Interview scheduling (issue 19)
  | { op: 'scheduleInterviewers' }
  | { op: 'scheduleSlots'; request: SlotsRequestInput }
  | { op: 'proposeSchedule'; request: ScheduleProposalInput }
  | { op: 'scheduleBookings'; opportunityId: string }
  | { op: 'bookingInvitation'; bookingId: string }
  | { op: 'rescheduleBooking'; bookingId: string; request: RescheduleRequest }
  | { op: 'cancelBooking'; bookingId: string };

export type ApiResponses = {
  offer: OfferViewResponse;
  draftOffer: OfferView;
  reviseOffer: OfferView;
  approveOffer: OfferView;
  overrideOfferCheck: OfferView;
  candidate: CandidateContext;
  match: MatchResult;
  outreach: OutreachDraft;
  questions: InterviewQuestions;
  feedback: FeedbackSynthesis;
  cached: unknown;
  createProposal: Proposal;
  editProposal: Proposal;
  approveProposal: Proposal;
  discardProposal: Proposal;
  audit: AuditEntry[];
  status: StatusResponse;
  testConnection: ConnectionReport;
  getDraft: DraftRecord | null;
  saveDraft: null;
  deleteDraft: null;
  jdCheck: JdCheckResponse;
  proposeRewrite: Proposal;
  funnel: FunnelReport;
  funnelCsv: string;
  biasTest: BiasTestReport;
  getGovernance: GovernanceResponse;
  putGovernance: GovernanceResponse;
  auditExport: string;
  inbox: InboxResponse;
  markSent: { proposalId: string; followUpAt: string };
  rediscoverySync: SyncProgress;
  rediscover: RediscoverResponse;
  rediscoveryAct: ActResponse;
  rediscoveryStages: PipelineStages;
  rediscoveryOutreach: OutreachList;
  rediscoveryMarkSent: OutreachRecord;
  notice: Notice;
  noticeTemplates: NoticeTemplateList;
  putNoticeTemplate: NoticeTemplate;
  complianceSettings: { settings: ComplianceSettings; updatedAt: string | null };
  putComplianceSettings: { settings: ComplianceSettings; updatedAt: string | null };
  /** The LL144 bias-audit data pack as CSV text (Fulcrum admin who is a Lever admin). */
  auditPackCsv: string;
  retentionReport: RetentionReport;
  optOut: OptOutStatus;
  setOptOut: OptOutStatus;
  explanation: Explanation;
  /** The PDF as base64 (runtime messages carry JSON, not bytes). */
  explanationPdf: string;
  checkCriteria: CriteriaCheckResponse;
  postingCriteria: PostingCriteriaCheck;
  confirmCriterion: PostingCriteriaCheck;
  scheduleInterviewers: InterviewerList;
  scheduleSlots: SlotsResponse;
  proposeSchedule: Proposal;
  scheduleBookings: BookingList;
  /** The booking's invitation as iCalendar text (METHOD:REQUEST, or METHOD:CANCEL once cancelled). */
  bookingInvitation: string;
  rescheduleBooking: Proposal;
  cancelBooking: Proposal;
};

export type ApiOp = ApiRequest['op'];
export type RequestOf<K extends ApiOp> = Extract<ApiRequest, { op: K }>;

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

export type ApiMessage = { type: 'fulcrum:api'; request: ApiRequest };

export function isApiMessage(message: unknown): message is ApiMessage {
  return (
    !!message &&
    typeof message === 'object' &&
    (message as { type?: unknown }).type === 'fulcrum:api' &&
    typeof (message as { request?: unknown }).request === 'object'
  );
}

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

/** The interface the UI uses. Tests inject a plain object implementing it (see components/ui/api-context.tsx). */
export type FulcrumApi = {
  [K in ApiOp]: (request: Omit<RequestOf<K>, 'op'>) => Promise<ApiResponses[K]>;
};

const OPS: ApiOp[] = [
  'offer',
  'draftOffer',
  'reviseOffer',
  'approveOffer',
  'overrideOfferCheck',
  'candidate',
  'match',
  'outreach',
  'questions',
  'feedback',
  'cached',
  'createProposal',
  'editProposal',
  'approveProposal',
  'discardProposal',
  'audit',
  'status',
  'testConnection',
  'getDraft',
  'saveDraft',
  'deleteDraft',
  'jdCheck',
  'proposeRewrite',
  'funnel',
  'funnelCsv',
  'biasTest',
  'getGovernance',
  'putGovernance',
  'auditExport',
  'inbox',
  'markSent',
  'rediscoverySync',
  'rediscover',
  'rediscoveryAct',
  'rediscoveryStages',
  'rediscoveryOutreach',
  'rediscoveryMarkSent',
  'notice',
  'noticeTemplates',
  'putNoticeTemplate',
  'complianceSettings',
  'putComplianceSettings',
  'auditPackCsv',
  'retentionReport',
  'optOut',
  'setOptOut',
  'explanation',
  'explanationPdf',
  'checkCriteria',
  'postingCriteria',
  'confirmCriterion',
  'scheduleInterviewers',
  'scheduleSlots',
  'proposeSchedule',
  'scheduleBookings',
  'bookingInvitation',
  'rescheduleBooking',
  'cancelBooking',
];

/**
 * Requests that only read, so asking twice cannot change anything: the client repeats them once when a message got
 * no answer, or its channel closed before the answer (a worker being stopped or restarted by Chrome drops it).
 * Writes are never repeated.
 */
const READ_OPS: ReadonlySet<ApiOp> = new Set<ApiOp>([
  'offer',
  'candidate',
  'match',
  'questions',
  'feedback',
  'audit',
  'status',
  'testConnection',
  'getDraft',
  'jdCheck',
  'funnel',
  'funnelCsv',
  'getGovernance',
  'auditExport',
  'inbox',
  'rediscover',
  'rediscoveryStages',
  'rediscoveryOutreach',
  'notice',
  'noticeTemplates',
  'complianceSettings',
  'auditPackCsv',
  'retentionReport',
  'optOut',
  'explanation',
  'explanationPdf',
  'checkCriteria',
  'postingCriteria',
  'scheduleInterviewers',
  'scheduleBookings',
  'bookingInvitation',
]);

/**
 * The real client: one runtime message per call, answered by the background's request handler. Cached results are
 * the exception: they are read straight from IndexedDB (`readCache`), so the panel shows them without a round trip to
 * a worker that may be asleep.
 */
export function createMessagingApi(
  send: (message: ApiMessage) => Promise<unknown> = (m) => browser.runtime.sendMessage(m),
  readCache: (opportunityId: string, capability: Capability) => Promise<unknown> = readCachedResult,
): FulcrumApi {
  const api = {} as Record<ApiOp, (request: object) => Promise<unknown>>;
  for (const op of OPS) {
    if (op === 'cached') {
      api[op] = (request) => {
        const { opportunityId, capability } = request as Omit<RequestOf<'cached'>, 'op'>;
        return readCache(opportunityId, capability).catch(() => null);
      };
      continue;
    }
    api[op] = async (request) => {
      const message = { type: 'fulcrum:api', request: { ...request, op } } as ApiMessage;
      const sendOnce = () => send(message) as Promise<ApiResult<unknown> | undefined>;
      let result: ApiResult<unknown> | undefined;
      try {
        // A read whose answer was lost (no answer, or the channel closed mid-request) is asked once more.
        result = READ_OPS.has(op) ? await sendOnce().catch(() => undefined) : await sendOnce();
        if (result === undefined && READ_OPS.has(op)) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          result = await sendOnce();
        }
      } catch (error) {
        throw new ApiFailureError({
          kind: 'extension',
          message: `The extension's background worker did not answer (${error instanceof Error ? error.message : String(error)}). Reload the panel.`,
        });
      }
      if (!result || typeof result !== 'object' || !('ok' in result)) {
        throw new ApiFailureError({
          kind: 'extension',
          message: 'The background worker gave no answer. Reload the panel.',
        });
      }
      if (!result.ok) {
        // The token no longer works: this page's snapshots of candidates go too (the worker dropped its cache).
        if (result.error.status === 401) clearSnapshots();
        throw new ApiFailureError(result.error);
      }
      return result.data;
    };
  }
  return api as unknown as FulcrumApi;
}
