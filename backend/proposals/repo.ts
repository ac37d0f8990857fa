import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { z } from 'zod';
import { type Provenance, ProvenanceSchema } from '../../utils/contracts/ai.ts';
import {
  type Proposal,
  type ProposalKind,
  ProposalKindSchema,
  type ProposalPayload,
  ProposalPayloadSchema,
  ProposalStatusSchema,
} from '../../utils/contracts/api.ts';
import type { Store } from '../store/db.ts';
import type { Database, ProposalRow } from '../store/schema.ts';
import { formatNote, modelLabelOrNull } from './note-format.ts';

/**
 * Proposals in the store. Stored JSON (payload, result, provenance) is parsed with zod on every read. Status changes
 * that decide who writes to Lever are compare-and-set updates, so two requests can never both win.
 */

export type ProposalStatus = z.infer<typeof ProposalStatusSchema>;

/** What the store keeps in `result`: the wire fields plus the exact note text written, for the preview. */
const StoredResultSchema = z.object({
  noteId: z.string().optional(),
  leverUrl: z.string().optional(),
  written: z.array(z.string()),
  noteText: z.string().optional(),
});
export type StoredResult = z.infer<typeof StoredResultSchema>;

export type ProposalRecord = {
  id: string;
  opportunityId: string;
  kind: ProposalKind;
  status: ProposalStatus;
  payload: ProposalPayload;
  reason: string;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
  decidedBy: string | null;
  result: StoredResult | null;
  error: string | null;
  sourceCapability: string | null;
  provenance: Provenance | null;
};

function parseJson<T extends z.ZodType>(schema: T, text: string | null): z.infer<T> | null {
  if (text === null) return null;
  const parsed = schema.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : null;
}

export function fromRow(row: ProposalRow): ProposalRecord {
  const payload = ProposalPayloadSchema.parse(JSON.parse(row.payload));
  return {
    id: row.id,
    opportunityId: row.opportunity_id,
    kind: ProposalKindSchema.parse(row.kind),
    status: ProposalStatusSchema.parse(row.status),
    payload,
    reason: row.reason,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    decidedBy: row.decided_by,
    result: parseJson(StoredResultSchema, row.result),
    error: row.error,
    sourceCapability: row.source_capability,
    provenance: parseJson(ProvenanceSchema, row.provenance),
  };
}

/** The proposal as the extension sees it; `approverName` fills the label of a note not yet written. */
export function toWire(p: ProposalRecord, approverName: string): Proposal {
  const noteText =
    p.result?.noteText ??
    (p.payload.note
      ? formatNote(p.payload.note.text, {
          kind: p.kind,
          approvedBy: approverName,
          model: modelLabelOrNull(p.provenance),
          proposalId: p.id,
        })
      : null);
  return {
    id: p.id,
    opportunityId: p.opportunityId,
    kind: p.kind,
    status: p.status,
    payload: p.payload,
    reason: p.reason,
    createdBy: p.createdBy,
    createdAt: new Date(p.createdAt).toISOString(),
    updatedAt: new Date(p.updatedAt).toISOString(),
    decidedBy: p.decidedBy,
    result: p.result ? { noteId: p.result.noteId, leverUrl: p.result.leverUrl, written: p.result.written } : null,
    error: p.error,
    preview: { noteText },
  };
}

export type ProposalListFilter = {
  opportunityId?: string;
  status?: ProposalStatus;
  scope?: { email: string; leverUserId: string | null };
};

export type NewProposalInput = {
  opportunityId: string;
  kind: ProposalKind;
  payload: ProposalPayload;
  reason: string;
  createdBy: string;
  sourceCapability?: string | null;
  provenance?: Provenance | null;
};

/**
 * Inserts a pending proposal and returns it; `db` may be a transaction (the automations' upsert inserts under its
 * lock, with the audit entry in the same transaction).
 */
