import { randomUUID } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import type { Provenance } from '../../utils/contracts/ai.ts';
import type { ProposalKind, ProposalPayload } from '../../utils/contracts/api.ts';
import { appendAuditSync } from '../audit/audit-log.ts';
import type { ProposalRow } from '../store/schema.ts';
import { fromRow, type ProposalRecord } from './repo.ts';

/**
 * The proposals of webhook automations: written in synchronous IMMEDIATE transactions (check and write together),
 * each step audited in the same transaction under the automation's actor.
 */

export type UpsertOutcome = 'created' | 'refreshed' | 'unchanged' | 'skipped';

export type AutomationProposalInput = {
  opportunityId: string;
  kind: ProposalKind;
  subject: string;
  payload: ProposalPayload;
  reason: string;
  provenance: Provenance | null;
};

/**
 * Creates the proposal, or refreshes the pending one of the same opportunity and kind: one pending proposal per
 * (opportunity, kind), however often the event is delivered or the job re-run. `subject` names what the proposal is
 * about; once a proposal for that subject was decided (approved, written, failed or discarded), it is not proposed
 * again. Concurrent duplicates cannot both insert.
 */
export function upsertAutomationProposal(
  sqlite: BetterSqlite3.Database,
  actor: string,
  now: () => number,
  input: AutomationProposalInput,
): { outcome: UpsertOutcome; proposal: ProposalRecord | null } {
  const payload = JSON.stringify(input.payload);
  const provenance = input.provenance ? JSON.stringify(input.provenance) : null;
  const run = sqlite.transaction((): { outcome: UpsertOutcome; id: string | null } => {
    const rows = sqlite
      .prepare('SELECT * FROM proposals WHERE opportunity_id = ? AND kind = ? ORDER BY created_at DESC')
      .all(input.opportunityId, input.kind) as ProposalRow[];
    if (rows.some((r) => r.source_capability === input.subject && r.status !== 'pending')) {
      return { outcome: 'skipped', id: null };
    }
    const t = now();
    const pending = rows.find((r) => r.status === 'pending');
    const audit = (action: string, id: string) =>
      appendAuditSync(sqlite, {
        actor,
        opportunityId: input.opportunityId,
        capability: input.subject,
        action,
        provider: input.provenance?.provider ?? null,
        model: input.provenance?.model ?? null,
        modelVersion: input.provenance?.version ?? null,
        promptVersion: input.provenance?.promptVersion ?? null,
        inputHash: input.provenance?.inputHash ?? null,
        output: { proposalId: id, kind: input.kind, payload: input.payload },
        decision: 'pending',
        leverIds: [input.opportunityId],
      });
    if (pending) {
      if (pending.payload === payload && pending.source_capability === input.subject) {
        return { outcome: 'unchanged', id: pending.id };
      }
      sqlite
        .prepare(
          `UPDATE proposals SET payload = ?, reason = ?, provenance = ?, source_capability = ?, updated_at = ?, error = NULL
           WHERE id = ? AND status = 'pending'`,
        )
        .run(payload, input.reason, provenance, input.subject, t, pending.id);
      audit('proposal.refresh', pending.id);
      return { outcome: 'refreshed', id: pending.id };
    }
    const id = randomUUID();
    sqlite
      .prepare(
        `INSERT INTO proposals (id, opportunity_id, kind, status, payload, reason, created_by, created_at, updated_at,
           decided_by, result, error, source_capability, provenance)
         VALUES (?, ?, ?, 'pending', ?, ?, ?, ?, ?, NULL, NULL, NULL, ?, ?)`,
      )
      .run(id, input.opportunityId, input.kind, payload, input.reason, actor, t, t, input.subject, provenance);
    audit('proposal.create', id);
    return { outcome: 'created', id };
  });
  const { outcome, id } = run.immediate();
  if (!id) return { outcome, proposal: null };
  const row = sqlite.prepare('SELECT * FROM proposals WHERE id = ?').get(id) as ProposalRow | undefined;
  return { outcome, proposal: row ? fromRow(row) : null };
}

/**
 * Discards every pending proposal of an opportunity (archived, hired, deleted), each audited with the reason.
 * Returns the ids dropped.
 */
export function discardPendingOf(
  sqlite: BetterSqlite3.Database,
  actor: string,
  now: () => number,
  opportunityId: string,
  reason: string,
): string[] {
  return sqlite
    .transaction(() => {
      const rows = sqlite
        .prepare("SELECT id, kind FROM proposals WHERE opportunity_id = ? AND status = 'pending'")
        .all(opportunityId) as Array<{ id: string; kind: string }>;
      const t = now();
      for (const r of rows) {
        sqlite
          .prepare(
            "UPDATE proposals SET status = 'discarded', decided_by = ?, error = ?, updated_at = ? WHERE id = ? AND status = 'pending'",
          )
          .run(actor, `Discarded automatically: ${reason}.`, t, r.id);
        appendAuditSync(sqlite, {
          actor,
          opportunityId,
          capability: 'automation',
          action: 'proposal.discard',
          output: { proposalId: r.id, kind: r.kind, reason },
          decision: 'discarded',
          leverIds: [opportunityId],
        });
      }
      return rows.map((r) => r.id);
    })
    .immediate();
}

/** Whether the opportunity has a proposal of this kind about `subject`, whatever its status. */
export function hasProposalAbout(
  sqlite: BetterSqlite3.Database,
  opportunityId: string,
  kind: ProposalKind,
  subject: string,
): boolean {
  return !!sqlite
    .prepare('SELECT 1 FROM proposals WHERE opportunity_id = ? AND kind = ? AND source_capability = ? LIMIT 1')
    .get(opportunityId, kind, subject);
}
