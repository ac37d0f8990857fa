import { type ExpressionBuilder, type Kysely, sql } from 'kysely';
import type { RetentionReport } from '../../utils/contracts/compliance.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { purgeOpportunityAiResults } from '../candidates/ai-results.ts';
import { erasePerson, resolvePersonLocally, scrubFiles } from '../governance/erase-person.ts';
import { purgeOpportunityProposals } from '../proposals/retention.ts';
import { isPostgres, lockForTransaction, withTransaction } from '../store/dialect.ts';
import { inChunks } from '../store/in-chunks.ts';
import type { Database } from '../store/schema.ts';
import type { RegulatedJurisdiction } from './jurisdiction.ts';
import { CLASS_RECORDS, JURISDICTION_NOTES, keepDays, legalMinimum, type RetentionClass } from './retention-law.ts';
import { configuredJurisdictions, readComplianceSettings } from './settings.ts';

/**
 * Retention by law, on top of the admin's retention period (governance/retention.ts runs it daily):
 * - what must be kept: AI outputs and decisions are kept for the longest legal minimum of the jurisdictions this
 *   install hires in (California: 4 years; EU AI Act: 6 months), even when the admin's period is shorter;
 * - what must go: a person whose Lever consent to store their data expired (dataProtection.store.expiresAt, as the
 *   talent-pool sync last saw it) loses their AI outputs and proposals at the next run, whatever the admin's period,
 *   except rows a law still requires kept; those are counted as held by law and go when the legal period ends;
 * - an erasure request is carried out at the next run by the one erasure module (governance/erase-person.ts, the same
 *   as `forget`): the person's data goes everywhere, and what a law requires kept (AI outputs and decisions) stays only
 *   as the audit chain's de-identified tombstone (no name, email or text). The request is then done.
 * The audit log is never deleted here (append-only, hash-chained; an erasure tombstones a person's payloads).
 */

const DAY = 86_400_000;
type Db = Kysely<Database>;

export type RetentionPlan = {
  jurisdictions: RegulatedJurisdiction[];
  from: 'admin' | 'environment' | 'none';
  adminDays: number;
  /** Rows older than these are deleted (ms epoch). */
  cutoffs: { aiOutputs: number; decisions: number; operational: number };
  /** Rows of people who must go are deleted when older than these (0 days of legal minimum = now). */
  mustGoCutoffs: { aiOutputs: number; decisions: number };
};

export async function retentionPlan(
  db: Db,
  adminDays: number,
  envJurisdictions: readonly RegulatedJurisdiction[],
  now: number,
): Promise<RetentionPlan> {
  const { settings } = await readComplianceSettings(db);
  const { jurisdictions, from } = configuredJurisdictions(settings, envJurisdictions);
  const cut = (cls: RetentionClass) => now - keepDays(cls, adminDays, jurisdictions) * DAY;
  const legal = (cls: RetentionClass) => now - legalMinimum(cls, jurisdictions).minDays * DAY;
  return {
    jurisdictions,
    from,
    adminDays,
    cutoffs: { aiOutputs: cut('ai-outputs'), decisions: cut('decisions'), operational: now - adminDays * DAY },
    mustGoCutoffs: { aiOutputs: legal('ai-outputs'), decisions: legal('decisions') },
  };
}

/** Opportunities whose Lever consent to store their data has expired, as the talent-pool sync last saw them. */
export async function consentExpired(db: Db, now: number): Promise<string[]> {
  // rd_opportunity belongs to the rediscovery index (not in the typed schema); `data` is its JSON text.
  const expiresAt = isPostgres(db)
    ? sql`(data::jsonb ->> 'storeExpiresAt')::double precision`
    : sql`json_extract(data, '$.storeExpiresAt')`;
  const { rows } = await sql<{ opportunity_id: string }>`
    SELECT opportunity_id FROM rd_opportunity WHERE ${expiresAt} IS NOT NULL AND ${expiresAt} < ${now}
    ORDER BY opportunity_id`.execute(db);
  return rows.map((r) => r.opportunity_id);
}

function pendingErasures(db: Db): Promise<Array<{ id: number; opportunity_id: string }>> {
  return db
    .selectFrom('compliance_erasure_requests')
    .select(['id', 'opportunity_id'])
    .where('completed_at', 'is', null)
    .orderBy('id')
    .execute();
}

/** Records an erasure request (audited, in one transaction); the next retention run carries it out. */
export function requestErasure(db: Db, opportunityId: string, by: string, now: number): Promise<number> {
  return withTransaction(db, async (trx) => {
    const { id } = await trx
      .insertInto('compliance_erasure_requests')
      .values({ opportunity_id: opportunityId, requested_at: now, requested_by: by })
      .returning('id')
      .executeTakeFirstOrThrow();
    await appendAudit(
      trx,
      {
        actor: by,
        opportunityId,
        capability: 'compliance',
        action: 'compliance.erasure.request',
        output: { requestId: Number(id) },
        decision: null,
        leverIds: [opportunityId],
      },
      now,
    );
    return Number(id);
  });
}