export async function insertProposal(
  db: Kysely<Database>,
  input: NewProposalInput,
  now: number,
): Promise<ProposalRecord> {
  const row = await db
    .insertInto('proposals')
    .values({
      id: randomUUID(),
      opportunity_id: input.opportunityId,
      kind: input.kind,
      status: 'pending',
      payload: JSON.stringify(input.payload),
      reason: input.reason,
      created_by: input.createdBy,
      created_at: now,
      updated_at: now,
      decided_by: null,
      result: null,
      error: null,
      source_capability: input.sourceCapability ?? null,
      provenance: input.provenance ? JSON.stringify(input.provenance) : null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return fromRow(row);
}

export class ProposalRepo {
  constructor(
    private readonly store: Store,
    private readonly now: () => number,
  ) {}

  async get(id: string): Promise<ProposalRecord | null> {
    const row = await this.store.db.selectFrom('proposals').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? fromRow(row) : null;
  }

  /**
   * Newest first, at most 200. `scope` narrows to what one recruiter could be shown: proposals they created, posting
   * rewrites, and proposals on opportunities whose recorded watchers (automation_watchers, which the caller must have
   * created) include their Lever user. The access policy still decides on each row.
   */
  async list(f: ProposalListFilter): Promise<ProposalRecord[]> {
    let q = this.store.db.selectFrom('proposals').selectAll();
    if (f.opportunityId) q = q.where('opportunity_id', '=', f.opportunityId);
    if (f.status) q = q.where('status', '=', f.status);
    const scope = f.scope;
    if (scope) {
      q = q.where((eb) =>
        eb.or([
          eb('created_by', '=', scope.email),
          eb('kind', '=', 'posting-rewrite'),
          sql<boolean>`opportunity_id IN (SELECT w.opportunity_id FROM automation_watchers w, json_each(w.user_ids) j
            WHERE j.value = ${scope.leverUserId ?? '\u0000'})`,
        ]),
      );
    }
    const rows = await q.orderBy('created_at', 'desc').limit(200).execute();
    return rows.map(fromRow);
  }

  async create(input: NewProposalInput): Promise<ProposalRecord> {
    return insertProposal(this.store.db, input, this.now());
  }

  /** Replaces the payload of a proposal still open for edits: the edited row, or null when its status no longer allows it. */
  async editPayload(
    id: string,
    payload: ProposalPayload,
    extra: { reason?: string; provenance?: Provenance | null } = {},
  ): Promise<ProposalRecord | null> {
    const row = await this.store.db
      .updateTable('proposals')
      .set({
        payload: JSON.stringify(payload),
        updated_at: this.now(),
        error: null,
        ...(extra.reason !== undefined ? { reason: extra.reason } : {}),
        ...(extra.provenance !== undefined
          ? { provenance: extra.provenance ? JSON.stringify(extra.provenance) : null }
          : {}),
      })
      .where('id', '=', id)
      .where('status', 'in', ['pending', 'failed'])
      .returningAll()
      .executeTakeFirst();
    return row ? fromRow(row) : null;
  }

  /**
   * Compare-and-set on status: moves `id` to `to` only if its status is one of `from` (and, for a stale
   * 'approved' claim left by a crashed process, only if older than `staleBefore`). The row as this caller left it
   * when it won; null when it lost (or there is no such proposal).
   */
  async transition(
    id: string,
    from: ProposalStatus[],
    to: ProposalStatus,
    set: { decidedBy?: string; error?: string | null; result?: StoredResult | null } = {},
    staleApprovedBefore?: number,
  ): Promise<ProposalRecord | null> {
    const row = await this.store.db
      .updateTable('proposals')
      .set({
        status: to,
        updated_at: this.now(),
        ...(set.decidedBy !== undefined ? { decided_by: set.decidedBy } : {}),
        ...(set.error !== undefined ? { error: set.error } : {}),
        ...(set.result !== undefined ? { result: set.result ? JSON.stringify(set.result) : null } : {}),
      })
      .where('id', '=', id)
      .where((eb) => {
        const ors = [eb('status', 'in', from)];
        if (staleApprovedBefore !== undefined) {
          ors.push(eb.and([eb('status', '=', 'approved'), eb('updated_at', '<', staleApprovedBefore)]));
        }
        return eb.or(ors);
      })
      .returningAll()
      .executeTakeFirst();
    return row ? fromRow(row) : null;
  }

  async findOpen(opportunityId: string, kind: ProposalKind): Promise<ProposalRecord | null> {
    const row = await this.store.db
      .selectFrom('proposals')
      .selectAll()
      .where('opportunity_id', '=', opportunityId)
      .where('kind', '=', kind)
      .where('status', 'in', ['pending', 'failed'])
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    return row ? fromRow(row) : null;
  }
}
