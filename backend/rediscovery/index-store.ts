import type BetterSqlite3 from 'better-sqlite3';
import { z } from 'zod';
import { skillIdsInWords } from '../ai/local/skills.ts';

/**
 * The talent-pool index, per person (Lever contact) rather than per opportunity: someone who applied three times
 * is one row with their best stage reached, all archive reasons, interview scores, last contact and opportunity
 * ids. Two indexes sit on the person's text: FTS5 (bm25) for keywords and rd_skill (the local engine's skill ids)
 * for skill overlap. Stored JSON is parsed with zod on every read.
 */

export const FeedbackStatsSchema = z.object({
  count: z.number().int(),
  /** Mean of the overall ratings on Lever's 1–4 scale (strong no … strong yes). */
  average: z.number().nullable(),
  positive: z.number().int(),
  negative: z.number().int(),
});
export type FeedbackStats = z.infer<typeof FeedbackStatsSchema>;

export const SyncedOpportunitySchema = z.object({
  id: z.string(),
  contactId: z.string(),
  name: z.string(),
  headline: z.string().nullable(),
  location: z.string().nullable(),
  emails: z.array(z.string()),
  /** Known contact details, kept only so redaction can find them before any text leaves for an embeddings API. */
  phones: z.array(z.string()).optional(),
  links: z.array(z.string()).optional(),
  postingId: z.string().nullable(),
  postingTitle: z.string().nullable(),
  stageId: z.string().nullable(),
  stageText: z.string().nullable(),
  /** Highest pipeline index this opportunity reached (stage changes included), -1 when unknown. */
  bestStageIndex: z.number().int(),
  bestStageText: z.string().nullable(),
  archived: z
    .object({
      reasonId: z.string().nullable(),
      reasonText: z.string().nullable(),
      reasonType: z.string().nullable(),
      archivedAt: z.number().nullable(),
    })
    .nullable(),
  tags: z.array(z.string()),
  createdAt: z.number().nullable(),
  updatedAt: z.number().nullable(),
  lastInteractionAt: z.number().nullable(),
  /** Lever's dataProtection: contact.allowed and store.expiresAt (null when Lever sends none). */
  contactAllowed: z.boolean().nullable(),
  storeExpiresAt: z.number().nullable(),
  confidential: z.boolean(),
  feedback: FeedbackStatsSchema.nullable(),
  notes: z.array(z.string()),
});
export type SyncedOpportunity = z.infer<typeof SyncedOpportunitySchema>;

/** A person (contact) in the talent pool: their contact details and every application they made. */
export const PersonSummarySchema = SyncedOpportunitySchema.pick({
  contactId: true,
  name: true,
  headline: true,
  location: true,
  emails: true,
  phones: true,
  links: true,
}).extend({
  opportunities: z.array(
    z.object({
      id: z.string(),
      postingId: z.string().nullable(),
      postingTitle: z.string().nullable(),
      stageText: z.string().nullable(),
      bestStageIndex: z.number().int(),
      bestStageText: z.string().nullable(),
      archiveReason: z.string().nullable(),
      archiveReasonType: z.string().nullable(),
      active: z.boolean(),
      createdAt: z.number().nullable(),
    }),
  ),
  latestOpportunityId: z.string(),
  bestStageIndex: z.number().int(),
  bestStageText: z.string().nullable(),
  feedback: FeedbackStatsSchema,
  lastContactAt: z.number().nullable(),
  hired: z.boolean(),
  tags: z.array(z.string()),
  contactAllowed: z.boolean().nullable(),
  storeExpiresAt: z.number().nullable(),
});
export type PersonSummary = z.infer<typeof PersonSummarySchema>;

export type IndexItem = { opportunity: SyncedOpportunity; resumeText?: string | null; needsDetails?: boolean };

export type IndexedPerson = { rid: number; summary: PersonSummary; doc: string };

