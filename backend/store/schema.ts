import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * The database, as Kysely sees it. Conventions, so every table reads the same way:
 * - columns are snake_case;
 * - every timestamp is epoch milliseconds (`bigint` in DDL, a JS number here; convert to ISO-8601 at the wire);
 * - JSON is stored as TEXT and must be parsed with a zod schema on read (never cast);
 * - ids we mint are text (UUIDs) except the append-only/high-volume tables (jobs, audit_log), which use an
 *   auto-increment integer so ordering is cheap.
 */

/** JSON serialized with JSON.stringify; parse with zod on read. */
export type JsonText = string;
/** Epoch milliseconds. */
export type EpochMs = number;

export type RecruiterRole = 'recruiter' | 'admin';

export interface RecruitersTable {
  id: string;
  email: string;
  name: string | null;
  role: RecruiterRole;
  lever_user_id: string | null;
  created_at: EpochMs;
  revoked_at: EpochMs | null;
  /** 1 for the recruiter `npm start` creates for the emulator demo: revoked when started on a real Lever key. */
  demo: Generated<number>;
}

export interface RecruiterTokensTable {
  id: string;
  recruiter_id: string;
  /** Hex sha256 of the bearer token; the token itself is never stored. */
  token_hash: string;
  created_at: EpochMs;
  revoked_at: EpochMs | null;
  last_used_at: EpochMs | null;
  /** After this the token answers 401 "expired" (TOKEN_TTL_DAYS from issue; null only for rows never migrated). */
  expires_at: EpochMs | null;
}

export interface LeverWebhooksTable {
  /** Lever's webhook id. */
  id: string;
  event: string;
  url: string;
  signature_token: string;
  created_at: EpochMs;
}

export interface WebhookEventsTable {
  id: Generated<number>;
  /** Lever's delivery `id`: the same delivery retried by Lever is stored once. */
  event_id: string;
  /** The signed `token`: unique, so a replayed body is rejected even under a new delivery id. */
  token: string;
  event: string;
  triggered_at: EpochMs;
  received_at: EpochMs;
  payload: JsonText;
}

export type JobStatus = 'queued' | 'running' | 'done' | 'dead';

export interface JobsTable {
  id: Generated<number>;
  type: string;
  payload: JsonText;
  status: JobStatus;
  /** Claims so far, including the one running now. */
  attempts: number;
  max_attempts: number;
  /** Earliest time the job may be claimed (backoff pushes it forward). */
  run_at: EpochMs;
  /** While running: when another worker may take the job over. */
  lease_until: EpochMs | null;
  locked_by: string | null;
  last_error: string | null;
  /** At most one unfinished job per key; cleared when the job completes so the key can be enqueued again. */
  dedupe_key: string | null;
  created_at: EpochMs;
  updated_at: EpochMs;
}

export interface AiResultsTable {
  input_hash: string;
  capability: string;
  opportunity_id: string | null;
  provider: string;
  model: string;
  result: JsonText;
  created_at: EpochMs;
  expires_at: EpochMs | null;
}

export interface ProposalsTable {
  id: string;
  opportunity_id: string;
  kind: string;
  /** utils/contracts ProposalStatusSchema: pending | approved | written | failed | discarded. */
  status: string;
  payload: JsonText;
  reason: string;
  created_by: string;
  created_at: EpochMs;
  updated_at: EpochMs;
  decided_by: string | null;
  result: JsonText | null;
  error: string | null;
  source_capability: string | null;
  provenance: JsonText | null;
}

/** The Lever users who own or follow an opportunity (last re-read), plus what the inbox shows without a Lever call. */
export interface AutomationWatchersTable {
  opportunity_id: string;
  /** JSON array of Lever user ids. */
  user_ids: JsonText;
  candidate_name: string;
  posting_id: string | null;
  posting_title: string | null;
  lever_url: string | null;
  updated_at: EpochMs;
}