const count = async (q: { executeTakeFirstOrThrow(): Promise<{ n: number | string | bigint }> }) =>
  Number((await q.executeTakeFirstOrThrow()).n);

/** Rows of these opportunities a law still holds: their cached AI results and proposals (but approved ones). */
async function heldRows(db: Db, opportunityIds: readonly string[]): Promise<number> {
  return inChunks(
    opportunityIds,
    async (chunk) =>
      (await count(
        db
          .selectFrom('ai_results')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('opportunity_id', 'in', chunk),
      )) +
      (await count(
        db
          .selectFrom('proposals')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('opportunity_id', 'in', chunk)
          .where('status', '<>', 'approved'),
      )),
  );
}

/** Rows of one opportunity that must go, and those a law still holds. */
async function purgeOne(
  trx: Db,
  opportunityId: string,
  plan: RetentionPlan,
): Promise<{ deleted: number; held: number }> {
  const ai = await purgeOpportunityAiResults(trx, opportunityId, plan.mustGoCutoffs.aiOutputs);
  // Approved proposals are being written right now: left for the write to finish; everything else goes.
  const proposals = await purgeOpportunityProposals(trx, opportunityId, plan.mustGoCutoffs.decisions);
  return { deleted: ai + proposals, held: await heldRows(trx, [opportunityId]) };
}

export type MustGoResult = {
  consentExpired: number;
  erased: number;
  deleted: number;
  heldByLaw: number;
  /** Audit rows of erased people now kept only as the de-identified tombstone. */
  auditTombstones: number;
};

/**
 * Deletes what must go: the consent-expired rows no law holds (one transaction), then each pending erasure request
 * through the erasure module (its own transaction per person); audits what it did.
 */
export async function purgeMustGo(db: Db, plan: RetentionPlan, now: number): Promise<MustGoResult> {
  const out = await withTransaction(db, async (trx): Promise<MustGoResult> => {
    const out: MustGoResult = { consentExpired: 0, erased: 0, deleted: 0, heldByLaw: 0, auditTombstones: 0 };
    for (const id of await consentExpired(trx, now)) {
      const r = await purgeOne(trx, id, plan);
      out.consentExpired++;
      out.deleted += r.deleted;
      out.heldByLaw += r.held;
      if (r.deleted) {
        await appendAudit(
          trx,
          {
            actor: 'retention',
            opportunityId: id,
            capability: 'compliance',
            action: 'compliance.retention.consent-expired',
            output: { deleted: r.deleted, heldByLaw: r.held, jurisdictions: plan.jurisdictions },
            decision: null,
            leverIds: [id],
          },
          now,
        );
      }
    }
    return out;
  });
  for (const req of await pendingErasures(db)) {
    // One transaction per request: the person's erasure and the request's completion commit together.
    await withTransaction(db, async (trx) => {
      // Another instance may have carried it out meanwhile (the retention lease moved): then it is done.
      await lockForTransaction(trx, `compliance.erasure-request:${req.id}`);
      const open = await trx
        .selectFrom('compliance_erasure_requests')
        .select('id')
        .where('id', '=', req.id)
        .where('completed_at', 'is', null)
        .executeTakeFirst();
      if (!open) return;
      const target = await resolvePersonLocally(trx, { opportunityId: req.opportunity_id });
      const summary = await erasePerson(trx, target, { actor: 'retention', reason: `erasure request ${req.id}`, now });
      const deleted = Object.values(summary.removed).reduce((a, b) => a + b, 0);
      out.erased++;
      out.deleted += deleted;
      out.auditTombstones += summary.auditErased;
      // Counts only: the request row keeps the opportunity id it was made for, never a name or text.
      const result = JSON.stringify({
        deleted,
        removed: summary.removed,
        auditTombstones: summary.auditErased,
        opportunities: summary.opportunityIds.length,
        jurisdictions: plan.jurisdictions,
      });
      await trx
        .updateTable('compliance_erasure_requests')
        .set({ result, completed_at: now })
        .where('id', '=', req.id)
        .execute();
      await appendAudit(
        trx,
        {
          actor: 'retention',
          opportunityId: null,
          capability: 'compliance',
          action: 'compliance.erasure.done',
          output: { requestId: req.id, deleted, auditTombstones: summary.auditErased },
          decision: null,
          leverIds: [],
        },
        now,
      );
    });
  }
  // The WAL holds page images from before the erasure until it is checkpointed (secure_delete zeroed the rest).
  if (out.erased > 0) await scrubFiles(db, { vacuum: false });
  return out;
}

