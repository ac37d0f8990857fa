import type { KyInstance } from 'ky';
import { z } from 'zod';
import type {
  FeedbackSynthesis,
  InterviewQuestions,
  MatchResult,
  OutreachDraft,
  OutreachVariant,
  Tone,
} from '@/utils/contracts/ai.ts';
import {
  type AuditEntry,
  AuditListSchema,
  type CandidateContext,
  CandidateContextSchema,
  FeedbackResponseSchema,
  MatchResponseSchema,
  OutreachResponseSchema,
  type Proposal,
  type ProposalKind,
  type ProposalPayload,
  ProposalSchema,
  QuestionsResponseSchema,
  type StatusResponse,
  StatusResponseSchema,
} from '@/utils/contracts/api.ts';
import { type InboxResponse, InboxResponseSchema, MarkSentResponseSchema } from '@/utils/contracts/automations.ts';
import {
  type ComplianceSettings,
  ComplianceSettingsSchema,
  type CriteriaCheckResponse,
  CriteriaCheckResponseSchema,
  type Explanation,
  ExplanationSchema,
  type Notice,
  NoticeSchema,
  type NoticeTemplate,
  type NoticeTemplateList,
  NoticeTemplateListSchema,
  NoticeTemplateSchema,
  type OptOutStatus,
  OptOutStatusSchema,
  type PostingCriteriaCheck,
  PostingCriteriaCheckSchema,
  type RetentionReport,
  RetentionReportSchema,
} from '@/utils/contracts/compliance.ts';
import {
  type BiasTestReport,
  BiasTestReportSchema,
  type FunnelQuery,
  type FunnelReport,
  FunnelReportSchema,
  type JdCheckResponse,
  JdCheckResponseSchema,
} from '@/utils/contracts/fairness.ts';
import { type Governance, type GovernanceResponse, GovernanceResponseSchema } from '@/utils/contracts/governance.ts';
import {
  type OfferView,
  type OfferViewResponse,
  OfferViewResponseSchema,
  OfferViewSchema,
} from '@/utils/contracts/offers.ts';
import {
  type ActResponse,
  ActResponseSchema,
  type OutreachList,
  OutreachListSchema,
  type OutreachRecord,
  OutreachRecordSchema,
  type PipelineStages,
  PipelineStagesSchema,
  type RediscoverResponse,
  RediscoverResponseSchema,
  type RediscoveryFilters,
  type SyncProgress,
  SyncProgressSchema,
} from '@/utils/contracts/rediscovery.ts';
import {
  type BookingList,
  BookingListSchema,
  type InterviewerList,
  InterviewerListSchema,
  type RescheduleRequest,
  type ScheduleProposalInput,
  type SlotsRequestInput,
  type SlotsResponse,
  SlotsResponseSchema,
} from '@/utils/contracts/scheduling.ts';
import type { ApiResult, Capability, ConnectionReport, DraftRecord } from '@/utils/shared/api-types';
import type { Settings } from '@/utils/shared/settings';
import {
  booking,
  type ClientOptions,
  FailureError,
  funnelParams,
  local,
  makeClient,
  opportunity,
  parse,
  posting,
  testConnection,
  toFailure,
} from './backend-client';
import type { CacheStore } from './cache-store';

/**
 * The background worker's request handler: the only place that talks to the backend. A plain async function so
 * tests call it directly with a fake `fetch` and an in-memory store. Every response is validated with the zod
 * contracts here, so the side panel receives typed, checked data and never bundles zod.
 */
export type HandlerDeps = ClientOptions & {
  store: CacheStore;
  settings: () => Promise<Settings>;
  /** Timeout for AI calls (generation may take a while with an LLM provider). */
  aiTimeoutMs?: number;
  /**
   * After the backend answered 401 (token revoked, expired or rotated), once the cached results and drafts are
   * dropped: records the drop, so the panel's snapshots from before are not shown (local-data.ts).
   */
  onSignedOut?: () => Promise<void>;
};

