import { createHash } from 'node:crypto';
import {
  type ColumnDefinitionBuilder,
  type Kysely,
  type Migration,
  type MigrationProvider,
  Migrator,
  sql,
} from 'kysely';
import { isPostgres, withTransaction } from './dialect.ts';

/**
 * Schema migrations, in code so the server and CLI never depend on files next to the bundle: every table, index,
 * trigger and virtual table of the store is created here, nowhere else. Append new migrations with a larger key;
 * never change what one that has shipped does to an existing SQLite database. The same list runs on SQLite and on
 * PostgreSQL: DDL goes through Kysely's schema builder, and the few spots that differ (auto-assigned ids, blobs,
 * FTS5 and SQLite triggers) ask `isPostgres(db)`.
 */

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current Database type, which moves on.
type AnyDb = Kysely<any>;

/** Epoch milliseconds: `bigint`, since PostgreSQL's `integer` is 32-bit (SQLite stores either as a 64-bit integer). */
const ms = 'bigint' as const;

/** The type of an auto-assigned integer id: SQLite's rowid alias must be spelled `integer`; PostgreSQL's is 64-bit. */
const idType = (db: AnyDb) => (isPostgres(db) ? ('bigint' as const) : ('integer' as const));

/**
 * An auto-assigned id primary key: `integer primary key autoincrement` on SQLite (`reuse: true` for a plain rowid
 * alias, which may hand out the id of a deleted last row again), an identity column on PostgreSQL.
 */
const serialId =
  (db: AnyDb, { reuse = false } = {}) =>
  (c: ColumnDefinitionBuilder) => {
    if (isPostgres(db)) return c.primaryKey().generatedByDefaultAsIdentity();
    return reuse ? c.primaryKey() : c.primaryKey().autoIncrement();
  };

