import ky, { HTTPError, type KyInstance, TimeoutError } from 'ky';
import { z } from 'zod';
import {
  ApiErrorSchema,
  AuditListSchema,
  CandidateContextSchema,
  FeedbackResponseSchema,
  MatchResponseSchema,
  OpportunityIdSchema,
  OutreachResponseSchema,
  ProposalSchema,
  QuestionsResponseSchema,
  StatusResponseSchema,
} from '@/utils/contracts/api.ts';
import { InboxResponseSchema, MarkSentResponseSchema } from '@/utils/contracts/automations.ts';
import {
  ComplianceSettingsSchema,
  CriteriaCheckResponseSchema,
  ExplanationSchema,
  NoticeSchema,
  NoticeTemplateListSchema,
  NoticeTemplateSchema,
  OptOutStatusSchema,
  PostingCriteriaCheckSchema,
  RetentionReportSchema,
} from '@/utils/contracts/compliance.ts';
import {
  BiasTestReportSchema,
  type FunnelQuery,
  FunnelReportSchema,
  JdCheckResponseSchema,
} from '@/utils/contracts/fairness.ts';
import { GovernanceResponseSchema } from '@/utils/contracts/governance.ts';
import { OfferViewResponseSchema, OfferViewSchema } from '@/utils/contracts/offers.ts';
import {
  ActResponseSchema,
  OutreachListSchema,
  OutreachRecordSchema,
  PipelineStagesSchema,
  RediscoverResponseSchema,
  SyncProgressSchema,
} from '@/utils/contracts/rediscovery.ts';
import { BookingListSchema, InterviewerListSchema, SlotsResponseSchema } from '@/utils/contracts/scheduling.ts';
import type {
  ApiFailure,
  ApiRequest,
  ApiResult,
  ConnectionReport,
  DraftRecord,
  FailureKind,
} from '@/utils/shared/messaging';
import type { Settings } from '@/utils/shared/settings';
import type { CacheStore } from './cache-store';

/**
 * The background worker's request handler: the only place that talks to the backend. A plain async function so
 * tests call it directly with a fake `fetch` and an in-memory store. Every response is validated with the zod
 * contracts here, so the side panel receives typed, checked data and never bundles zod.
 */
export type HandlerDeps = {
  store: CacheStore;
  settings: () => Promise<Settings>;
  fetch?: typeof fetch;
  /** Timeout for AI calls (generation may take a while with an LLM provider). */
  aiTimeoutMs?: number;
  /** Timeout for everything else. */
  timeoutMs?: number;
  /**
   * After the backend answered 401 (token revoked, expired or rotated), once the cached results and drafts are
   * dropped: records the drop, so the panel's snapshots from before are not shown (local-data.ts).
   */
  onSignedOut?: () => Promise<void>;
};

class FailureError extends Error {
  constructor(readonly failure: ApiFailure) {
    super(failure.message);
  }
}

const CODE_KINDS: Record<string, FailureKind> = {
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  no_lever_access: 'no_lever_access',
  not_found: 'not_found',
  invalid_request: 'invalid_request',
  lever_auth: 'lever_auth',
  lever_permission: 'lever_permission',
  lever_unavailable: 'lever_unavailable',
  rate_limited: 'rate_limited',
  conflict: 'conflict',
  offer_checks_failed: 'conflict',
  resume_unreadable: 'resume_unreadable',
  opted_out: 'opted_out',
  internal: 'server',
};