/** What a handler gets besides its request. */
export type HandlerContext = {
  store: CacheStore;
  deps: HandlerDeps;
  /** The backend client, with the recruiter's token. */
  client: KyInstance;
  /** Request options for AI calls (generation may take a while with an LLM provider). */
  ai: { timeout: number };
};

/**
 * One op of the protocol between the extension's pages and this worker.
 * - `retry`: true only for a pure read, which the client asks once more when its answer was lost (no answer, or the
 *   channel closed as Chrome stopped the worker). An op that generates (AI), writes, or is audited on the backend
 *   (asking twice would record the view twice) is false: it is never sent twice.
 * - `withoutToken`: answered without the recruiter's token (local storage, the connection test); every other op
 *   fails with `no_token` before anything is sent when no token is configured.
 * - `handle`: its request is the message's fields besides `op`; what it resolves with is the response.
 */
type OpSpec = {
  retry: boolean;
  withoutToken?: true;
  handle: (request: never, ctx: HandlerContext) => Promise<unknown>;
};

/** The request of an op that carries nothing but its name. */
type NoRequest = Record<never, never>;

const ComplianceSettingsResponse = z.object({ settings: ComplianceSettingsSchema, updatedAt: z.string().nullable() });
type ComplianceSettingsResponse = { settings: ComplianceSettings; updatedAt: string | null };

/**
 * The message protocol: every op the side panel and the options page can ask of the background, declared once.
 * The request and response types (`ApiRequest`, `ApiResponses`, the panel's `FulcrumApi`), the set of ops the client
 * may repeat (`RetryOp`) and the dispatcher (`handleApiRequest`) are all derived from it. To add an op, add an entry
 * here (see docs/extension.md).
 */