const migrations: Record<string, Migration> = {
  '0001_initial': {
    async up(db: AnyDb) {
      await db.schema
        .createTable('recruiters')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text')
        .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('recruiter', 'admin')`))
        .addColumn('lever_user_id', 'text')
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('revoked_at', ms)
        .execute();

      await db.schema
        .createTable('recruiter_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('recruiter_id', 'text', (c) => c.notNull().references('recruiters.id').onDelete('cascade'))
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('revoked_at', ms)
        .addColumn('last_used_at', ms)
        .execute();
      await db.schema.createIndex('recruiter_tokens_recruiter').on('recruiter_tokens').column('recruiter_id').execute();

      await db.schema
        .createTable('lever_webhooks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('signature_token', 'text', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('webhook_events')
        .addColumn('id', idType(db), serialId(db))
        .addColumn('event_id', 'text', (c) => c.notNull().unique())
        .addColumn('token', 'text', (c) => c.notNull().unique())
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('triggered_at', ms, (c) => c.notNull())
        .addColumn('received_at', ms, (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('jobs')
        .addColumn('id', idType(db), serialId(db))
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('queued', 'running', 'done', 'dead')`))
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('max_attempts', 'integer', (c) => c.notNull())
        .addColumn('run_at', ms, (c) => c.notNull())
        .addColumn('lease_until', ms)
        .addColumn('locked_by', 'text')
        .addColumn('last_error', 'text')
        .addColumn('dedupe_key', 'text', (c) => c.unique())
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('updated_at', ms, (c) => c.notNull())
        .execute();
      // Serves both the claim (status='queued' by run_at) and the lease sweep (status='running').
      await db.schema.createIndex('jobs_status_run_at').on('jobs').columns(['status', 'run_at']).execute();

      await db.schema
        .createTable('ai_results')
        .addColumn('input_hash', 'text', (c) => c.notNull())
        .addColumn('capability', 'text', (c) => c.notNull())
        .addColumn('opportunity_id', 'text')
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('result', 'text', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('expires_at', ms)
        .addPrimaryKeyConstraint('ai_results_pk', ['input_hash', 'capability'])
        .execute();
      await db.schema.createIndex('ai_results_opportunity').on('ai_results').column('opportunity_id').execute();

      await db.schema
        .createTable('proposals')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('opportunity_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('updated_at', ms, (c) => c.notNull())
        .addColumn('decided_by', 'text')
        .addColumn('result', 'text')
        .addColumn('error', 'text')
        .addColumn('source_capability', 'text')
        .addColumn('provenance', 'text')
        .execute();
      await db.schema
        .createIndex('proposals_opportunity_status')
        .on('proposals')
        .columns(['opportunity_id', 'status'])
        .execute();

      await db.schema
        .createTable('write_ledger')
        .addColumn('idempotency_key', 'text', (c) => c.primaryKey())
        .addColumn('proposal_id', 'text', (c) => c.references('proposals.id'))
        .addColumn('opportunity_id', 'text', (c) => c.notNull())
        .addColumn('operation', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('started', 'done')`))
        .addColumn('lever_object_id', 'text')
        .addColumn('request', 'text')
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('completed_at', ms)
        .execute();
      await db.schema.createIndex('write_ledger_proposal').on('write_ledger').column('proposal_id').execute();

      await db.schema
        .createTable('lever_notes')
        .addColumn('opportunity_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('note_id', 'text', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('updated_at', ms, (c) => c.notNull())
        .addPrimaryKeyConstraint('lever_notes_pk', ['opportunity_id', 'kind'])
        .execute();

      await db.schema
        .createTable('audit_log')
        .addColumn('id', idType(db), serialId(db))
        .addColumn('at', ms, (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('opportunity_id', 'text')
        .addColumn('capability', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('provider', 'text')
        .addColumn('model', 'text')
        .addColumn('model_version', 'text')
        .addColumn('prompt_version', 'text')
        .addColumn('input_hash', 'text')
        .addColumn('output', 'text')
        .addColumn('decision', 'text')
        .addColumn('lever_ids', 'text', (c) => c.notNull())
        .addColumn('prev_hash', 'text', (c) => c.notNull().unique())
        .addColumn('hash', 'text', (c) => c.notNull().unique())
        .execute();
      await db.schema.createIndex('audit_log_opportunity').on('audit_log').columns(['opportunity_id', 'id']).execute();

      await db.schema
        .createTable('settings')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_at', ms, (c) => c.notNull())
        .addColumn('updated_by', 'text')
        .execute();

      await db.schema
        .createTable('talent_pool')
        .addColumn('contact_id', 'text', (c) => c.primaryKey())
        .addColumn('opportunity_ids', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('best_stage', 'text')
        .addColumn('last_contact_at', ms)
        .addColumn('data', 'text')
        .addColumn('updated_at', ms, (c) => c.notNull())
        .execute();
    },
  },

  // Issue 14, credentials: demo recruiters are marked (so a start on a real Lever key can revoke them) and every
  // token gets an expiry. Tokens issued before this migration get the default 90 days from the upgrade, not from
  // their creation, so an upgrade does not lock everyone out at once.
  '0002_token_expiry_and_demo_flag': {
    up: (outer: AnyDb) =>
      withTransaction(outer, async (db) => {
        await db.schema
          .alterTable('recruiters')
          .addColumn('demo', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema.alterTable('recruiter_tokens').addColumn('expires_at', ms).execute();
        const upgradeExpiry = Date.now() + 90 * 24 * 60 * 60 * 1000;
        await db
          .updateTable('recruiter_tokens')
          .set({ expires_at: upgradeExpiry })
          .where('expires_at', 'is', null)
          .execute();
      }),
  },

  // Issue 14, erasure: the audit chain moves from hashing each row's payload to hashing a content hash of it, so a
  // payload can be replaced by a tombstone (forget, candidateDeleted) while the chain stays checkable.
  // SQLite's DDL is transactional (Kysely does not wrap SQLite migrations itself): a crash midway leaves nothing half done.
  '0003_audit_content_hash': { up: (db: AnyDb) => withTransaction(db, rechainAuditLog) },

  // Issue 19, interview scheduling: which calendar each interviewer (Lever user) reads from, with their working
  // hours and caps; the OAuth tokens of API calendars (secrets, never returned by a route); and the interviews
  // Fulcrum booked in Lever (panel id, invitation UID and SEQUENCE, one row per interviewer per session for the caps).
  '0004_interview_scheduling': {
    async up(db: AnyDb) {
      await db.schema
        .createTable('interviewer_calendars')
        .addColumn('lever_user_id', 'text', (c) => c.primaryKey())
        .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('ics', 'google', 'microsoft')`))
        .addColumn('location', 'text', (c) => c.notNull())
        .addColumn('api_base', 'text')
        .addColumn('time_zone', 'text', (c) => c.notNull())
        .addColumn('work_start', 'text', (c) => c.notNull())
        .addColumn('work_end', 'text', (c) => c.notNull())
        .addColumn('work_days', 'text', (c) => c.notNull())
        .addColumn('max_per_day', 'integer')
        .addColumn('max_per_week', 'integer')
        .addColumn('tentative_busy', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('updated_at', ms, (c) => c.notNull())
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('calendar_tokens')
        .addColumn('lever_user_id', 'text', (c) => c.primaryKey())
        .addColumn('access_token', 'text', (c) => c.notNull())
        .addColumn('refresh_token', 'text')
        .addColumn('expires_at', ms)
        .addColumn('token_url', 'text')
        .addColumn('client_id', 'text')
        .addColumn('client_secret', 'text')
        .addColumn('scope', 'text')
        .addColumn('updated_at', ms, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('interview_bookings')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('opportunity_id', 'text', (c) => c.notNull())
        .addColumn('panel_id', 'text')
        .addColumn('ics_uid', 'text', (c) => c.notNull().unique())
        .addColumn('sequence', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('booked', 'cancelled')`))
        .addColumn('plan', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('updated_at', ms, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('interview_bookings_opportunity')
        .on('interview_bookings')
        .column('opportunity_id')
        .execute();
      await db.schema
        .createTable('interview_booking_sessions')
        .addColumn('booking_id', 'text', (c) => c.notNull().references('interview_bookings.id').onDelete('cascade'))
        .addColumn('lever_user_id', 'text', (c) => c.notNull())
        .addColumn('start_at', ms, (c) => c.notNull())
        .addColumn('end_at', ms, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('interview_booking_sessions_user')
        .on('interview_booking_sessions')
        .columns(['lever_user_id', 'start_at'])
        .execute();
    },
  },

  // Issue 21, compliance kit: admin-edited candidate notice templates, local opt-outs of automated assessment, admin
  // confirmations of criteria the proxy check flagged, and erasure requests the retention run honours.
  '0005_compliance': {
    async up(db: AnyDb) {
      await db.schema
        .createTable('compliance_notice_templates')
        .addColumn('jurisdiction', 'text', (c) => c.primaryKey())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('updated_at', ms, (c) => c.notNull())
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('compliance_opt_outs')
        .addColumn('opportunity_id', 'text', (c) => c.notNull())
        .addColumn('contact_id', 'text')
        .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('lever-tag', 'cli', 'admin')`))
        .addColumn('reason', 'text')
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('compliance_opt_outs_pk', ['opportunity_id', 'source'])
        .execute();
      await db.schema
        .createIndex('compliance_opt_outs_contact')
        .on('compliance_opt_outs')
        .column('contact_id')
        .execute();
      await db.schema
        .createTable('compliance_criterion_confirmations')
        .addColumn('posting_id', 'text', (c) => c.notNull())
        .addColumn('criterion_key', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('confirmed_by', 'text', (c) => c.notNull())
        .addColumn('confirmed_at', ms, (c) => c.notNull())
        .addPrimaryKeyConstraint('compliance_criterion_confirmations_pk', ['posting_id', 'criterion_key'])
        .execute();
      await db.schema
        .createTable('compliance_erasure_requests')
        .addColumn('id', idType(db), serialId(db))
        .addColumn('opportunity_id', 'text', (c) => c.notNull())
        .addColumn('requested_at', ms, (c) => c.notNull())
        .addColumn('requested_by', 'text', (c) => c.notNull())
        .addColumn('completed_at', ms)
        .addColumn('result', 'text')
        .execute();
    },
  },

  // Issue 20, offers:
  // organisation templates, approval chains per team, letters with every version kept, each
  // approver's decision, admin overrides of failed checks, and the HRIS hand-off of each hire.
  '0006_offers': {
    async up(db: AnyDb) {
      await db.schema
        .createTable('offer_templates')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('archived_at', ms)
        .execute();
      await db.schema
        .createTable('offer_chains')
        .addColumn('team', 'text', (c) => c.primaryKey())
        .addColumn('steps', 'text', (c) => c.notNull())
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .addColumn('updated_at', ms, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('offer_letters')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('opportunity_id', 'text', (c) => c.notNull())
        .addColumn('team', 'text')
        .addColumn('template_id', 'text')
        .addColumn('template_source', 'text', (c) => c.notNull())
        .addColumn('chain', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('current_version', 'integer', (c) => c.notNull())
        .addColumn('proposal_id', 'text')
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('updated_at', ms, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('offer_letters_opportunity').on('offer_letters').column('opportunity_id').execute();
      await db.schema
        .createTable('offer_letter_versions')
        .addColumn('letter_id', 'text', (c) => c.notNull().references('offer_letters.id').onDelete('cascade'))
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('fields', 'text', (c) => c.notNull())
        .addColumn('checks', 'text', (c) => c.notNull())
        .addColumn('justification', 'text')
        .addColumn('provenance', 'text')
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .addPrimaryKeyConstraint('offer_letter_versions_pk', ['letter_id', 'version'])
        .execute();
      await db.schema
        .createTable('offer_decisions')
        .addColumn('id', idType(db), serialId(db))
        .addColumn('letter_id', 'text', (c) => c.notNull().references('offer_letters.id').onDelete('cascade'))
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('step', 'integer', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('decision', 'text', (c) => c.notNull().check(sql`decision in ('approve', 'request-changes')`))
        .addColumn('comment', 'text')
        .addColumn('at', ms, (c) => c.notNull())
        .execute();
      // One approval per step per version: a double click or two tabs record it once.
      await db.schema
        .createIndex('offer_decisions_one_approval')
        .on('offer_decisions')
        .columns(['letter_id', 'version', 'step'])
        .unique()
        .where(sql<boolean>`decision = 'approve'`)
        .execute();
      await db.schema
        .createTable('offer_overrides')
        .addColumn('letter_id', 'text', (c) => c.notNull().references('offer_letters.id').onDelete('cascade'))
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('check_name', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('at', ms, (c) => c.notNull())
        .addPrimaryKeyConstraint('offer_overrides_pk', ['letter_id', 'version', 'check_name'])
        .execute();
      await db.schema
        .createTable('hris_handoffs')
        .addColumn('opportunity_id', 'text', (c) => c.primaryKey())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_status', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('payload_hash', 'text')
        .addColumn('delivered_at', ms)
        .addColumn('updated_at', ms, (c) => c.notNull())
        .execute();
    },
  },

  // Issue 16, Lever OAuth: the connection of a partner app, its
  // tokens encrypted with FULCRUM_SECRET_KEY (lever-oauth/secret-box.ts) and a lease column pair, which is the refresh
  // lock every process respects (lever-oauth/token-store.ts); and the single-use states of the connect flow, stored
  // as their SHA-256 only.
  '0007_lever_oauth': {
    async up(db: AnyDb) {
      await db.schema
        .createTable('lever_oauth_connections')
        .addColumn('account', 'text', (c) => c.primaryKey())
        .addColumn('ciphertext', 'text', (c) => c.notNull())
        .addColumn('scope', 'text')
        .addColumn('connected_by', 'text')
        .addColumn('connected_at', ms, (c) => c.notNull())
        .addColumn('updated_at', ms, (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('lease_owner', 'text')
        .addColumn('lease_until', ms)
        .execute();
      await db.schema
        .createTable('lever_oauth_states')
        .addColumn('state_hash', 'text', (c) => c.primaryKey())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('redirect_uri', 'text', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('expires_at', ms, (c) => c.notNull())
        .addColumn('used_at', ms)
        .execute();
    },
  },

  // Issue 20, offers: the days an admin adds to OFFER_HOLIDAYS for the start-date check (backend/offers/holidays.ts).
  '0008_offer_holidays': {
    async up(db: AnyDb) {
      await db.schema
        .createTable('offer_holidays')
        .addColumn('day', 'text', (c) => c.primaryKey())
        .addColumn('label', 'text')
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .addColumn('updated_at', ms, (c) => c.notNull())
        .execute();
    },
  },

  // Issue 17: the automations' tables, which automations/schema.ts used to create on first use. `if not exists`
  // throughout, so a database where that code already made them migrates as a no-op:
  // - automation_watchers: who in Lever owns or follows an opportunity (from the last re-read), for the inbox filter,
  //   plus the candidate's name and posting title so the inbox needs no Lever call;
  // - automation_followups: the follow-up date of an outreach draft and, once marked sent, its schedule/cancellation;
  // - automation_polls: the one live feedback poll per opportunity (a newer token supersedes an older chain).
  '0009_automations': {
    async up(db: AnyDb) {
      await db.schema
        .createTable('automation_watchers')
        .ifNotExists()
        .addColumn('opportunity_id', 'text', (c) => c.primaryKey())
        .addColumn('user_ids', 'text', (c) => c.notNull())
        .addColumn('candidate_name', 'text', (c) => c.notNull())
        .addColumn('posting_id', 'text')
        .addColumn('posting_title', 'text')
        .addColumn('lever_url', 'text')
        .addColumn('updated_at', ms, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('automation_followups')
        .ifNotExists()
        .addColumn('proposal_id', 'text', (c) => c.primaryKey())
        .addColumn('opportunity_id', 'text', (c) => c.notNull())
        .addColumn('follow_up_date', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) =>
          c.notNull().check(sql`status in ('draft', 'scheduled', 'cancelled', 'proposed')`),
        )
        .addColumn('stage_at_send', 'text')
        .addColumn('sent_at', ms)
        .addColumn('run_at', ms)
        .addColumn('cancel_reason', 'text')
        .addColumn('updated_at', ms, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('automation_followups_opp')
        .ifNotExists()
        .on('automation_followups')
        .columns(['opportunity_id', 'status'])
        .execute();
      await db.schema
        .createTable('automation_polls')
        .ifNotExists()
        .addColumn('opportunity_id', 'text', (c) => c.primaryKey())
        .addColumn('stage_id', 'text', (c) => c.notNull())
        .addColumn('token', 'text', (c) => c.notNull())
        .addColumn('updated_at', ms, (c) => c.notNull())
        .execute();
    },
  },

  // Issue 17: talent rediscovery's tables, which rediscovery/schema.ts used to create on first use (`if not exists`
  // throughout, as above). See rediscoverySchema below for what each holds.
  '0010_rediscovery': { up: (db: AnyDb) => withTransaction(db, rediscoverySchema) },
  // The Lever rate budget several instances share (lever/pg-rate-budget.ts): one row per credential (a sha256 of base
  // URL + key, never the key), its tokens and when they were last refilled. PostgreSQL only: on SQLite the backend is
  // one process with the in-process bucket.
  '0011_lever_rate_budget': {
    async up(db: AnyDb) {
      if (!isPostgres(db)) return;
      await sql`CREATE TABLE IF NOT EXISTS lever_rate_budget (
        id text PRIMARY KEY,
        tokens double precision NOT NULL,
        last_refill timestamptz NOT NULL -- the database clock, so every instance agrees (not epoch ms: no _at)
      )`.execute(db);
    },
  },
  // Rediscovery's stem document frequencies on PostgreSQL (rediscovery/rediscover-postgres.ts): how many people's
  // doc_tsv hold each stem, the counterpart of SQLite's fts5vocab. Counting them from the GIN index at query time
  // visits every matching heap row (~40 ms a stem at 100,000 people); this table makes it one index probe. Kept exact
  // by statement-level triggers over transition tables: one grouped upsert per statement (a sync batch of 1,000
  // people is one statement), in term order so concurrent writers take the row locks in the same order.
  '0012_rd_stem_df': {
    async up(db: AnyDb) {
      if (!isPostgres(db)) return;
      await sql`CREATE TABLE rd_stem_df (term text PRIMARY KEY, n integer NOT NULL)`.execute(db);
      await sql`CREATE FUNCTION rd_stem_df_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM rd_stem_df;
  ELSIF TG_OP = 'INSERT' THEN
    INSERT INTO rd_stem_df AS d (term, n)
      SELECT t, count(*) FROM new_rows, unnest(tsvector_to_array(new_rows.doc_tsv)) AS t GROUP BY t ORDER BY t
      ON CONFLICT (term) DO UPDATE SET n = d.n + excluded.n;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE rd_stem_df AS d SET n = d.n - x.c
      FROM (SELECT t, count(*) AS c FROM old_rows, unnest(tsvector_to_array(old_rows.doc_tsv)) AS t GROUP BY t) x
      WHERE d.term = x.t;
  ELSE
    INSERT INTO rd_stem_df AS d (term, n)
      SELECT t, sum(c) FROM (
        SELECT t, 1 AS c FROM new_rows, unnest(tsvector_to_array(new_rows.doc_tsv)) AS t
        UNION ALL
        SELECT t, -1 AS c FROM old_rows, unnest(tsvector_to_array(old_rows.doc_tsv)) AS t
      ) x GROUP BY t HAVING sum(c) <> 0 ORDER BY t
      ON CONFLICT (term) DO UPDATE SET n = d.n + excluded.n;
  END IF;
  RETURN NULL;
END $$`.execute(db);
      // A trigger with transition tables fires for one event only, so one each (same function).
      await sql`CREATE TRIGGER rd_stem_df_ins AFTER INSERT ON rd_person REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION rd_stem_df_apply()`.execute(db);
      await sql`CREATE TRIGGER rd_stem_df_upd AFTER UPDATE ON rd_person REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION rd_stem_df_apply()`.execute(db);
      await sql`CREATE TRIGGER rd_stem_df_del AFTER DELETE ON rd_person REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION rd_stem_df_apply()`.execute(db);
      await sql`CREATE TRIGGER rd_stem_df_truncate AFTER TRUNCATE ON rd_person
        FOR EACH STATEMENT EXECUTE FUNCTION rd_stem_df_apply()`.execute(db);
      await sql`INSERT INTO rd_stem_df (term, n)
        SELECT t, count(*) FROM rd_person, unnest(tsvector_to_array(doc_tsv)) AS t GROUP BY t`.execute(db);
    },
  },
  // Issue 17, `npm run cli -- migrate-to-postgres`: how far the copy of a SQLite deployment into this database got,
  // one row per table (and one for the queue's hand-over to pg-boss), written in the same transaction as each batch,
  // so an interrupted copy resumes exactly after its last committed batch. `source` names the deployment copied
  // (backend/store/copy-to-postgres.ts), so a copy of another one is refused. PostgreSQL only: the copy's target.
  '0013_store_copy_progress': {
    async up(db: AnyDb) {
      if (!isPostgres(db)) return;
      await db.schema
        .createTable('store_copy_progress')
        .addColumn('step', 'text', (c) => c.primaryKey())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('after_key', 'text')
        .addColumn('copied', ms, (c) => c.notNull().defaultTo(0))
        .addColumn('done', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('updated_at', ms, (c) => c.notNull())
        .execute();
    },
  },
  // rd_person's wide columns (doc ~0.7 KB, doc_tsv ~1 KB, summary ~0.9 KB) out of line, in TOAST: rediscovery's
  // keyword retrieval gets each stem's matches from the GIN index through a bitmap heap scan, which visits every heap
  // page holding a match. With the wide columns inline a page held ~4 people, so a stem matching 6% of 100,000
  // people visited ~5,300 of 23,500 pages; with them in TOAST a page holds ~50 people (1,900 pages), and the scan
  // never reads the TOASTed values (no recheck; ts_rank_cd and loading detoast only the few hundred shortlisted).
  // CLUSTER rewrites the rows already there under the new target (no triggers fire: stem counts and vectors stand).
  // PostgreSQL only: SQLite has no TOAST (its FTS5 index holds its own copy of the terms).
  '0014_rd_person_narrow_heap': {
    async up(db: AnyDb) {
      if (!isPostgres(db)) return;
      await sql`ALTER TABLE rd_person SET (toast_tuple_target = 128)`.execute(db);
      await sql`CLUSTER rd_person USING rd_person_pkey`.execute(db);
      await sql`ANALYZE rd_person`.execute(db);
    },
  },
};

/**
 * - rd_opportunity: one row per Lever opportunity as last synced (the unit Lever gives us);
 * - rd_person: one row per contact, rebuilt from its opportunities (the unit a recruiter rediscovers), with its
 *   keyword index: on SQLite the FTS5 table rd_fts (external content, so the text is stored once, kept in step by
 *   triggers); on PostgreSQL the generated tsvector column doc_tsv with a GIN index (a generated column follows
 *   `doc` by itself, so the three FTS triggers have no PostgreSQL counterpart);
 * - rd_skill: contact → skill ids of the local engine's vocabulary;
 * - rd_sync_state / rd_sync_seen: the resumable sync checkpoint; rd_ref: Lever's reference lists (stages, users…);
 *   rd_posting / rd_result: the posting poller;
 * - rd_outreach: drafted re-engagement emails and their proposals;
 * - rd_vector: one embedding per person (when an embeddings endpoint is configured), with the model it came from
 *   and the hash of the redacted text that was embedded; rd_vector_state: the embedding run's progress and the
 *   generation counters the in-memory vector index refreshes from; rd_query_vector: posting embeddings by hash.
 * The vector triggers (a person deleted or changed marks its vector gone or stale; each vector deletion counts)
 * exist on both: SQLite triggers, and PL/pgSQL trigger functions on PostgreSQL.
 */
async function rediscoverySchema(db: AnyDb): Promise<void> {
  const pg = isPostgres(db);
  const blob = pg ? ('bytea' as const) : ('blob' as const);
  // SQLite stores these composite-key tables in their primary key's b-tree; PostgreSQL has no such option.
  const withoutRowid = sql`without rowid`;
  const table = (name: string) => db.schema.createTable(name).ifNotExists();
  const index = (name: string) => db.schema.createIndex(name).ifNotExists();

  await table('rd_opportunity')
    .addColumn('opportunity_id', 'text', (c) => c.primaryKey())
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('updated_at', ms)
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('resume_text', 'text')
    .addColumn('details_at', ms)
    .addColumn('needs_details', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await index('rd_opportunity_contact').on('rd_opportunity').column('contact_id').execute();
  await index('rd_opportunity_pending')
    .on('rd_opportunity')
    .column('needs_details')
    .where(sql<boolean>`needs_details = 1`)
    .execute();

  await table('rd_person')
    .addColumn('rid', idType(db), serialId(db, { reuse: true }))
    .addColumn('contact_id', 'text', (c) => c.notNull().unique())
    .addColumn('doc', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('best_stage_index', 'integer')
    .addColumn('last_contact_at', ms)
    .addColumn('location', 'text')
    .addColumn('updated_at', ms, (c) => c.notNull())
    .$call((t) =>
      // 'english' stems like FTS5's porter tokenizer (and, unlike it, drops stop words); a query builds its tsquery
      // with the same configuration.
      pg
        ? t.addColumn('doc_tsv', sql`tsvector`, (c) => c.generatedAlwaysAs(sql`to_tsvector('english', doc)`).stored())
        : t,
    )
    .execute();
  if (pg) {
    await index('rd_person_doc_tsv').on('rd_person').using('gin').column('doc_tsv').execute();
  } else {
    await sql`CREATE VIRTUAL TABLE IF NOT EXISTS rd_fts USING fts5(doc, content='rd_person', content_rowid='rid', tokenize='porter unicode61')`.execute(
      db,
    );
    await sql`CREATE TRIGGER IF NOT EXISTS rd_person_ai AFTER INSERT ON rd_person BEGIN
  INSERT INTO rd_fts(rowid, doc) VALUES (new.rid, new.doc);
END`.execute(db);
    await sql`CREATE TRIGGER IF NOT EXISTS rd_person_ad AFTER DELETE ON rd_person BEGIN
  INSERT INTO rd_fts(rd_fts, rowid, doc) VALUES ('delete', old.rid, old.doc);
END`.execute(db);
    await sql`CREATE TRIGGER IF NOT EXISTS rd_person_au AFTER UPDATE OF doc ON rd_person BEGIN
  INSERT INTO rd_fts(rd_fts, rowid, doc) VALUES ('delete', old.rid, old.doc);
  INSERT INTO rd_fts(rowid, doc) VALUES (new.rid, new.doc);
END`.execute(db);
  }
  await index('rd_person_last_contact').on('rd_person').column('last_contact_at').execute();

  await table('rd_skill')
    .addColumn('skill_id', 'text', (c) => c.notNull())
    .addColumn('rid', idType(db), (c) => c.notNull())
    .addPrimaryKeyConstraint('rd_skill_pk', ['skill_id', 'rid'])
    .$call((t) => (pg ? t : t.modifyEnd(withoutRowid)))
    .execute();
  await index('rd_skill_rid').on('rd_skill').column('rid').execute();

  await table('rd_sync_state')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('mode', 'text')
    .addColumn('run_id', 'text')
    .addColumn('since', ms)
    .addColumn('started_at', ms)
    .addColumn('finished_at', ms)
    .addColumn('listed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('details_done', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('details_total', 'integer')
    .addColumn('requests', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rate_limited', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('high_water_mark', ms)
    .addColumn('run_max_updated_at', ms)
    .addColumn('heartbeat_at', ms)
    .addColumn('detail_errors', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .execute();

  await table('rd_sync_seen')
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('opportunity_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('rd_sync_seen_pk', ['run_id', 'opportunity_id'])
    .$call((t) => (pg ? t : t.modifyEnd(withoutRowid)))
    .execute();

  await table('rd_ref')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('rd_ref_pk', ['kind', 'id'])
    .$call((t) => (pg ? t : t.modifyEnd(withoutRowid)))
    .execute();

  await table('rd_posting')
    .addColumn('posting_id', 'text', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('updated_at', ms)
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('first_seen_at', ms, (c) => c.notNull())
    .addColumn('rediscovered_at', ms)
    .execute();

  await table('rd_result')
    .addColumn('posting_id', 'text', (c) => c.primaryKey())
    .addColumn('response', 'text', (c) => c.notNull())
    .addColumn('computed_at', ms, (c) => c.notNull())
    .execute();

  await table('rd_outreach')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('opportunity_id', 'text', (c) => c.notNull())
    .addColumn('posting_id', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('tag_proposal_id', 'text', (c) => c.notNull())
    .addColumn('stage_proposal_id', 'text')
    .addColumn('sent_at', ms)
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .execute();

  // vector: little-endian float32, unit length; NULL when the person's text was refused (PII leak check): such a
  // row is retried only once the person changes. stale: the person's text or name changed since it was embedded.
  // gen: the rd_vector_state.gen that wrote it, so a cached index loads only what is newer.
  await table('rd_vector')
    .addColumn('rid', idType(db), (c) => c.primaryKey())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('dims', 'integer', (c) => c.notNull())
    .addColumn('text_hash', 'text', (c) => c.notNull())
    .addColumn('vector', blob)
    .addColumn('stale', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('gen', 'integer', (c) => c.notNull())
    .addColumn('embedded_at', ms, (c) => c.notNull())
    .execute();
  await index('rd_vector_model_gen').on('rd_vector').columns(['model', 'gen']).execute();
  await index('rd_vector_stale').on('rd_vector').column('model').where(sql<boolean>`stale = 1`).execute();
  await index('rd_vector_refused').on('rd_vector').column('model').where(sql<boolean>`vector IS NULL`).execute();

  await table('rd_vector_state')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('gen', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('deletions', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('never'))
    .addColumn('model', 'text')
    .addColumn('started_at', ms)
    .addColumn('finished_at', ms)
    .addColumn('done', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('total', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('requests', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('heartbeat_at', ms)
    .addColumn('error', 'text')
    .execute();
  await db
    .insertInto('rd_vector_state')
    .values({ id: 1 })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();

  await table('rd_query_vector')
    .addColumn('hash', 'text', (c) => c.primaryKey())
    .addColumn('vector', blob, (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .execute();

  if (pg) await vectorTriggersPostgres(db);
  else await vectorTriggersSqlite(db);
}

async function vectorTriggersSqlite(db: AnyDb): Promise<void> {
  await sql`CREATE TRIGGER IF NOT EXISTS rd_person_vector_ad AFTER DELETE ON rd_person BEGIN
  DELETE FROM rd_vector WHERE rid = old.rid;
END`.execute(db);
  await sql`CREATE TRIGGER IF NOT EXISTS rd_vector_ad AFTER DELETE ON rd_vector BEGIN
  UPDATE rd_vector_state SET deletions = deletions + 1 WHERE id = 1;
END`.execute(db);
  await sql`CREATE TRIGGER IF NOT EXISTS rd_person_vector_doc AFTER UPDATE OF doc ON rd_person BEGIN
  UPDATE rd_vector SET stale = 1 WHERE rid = new.rid AND stale = 0;
END`.execute(db);
  // Redaction depends on the name and emails: a change there may change the text that is sent.
  await sql`CREATE TRIGGER IF NOT EXISTS rd_person_vector_pii AFTER UPDATE OF summary ON rd_person
WHEN json_extract(old.summary, '$.name') IS NOT json_extract(new.summary, '$.name')
  OR json_extract(old.summary, '$.emails') IS NOT json_extract(new.summary, '$.emails')
  OR json_extract(old.summary, '$.phones') IS NOT json_extract(new.summary, '$.phones')
BEGIN
  UPDATE rd_vector SET stale = 1 WHERE rid = new.rid AND stale = 0;
END`.execute(db);
}

/** The same four triggers as PL/pgSQL; `summary` is JSON text, compared field by field as jsonb. */
async function vectorTriggersPostgres(db: AnyDb): Promise<void> {
  await sql`CREATE FUNCTION rd_person_vector_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM rd_vector WHERE rid = OLD.rid;
  RETURN NULL;
END $$`.execute(db);
  await sql`CREATE TRIGGER rd_person_vector_ad AFTER DELETE ON rd_person
  FOR EACH ROW EXECUTE FUNCTION rd_person_vector_delete()`.execute(db);
  await sql`CREATE FUNCTION rd_vector_count_deletion() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE rd_vector_state SET deletions = deletions + 1 WHERE id = 1;
  RETURN NULL;
END $$`.execute(db);
  await sql`CREATE TRIGGER rd_vector_ad AFTER DELETE ON rd_vector
  FOR EACH ROW EXECUTE FUNCTION rd_vector_count_deletion()`.execute(db);
  await sql`CREATE FUNCTION rd_person_vector_mark_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE rd_vector SET stale = 1 WHERE rid = NEW.rid AND stale = 0;
  RETURN NULL;
END $$`.execute(db);
  await sql`CREATE TRIGGER rd_person_vector_doc AFTER UPDATE OF doc ON rd_person
  FOR EACH ROW EXECUTE FUNCTION rd_person_vector_mark_stale()`.execute(db);
  // Redaction depends on the name and emails: a change there may change the text that is sent.
  await sql`CREATE TRIGGER rd_person_vector_pii AFTER UPDATE OF summary ON rd_person
  FOR EACH ROW WHEN ((OLD.summary::jsonb -> 'name') IS DISTINCT FROM (NEW.summary::jsonb -> 'name')
    OR (OLD.summary::jsonb -> 'emails') IS DISTINCT FROM (NEW.summary::jsonb -> 'emails')
    OR (OLD.summary::jsonb -> 'phones') IS DISTINCT FROM (NEW.summary::jsonb -> 'phones'))
  EXECUTE FUNCTION rd_person_vector_mark_stale()`.execute(db);
}

/**
 * Adds content_hash (sha256 of the stored `output`), erased_at, hash_version and legacy_hash, then re-chains the log
 * in the version-2 format: hash = sha256(prev_hash + JSON of the row's fields with content_hash in place of output).
 * Rows are converted only while the old (version-1) chain verifies, so tampering from before the upgrade is not
 * laundered: at the first row that fails the old check, conversion stops; that row and the ones after it keep their
 * version-1 hashes and `audit verify` reports the break at the same row as before. legacy_hash keeps each converted
 * row's old hash, so an export taken before the upgrade can still be compared row by row. The hashing is spelled out
 * here rather than imported, so this migration keeps meaning what it meant when it shipped.
 */
async function rechainAuditLog(db: AnyDb): Promise<void> {
  await db.schema.alterTable('audit_log').addColumn('content_hash', 'text').execute();
  await db.schema.alterTable('audit_log').addColumn('erased_at', ms).execute();
  await db.schema
    .alterTable('audit_log')
    .addColumn('hash_version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.alterTable('audit_log').addColumn('legacy_hash', 'text').execute();
  const sha = (...parts: string[]) => {
    const h = createHash('sha256');
    for (const p of parts) h.update(p);
    return h.digest('hex');
  };
  let legacyPrev = '';
  let newPrev = '';
  let after = 0;
  for (;;) {
    const page = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('id', '>', after)
      .orderBy('id')
      .limit(500)
      .execute();
    for (const r of page) {
      const legacy = JSON.stringify([
        r.id,
        r.at,
        r.actor,
        r.opportunity_id,
        r.capability,
        r.action,
        r.provider,
        r.model,
        r.model_version,
        r.prompt_version,
        r.input_hash,
        r.output,
        r.decision,
        r.lever_ids,
      ]);
      if (r.prev_hash !== legacyPrev || sha(legacyPrev, legacy) !== r.hash) return;
      const contentHash = sha(JSON.stringify(r.output ?? null));
      const material = JSON.stringify([
        2,
        r.id,
        r.at,
        r.actor,
        r.opportunity_id,
        r.capability,
        r.action,
        r.provider,
        r.model,
        r.model_version,
        r.prompt_version,
        r.input_hash,
        contentHash,
        r.decision,
        r.lever_ids,
      ]);
      const hash = sha(newPrev, material);
      await db
        .updateTable('audit_log')
        .set({ prev_hash: newPrev, hash, content_hash: contentHash, hash_version: 2, legacy_hash: r.hash })
        .where('id', '=', r.id)
        .execute();
      legacyPrev = r.hash;
      newPrev = hash;
    }
    const last = page.at(-1);
    if (!last || page.length < 500) return;
    after = last.id;
  }
}

/** The migrations' names, in the order they run. */
export const MIGRATION_NAMES = Object.keys(migrations).sort();

const provider: MigrationProvider = { getMigrations: async () => migrations };

export class MigrationError extends Error {}

/** Runs the migrations up to and including `name` (tests build an older database with it, then upgrade it). */
export async function migrateUpTo(db: AnyDb, name: string): Promise<void> {
  const { error } = await new Migrator({ db, provider }).migrateTo(name);
  if (error) throw new MigrationError(`Database migration to ${name} failed: ${String(error)}`, { cause: error });
}

/** Brings the schema up to date. Safe to run on every start and from several processes (the migrator locks). */
export async function migrateToLatest(db: AnyDb): Promise<string[]> {
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    const reason = error instanceof Error ? error.message : String(error);
    throw new MigrationError(`Database migration ${failed} failed: ${reason}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