/** Prepared statements per connection, so bulk indexing does not re-parse SQL. */
function statements(sqlite: BetterSqlite3.Database) {
  return {
    upsertOpp: sqlite.prepare(
      `INSERT INTO rd_opportunity (opportunity_id, contact_id, updated_at, data, resume_text, details_at, needs_details)
       VALUES (@id, @contact, @updated, @data, @resume, @detailsAt, @needs)
       ON CONFLICT(opportunity_id) DO UPDATE SET
         contact_id = excluded.contact_id,
         updated_at = excluded.updated_at,
         data = excluded.data,
         resume_text = COALESCE(excluded.resume_text, rd_opportunity.resume_text),
         details_at = COALESCE(excluded.details_at, rd_opportunity.details_at),
         needs_details = excluded.needs_details`,
    ),
    oppById: sqlite.prepare(
      'SELECT contact_id, updated_at, needs_details FROM rd_opportunity WHERE opportunity_id = ?',
    ),
    oppsOfContact: sqlite.prepare(
      'SELECT opportunity_id AS id, data, resume_text FROM rd_opportunity WHERE contact_id = ?',
    ),
    deleteOpp: sqlite.prepare('DELETE FROM rd_opportunity WHERE opportunity_id = ?'),
    personRid: sqlite.prepare('SELECT rid FROM rd_person WHERE contact_id = ?'),
    insertPerson: sqlite.prepare(
      `INSERT INTO rd_person (contact_id, doc, summary, best_stage_index, last_contact_at, location, updated_at)
       VALUES (@contact, @doc, @summary, @best, @last, @location, @now)`,
    ),
    updatePerson: sqlite.prepare(
      `UPDATE rd_person SET doc = @doc, summary = @summary, best_stage_index = @best, last_contact_at = @last,
         location = @location, updated_at = @now WHERE rid = @rid`,
    ),
    updatePersonMeta: sqlite.prepare(
      `UPDATE rd_person SET summary = @summary, best_stage_index = @best, last_contact_at = @last,
         location = @location, updated_at = @now WHERE rid = @rid`,
    ),
    personDoc: sqlite.prepare('SELECT doc FROM rd_person WHERE rid = ?'),
    deletePerson: sqlite.prepare('DELETE FROM rd_person WHERE rid = ?'),
    deleteSkills: sqlite.prepare('DELETE FROM rd_skill WHERE rid = ?'),
    insertSkill: sqlite.prepare('INSERT OR IGNORE INTO rd_skill (skill_id, rid) VALUES (?, ?)'),
  };
}

type Statements = ReturnType<typeof statements>;
const cache = new WeakMap<BetterSqlite3.Database, Statements>();
function stmts(sqlite: BetterSqlite3.Database): Statements {
  let s = cache.get(sqlite);
  if (!s) {
    s = statements(sqlite);
    cache.set(sqlite, s);
  }
  return s;
}

/** Skill ids of the local engine's vocabulary found in a text (the same extraction the ranker uses). */
export function skillIdsOf(text: string): string[] {
  const words = text.toLowerCase().match(WORD_RE) ?? [];
  return [...new Set(skillIdsInWords(words).map((k) => k.slice(1)))];
}

/** The ranker's word pattern (rank-candidates.ts), so both see the same skills ("c++", "node.js"). */
const WORD_RE = /[\p{L}\p{N}]+(?:[+#]{1,2}(?![\p{L}\p{N}])|\.(?:js|net|io|ts)(?![\p{L}\p{N}]))?/gu;

const EMPTY_FEEDBACK: FeedbackStats = { count: 0, average: null, positive: 0, negative: 0 };

/** Combines one contact's opportunities into the person the recruiter sees. */
export function summarizePerson(opps: SyncedOpportunity[]): PersonSummary {
  const byNewest = [...opps].sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0));
  const latest = byNewest[0];
  if (!latest) throw new Error('summarizePerson needs at least one opportunity');
  let best = -1;
  let bestText: string | null = null;
  let fbCount = 0;
  let fbSum = 0;
  let fbRated = 0;
  let positive = 0;
  let negative = 0;
  let lastContact: number | null = null;
  let contactAllowed: boolean | null = null;
  let storeExpiresAt: number | null = null;
  const tags = new Set<string>();
  for (const o of opps) {
    if (o.bestStageIndex > best) {
      best = o.bestStageIndex;
      bestText = o.bestStageText;
    }
    if (o.feedback) {
      fbCount += o.feedback.count;
      positive += o.feedback.positive;
      negative += o.feedback.negative;
      if (o.feedback.average !== null) {
        fbSum += o.feedback.average * (o.feedback.positive + o.feedback.negative || 1);
        fbRated += o.feedback.positive + o.feedback.negative || 1;
      }
    }
    const touched = o.lastInteractionAt ?? o.updatedAt;
    if (touched !== null && (lastContact === null || touched > lastContact)) lastContact = touched;
    // Consent is the person's: the most restrictive answer across their opportunities wins.
    if (o.contactAllowed === false) contactAllowed = false;
    else if (o.contactAllowed === true && contactAllowed === null) contactAllowed = true;
    if (o.storeExpiresAt !== null)
      storeExpiresAt = Math.min(storeExpiresAt ?? Number.POSITIVE_INFINITY, o.storeExpiresAt);
    for (const t of o.tags) tags.add(t);
  }
  return {
    contactId: latest.contactId,
    name: latest.name,
    headline: latest.headline,
    location: latest.location,
    emails: [...new Set(opps.flatMap((o) => o.emails))],
    phones: [...new Set(opps.flatMap((o) => o.phones ?? []))],
    links: [...new Set(opps.flatMap((o) => o.links ?? []))],
    opportunities: byNewest.map((o) => ({
      id: o.id,
      postingId: o.postingId,
      postingTitle: o.postingTitle,
      stageText: o.stageText,
      bestStageIndex: o.bestStageIndex,
      bestStageText: o.bestStageText,
      archiveReason: o.archived?.reasonText ?? null,
      archiveReasonType: o.archived?.reasonType ?? null,
      active: o.archived === null,
      createdAt: o.createdAt,
    })),
    latestOpportunityId: latest.id,
    bestStageIndex: best,
    bestStageText: bestText,
    feedback:
      fbCount === 0
        ? EMPTY_FEEDBACK
        : { count: fbCount, average: fbRated ? Math.round((fbSum / fbRated) * 100) / 100 : null, positive, negative },
    lastContactAt: lastContact,
    hired: opps.some((o) => o.archived?.reasonType === 'hired'),
    tags: [...tags],
    contactAllowed,
    storeExpiresAt,
  };
}