export const messageHandlers = {
  // Local: IndexedDB (the client reads cached results itself, see utils/panel/api-client.ts) and the connection test.
  cached: {
    retry: true,
    withoutToken: true,
    handle: async (r: { opportunityId: string; capability: Capability }, { store }): Promise<unknown> =>
      local(() => store.getResult(r.opportunityId, r.capability)),
  },
  getDraft: {
    retry: true,
    withoutToken: true,
    handle: async (r: { opportunityId: string }, { store }): Promise<DraftRecord | null> =>
      local(() => store.getDraft(r.opportunityId)),
  },
  saveDraft: {
    retry: false,
    withoutToken: true,
    handle: async (r: { draft: DraftRecord }, { store }): Promise<null> =>
      local(async () => {
        await store.putDraft(r.draft);
        return null;
      }),
  },
  deleteDraft: {
    retry: false,
    withoutToken: true,
    handle: async (r: { opportunityId: string }, { store }): Promise<null> =>
      local(async () => {
        await store.deleteDraft(r.opportunityId);
        return null;
      }),
  },
  testConnection: {
    retry: true,
    withoutToken: true,
    handle: async (r: { backendUrl: string; token: string }, { deps }): Promise<ConnectionReport> =>
      testConnection(r.backendUrl, r.token, deps),
  },

  status: {
    retry: true,
    handle: async (_: NoRequest, { client }): Promise<StatusResponse> =>
      parse(StatusResponseSchema, await client.get('api/status').json(), 'GET /api/status'),
  },

  // Candidates and the AI capabilities (each generation is cached by the backend and audited: never repeated)
  candidate: {
    retry: true,
    handle: async (r: { opportunityId: string }, { client, store }): Promise<CandidateContext> => {
      const data = parse(
        CandidateContextSchema,
        await client.get(`api/candidates/${opportunity(r.opportunityId)}`).json(),
        'GET /api/candidates/:id',
      );
      await store.putResult(r.opportunityId, 'candidate', data);
      return data;
    },
  },
  match: {
    retry: false,
    handle: async (r: { opportunityId: string; refresh?: boolean }, { client, store, ai }): Promise<MatchResult> => {
      const json = await client
        .post(`api/candidates/${opportunity(r.opportunityId)}/match`, { ...ai, json: { refresh: r.refresh ?? false } })
        .json();
      const data = parse(MatchResponseSchema, json, 'POST /match');
      await store.putResult(r.opportunityId, 'match', data);
      return data;
    },
  },
  questions: {
    retry: false,
    handle: async (
      r: { opportunityId: string; stage?: string; refresh?: boolean },
      { client, store, ai },
    ): Promise<InterviewQuestions> => {
      const json = await client
        .post(`api/candidates/${opportunity(r.opportunityId)}/questions`, {
          ...ai,
          json: { refresh: r.refresh ?? false, ...(r.stage ? { stage: r.stage.slice(0, 200) } : {}) },
        })
        .json();
      const data = parse(QuestionsResponseSchema, json, 'POST /questions');
      await store.putResult(r.opportunityId, 'questions', data);
      return data;
    },
  },
  feedback: {
    retry: false,
    handle: async (
      r: { opportunityId: string; refresh?: boolean },
      { client, store, ai },
    ): Promise<FeedbackSynthesis> => {
      const json = await client
        .post(`api/candidates/${opportunity(r.opportunityId)}/feedback`, {
          ...ai,
          json: { refresh: r.refresh ?? false },
        })
        .json();
      const data = parse(FeedbackResponseSchema, json, 'POST /feedback');
      await store.putResult(r.opportunityId, 'feedback', data);
      return data;
    },
  },
  outreach: {
    retry: false,
    handle: async (
      r: { opportunityId: string; tone: Tone; variant: OutreachVariant; refresh?: boolean },
      { client, store, ai },
    ): Promise<OutreachDraft> => {
      const json = await client
        .post(`api/candidates/${opportunity(r.opportunityId)}/outreach`, {
          ...ai,
          json: { tone: r.tone, variant: r.variant, refresh: r.refresh ?? false },
        })
        .json();
      const data = parse(OutreachResponseSchema, json, 'POST /outreach');
      // Kept until sent or discarded, even if the panel closes while the draft is being generated.
      const draft: DraftRecord = {
        opportunityId: r.opportunityId,
        subject: data.subject,
        body: data.body,
        tone: data.tone,
        variant: data.variant,
        followUpDate: data.followUpDate,
        provenance: data.provenance,
        updatedAt: new Date().toISOString(),
      };
      await store.putDraft(draft);
      return data;
    },
  },
  audit: {
    retry: true,
    handle: async (r: { opportunityId: string }, { client }): Promise<AuditEntry[]> => {
      const json = await client.get('api/audit', { searchParams: { opportunityId: r.opportunityId } }).json();
      return parse(AuditListSchema, json, 'GET /api/audit').entries;
    },
  },

  // Proposals: the review-before-write queue
  createProposal: {
    retry: false,
    handle: async (
      r: { opportunityId: string; kind: ProposalKind; payload: ProposalPayload; reason?: string },
      { client },
    ): Promise<Proposal> => {
      const json = await client
        .post('api/proposals', {
          json: {
            opportunityId: r.opportunityId,
            kind: r.kind,
            payload: r.payload,
            ...(r.reason ? { reason: r.reason } : {}),
          },
        })
        .json();
      return parse(ProposalSchema, json, 'POST /api/proposals');
    },
  },
  editProposal: {
    retry: false,
    handle: async (r: { id: string; payload: ProposalPayload }, { client }): Promise<Proposal> =>
      parse(
        ProposalSchema,
        await client.patch(`api/proposals/${encodeURIComponent(r.id)}`, { json: { payload: r.payload } }).json(),
        'PATCH /api/proposals/:id',
      ),
  },
  approveProposal: {
    retry: false,
    handle: async (r: { id: string; dryRun: boolean }, { client }): Promise<Proposal> =>
      parse(
        ProposalSchema,
        await client.post(`api/proposals/${encodeURIComponent(r.id)}/approve`, { json: { dryRun: r.dryRun } }).json(),
        'POST /api/proposals/:id/approve',
      ),
  },
  discardProposal: {
    retry: false,
    handle: async (r: { id: string }, { client }): Promise<Proposal> =>
      parse(
        ProposalSchema,
        await client.post(`api/proposals/${encodeURIComponent(r.id)}/discard`, { json: {} }).json(),
        'POST /api/proposals/:id/discard',
      ),
  },

  // Fair hiring and governance (issue 8)
  jdCheck: {
    retry: true,
    handle: async (r: { postingId: string }, { client }): Promise<JdCheckResponse> =>
      parse(
        JdCheckResponseSchema,
        await client.get(`api/postings/${posting(r.postingId)}/jd-check`).json(),
        'GET /api/postings/:id/jd-check',
      ),
  },
  proposeRewrite: {
    retry: false,
    handle: async (r: { postingId: string }, { client, ai }): Promise<Proposal> =>
      parse(
        ProposalSchema,
        await client.post(`api/postings/${posting(r.postingId)}/rewrite`, { ...ai, json: {} }).json(),
        'POST /api/postings/:id/rewrite',
      ),
  },
  // Each view of the funnel is audited (an EEO view) on the backend.
  funnel: {
    retry: false,
    handle: async (r: { query: FunnelQuery }, { client }): Promise<FunnelReport> =>
      parse(
        FunnelReportSchema,
        await client.get('api/admin/funnel', { searchParams: funnelParams(r.query) }).json(),
        'GET /api/admin/funnel',
      ),
  },
  funnelCsv: {
    retry: false,
    handle: async (r: { query: FunnelQuery }, { client }): Promise<string> =>
      client.get('api/admin/funnel.csv', { searchParams: funnelParams(r.query) }).text(),
  },
  biasTest: {
    retry: false,
    // Scores every resume many times over: with an LLM this takes minutes, so it gets a long timeout.
    handle: async (r: { postingId: string; resumes?: number }, { client }): Promise<BiasTestReport> =>
      parse(
        BiasTestReportSchema,
        await client
          .post('api/admin/bias-test', {
            timeout: 10 * 60_000,
            json: { postingId: r.postingId, ...(r.resumes ? { resumes: r.resumes } : {}) },
          })
          .json(),
        'POST /api/admin/bias-test',
      ),
  },
  getGovernance: {
    retry: true,
    handle: async (_: NoRequest, { client }): Promise<GovernanceResponse> =>
      parse(GovernanceResponseSchema, await client.get('api/admin/governance').json(), 'GET /api/admin/governance'),
  },
  putGovernance: {
    retry: false,
    handle: async (r: { governance: Governance }, { client }): Promise<GovernanceResponse> =>
      parse(
        GovernanceResponseSchema,
        await client.put('api/admin/governance', { json: r.governance }).json(),
        'PUT /api/admin/governance',
      ),
  },
  auditExport: {
    retry: true,
    handle: async (r: { format: 'jsonl' | 'csv'; since?: string }, { client }): Promise<string> =>
      client
        .get('api/admin/audit/export', {
          timeout: 5 * 60_000,
          searchParams: { format: r.format, ...(r.since ? { since: r.since } : {}) },
        })
        .text(),
  },

  // Automations inbox (issue 9)
  inbox: {
    retry: true,
    handle: async (_: NoRequest, { client }): Promise<InboxResponse> =>
      parse(InboxResponseSchema, await client.get('api/inbox').json(), 'GET /api/inbox'),
  },
  markSent: {
    retry: false,
    handle: async (
      r: { id: string; followUpAt?: string },
      { client },
    ): Promise<{ proposalId: string; followUpAt: string }> =>
      parse(
        MarkSentResponseSchema,
        await client
          .post(`api/proposals/${encodeURIComponent(r.id)}/mark-sent`, {
            json: r.followUpAt ? { followUpAt: r.followUpAt } : {},
          })
          .json(),
        'POST /api/proposals/:id/mark-sent',
      ),
  },

  // Rediscovery (issue 7)
  rediscoverySync: {
    retry: true,
    handle: async (_: NoRequest, { client }): Promise<SyncProgress> =>
      parse(SyncProgressSchema, await client.get('api/rediscovery/sync').json(), 'GET /api/rediscovery/sync'),
  },
  // Ranks past candidates (embedding the posting when configured) and caches the results on the backend.
  rediscover: {
    retry: false,
    handle: async (
      r: { postingId: string; limit?: number; filters?: RediscoveryFilters },
      { client, ai },
    ): Promise<RediscoverResponse> =>
      parse(
        RediscoverResponseSchema,
        await client
          .post(`api/postings/${posting(r.postingId)}/rediscover`, {
            ...ai,
            json: { ...(r.limit ? { limit: r.limit } : {}), filters: r.filters ?? {} },
          })
          .json(),
        'POST /api/postings/:id/rediscover',
      ),
  },
  rediscoveryAct: {
    retry: false,
    // Drafts one re-engagement email per person with the AI provider: give it the AI timeout.
    handle: async (
      r: { postingId: string; contactIds: string[]; tone?: 'warm' | 'concise' | 'formal' },
      { client, ai },
    ): Promise<ActResponse> =>
      parse(
        ActResponseSchema,
        await client
          .post('api/rediscovery/act', {
            ...ai,
            json: { postingId: r.postingId, contactIds: r.contactIds, tone: r.tone ?? 'warm' },
          })
          .json(),
        'POST /api/rediscovery/act',
      ),
  },
  rediscoveryStages: {
    retry: true,
    handle: async (_: NoRequest, { client }): Promise<PipelineStages> =>
      parse(PipelineStagesSchema, await client.get('api/rediscovery/stages').json(), 'GET /api/rediscovery/stages'),
  },
  rediscoveryOutreach: {
    retry: true,
    handle: async (r: { postingId: string }, { client }): Promise<OutreachList> =>
      parse(
        OutreachListSchema,
        await client.get('api/rediscovery/outreach', { searchParams: { postingId: r.postingId } }).json(),
        'GET /api/rediscovery/outreach',
      ),
  },
  rediscoveryMarkSent: {
    retry: false,
    // Proposes the stage move (nothing is written to Lever until the recruiter approves it).
    handle: async (r: { outreachId: string; stageId: string }, { client }): Promise<OutreachRecord> =>
      parse(
        OutreachRecordSchema,
        await client
          .post(`api/rediscovery/outreach/${encodeURIComponent(r.outreachId)}/sent`, {
            json: { stageId: r.stageId },
          })
          .json(),
        'POST /api/rediscovery/outreach/:id/sent',
      ),
  },

  // Compliance kit (issue 21)
  notice: {
    retry: true,
    handle: async (r: { postingId: string }, { client }): Promise<Notice> =>
      parse(
        NoticeSchema,
        await client.get(`api/postings/${posting(r.postingId)}/notice`).json(),
        'GET /api/postings/:id/notice',
      ),
  },
  noticeTemplates: {
    retry: true,
    handle: async (_: NoRequest, { client }): Promise<NoticeTemplateList> =>
      parse(
        NoticeTemplateListSchema,
        await client.get('api/admin/compliance/notice-templates').json(),
        'GET /api/admin/compliance/notice-templates',
      ),
  },
  putNoticeTemplate: {
    retry: false,
    handle: async (
      r: { jurisdiction: NoticeTemplate['jurisdiction']; body: string | null },
      { client },
    ): Promise<NoticeTemplate> =>
      parse(
        NoticeTemplateSchema,
        await client
          .put(`api/admin/compliance/notice-templates/${encodeURIComponent(r.jurisdiction)}`, {
            json: r.body === null ? { reset: true } : { body: r.body },
          })
          .json(),
        'PUT /api/admin/compliance/notice-templates/:jurisdiction',
      ),
  },
  complianceSettings: {
    retry: true,
    handle: async (_: NoRequest, { client }): Promise<ComplianceSettingsResponse> =>
      parse(
        ComplianceSettingsResponse,
        await client.get('api/admin/compliance/settings').json(),
        'GET /api/admin/compliance/settings',
      ),
  },
  putComplianceSettings: {
    retry: false,
    handle: async (r: { settings: ComplianceSettings }, { client }): Promise<ComplianceSettingsResponse> =>
      parse(
        ComplianceSettingsResponse,
        await client.put('api/admin/compliance/settings', { json: r.settings }).json(),
        'PUT /api/admin/compliance/settings',
      ),
  },
  /** The LL144 bias-audit data pack as CSV text (Fulcrum admin who is a Lever admin); each pack is audited. */
  auditPackCsv: {
    retry: false,
    handle: async (r: { from: string; to: string; postingId?: string }, { client }): Promise<string> =>
      client
        .get('api/admin/compliance/audit-pack', {
          timeout: 5 * 60_000,
          searchParams: { from: r.from, to: r.to, format: 'csv', ...(r.postingId ? { postingId: r.postingId } : {}) },
        })
        .text(),
  },
  retentionReport: {
    retry: true,
    handle: async (_: NoRequest, { client }): Promise<RetentionReport> =>
      parse(
        RetentionReportSchema,
        await client.get('api/admin/compliance/retention').json(),
        'GET /api/admin/compliance/retention',
      ),
  },
  optOut: {
    retry: true,
    handle: async (r: { opportunityId: string }, { client }): Promise<OptOutStatus> =>
      parse(
        OptOutStatusSchema,
        await client.get(`api/candidates/${opportunity(r.opportunityId)}/opt-out`).json(),
        'GET /api/candidates/:id/opt-out',
      ),
  },
  setOptOut: {
    retry: false,
    handle: async (
      r: { opportunityId: string; optedOut: boolean; reason?: string },
      { client },
    ): Promise<OptOutStatus> =>
      parse(
        OptOutStatusSchema,
        await client
          .put(`api/candidates/${opportunity(r.opportunityId)}/opt-out`, {
            json: { optedOut: r.optedOut, ...(r.reason ? { reason: r.reason } : {}) },
          })
          .json(),
        'PUT /api/candidates/:id/opt-out',
      ),
  },
  // Each explanation given is audited on the backend.
  explanation: {
    retry: false,
    handle: async (r: { opportunityId: string }, { client }): Promise<Explanation> =>
      parse(
        ExplanationSchema,
        await client.get(`api/candidates/${opportunity(r.opportunityId)}/explanation`).json(),
        'GET /api/candidates/:id/explanation',
      ),
  },
  /** The PDF as base64 (runtime messages carry JSON, not bytes). */
  explanationPdf: {
    retry: false,
    handle: async (r: { opportunityId: string }, { client }): Promise<string> => {
      const bytes = new Uint8Array(
        await client
          .get(`api/candidates/${opportunity(r.opportunityId)}/explanation`, { searchParams: { format: 'pdf' } })
          .arrayBuffer(),
      );
      let binary = '';
      for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return btoa(binary);
    },
  },
  // A POST only to carry the criteria: checks them against the proxy lexicon and stores nothing.
  checkCriteria: {
    retry: true,
    handle: async (r: { criteria: string[] }, { client }): Promise<CriteriaCheckResponse> =>
      parse(
        CriteriaCheckResponseSchema,
        await client.post('api/compliance/criteria-check', { json: { criteria: r.criteria } }).json(),
        'POST /api/compliance/criteria-check',
      ),
  },
  postingCriteria: {
    retry: true,
    handle: async (r: { postingId: string }, { client }): Promise<PostingCriteriaCheck> =>
      parse(
        PostingCriteriaCheckSchema,
        await client.get(`api/postings/${posting(r.postingId)}/criteria-check`).json(),
        'GET /api/postings/:id/criteria-check',
      ),
  },
  confirmCriterion: {
    retry: false,
    handle: async (
      r: { postingId: string; text: string; confirmed: boolean },
      { client },
    ): Promise<PostingCriteriaCheck> =>
      parse(
        PostingCriteriaCheckSchema,
        await client
          .put(`api/admin/compliance/postings/${posting(r.postingId)}/criteria`, {
            json: { text: r.text, confirmed: r.confirmed },
          })
          .json(),
        'PUT /api/admin/compliance/postings/:id/criteria',
      ),
  },

  // Interview scheduling (issue 19)
  scheduleInterviewers: {
    retry: true,
    handle: async (_: NoRequest, { client }): Promise<InterviewerList> =>
      parse(
        InterviewerListSchema,
        await client.get('api/scheduling/interviewers').json(),
        'GET /api/scheduling/interviewers',
      ),
  },
  scheduleSlots: {
    retry: false,
    handle: async (r: { request: SlotsRequestInput }, { client }): Promise<SlotsResponse> =>
      parse(
        SlotsResponseSchema,
        await client.post('api/scheduling/slots', { json: r.request }).json(),
        'POST /api/scheduling/slots',
      ),
  },
  proposeSchedule: {
    retry: false,
    handle: async (r: { request: ScheduleProposalInput }, { client }): Promise<Proposal> =>
      parse(
        ProposalSchema,
        await client.post('api/scheduling/proposals', { json: r.request }).json(),
        'POST /api/scheduling/proposals',
      ),
  },
  scheduleBookings: {
    retry: true,
    handle: async (r: { opportunityId: string }, { client }): Promise<BookingList> =>
      parse(
        BookingListSchema,
        await client
          .get('api/scheduling/bookings', { searchParams: { opportunityId: opportunity(r.opportunityId) } })
          .json(),
        'GET /api/scheduling/bookings',
      ),
  },
  /** The booking's invitation as iCalendar text (METHOD:REQUEST, or METHOD:CANCEL once cancelled). */
  bookingInvitation: {
    retry: true,
    handle: async (r: { bookingId: string }, { client }): Promise<string> => {
      const text = await client.get(`api/scheduling/bookings/${booking(r.bookingId)}/invitation.ics`).text();
      if (!text.startsWith('BEGIN:VCALENDAR')) {
        throw new FailureError({
          kind: 'invalid_response',
          message: 'GET /api/scheduling/bookings/:id/invitation.ics did not answer with an iCalendar file.',
        });
      }
      return text;
    },
  },
  rescheduleBooking: {
    retry: false,
    handle: async (r: { bookingId: string; request: RescheduleRequest }, { client }): Promise<Proposal> =>
      parse(
        ProposalSchema,
        await client.post(`api/scheduling/bookings/${booking(r.bookingId)}/reschedule`, { json: r.request }).json(),
        'POST /api/scheduling/bookings/:id/reschedule',
      ),
  },
  cancelBooking: {
    retry: false,
    handle: async (r: { bookingId: string }, { client }): Promise<Proposal> =>
      parse(
        ProposalSchema,
        await client.post(`api/scheduling/bookings/${booking(r.bookingId)}/cancel`, { json: {} }).json(),
        'POST /api/scheduling/bookings/:id/cancel',
      ),
  },

  // Offer letters (issue 20)
  offer: {
    retry: true,
    handle: async (r: { opportunityId: string }, { client }): Promise<OfferViewResponse> =>
      parse(
        OfferViewResponseSchema,
        await client.get(`api/offers?opportunityId=${opportunity(r.opportunityId)}`).json(),
        'GET /api/offers',
      ),
  },
  draftOffer: {
    retry: false,
    handle: async (
      r: { opportunityId: string; templateId?: string; justification?: string },
      { client },
    ): Promise<OfferView> =>
      parse(OfferViewSchema, await client.post('api/offers/draft', { json: r }).json(), 'POST /api/offers/draft'),
  },
  reviseOffer: {
    retry: false,
    handle: async (
      { letterId, ...body }: { letterId: string; text: string; justification?: string },
      { client },
    ): Promise<OfferView> =>
      parse(
        OfferViewSchema,
        await client.post(`api/offers/${encodeURIComponent(letterId)}/versions`, { json: body }).json(),
        'POST /api/offers/:id/versions',
      ),
  },
  approveOffer: {
    retry: false,
    handle: async (
      { letterId, ...body }: { letterId: string; version: number; comment?: string },
      { client },
    ): Promise<OfferView> =>
      parse(
        OfferViewSchema,
        await client.post(`api/offers/${encodeURIComponent(letterId)}/approve`, { json: body }).json(),
        'POST /api/offers/:id/approve',
      ),
  },
  overrideOfferCheck: {
    retry: false,
    handle: async (
      { letterId, ...body }: { letterId: string; check: string; reason: string },
      { client },
    ): Promise<OfferView> =>
      parse(
        OfferViewSchema,
        await client.post(`api/offers/${encodeURIComponent(letterId)}/overrides`, { json: body }).json(),
        'POST /api/offers/:id/overrides',
      ),
  },
} satisfies Record<string, OpSpec>;