/** An outreach draft's follow-up date and, once marked sent, its schedule or cancellation. */
export interface AutomationFollowupsTable {
  proposal_id: string;
  opportunity_id: string;
  follow_up_date: string;
  status: 'draft' | 'scheduled' | 'cancelled' | 'proposed';
  stage_at_send: string | null;
  sent_at: EpochMs | null;
  run_at: EpochMs | null;
  cancel_reason: string | null;
  updated_at: EpochMs;
}

/** The one live feedback poll chain per opportunity. */
export interface AutomationPollsTable {
  opportunity_id: string;
  stage_id: string;
  token: string;
  updated_at: EpochMs;
}

export type WriteLedgerStatus = 'started' | 'done';

export interface WriteLedgerTable {
  idempotency_key: string;
  proposal_id: string | null;
  opportunity_id: string;
  operation: string;
  status: WriteLedgerStatus;
  lever_object_id: string | null;
  request: JsonText | null;
  created_at: EpochMs;
  completed_at: EpochMs | null;
}

/** One API-created note per opportunity per kind: later writes update it (PUT) instead of posting duplicates. */
export interface LeverNotesTable {
  opportunity_id: string;
  kind: string;
  note_id: string;
  created_at: EpochMs;
  updated_at: EpochMs;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: EpochMs;
  actor: string;
  opportunity_id: string | null;
  capability: string;
  action: string;
  provider: string | null;
  model: string | null;
  model_version: string | null;
  prompt_version: string | null;
  input_hash: string | null;
  output: JsonText | null;
  decision: string | null;
  /** JSON array of Lever object ids written by this action. */
  lever_ids: JsonText;
  /** Hash of the previous row ('' for the first); unique, so the chain cannot fork. */
  prev_hash: string;
  hash: string;
  /** sha256 of the JSON of `output` as written; the version-2 chain covers this instead of the payload itself. */
  content_hash: string | null;
  /** When `output` was replaced by the erasure tombstone (forget, candidateDeleted); null while it is the original. */
  erased_at: EpochMs | null;
  /** 1: hash over the payload (rows from before migration 0003 that failed the old check); 2: over content_hash. */
  hash_version: Generated<number>;
  /** A re-chained row's version-1 hash, to compare with exports taken before the upgrade. */
  legacy_hash: string | null;
}

export interface SettingsTable {
  key: string;
  value: JsonText;
  updated_at: EpochMs;
  updated_by: string | null;
}

/** Placeholder for the rediscovery index: one row per Lever contact. */
export interface TalentPoolTable {
  contact_id: string;
  opportunity_ids: JsonText;
  name: string;
  text: string;
  best_stage: string | null;
  last_contact_at: EpochMs | null;
  data: JsonText | null;
  updated_at: EpochMs;
}

/** Compliance kit (issue 21): an admin's edit of one jurisdiction's candidate notice template. */
export interface ComplianceNoticeTemplatesTable {
  jurisdiction: string;
  body: string;
  updated_at: EpochMs;
  updated_by: string;
}

/** A candidate who opted out of automated assessment (a CLI/admin action, or a Lever tag as last seen). */
export interface ComplianceOptOutsTable {
  opportunity_id: string;
  contact_id: string | null;
  source: 'lever-tag' | 'cli' | 'admin';
  reason: string | null;
  created_at: EpochMs;
  created_by: string;
}

/** An admin's confirmation that a criterion the proxy check flagged may be scored for this posting. */
export interface ComplianceCriterionConfirmationsTable {
  posting_id: string;
  criterion_key: string;
  text: string;
  confirmed_by: string;
  confirmed_at: EpochMs;
}

export interface ComplianceErasureRequestsTable {
  id: Generated<number>;
  opportunity_id: string;
  requested_at: EpochMs;
  requested_by: string;
  completed_at: EpochMs | null;
  /** JSON: what the retention run deleted and what it kept under a legal hold. */
  result: JsonText | null;
}