function personDoc(opps: Array<{ o: SyncedOpportunity; resume: string | null }>): string {
  const parts = new Set<string>();
  for (const { o, resume } of opps) {
    if (resume?.trim()) parts.add(resume.trim());
    if (o.headline) parts.add(o.headline);
  }
  return [...parts].join('\n\n');
}

/** A contact's stored opportunities, as rd_opportunity holds them (its `data` is the SyncedOpportunity JSON). */
export type StoredOpportunityRow = { id: string; data: string; resume_text: string | null };

/**
 * The rd_person columns of one contact built from all their stored opportunities (both dialects write these):
 * its searchable doc, summary JSON and the filter columns. Records in `known` (written in the same transaction)
 * are already typed; only older rows are parsed back.
 */
export function personRow(
  rows: StoredOpportunityRow[],
  known: ReadonlyMap<string, SyncedOpportunity> = new Map(),
): { doc: string; summary: string; best: number; last: number | null; location: string | null } {
  const opps = rows.map((r) => ({
    o: known.get(r.id) ?? SyncedOpportunitySchema.parse(JSON.parse(r.data)),
    resume: r.resume_text,
  }));
  const summary = summarizePerson(opps.map((x) => x.o));
  return {
    doc: personDoc(opps),
    summary: JSON.stringify(summary),
    best: summary.bestStageIndex,
    last: summary.lastContactAt,
    location: summary.location,
  };
}

/** An rd_person row read back: its summary JSON parsed (and checked) with zod. */
export function indexedPersonOf(row: { rid: number; doc: string; summary: string }): IndexedPerson {
  return { rid: row.rid, doc: row.doc, summary: PersonSummarySchema.parse(JSON.parse(row.summary)) };
}

/** Rebuilds the person rows of these contacts from their opportunities; deletes people with none left. */
export function rebuildPeople(
  sqlite: BetterSqlite3.Database,
  contactIds: Iterable<string>,
  now = Date.now(),
  known: ReadonlyMap<string, SyncedOpportunity> = new Map(),
): void {
  const s = stmts(sqlite);
  for (const contact of new Set(contactIds)) {
    const rows = s.oppsOfContact.all(contact) as StoredOpportunityRow[];
    const existing = s.personRid.get(contact) as { rid: number } | undefined;
    if (rows.length === 0) {
      if (existing) {
        s.deleteSkills.run(existing.rid);
        s.deletePerson.run(existing.rid);
      }
      continue;
    }
    const { doc, ...row } = personRow(rows, known);
    const params = { contact, doc, ...row, now };
    let rid: number;
    let docChanged = true;
    if (existing) {
      rid = existing.rid;
      const old = s.personDoc.get(rid) as { doc: string };
      docChanged = old.doc !== doc;
      // Rewriting an unchanged doc would churn the FTS index for a stage or tag change.
      if (docChanged) s.updatePerson.run({ ...params, rid });
      else s.updatePersonMeta.run({ ...params, rid });
    } else {
      rid = Number(s.insertPerson.run(params).lastInsertRowid);
    }
    if (docChanged) {
      s.deleteSkills.run(rid);
      for (const skill of skillIdsOf(doc)) s.insertSkill.run(skill, rid);
    }
  }
}