type Handlers = typeof messageHandlers;
export type ApiOp = keyof Handlers;
/** An op's request without its `op` field: what the panel's `api[op](…)` takes. */
export type RequestBody<K extends ApiOp> = Parameters<Handlers[K]['handle']>[0];
/** The runtime message's request: the op's name and its fields. */
export type ApiRequest = { [K in ApiOp]: { op: K } & RequestBody<K> }[ApiOp];
export type ApiResponses = { [K in ApiOp]: Awaited<ReturnType<Handlers[K]['handle']>> };
/** The ops whose lost answer the client may ask for once more: the pure reads. */
export type RetryOp = { [K in ApiOp]: Handlers[K]['retry'] extends true ? K : never }[ApiOp];

async function dispatch(request: ApiRequest, settings: Settings, deps: HandlerDeps): Promise<unknown> {
  const { op, ...body } = request;
  const spec: OpSpec | undefined = Object.hasOwn(messageHandlers, op) ? messageHandlers[op] : undefined;
  if (!spec) throw new FailureError({ kind: 'extension', message: `Unknown request ${JSON.stringify(request)}` });
  if (!spec.withoutToken && !settings.token) {
    throw new FailureError({ kind: 'no_token', message: 'No recruiter token configured.' });
  }
  const ctx: HandlerContext = {
    store: deps.store,
    deps,
    client: makeClient(settings, deps),
    ai: { timeout: deps.aiTimeoutMs ?? 60_000 },
  };
  return spec.handle(body as never, ctx);
}

export async function handleApiRequest(request: ApiRequest, deps: HandlerDeps): Promise<ApiResult<unknown>> {
  let settings: Settings = { backendUrl: '', token: '' };
  try {
    settings = await deps.settings();
    return { ok: true, data: await dispatch(request, settings, deps) };
  } catch (error) {
    const failure = await toFailure(error, settings.backendUrl);
    // The backend no longer accepts this token: nothing about candidates stays in this browser (local-data.ts).
    if (failure.status === 401) {
      await deps.store.purge().catch(() => {});
      await deps.onSignedOut?.().catch(() => {});
    }
    return { ok: false, error: failure };
  }
}