/** Issue 19: the calendar each interviewer (Lever user) is read from, with working hours and caps. */
export interface InterviewerCalendarsTable {
  lever_user_id: string;
  source: 'ics' | 'google' | 'microsoft';
  /** ICS URL or file path, Google calendar id, or the Microsoft 365 SMTP address. A private ICS URL is a secret. */
  location: string;
  api_base: string | null;
  time_zone: string;
  work_start: string;
  work_end: string;
  /** ISO weekdays, comma-separated (1 = Monday). */
  work_days: string;
  max_per_day: number | null;
  max_per_week: number | null;
  tentative_busy: Generated<number>;
  updated_at: EpochMs;
  updated_by: string;
}

/** Issue 19: OAuth tokens of Google / Microsoft calendars, held by the backend only. */
export interface CalendarTokensTable {
  lever_user_id: string;
  access_token: string;
  refresh_token: string | null;
  expires_at: EpochMs | null;
  token_url: string | null;
  client_id: string | null;
  client_secret: string | null;
  scope: string | null;
  updated_at: EpochMs;
}

/** Issue 19: interviews Fulcrum booked in Lever; id = the booking proposal's id. */
export interface InterviewBookingsTable {
  id: string;
  opportunity_id: string;
  panel_id: string | null;
  ics_uid: string;
  sequence: number;
  status: 'booked' | 'cancelled';
  /** JSON: the booked plan (sessions, interviewers, candidate), parsed with zod on read. */
  plan: JsonText;
  created_by: string;
  created_at: EpochMs;
  updated_at: EpochMs;
}

export interface InterviewBookingSessionsTable {
  booking_id: string;
  lever_user_id: string;
  start_at: EpochMs;
  end_at: EpochMs;
}

export interface Database {
  recruiters: RecruitersTable;
  recruiter_tokens: RecruiterTokensTable;
  lever_webhooks: LeverWebhooksTable;
  webhook_events: WebhookEventsTable;
  jobs: JobsTable;
  ai_results: AiResultsTable;
  proposals: ProposalsTable;
  automation_watchers: AutomationWatchersTable;
  automation_followups: AutomationFollowupsTable;
  automation_polls: AutomationPollsTable;
  write_ledger: WriteLedgerTable;
  lever_notes: LeverNotesTable;
  audit_log: AuditLogTable;
  settings: SettingsTable;
  talent_pool: TalentPoolTable;
  compliance_notice_templates: ComplianceNoticeTemplatesTable;
  compliance_opt_outs: ComplianceOptOutsTable;
  compliance_criterion_confirmations: ComplianceCriterionConfirmationsTable;
  compliance_erasure_requests: ComplianceErasureRequestsTable;
  interviewer_calendars: InterviewerCalendarsTable;
  calendar_tokens: CalendarTokensTable;
  interview_bookings: InterviewBookingsTable;
  interview_booking_sessions: InterviewBookingSessionsTable;
}

export type RecruiterRow = Selectable<RecruitersTable>;
export type RecruiterTokenRow = Selectable<RecruiterTokensTable>;
export type WebhookEventRow = Selectable<WebhookEventsTable>;
export type NewWebhookEvent = Insertable<WebhookEventsTable>;
export type JobRow = Selectable<JobsTable>;
export type AiResultRow = Selectable<AiResultsTable>;
export type ProposalRow = Selectable<ProposalsTable>;
export type NewProposal = Insertable<ProposalsTable>;
export type ProposalUpdate = Updateable<ProposalsTable>;
export type WriteLedgerRow = Selectable<WriteLedgerTable>;
export type LeverNoteRow = Selectable<LeverNotesTable>;
export type AuditLogRow = Selectable<AuditLogTable>;
export type SettingRow = Selectable<SettingsTable>;
export type TalentPoolRow = Selectable<TalentPoolTable>;
