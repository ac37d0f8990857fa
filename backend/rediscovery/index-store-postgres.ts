import { type Kysely, sql } from 'kysely';
import { withTransaction } from '../store/dialect.ts';
import type { Database } from '../store/schema.ts';
import {
  type IndexedPerson,
  type IndexItem,
  indexedPersonOf,
  personRow,
  type StoredOpportunityRow,
  type SyncedOpportunity,
  SyncedOpportunitySchema,
  skillIdsOf,
} from './index-store.ts';

/**
 * The talent-pool index on PostgreSQL: the same rd_opportunity / rd_person / rd_skill rows index-store.ts writes on
 * SQLite, built by the same code (personRow, skillIdsOf), written a batch at a time with `unnest` over array
 * parameters (one statement per table whatever the batch size). rd_person.doc_tsv is a generated column, so the
 * keyword index follows `doc` by itself.
 */

type Db = Kysely<Database>;

/**
 * Stores opportunities (and resume text when given) and rebuilds the people they belong to, in one transaction,
 * as indexOpportunities does on SQLite: an opportunity that moved to another contact rebuilds both people, a
 * person left with no opportunity is deleted. Within one batch the last item for an opportunity wins. With
 * `rebuild: false` only the opportunities are stored (the sync's listing phase), except that a person who lost an
 * opportunity to a merge is rebuilt regardless. Joins the caller's transaction.
 */
export async function indexOpportunitiesPostgres(
  db: Db,
  items: IndexItem[],
  now = Date.now(),
  opts: { rebuild?: boolean } = {},
): Promise<void> {
  const byId = new Map(items.map((it) => [it.opportunity.id, it]));
  if (byId.size === 0) return;
  const list = [...byId.values()];
  await withTransaction(db, async (tx) => {
    const ids = list.map((it) => it.opportunity.id);
    const before = await sql<{ opportunity_id: string; contact_id: string }>`
      SELECT opportunity_id, contact_id FROM rd_opportunity WHERE opportunity_id = ANY(${ids}::text[])`.execute(tx);
    const contactOf = new Map(list.map((it) => [it.opportunity.id, it.opportunity.contactId]));
    const touched = new Set(opts.rebuild === false ? [] : contactOf.values());
    for (const r of before.rows)
      if (opts.rebuild !== false || contactOf.get(r.opportunity_id) !== r.contact_id) touched.add(r.contact_id);
    await sql`
      INSERT INTO rd_opportunity (opportunity_id, contact_id, updated_at, data, resume_text, details_at, needs_details)
      SELECT * FROM unnest(${ids}::text[], ${list.map((it) => it.opportunity.contactId)}::text[],
        ${list.map((it) => it.opportunity.updatedAt)}::bigint[], ${list.map((it) => JSON.stringify(it.opportunity))}::text[],
        ${list.map((it) => it.resumeText ?? null)}::text[],
        ${list.map((it) => (it.resumeText !== undefined ? now : null))}::bigint[],
        ${list.map((it) => (it.needsDetails ? 1 : 0))}::integer[])
      ON CONFLICT (opportunity_id) DO UPDATE SET
        contact_id = excluded.contact_id,
        updated_at = excluded.updated_at,
        data = excluded.data,
        resume_text = COALESCE(excluded.resume_text, rd_opportunity.resume_text),
        details_at = COALESCE(excluded.details_at, rd_opportunity.details_at),
        needs_details = excluded.needs_details`.execute(tx);
    if (touched.size)
      await rebuildPeoplePostgres(
        tx,
        [...touched],
        now,
        new Map(list.map((it) => [it.opportunity.id, it.opportunity])),
      );
  });
}

/** Rebuilds the person rows of these contacts from their stored opportunities (call inside a transaction). */
async function rebuildPeoplePostgres(
  tx: Db,
  contacts: string[],
  now: number,
  known: ReadonlyMap<string, SyncedOpportunity>,
): Promise<void> {
  const { rows } = await sql<StoredOpportunityRow & { contact_id: string }>`
    SELECT opportunity_id AS id, contact_id, data, resume_text FROM rd_opportunity
    WHERE contact_id = ANY(${contacts}::text[]) ORDER BY opportunity_id`.execute(tx);
  const byContact = new Map<string, StoredOpportunityRow[]>();
  for (const r of rows) {
    const list = byContact.get(r.contact_id) ?? [];
    list.push(r);
    byContact.set(r.contact_id, list);
  }
  const gone = contacts.filter((c) => !byContact.has(c));
  if (gone.length) {
    await sql`DELETE FROM rd_skill WHERE rid IN (SELECT rid FROM rd_person WHERE contact_id = ANY(${gone}::text[]))`.execute(
      tx,
    );
    await sql`DELETE FROM rd_person WHERE contact_id = ANY(${gone}::text[])`.execute(tx);
  }
  if (byContact.size === 0) return;
  const people = [...byContact].map(([contact, opps]) => ({ contact, ...personRow(opps, known) }));
  const saved = await sql<{ rid: number; contact_id: string }>`
    INSERT INTO rd_person (contact_id, doc, summary, best_stage_index, last_contact_at, location, updated_at)
    SELECT c, d, s, b, l, loc, ${now}::bigint FROM unnest(${people.map((p) => p.contact)}::text[],
      ${people.map((p) => p.doc)}::text[], ${people.map((p) => p.summary)}::text[],
      ${people.map((p) => p.best)}::integer[], ${people.map((p) => p.last)}::bigint[],
      ${people.map((p) => p.location)}::text[]) AS t(c, d, s, b, l, loc)
    ON CONFLICT (contact_id) DO UPDATE SET doc = excluded.doc, summary = excluded.summary,
      best_stage_index = excluded.best_stage_index, last_contact_at = excluded.last_contact_at,
      location = excluded.location, updated_at = excluded.updated_at
    RETURNING rid, contact_id`.execute(tx);
  const ridOf = new Map(saved.rows.map((r) => [r.contact_id, r.rid]));
  const rids = [...ridOf.values()];
  await sql`DELETE FROM rd_skill WHERE rid = ANY(${rids}::bigint[])`.execute(tx);
  const skill: string[] = [];
  const skillRid: number[] = [];
  for (const p of people) {
    const rid = ridOf.get(p.contact) as number;
    for (const s of skillIdsOf(p.doc)) {
      skill.push(s);
      skillRid.push(rid);
    }
  }
  if (skill.length) {
    await sql`INSERT INTO rd_skill (skill_id, rid) SELECT * FROM unnest(${skill}::text[], ${skillRid}::bigint[])
      ON CONFLICT DO NOTHING`.execute(tx);
  }
}

