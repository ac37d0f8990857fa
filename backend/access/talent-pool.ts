import { type Kysely, sql } from 'kysely';
import type { RediscoverResponse } from '../../utils/contracts/rediscovery.ts';
import { type IndexedPerson, indexedPersonOf } from '../rediscovery/index-store.ts';
import { isPostgres } from '../store/dialect.ts';
import type { Database } from '../store/schema.ts';
import type { LeverAccess } from './lever-access.ts';
import type { Viewer } from './policy.ts';

/**
 * The access policy over the talent pool (rediscovery). A person is shown only when the caller may see every one of
 * their opportunities: their score, past stages and archive reasons are built from all of them, so a person with a
 * confidential application the caller is not on is left out entirely, not shown with that application cut out.
 */

type Hint = { confidential: boolean; postingId: string | null };

/** Ids per statement: far below SQLite's and PostgreSQL's parameter limits. */
const CHUNK = 500;

/**
 * What the last sync recorded about these opportunities (one query per 500 ids): lets the policy skip a Lever read
 * for a plain team member.
 */
export async function syncedOpportunityHints(
  db: Kysely<Database>,
  ids: readonly string[],
): Promise<(id: string) => Hint | null> {
  const unique = [...new Set(ids)];
  const hints = new Map<string, Hint>();
  const fields = isPostgres(db)
    ? sql`(data::jsonb ->> 'confidential') = 'true' AS confidential, data::jsonb ->> 'postingId' AS posting_id`
    : sql`json_extract(data, '$.confidential') = 1 AS confidential, json_extract(data, '$.postingId') AS posting_id`;
  for (let i = 0; i < unique.length; i += CHUNK) {
    const chunk = unique.slice(i, i + CHUNK);
    const { rows } = await sql<{
      opportunity_id: string;
      confidential: boolean | number | null;
      posting_id: string | null;
    }>`SELECT opportunity_id, ${fields} FROM rd_opportunity WHERE opportunity_id IN (${sql.join(chunk)})`.execute(db);
    for (const r of rows) {
      hints.set(r.opportunity_id, {
        confidential: r.confidential === true || r.confidential === 1,
        postingId: r.posting_id,
      });
    }
  }
  return (id) => hints.get(id) ?? null;
}

/** The indexed people of these contacts (one query per 500), by contact id; contacts not in the pool are absent. */
async function peopleByContact(
  db: Kysely<Database>,
  contactIds: readonly string[],
): Promise<Map<string, IndexedPerson>> {
  const out = new Map<string, IndexedPerson>();
  for (let i = 0; i < contactIds.length; i += CHUNK) {
    const chunk = contactIds.slice(i, i + CHUNK);
    const { rows } = await sql<{ contact_id: string; rid: number; doc: string; summary: string }>`
      SELECT contact_id, rid, doc, summary FROM rd_person WHERE contact_id IN (${sql.join(chunk)})`.execute(db);
    for (const r of rows)
      out.set(r.contact_id, indexedPersonOf({ rid: Number(r.rid), doc: r.doc, summary: r.summary }));
  }
  return out;
}

/** The results the caller may see, re-ranked 1..n and cut to `limit`. */
export async function visibleResults(
  access: LeverAccess,
  viewer: Viewer,
  db: Kysely<Database>,
  res: RediscoverResponse,
  limit: number,
): Promise<RediscoverResponse> {
  const ids = res.results.flatMap((r) => [...r.opportunityIds, r.latestOpportunityId]);
  const visible = await access.visibleOpportunities(viewer, ids, await syncedOpportunityHints(db, ids));
  const results = res.results
    .filter((r) => visible.has(r.latestOpportunityId) && r.opportunityIds.every((id) => visible.has(id)))
    .slice(0, limit)
    .map((r, i) => ({ ...r, rank: i + 1 }));
  return { ...res, results };
}

/**
 * Splits the contacts a recruiter picked into those they may draft for (every opportunity visible, and a role that
 * may write) and those they may not. Contacts missing from the pool stay in `allowed`: the act step reports them
 * as missing, with the same words the hidden ones get.
 */
export async function contactsInScope(
  access: Pick<LeverAccess, 'visibleOpportunities'>,
  viewer: Viewer,
  db: Kysely<Database>,
  contactIds: readonly string[],
): Promise<{ allowed: string[]; hidden: string[] }> {
  const unique = [...new Set(contactIds)];
  const byContact = await peopleByContact(db, unique);
  const people = unique.map((id) => ({ id, person: byContact.get(id) ?? null }));
  const ids = people.flatMap((p) => p.person?.summary.opportunities.map((o) => o.id) ?? []);
  const visible = await access.visibleOpportunities(viewer, ids, await syncedOpportunityHints(db, ids));
  const allowed: string[] = [];
  const hidden: string[] = [];
  for (const { id, person } of people) {
    const s = person?.summary;
    const ok =
      !s ||
      (viewer.leverRole !== null &&
        viewer.leverRole !== 'interviewer' &&
        visible.has(s.latestOpportunityId) &&
        s.opportunities.every((o) => visible.has(o.id)));
    (ok ? allowed : hidden).push(id);
  }
  return { allowed, hidden };
}