/** Turns anything thrown while talking to the backend into a failure the panel can explain. */
export async function toFailure(error: unknown, backendUrl: string): Promise<ApiFailure> {
  if (error instanceof FailureError) return { backendUrl, ...error.failure };
  if (error instanceof HTTPError) {
    const status = error.response.status;
    const body = ApiErrorSchema.safeParse(await error.response.json().catch(() => null));
    const code = body.success ? body.data.error.code : undefined;
    const message = body.success ? body.data.error.message : `HTTP ${status} ${error.response.statusText}`.trim();
    let kind: FailureKind = (code && CODE_KINDS[code]) || 'server';
    if (status === 401) kind = 'unauthorized';
    else if (!code || !CODE_KINDS[code]) {
      if (status === 403) kind = 'forbidden';
      else if (status === 404) kind = 'not_found';
      else if (status === 429) kind = 'rate_limited';
      else if (status >= 400 && status < 500) kind = 'invalid_request';
    }
    return { kind, message, status, backendUrl };
  }
  if (error instanceof TimeoutError) {
    return { kind: 'unreachable', message: 'The backend did not answer in time.', backendUrl };
  }
  // fetch rejects with a TypeError when nothing listens, DNS fails or the host permission is missing.
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'unreachable', message, backendUrl };
}

function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new FailureError({
      kind: 'invalid_response',
      message: `${what}: ${issue ? `${issue.path.join('.') || '(root)'} ${issue.message}` : 'invalid'}`,
    });
  }
  return result.data;
}

function opportunity(id: string): string {
  const result = OpportunityIdSchema.safeParse(id);
  if (!result.success) throw new FailureError({ kind: 'invalid_request', message: `Not an opportunity id: ${id}` });
  return encodeURIComponent(result.data);
}

function posting(id: string): string {
  // Lever posting ids are UUIDs like opportunity ids.
  const result = OpportunityIdSchema.safeParse(id);
  if (!result.success) throw new FailureError({ kind: 'invalid_request', message: `Not a posting id: ${id}` });
  return encodeURIComponent(result.data);
}

function booking(id: string): string {
  // Fulcrum's booking ids are UUIDs too.
  const result = OpportunityIdSchema.safeParse(id);
  if (!result.success) throw new FailureError({ kind: 'invalid_request', message: `Not a booking id: ${id}` });
  return encodeURIComponent(result.data);
}

/** The funnel filters as query parameters, leaving out the ones not set. */
function funnelParams(query: FunnelQuery): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') out[key] = String(value);
  return out;
}

const ComplianceSettingsResponse = z.object({ settings: ComplianceSettingsSchema, updatedAt: z.string().nullable() });

function makeClient(settings: Settings, deps: HandlerDeps, withAuth = true): KyInstance {
  return ky.create({
    prefixUrl: settings.backendUrl,
    timeout: deps.timeoutMs ?? 15_000,
    // GETs may be retried once (idempotent); POST/PATCH never are: the backend ledger dedupes, but the UI must
    // not silently send a write twice.
    retry: { limit: 1, methods: ['get'], statusCodes: [503, 504] },
    headers: withAuth && settings.token ? { authorization: `Bearer ${settings.token}` } : {},
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
}

async function testConnection(backendUrl: string, token: string, deps: HandlerDeps): Promise<ConnectionReport> {
  const report: ConnectionReport = {
    backendUrl,
    backend: { ok: false, message: '' },
    token: null,
    lever: null,
    ai: null,
  };
  const client = makeClient({ backendUrl, token }, { ...deps, timeoutMs: deps.timeoutMs ?? 5_000 });
  try {
    await client.get('healthz', { retry: 0 });
    report.backend = { ok: true, message: `Backend reachable at ${backendUrl}` };
  } catch (error) {
    const failure = await toFailure(error, backendUrl);
    if (failure.kind === 'unreachable') {
      report.backend = {
        ok: false,
        message: `Cannot reach ${backendUrl} (${failure.message}). Start the backend with npm start, or fix the URL.`,
      };
      return report;
    }
    report.backend = { ok: false, message: `Backend at ${backendUrl} answered /healthz with HTTP ${failure.status}.` };
  }
  if (!token) {
    report.token = { ok: false, message: 'No token entered: paste your recruiter token.' };
    return report;
  }
  try {
    const status = parse(StatusResponseSchema, await client.get('api/status', { retry: 0 }).json(), 'GET /api/status');
    report.token = { ok: true, message: `Token valid: ${status.recruiter.email} (${status.recruiter.role})` };
    const where = status.lever.mode === 'emulator' ? 'Lever emulator' : 'Lever';
    report.lever = status.lever.reachable
      ? { ok: true, message: `${where} reachable` }
      : { ok: false, message: `${where} not reachable${status.lever.message ? `: ${status.lever.message}` : ''}` };
    report.ai = {
      ok: true,
      message: `AI provider: ${status.ai.provider === 'local' ? 'local engine' : 'OpenAI-compatible'} (${status.ai.model})`,
    };
  } catch (error) {
    const failure = await toFailure(error, backendUrl);
    report.token =
      failure.kind === 'unauthorized'
        ? { ok: false, message: 'Token invalid (401): paste a valid recruiter token.' }
        : { ok: false, message: `Could not check the token: ${failure.message}` };
  }
  return report;
}

/** Local storage (IndexedDB) failures are the extension's, not the network's. */
async function local<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new FailureError({
      kind: 'extension',
      message: `Local storage failed: ${error instanceof Error ? error.message : String(error)}`,
    });
  }
}

