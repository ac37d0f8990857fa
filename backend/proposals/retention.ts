import type { Kysely } from 'kysely';
import { inChunks } from '../store/in-chunks.ts';
import type { Database } from '../store/schema.ts';

/**
 * Deleting proposals (retention, consent expiry, erasure), always with the write-ledger rows that reference them.
 * Each runs inside the caller's transaction: the caller deletes other tables in the same one.
 */

type Db = Kysely<Database>;

/** Decided proposals (written or discarded) last changed before `before`; returns how many went. */
export async function deleteDecidedProposals(trx: Db, before: number): Promise<number> {
  const old = trx
    .selectFrom('proposals')
    .select('id')
    .where('status', 'in', ['written', 'discarded'])
    .where('updated_at', '<', before);
  // The write ledger references proposals; its rows only dedupe retries of a proposal that is now final.
  await trx.deleteFrom('write_ledger').where('proposal_id', 'in', old).execute();
  const res = await trx
    .deleteFrom('proposals')
    .where('status', 'in', ['written', 'discarded'])
    .where('updated_at', '<', before)
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}

/**
 * An opportunity's proposals last changed before `before`, except approved ones (being written right now: left for
 * the write to finish); returns how many went.
 */
export async function purgeOpportunityProposals(trx: Db, opportunityId: string, before: number): Promise<number> {
  const doomed = trx
    .selectFrom('proposals')
    .select('id')
    .where('opportunity_id', '=', opportunityId)
    .where('status', '<>', 'approved')
    .where('updated_at', '<', before);
  await trx.deleteFrom('write_ledger').where('proposal_id', 'in', doomed).execute();
  const res = await trx
    .deleteFrom('proposals')
    .where('opportunity_id', '=', opportunityId)
    .where('status', '<>', 'approved')
    .where('updated_at', '<', before)
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}

/** The ids of every proposal on these opportunities. */
export async function proposalIdsOf(db: Db, opportunityIds: readonly string[]): Promise<string[]> {
  const ids: string[] = [];
  await inChunks(opportunityIds, async (chunk) => {
    const rows = await db.selectFrom('proposals').select('id').where('opportunity_id', 'in', chunk).execute();
    for (const r of rows) ids.push(r.id);
  });
  return ids;
}

/** Write-ledger rows of these opportunities or of these proposals (erasure); returns how many went. */
export async function eraseWriteLedger(
  trx: Db,
  opportunityIds: readonly string[],
  proposalIds: readonly string[],
): Promise<number> {
  const byOpportunity = await inChunks(
    opportunityIds,
    async (chunk) =>
      (await trx.deleteFrom('write_ledger').where('opportunity_id', 'in', chunk).executeTakeFirst()).numDeletedRows,
  );
  const byProposal = await inChunks(
    proposalIds,
    async (chunk) =>
      (await trx.deleteFrom('write_ledger').where('proposal_id', 'in', chunk).executeTakeFirst()).numDeletedRows,
  );
  return byOpportunity + byProposal;
}

/** Every proposal on these opportunities (erasure; their ledger rows and follow-ups go first); returns how many. */
export async function eraseProposals(trx: Db, opportunityIds: readonly string[]): Promise<number> {
  return inChunks(
    opportunityIds,
    async (chunk) =>
      (await trx.deleteFrom('proposals').where('opportunity_id', 'in', chunk).executeTakeFirst()).numDeletedRows,
  );
}
