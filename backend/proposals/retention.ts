import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';

/**
 * Deleting proposals (retention, consent expiry, erasure), always with the write-ledger rows that reference them.
 * Each runs inside the caller's transaction: the caller deletes other tables in the same one.
 */

/** Decided proposals (written or discarded) last changed before `before`; returns how many went. */
export async function deleteDecidedProposals(trx: Kysely<Database>, before: number): Promise<number> {
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
export function purgeOpportunityProposalsSync(
  sqlite: BetterSqlite3.Database,
  opportunityId: string,
  before: number,
): number {
  const doomed = `SELECT id FROM proposals WHERE opportunity_id = ? AND status <> 'approved' AND updated_at < ?`;
  sqlite.prepare(`DELETE FROM write_ledger WHERE proposal_id IN (${doomed})`).run(opportunityId, before);
  return sqlite.prepare(`DELETE FROM proposals WHERE id IN (${doomed})`).run(opportunityId, before).changes;
}

const IN_LIST = 'IN (SELECT value FROM json_each(?))';

/** The ids of every proposal on these opportunities. */
export function proposalIdsOfSync(sqlite: BetterSqlite3.Database, opportunityIds: readonly string[]): string[] {
  return (
    sqlite
      .prepare(`SELECT id FROM proposals WHERE opportunity_id ${IN_LIST}`)
      .all(JSON.stringify(opportunityIds)) as Array<{ id: string }>
  ).map((r) => r.id);
}

/** Write-ledger rows of these opportunities or of these proposals (erasure); returns how many went. */
export function eraseWriteLedgerSync(
  sqlite: BetterSqlite3.Database,
  opportunityIds: readonly string[],
  proposalIds: readonly string[],
): number {
  return sqlite
    .prepare(`DELETE FROM write_ledger WHERE opportunity_id ${IN_LIST} OR proposal_id ${IN_LIST}`)
    .run(JSON.stringify(opportunityIds), JSON.stringify(proposalIds)).changes;
}

/** Every proposal on these opportunities (erasure; their ledger rows and follow-ups go first); returns how many. */
export function eraseProposalsSync(sqlite: BetterSqlite3.Database, opportunityIds: readonly string[]): number {
  return sqlite.prepare(`DELETE FROM proposals WHERE opportunity_id ${IN_LIST}`).run(JSON.stringify(opportunityIds))
    .changes;
}
