import type { RetentionReport } from '../../utils/contracts/compliance.ts';
import { appendAuditSync } from '../audit/audit-log.ts';
import { purgeOpportunityAiResultsSync } from '../candidates/ai-results.ts';
import { erasePersonSync, resolvePersonLocallySync, scrubFiles } from '../governance/erase-person.ts';
import { purgeOpportunityProposalsSync } from '../proposals/retention.ts';
import type { Store } from '../store/db.ts';
import type { RegulatedJurisdiction } from './jurisdiction.ts';
import { CLASS_RECORDS, JURISDICTION_NOTES, keepDays, legalMinimum, type RetentionClass } from './retention-law.ts';
import { COMPLIANCE_KEY, complianceSettingsOf, configuredJurisdictions } from './settings.ts';

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
type Sqlite = Store['sqlite'];

export type RetentionPlan = {
  jurisdictions: RegulatedJurisdiction[];
  from: 'admin' | 'environment' | 'none';
  adminDays: number;
  /** Rows older than these are deleted (ms epoch). */
  cutoffs: { aiOutputs: number; decisions: number; operational: number };
  /** Rows of people who must go are deleted when older than these (0 days of legal minimum = now). */
  mustGoCutoffs: { aiOutputs: number; decisions: number };
};

export function retentionPlan(
  sqlite: Sqlite,
  adminDays: number,
  envJurisdictions: readonly RegulatedJurisdiction[],
  now: number,
): RetentionPlan {
  const setting = sqlite.prepare('SELECT value FROM settings WHERE key = ?').get(COMPLIANCE_KEY) as
    | { value: string }
    | undefined;
  const { jurisdictions, from } = configuredJurisdictions(complianceSettingsOf(setting?.value), envJurisdictions);
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
export function consentExpired(sqlite: Sqlite, now: number): string[] {
  const rows = sqlite
    .prepare(
      "SELECT opportunity_id FROM rd_opportunity WHERE json_extract(data, '$.storeExpiresAt') IS NOT NULL AND json_extract(data, '$.storeExpiresAt') < ?",
    )
    .all(now) as Array<{ opportunity_id: string }>;
  return rows.map((r) => r.opportunity_id);
}

function pendingErasures(sqlite: Sqlite): Array<{ id: number; opportunity_id: string }> {
  return sqlite
    .prepare('SELECT id, opportunity_id FROM compliance_erasure_requests WHERE completed_at IS NULL')
    .all() as Array<{ id: number; opportunity_id: string }>;
}

export function requestErasure(sqlite: Sqlite, opportunityId: string, by: string, now: number): number {
  return sqlite
    .transaction(() => {
      const id = Number(
        sqlite
          .prepare(
            'INSERT INTO compliance_erasure_requests (opportunity_id, requested_at, requested_by) VALUES (?, ?, ?)',
          )
          .run(opportunityId, now, by).lastInsertRowid,
      );
      appendAuditSync(
        sqlite,
        {
          actor: by,
          opportunityId,
          capability: 'compliance',
          action: 'compliance.erasure.request',
          output: { requestId: id },
          decision: null,
          leverIds: [opportunityId],
        },
        now,
      );
      return id;
    })
    .immediate();
}

/** Rows of one opportunity that must go, and those a law still holds. */
function purgeOne(sqlite: Sqlite, opportunityId: string, plan: RetentionPlan): { deleted: number; held: number } {
  const ai = purgeOpportunityAiResultsSync(sqlite, opportunityId, plan.mustGoCutoffs.aiOutputs);
  // Approved proposals are being written right now: left for the write to finish; everything else goes.
  const proposals = purgeOpportunityProposalsSync(sqlite, opportunityId, plan.mustGoCutoffs.decisions);
  const held =
    (
      sqlite.prepare('SELECT count(*) AS n FROM ai_results WHERE opportunity_id = ?').get(opportunityId) as {
        n: number;
      }
    ).n +
    (
      sqlite
        .prepare("SELECT count(*) AS n FROM proposals WHERE opportunity_id = ? AND status <> 'approved'")
        .get(opportunityId) as { n: number }
    ).n;
  return { deleted: ai + proposals, held };
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
export function purgeMustGo(sqlite: Sqlite, plan: RetentionPlan, now: number): MustGoResult {
  const out = sqlite
    .transaction((): MustGoResult => {
      const out: MustGoResult = { consentExpired: 0, erased: 0, deleted: 0, heldByLaw: 0, auditTombstones: 0 };
      for (const id of consentExpired(sqlite, now)) {
        const r = purgeOne(sqlite, id, plan);
        out.consentExpired++;
        out.deleted += r.deleted;
        out.heldByLaw += r.held;
        if (r.deleted) {
          appendAuditSync(
            sqlite,
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
    })
    .immediate();
  for (const req of pendingErasures(sqlite)) {
    const target = resolvePersonLocallySync(sqlite, { opportunityId: req.opportunity_id });
    const summary = erasePersonSync(sqlite, target, { actor: 'retention', reason: `erasure request ${req.id}`, now });
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
    sqlite
      .transaction(() => {
        sqlite
          .prepare('UPDATE compliance_erasure_requests SET result = ?, completed_at = ? WHERE id = ?')
          .run(result, now, req.id);
        appendAuditSync(
          sqlite,
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
      })
      .immediate();
  }
  // The WAL holds page images from before the erasure until it is checkpointed (secure_delete zeroed the rest).
  if (out.erased > 0) scrubFiles(sqlite, { vacuum: false });
  return out;
}

const n = (sqlite: Sqlite, sql: string, ...args: unknown[]) => (sqlite.prepare(sql).get(...args) as { n: number }).n;

/** What is kept and why, class by class, and what must go. */
export function retentionReport(sqlite: Sqlite, plan: RetentionPlan, now: number): RetentionReport {
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
  const classRow = (cls: 'ai-outputs' | 'decisions', table: string, col: string, filter: string, cutoff: number) => ({
    class: cls,
    records: CLASS_RECORDS[cls],
    keepDays: keepDays(cls, plan.adminDays, plan.jurisdictions),
    rules: rules(cls),
    why: why(cls),
    rows: n(sqlite, `SELECT count(*) AS n FROM ${table} WHERE ${filter}`),
    heldByLaw: n(
      sqlite,
      `SELECT count(*) AS n FROM ${table} WHERE ${filter} AND ${col} < ? AND ${col} >= ?`,
      adminCut,
      cutoff,
    ),
    dueForDeletion: n(sqlite, `SELECT count(*) AS n FROM ${table} WHERE ${filter} AND ${col} < ?`, cutoff),
  });
  const expired = consentExpired(sqlite, now);
  const rowsOf = (ids: string[]) =>
    ids.reduce(
      (sum, id) =>
        sum +
        n(sqlite, 'SELECT count(*) AS n FROM ai_results WHERE opportunity_id = ?', id) +
        n(sqlite, "SELECT count(*) AS n FROM proposals WHERE opportunity_id = ? AND status <> 'approved'", id),
      0,
    );
  const pending = pendingErasures(sqlite);
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
      classRow('ai-outputs', 'ai_results', 'created_at', '1 = 1', plan.cutoffs.aiOutputs),
      classRow('decisions', 'proposals', 'updated_at', "status IN ('written', 'discarded')", plan.cutoffs.decisions),
      {
        class: 'audit-log',
        records: CLASS_RECORDS['audit-log'],
        keepDays: null,
        rules: rules('audit-log'),
        why: 'Never deleted by retention: append-only and hash-chained, so changes can be detected. A person who must be forgotten has their payloads replaced by a tombstone (npm run cli -- forget).',
        rows: n(sqlite, 'SELECT count(*) AS n FROM audit_log'),
        heldByLaw: 0,
        dueForDeletion: 0,
      },
      {
        class: 'operational',
        records: CLASS_RECORDS.operational,
        keepDays: plan.adminDays,
        rules: [],
        why: `Kept ${plan.adminDays} days (the admin's period); no law sets a minimum.`,
        rows:
          n(sqlite, "SELECT count(*) AS n FROM jobs WHERE status = 'done'") +
          n(sqlite, 'SELECT count(*) AS n FROM webhook_events'),
        heldByLaw: 0,
        dueForDeletion:
          n(
            sqlite,
            "SELECT count(*) AS n FROM jobs WHERE status = 'done' AND updated_at < ?",
            plan.cutoffs.operational,
          ) + n(sqlite, 'SELECT count(*) AS n FROM webhook_events WHERE received_at < ?', plan.cutoffs.operational),
      },
    ],
    mustGo: {
      consentExpired: { opportunities: expired.length, rows: rowsOf(expired) },
      erasureRequests: {
        pending: pending.length,
        done: n(sqlite, 'SELECT count(*) AS n FROM compliance_erasure_requests WHERE completed_at IS NOT NULL'),
      },
      // Pending erasure requests hold nothing back: the next run erases the person and tombstones their audit rows.
      heldByLaw: rowsOf(expired),
    },
    notes,
  };
}