export async function loadPeoplePostgres(db: Db, rids: number[]): Promise<IndexedPerson[]> {
  if (rids.length === 0) return [];
  const { rows } = await sql<{ rid: number; doc: string; summary: string }>`
    SELECT rid, doc, summary FROM rd_person WHERE rid = ANY(${rids}::bigint[])`.execute(db);
  return rows.map(indexedPersonOf);
}

export async function loadPersonByContactPostgres(db: Db, contactId: string): Promise<IndexedPerson | null> {
  const { rows } = await sql<{ rid: number; doc: string; summary: string }>`
    SELECT rid, doc, summary FROM rd_person WHERE contact_id = ${contactId}`.execute(db);
  return rows[0] ? indexedPersonOf({ ...rows[0], rid: Number(rows[0].rid) }) : null;
}

export async function indexCountsPostgres(db: Db): Promise<{ people: number; opportunities: number }> {
  const { rows } = await sql<{ people: number; opportunities: number }>`
    SELECT (SELECT count(*) FROM rd_person)::integer AS people,
      (SELECT count(*) FROM rd_opportunity)::integer AS opportunities`.execute(db);
  return { people: Number(rows[0]?.people ?? 0), opportunities: Number(rows[0]?.opportunities ?? 0) };
}

/** What the last sync recorded about these opportunities (confidential, posting), for the access policy. */
export async function opportunityHintsPostgres(
  db: Db,
  ids: string[],
): Promise<Map<string, { confidential: boolean; postingId: string | null }>> {
  if (ids.length === 0) return new Map();
  const { rows } = await sql<{ id: string; confidential: boolean | null; posting_id: string | null }>`
    SELECT opportunity_id AS id, (data::jsonb->>'confidential')::boolean AS confidential,
      data::jsonb->>'postingId' AS posting_id
    FROM rd_opportunity WHERE opportunity_id = ANY(${[...new Set(ids)]}::text[])`.execute(db);
  return new Map(rows.map((r) => [r.id, { confidential: r.confidential === true, postingId: r.posting_id }]));
}

/** Removes an opportunity (Lever deleted it); the person goes too when it was their last one. */
export async function removeOpportunityPostgres(db: Db, opportunityId: string, now = Date.now()): Promise<boolean> {
  return withTransaction(db, async (tx) => {
    const { rows } = await sql<{ contact_id: string }>`
      DELETE FROM rd_opportunity WHERE opportunity_id = ${opportunityId} RETURNING contact_id`.execute(tx);
    if (!rows[0]) return false;
    await rebuildPeoplePostgres(tx, [rows[0].contact_id], now, new Map());
    return true;
  });
}

/** What the sync needs to decide whether these opportunities changed since they were last read, with their record. */
export async function storedOpportunitiesPostgres(
  db: Db,
  ids: string[],
): Promise<Map<string, { contactId: string; updatedAt: number | null; needsDetails: boolean; data: string }>> {
  if (ids.length === 0) return new Map();
  const { rows } = await sql<{
    id: string;
    contact_id: string;
    updated_at: string | null;
    needs_details: number;
    data: string;
  }>`
    SELECT opportunity_id AS id, contact_id, updated_at, needs_details, data FROM rd_opportunity
    WHERE opportunity_id = ANY(${ids}::text[])`.execute(db);
  return new Map(
    rows.map((r) => [
      r.id,
      {
        contactId: r.contact_id,
        updatedAt: r.updated_at === null ? null : Number(r.updated_at),
        needsDetails: Number(r.needs_details) === 1,
        data: r.data,
      },
    ]),
  );
}

export async function loadOpportunityPostgres(db: Db, id: string): Promise<SyncedOpportunity | null> {
  const { rows } = await sql<{ data: string }>`SELECT data FROM rd_opportunity WHERE opportunity_id = ${id}`.execute(
    db,
  );
  return rows[0] ? SyncedOpportunitySchema.parse(JSON.parse(rows[0].data)) : null;
}