/**
 * Stores opportunities (and resume text when given) and rebuilds the people they belong to, in one transaction.
 * An opportunity that moved to another contact (a Lever merge) rebuilds both people.
 */
export function indexOpportunities(
  sqlite: BetterSqlite3.Database,
  items: IndexItem[],
  now = Date.now(),
  opts: { rebuild?: boolean } = {},
): void {
  const s = stmts(sqlite);
  sqlite.transaction(() => {
    const touched = new Set<string>();
    const left = new Set<string>();
    const known = new Map<string, SyncedOpportunity>();
    for (const { opportunity: o, resumeText, needsDetails } of items) {
      known.set(o.id, o);
      const before = s.oppById.get(o.id) as { contact_id: string } | undefined;
      if (before && before.contact_id !== o.contactId) left.add(before.contact_id);
      s.upsertOpp.run({
        id: o.id,
        contact: o.contactId,
        updated: o.updatedAt,
        data: JSON.stringify(o),
        resume: resumeText ?? null,
        detailsAt: resumeText !== undefined ? now : null,
        needs: needsDetails ? 1 : 0,
      });
      touched.add(o.contactId);
    }
    // rebuild: false stores opportunities only (the sync's listing phase: people are built once their resume is
    // read); a person who lost an opportunity to a merge is rebuilt regardless.
    rebuildPeople(sqlite, opts.rebuild === false ? left : new Set([...touched, ...left]), now, known);
  })();
}

/** What the sync needs to decide whether an opportunity changed since it was last read. */
export function storedOpportunity(
  sqlite: BetterSqlite3.Database,
  id: string,
): { contactId: string; updatedAt: number | null; needsDetails: boolean } | null {
  const row = stmts(sqlite).oppById.get(id) as
    | { contact_id: string; updated_at: number | null; needs_details: number }
    | undefined;
  return row ? { contactId: row.contact_id, updatedAt: row.updated_at, needsDetails: row.needs_details === 1 } : null;
}

export function loadOpportunity(sqlite: BetterSqlite3.Database, id: string): SyncedOpportunity | null {
  const row = sqlite.prepare('SELECT data FROM rd_opportunity WHERE opportunity_id = ?').get(id) as
    | { data: string }
    | undefined;
  return row ? SyncedOpportunitySchema.parse(JSON.parse(row.data)) : null;
}

/** Removes an opportunity (Lever deleted it); the person goes too when it was their last one. */
export function removeOpportunity(sqlite: BetterSqlite3.Database, opportunityId: string, now = Date.now()): boolean {
  const s = stmts(sqlite);
  return sqlite.transaction(() => {
    const row = s.oppById.get(opportunityId) as { contact_id: string } | undefined;
    if (!row) return false;
    s.deleteOpp.run(opportunityId);
    rebuildPeople(sqlite, [row.contact_id], now);
    return true;
  })();
}

export function loadPeople(sqlite: BetterSqlite3.Database, rids: number[]): IndexedPerson[] {
  if (rids.length === 0) return [];
  const out: IndexedPerson[] = [];
  const stmt = sqlite.prepare(`SELECT rid, doc, summary FROM rd_person WHERE rid IN (SELECT value FROM json_each(?))`);
  for (const row of stmt.all(JSON.stringify(rids)) as Array<{ rid: number; doc: string; summary: string }>) {
    out.push(indexedPersonOf(row));
  }
  return out;
}

export function loadPersonByContact(sqlite: BetterSqlite3.Database, contactId: string): IndexedPerson | null {
  const row = sqlite.prepare('SELECT rid, doc, summary FROM rd_person WHERE contact_id = ?').get(contactId) as
    | { rid: number; doc: string; summary: string }
    | undefined;
  return row ? indexedPersonOf(row) : null;
}

export function indexCounts(sqlite: BetterSqlite3.Database): { people: number; opportunities: number } {
  const people = (sqlite.prepare('SELECT count(*) AS n FROM rd_person').get() as { n: number }).n;
  const opportunities = (sqlite.prepare('SELECT count(*) AS n FROM rd_opportunity').get() as { n: number }).n;
  return { people, opportunities };
}