async function dispatch(request: ApiRequest, settings: Settings, deps: HandlerDeps): Promise<unknown> {
  const { store } = deps;
  switch (request.op) {
    case 'cached':
      return local(() => store.getResult(request.opportunityId, request.capability));
    case 'getDraft':
      return local(() => store.getDraft(request.opportunityId));
    case 'saveDraft':
      return local(async () => {
        await store.putDraft(request.draft);
        return null;
      });
    case 'deleteDraft':
      return local(async () => {
        await store.deleteDraft(request.opportunityId);
        return null;
      });
    case 'testConnection':
      return testConnection(request.backendUrl, request.token, deps);
    default:
      break;
  }

  if (!settings.token) {
    throw new FailureError({ kind: 'no_token', message: 'No recruiter token configured.' });
  }
  const client = makeClient(settings, deps);
  const ai = { timeout: deps.aiTimeoutMs ?? 60_000 };

  switch (request.op) {
    case 'status':
      return parse(StatusResponseSchema, await client.get('api/status').json(), 'GET /api/status');
    case 'candidate': {
      const data = parse(
        CandidateContextSchema,
        await client.get(`api/candidates/${opportunity(request.opportunityId)}`).json(),
        'GET /api/candidates/:id',
      );
      await store.putResult(request.opportunityId, 'candidate', data);
      return data;
    }
    case 'match': {
      const json = await client
        .post(`api/candidates/${opportunity(request.opportunityId)}/match`, {
          ...ai,
          json: { refresh: request.refresh ?? false },
        })
        .json();
      const data = parse(MatchResponseSchema, json, 'POST /match');
      await store.putResult(request.opportunityId, 'match', data);
      return data;
    }
    case 'questions': {
      const json = await client
        .post(`api/candidates/${opportunity(request.opportunityId)}/questions`, {
          ...ai,
          json: { refresh: request.refresh ?? false, ...(request.stage ? { stage: request.stage.slice(0, 200) } : {}) },
        })
        .json();
      const data = parse(QuestionsResponseSchema, json, 'POST /questions');
      await store.putResult(request.opportunityId, 'questions', data);
      return data;
    }
    case 'feedback': {
      const json = await client
        .post(`api/candidates/${opportunity(request.opportunityId)}/feedback`, {
          ...ai,
          json: { refresh: request.refresh ?? false },
        })
        .json();
      const data = parse(FeedbackResponseSchema, json, 'POST /feedback');
      await store.putResult(request.opportunityId, 'feedback', data);
      return data;
    }
    case 'outreach': {
      const json = await client
        .post(`api/candidates/${opportunity(request.opportunityId)}/outreach`, {
          ...ai,
          json: { tone: request.tone, variant: request.variant, refresh: request.refresh ?? false },
        })
        .json();
      const data = parse(OutreachResponseSchema, json, 'POST /outreach');
      // Kept until sent or discarded, even if the panel closes while the draft is being generated.
      const draft: DraftRecord = {
        opportunityId: request.opportunityId,
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
    }
    case 'createProposal': {
      const json = await client
        .post('api/proposals', {
          json: {
            opportunityId: request.opportunityId,
            kind: request.kind,
            payload: request.payload,
            ...(request.reason ? { reason: request.reason } : {}),
          },
        })
        .json();
      return parse(ProposalSchema, json, 'POST /api/proposals');
    }
    case 'editProposal':
      return parse(
        ProposalSchema,
        await client
          .patch(`api/proposals/${encodeURIComponent(request.id)}`, { json: { payload: request.payload } })
          .json(),
        'PATCH /api/proposals/:id',
      );
    case 'approveProposal':
      return parse(
        ProposalSchema,
        await client
          .post(`api/proposals/${encodeURIComponent(request.id)}/approve`, { json: { dryRun: request.dryRun } })
          .json(),
        'POST /api/proposals/:id/approve',
      );
    case 'discardProposal':
      return parse(
        ProposalSchema,
        await client.post(`api/proposals/${encodeURIComponent(request.id)}/discard`, { json: {} }).json(),
        'POST /api/proposals/:id/discard',
      );
    case 'audit': {
      const json = await client.get('api/audit', { searchParams: { opportunityId: request.opportunityId } }).json();
      return parse(AuditListSchema, json, 'GET /api/audit').entries;
    }
    case 'jdCheck':
      return parse(
        JdCheckResponseSchema,
        await client.get(`api/postings/${posting(request.postingId)}/jd-check`).json(),
        'GET /api/postings/:id/jd-check',
      );
    case 'proposeRewrite':
      return parse(
        ProposalSchema,
        await client.post(`api/postings/${posting(request.postingId)}/rewrite`, { ...ai, json: {} }).json(),
        'POST /api/postings/:id/rewrite',
      );
    case 'funnel':
      return parse(
        FunnelReportSchema,
        await client.get('api/admin/funnel', { searchParams: funnelParams(request.query) }).json(),
        'GET /api/admin/funnel',
      );
    case 'funnelCsv':
      return client.get('api/admin/funnel.csv', { searchParams: funnelParams(request.query) }).text();
    case 'biasTest':
      // Scores every resume many times over: with an LLM this takes minutes, so it gets a long timeout.
      return parse(
        BiasTestReportSchema,
        await client
          .post('api/admin/bias-test', {
            timeout: 10 * 60_000,
            json: { postingId: request.postingId, ...(request.resumes ? { resumes: request.resumes } : {}) },
          })
          .json(),
        'POST /api/admin/bias-test',
      );
    case 'getGovernance':
      return parse(
        GovernanceResponseSchema,
        await client.get('api/admin/governance').json(),
        'GET /api/admin/governance',
      );
    case 'putGovernance':
      return parse(
        GovernanceResponseSchema,
        await client.put('api/admin/governance', { json: request.governance }).json(),
        'PUT /api/admin/governance',
      );
    case 'auditExport':
      return client
        .get('api/admin/audit/export', {
          timeout: 5 * 60_000,
          searchParams: { format: request.format, ...(request.since ? { since: request.since } : {}) },
        })
        .text();
    case 'inbox':
      return parse(InboxResponseSchema, await client.get('api/inbox').json(), 'GET /api/inbox');
    case 'markSent':
      return parse(
        MarkSentResponseSchema,
        await client
          .post(`api/proposals/${encodeURIComponent(request.id)}/mark-sent`, {
            json: request.followUpAt ? { followUpAt: request.followUpAt } : {},
          })
          .json(),
        'POST /api/proposals/:id/mark-sent',
      );
    case 'rediscoverySync':
      return parse(SyncProgressSchema, await client.get('api/rediscovery/sync').json(), 'GET /api/rediscovery/sync');
    case 'rediscover':
      return parse(
        RediscoverResponseSchema,
        await client
          .post(`api/postings/${posting(request.postingId)}/rediscover`, {
            ...ai,
            json: { ...(request.limit ? { limit: request.limit } : {}), filters: request.filters ?? {} },
          })
          .json(),
        'POST /api/postings/:id/rediscover',
      );
    case 'rediscoveryAct':
      // Drafts one re-engagement email per person with the AI provider: give it the AI timeout.
      return parse(
        ActResponseSchema,
        await client
          .post('api/rediscovery/act', {
            ...ai,
            json: { postingId: request.postingId, contactIds: request.contactIds, tone: request.tone ?? 'warm' },
          })
          .json(),
        'POST /api/rediscovery/act',
      );
    case 'rediscoveryStages':
      return parse(
        PipelineStagesSchema,
        await client.get('api/rediscovery/stages').json(),
        'GET /api/rediscovery/stages',
      );
    case 'rediscoveryOutreach':
      return parse(
        OutreachListSchema,
        await client.get('api/rediscovery/outreach', { searchParams: { postingId: request.postingId } }).json(),
        'GET /api/rediscovery/outreach',
      );
    case 'rediscoveryMarkSent':
      // Proposes the stage move (nothing is written to Lever until the recruiter approves it).
      return parse(
        OutreachRecordSchema,
        await client
          .post(`api/rediscovery/outreach/${encodeURIComponent(request.outreachId)}/sent`, {
            json: { stageId: request.stageId },
          })
          .json(),
        'POST /api/rediscovery/outreach/:id/sent',
      );
    // Compliance kit (issue 21)
    case 'notice':
      return parse(
        NoticeSchema,
        await client.get(`api/postings/${posting(request.postingId)}/notice`).json(),
        'GET /api/postings/:id/notice',
      );
    case 'noticeTemplates':
      return parse(
        NoticeTemplateListSchema,
        await client.get('api/admin/compliance/notice-templates').json(),
        'GET /api/admin/compliance/notice-templates',
      );
    case 'putNoticeTemplate':
      return parse(
        NoticeTemplateSchema,
        await client
          .put(`api/admin/compliance/notice-templates/${encodeURIComponent(request.jurisdiction)}`, {
            json: request.body === null ? { reset: true } : { body: request.body },
          })
          .json(),
        'PUT /api/admin/compliance/notice-templates/:jurisdiction',
      );
    case 'complianceSettings':
    case 'putComplianceSettings': {
      const json =
        request.op === 'complianceSettings'
          ? await client.get('api/admin/compliance/settings').json()
          : await client.put('api/admin/compliance/settings', { json: request.settings }).json();
      const body = parse(
        ComplianceSettingsResponse,
        json,
        `${request.op === 'complianceSettings' ? 'GET' : 'PUT'} /api/admin/compliance/settings`,
      );
      return body;
    }
    case 'auditPackCsv':
      return client
        .get('api/admin/compliance/audit-pack', {
          timeout: 5 * 60_000,
          searchParams: {
            from: request.from,
            to: request.to,
            format: 'csv',
            ...(request.postingId ? { postingId: request.postingId } : {}),
          },
        })
        .text();
    case 'retentionReport':
      return parse(
        RetentionReportSchema,
        await client.get('api/admin/compliance/retention').json(),
        'GET /api/admin/compliance/retention',
      );
    case 'optOut':
      return parse(
        OptOutStatusSchema,
        await client.get(`api/candidates/${opportunity(request.opportunityId)}/opt-out`).json(),
        'GET /api/candidates/:id/opt-out',
      );
    case 'setOptOut':
      return parse(
        OptOutStatusSchema,
        await client
          .put(`api/candidates/${opportunity(request.opportunityId)}/opt-out`, {
            json: { optedOut: request.optedOut, ...(request.reason ? { reason: request.reason } : {}) },
          })
          .json(),
        'PUT /api/candidates/:id/opt-out',
      );
    case 'explanation':
      return parse(
        ExplanationSchema,
        await client.get(`api/candidates/${opportunity(request.opportunityId)}/explanation`).json(),
        'GET /api/candidates/:id/explanation',
      );
    case 'explanationPdf': {
      const bytes = new Uint8Array(
        await client
          .get(`api/candidates/${opportunity(request.opportunityId)}/explanation`, { searchParams: { format: 'pdf' } })
          .arrayBuffer(),
      );
      let binary = '';
      for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return btoa(binary);
    }
    case 'checkCriteria':
      return parse(
        CriteriaCheckResponseSchema,
        await client.post('api/compliance/criteria-check', { json: { criteria: request.criteria } }).json(),
        'POST /api/compliance/criteria-check',
      );
    case 'confirmCriterion':
      return parse(
        PostingCriteriaCheckSchema,
        await client
          .put(`api/admin/compliance/postings/${posting(request.postingId)}/criteria`, {
            json: { text: request.text, confirmed: request.confirmed },
          })
          .json(),
        'PUT /api/admin/compliance/postings/:id/criteria',
      );
    case 'postingCriteria':
      return parse(
        PostingCriteriaCheckSchema,
        await client.get(`api/postings/${posting(request.postingId)}/criteria-check`).json(),
        'GET /api/postings/:id/criteria-check',
      );
    case 'scheduleInterviewers':
      return parse(
        InterviewerListSchema,
        await client.get('api/scheduling/interviewers').json(),
        'GET /api/scheduling/interviewers',
      );
    case 'scheduleSlots':
      return parse(
        SlotsResponseSchema,
        await client.post('api/scheduling/slots', { json: request.request }).json(),
        'POST /api/scheduling/slots',
      );
    case 'proposeSchedule':
      return parse(
        ProposalSchema,
        await client.post('api/scheduling/proposals', { json: request.request }).json(),
        'POST /api/scheduling/proposals',
      );
    case 'scheduleBookings':
      return parse(
        BookingListSchema,
        await client
          .get('api/scheduling/bookings', { searchParams: { opportunityId: opportunity(request.opportunityId) } })
          .json(),
        'GET /api/scheduling/bookings',
      );
    case 'bookingInvitation': {
      const text = await client.get(`api/scheduling/bookings/${booking(request.bookingId)}/invitation.ics`).text();
      if (!text.startsWith('BEGIN:VCALENDAR')) {
        throw new FailureError({
          kind: 'invalid_response',
          message: 'GET /api/scheduling/bookings/:id/invitation.ics did not answer with an iCalendar file.',
        });
      }
      return text;
    }
    case 'rescheduleBooking':
      return parse(
        ProposalSchema,
        await client
          .post(`api/scheduling/bookings/${booking(request.bookingId)}/reschedule`, { json: request.request })
          .json(),
        'POST /api/scheduling/bookings/:id/reschedule',
      );
    case 'cancelBooking':
      return parse(
        ProposalSchema,
        await client.post(`api/scheduling/bookings/${booking(request.bookingId)}/cancel`, { json: {} }).json(),
        'POST /api/scheduling/bookings/:id/cancel',
      );
    case 'offer':
      return parse(
        OfferViewResponseSchema,
        await client.get(`api/offers?opportunityId=${opportunity(request.opportunityId)}`).json(),
        'GET /api/offers',
      );
    case 'draftOffer': {
      const { op: _op, ...body } = request;
      return parse(
        OfferViewSchema,
        await client.post('api/offers/draft', { json: body }).json(),
        'POST /api/offers/draft',
      );
    }
    case 'reviseOffer': {
      const { op: _op, letterId, ...body } = request;
      return parse(
        OfferViewSchema,
        await client.post(`api/offers/${encodeURIComponent(letterId)}/versions`, { json: body }).json(),
        'POST /api/offers/:id/versions',
      );
    }
    case 'approveOffer': {
      const { op: _op, letterId, ...body } = request;
      return parse(
        OfferViewSchema,
        await client.post(`api/offers/${encodeURIComponent(letterId)}/approve`, { json: body }).json(),
        'POST /api/offers/:id/approve',
      );
    }
    case 'overrideOfferCheck': {
      const { op: _op, letterId, ...body } = request;
      return parse(
        OfferViewSchema,
        await client.post(`api/offers/${encodeURIComponent(letterId)}/overrides`, { json: body }).json(),
        'POST /api/offers/:id/overrides',
      );
    }
    default: {
      const unknownOp: never = request;
      throw new FailureError({ kind: 'extension', message: `Unknown request ${JSON.stringify(unknownOp)}` });
    }
  }
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
