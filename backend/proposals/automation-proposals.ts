import type { Kysely } from 'kysely';
import type { Provenance } from '../../utils/contracts/ai.ts';
import type { ProposalKind, ProposalPayload } from '../../utils/contracts/api.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { lockForTransaction, withTransaction } from '../store/dialect.ts';
import type { Database } from '../store/schema.ts';
import { fromRow, insertProposal, type ProposalRecord } from './repo.ts';

/**
 * The proposals of webhook automations, on either dialect: check and write in one transaction that holds the
 * opportunity's proposal lock (PostgreSQL: an advisory transaction lock, so writers in several processes take
 * turns; SQLite: the write lock), each step audited in the same transaction under the automation's actor.
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

/** One lock per opportunity: the upsert and the discard of its automation proposals take turns on it. */
const lockName = (opportunityId: string) => `fulcrum.automation-proposals:${opportunityId}`;

/**
 * Creates the proposal, or refreshes the pending one of the same opportunity and kind: one pending proposal per
 * (opportunity, kind), however often the event is delivered or the job re-run. `subject` names what the proposal is
 * about; once a proposal for that subject was decided (approved, written, failed or discarded), it is not proposed
 * again. Concurrent duplicates (in this process or another) cannot both insert.
 */
export async function upsertAutomationProposal(
  db: Kysely<Database>,
  actor: string,
  now: () => number,
  input: AutomationProposalInput,
): Promise<{ outcome: UpsertOutcome; proposal: ProposalRecord | null }> {
  const payload = JSON.stringify(input.payload);
  const provenance = input.provenance ? JSON.stringify(input.provenance) : null;
  return withTransaction(db, async (trx) => {
    await lockForTransaction(trx, lockName(input.opportunityId));
    const rows = await trx
      .selectFrom('proposals')
      .selectAll()
      .where('opportunity_id', '=', input.opportunityId)
      .where('kind', '=', input.kind)
      .orderBy('created_at', 'desc')
      .execute();
    if (rows.some((r) => r.source_capability === input.subject && r.status !== 'pending')) {
      return { outcome: 'skipped', proposal: null };
    }
    const t = now();
    const pending = rows.find((r) => r.status === 'pending');
    const audit = (action: string, id: string) =>
      appendAudit(trx, {
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
        return { outcome: 'unchanged', proposal: fromRow(pending) };
      }
      const updated = await trx
        .updateTable('proposals')
        .set({
          payload,
          reason: input.reason,
          provenance,
          source_capability: input.subject,
          updated_at: t,
          error: null,
        })
        .where('id', '=', pending.id)
        .where('status', '=', 'pending')
        .returningAll()
        .executeTakeFirstOrThrow();
      await audit('proposal.refresh', pending.id);
      return { outcome: 'refreshed', proposal: fromRow(updated) };
    }
    const created = await insertProposal(
      trx,
      {
        opportunityId: input.opportunityId,
        kind: input.kind,
        payload: input.payload,
        reason: input.reason,
        createdBy: actor,
        sourceCapability: input.subject,
        provenance: input.provenance,
      },
      t,
    );
    await audit('proposal.create', created.id);
    return { outcome: 'created', proposal: created };
  });
}

/**
 * Discards every pending proposal of an opportunity (archived, hired, deleted), each audited with the reason, in one
 * transaction. Returns the ids dropped.
 */
export async function discardPendingOf(
  db: Kysely<Database>,
  actor: string,
  now: () => number,
  opportunityId: string,
  reason: string,
): Promise<string[]> {
  return withTransaction(db, async (trx) => {
    await lockForTransaction(trx, lockName(opportunityId));
    const t = now();
    const rows = await trx
      .updateTable('proposals')
      .set({ status: 'discarded', decided_by: actor, error: `Discarded automatically: ${reason}.`, updated_at: t })
      .where('opportunity_id', '=', opportunityId)
      .where('status', '=', 'pending')
      .returning(['id', 'kind', 'created_at'])
      .execute();
    rows.sort((a, b) => a.created_at - b.created_at || a.id.localeCompare(b.id));
    for (const r of rows) {
      await appendAudit(trx, {
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
  });
}

/** Whether the opportunity has a proposal of this kind about `subject`, whatever its status. */
export async function hasProposalAbout(
  db: Kysely<Database>,
  opportunityId: string,
  kind: ProposalKind,
  subject: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('proposals')
    .select('id')
    .where('opportunity_id', '=', opportunityId)
    .where('kind', '=', kind)
    .where('source_capability', '=', subject)
    .limit(1)
    .executeTakeFirst();
  return !!row;
}