/** What is kept and why, class by class, and what must go. */
export async function retentionReport(db: Db, plan: RetentionPlan, now: number): Promise<RetentionReport> {
  const adminCut = now - plan.adminDays * DAY;
  const rules = (cls: RetentionClass) =>
    legalMinimum(cls, plan.jurisdictions).rules.map((r) => ({
      jurisdiction: r.jurisdiction,
      minDays: r.minDays,
      citation: r.citation,
    }));
  const why = (cls: RetentionClass) => {
    const legal = legalMinimum(cls, plan.jurisdictions);
    if (legal.minDays > plan.adminDays) {
      return `Kept ${keepDays(cls, plan.adminDays, plan.jurisdictions)} days: the admin's ${plan.adminDays} days raised to the legal minimum (${legal.rules.map((r) => r.jurisdiction).join(', ')}).`;
    }
    return legal.rules.length
      ? `Kept ${plan.adminDays} days (the admin's period), which meets the legal minimum of ${legal.minDays} days.`
      : `Kept ${plan.adminDays} days (the admin's period); no configured law sets a minimum.`;
  };
  // biome-ignore lint/suspicious/noExplicitAny: a count over any of the tables below.
  const n = (eb: ExpressionBuilder<any, any>) => eb.fn.countAll<number>().as('n');
  // Rows, rows older than `before`, and (with `since`) only those in [since, before).
  const aiResults = (before?: number, since?: number) =>
    count(
      db
        .selectFrom('ai_results')
        .select(n)
        .$if(before !== undefined, (q) => q.where('created_at', '<', before as number))
        .$if(since !== undefined, (q) => q.where('created_at', '>=', since as number)),
    );
  const decided = (before?: number, since?: number) =>
    count(
      db
        .selectFrom('proposals')
        .select(n)
        .where('status', 'in', ['written', 'discarded'])
        .$if(before !== undefined, (q) => q.where('updated_at', '<', before as number))
        .$if(since !== undefined, (q) => q.where('updated_at', '>=', since as number)),
    );
  const doneJobs = (before?: number) =>
    count(
      db
        .selectFrom('jobs')
        .select(n)
        .where('status', '=', 'done')
        .$if(before !== undefined, (q) => q.where('updated_at', '<', before as number)),
    );
  const events = (before?: number) =>
    count(
      db
        .selectFrom('webhook_events')
        .select(n)
        .$if(before !== undefined, (q) => q.where('received_at', '<', before as number)),
    );
  const classRow = async (
    cls: 'ai-outputs' | 'decisions',
    rows: (before?: number, since?: number) => Promise<number>,
    cutoff: number,
  ) => ({
    class: cls,
    records: CLASS_RECORDS[cls],
    keepDays: keepDays(cls, plan.adminDays, plan.jurisdictions),
    rules: rules(cls),
    why: why(cls),
    rows: await rows(),
    heldByLaw: await rows(adminCut, cutoff),
    dueForDeletion: await rows(cutoff),
  });
  const expired = await consentExpired(db, now);
  const expiredRows = await heldRows(db, expired);
  const pending = await pendingErasures(db);
  const notes = [
    ...plan.jurisdictions.map((j) => JURISDICTION_NOTES[j]).filter((x): x is string => !!x),
    'Pending and approved-in-flight proposals, and dead jobs, are kept whatever their age: they still need a person.',
  ];
  if (plan.from === 'none') {
    notes.push(
      'No jurisdiction is configured (compliance settings, or COMPLIANCE_JURISDICTIONS): only the admin period applies. Set the places you hire in so legal minimums are kept.',
    );
  }
  return {
    generatedAt: new Date(now).toISOString(),
    jurisdictions: plan.jurisdictions,
    jurisdictionsFrom: plan.from,
    adminRetentionDays: plan.adminDays,
    classes: [
      await classRow('ai-outputs', aiResults, plan.cutoffs.aiOutputs),
      await classRow('decisions', decided, plan.cutoffs.decisions),
      {
        class: 'audit-log',
        records: CLASS_RECORDS['audit-log'],
        keepDays: null,
        rules: rules('audit-log'),
        why: 'Never deleted by retention: append-only and hash-chained, so changes can be detected. A person who must be forgotten has their payloads replaced by a tombstone (npm run cli -- forget).',
        rows: await count(db.selectFrom('audit_log').select(n)),
        heldByLaw: 0,
        dueForDeletion: 0,
      },
      {
        class: 'operational',
        records: CLASS_RECORDS.operational,
        keepDays: plan.adminDays,
        rules: [],
        why: `Kept ${plan.adminDays} days (the admin's period); no law sets a minimum.`,
        rows: (await doneJobs()) + (await events()),
        heldByLaw: 0,
        dueForDeletion: (await doneJobs(plan.cutoffs.operational)) + (await events(plan.cutoffs.operational)),
      },
    ],
    mustGo: {
      consentExpired: { opportunities: expired.length, rows: expiredRows },
      erasureRequests: {
        pending: pending.length,
        done: await count(db.selectFrom('compliance_erasure_requests').select(n).where('completed_at', 'is not', null)),
      },
      // Pending erasure requests hold nothing back: the next run erases the person and tombstones their audit rows.
      heldByLaw: expiredRows,
    },
    notes,
  };
}
