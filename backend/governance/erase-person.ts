import { type Kysely, type RawBuilder, sql } from 'kysely';
import { z } from 'zod';
import { eraseAuditPayloads } from '../audit/audit-log.ts';
import { eraseAiResults } from '../candidates/ai-results.ts';
import { defineJob, type JobQueue } from '../jobs/queue.ts';
import type { Opportunity } from '../lever/index.ts';
import { eraseProposals, eraseWriteLedger, proposalIdsOf } from '../proposals/retention.ts';
import { personRow, type StoredOpportunityRow, skillIdsOf } from '../rediscovery/index-store.ts';
import { isPostgres, withTransaction } from '../store/dialect.ts';
import { IN_CHUNK, inChunks, keysetPages, LIKE_CHUNK, likeAny, likePatterns } from '../store/in-chunks.ts';
import type { Database } from '../store/schema.ts';

/**
 * Erasure of a person, in one place, for `npm run cli -- forget`, the candidateDeleted webhook and the compliance kit's
 * erasure requests (compliance/retention-policy.ts carries them out here at its next run). Everything Fulcrum
 * keeps about them goes: cached AI results, proposals with their write ledger and follow-ups, Lever note links, the
 * automations' watchers and polls, the talent-pool index (opportunities, person row, FTS5 keyword index, skill index,
 * vector, cached rediscovery results, outreach drafts), queued jobs and webhook payloads that name them, and any other
 * table with an `opportunity_id`, `contact_id` or (their proposals') `proposal_id` column (so a table added later is
 * covered). All of it, and the audit tombstones, in ONE transaction through Kysely, so it runs the same on SQLite and
 * PostgreSQL and a failure part-way leaves nothing half-erased. Audit rows about them
 * keep their place in the hash chain, but their payloads are replaced by a tombstone (audit/audit-log.ts), so
 * `audit verify` still passes.
 *
 * Records a law requires to be kept (AI outputs and decisions: California's four years, the EU AI Act's six months;
 * compliance/retention-law.ts) are kept only as that tombstone: the audit row of each AI output and decision keeps
 * its time, action, engine or model, decision and content hash, and loses the name, email and text. The cached
 * result and the proposal themselves go, so an erasure never leaves personal data behind "held by law".
 *
 * So the text is really gone from the files, not just unlinked: the erasure runs with `secure_delete` on (freed
 * database space is overwritten with zeros) and FTS5's secure-delete (the keyword index drops the terms instead of
 * recording a delete marker next to them), and afterwards the WAL is checkpointed and truncated (old page images of
 * the person live there until then). The CLI also runs VACUUM. On PostgreSQL the server owns its files: deleted
 * tuples are reclaimed by (auto)vacuum, and the keyword index is the row's generated tsvector, gone with the row.
 *
 * Two scopes. 'person' (the CLI): the contact and every opportunity of theirs. 'opportunity' (candidateDeleted: Lever
 * deleted one opportunity, the contact may have others): that opportunity's data; the person's index row is rebuilt
 * from what is left, or removed when nothing is.
 */

export type ErasureTarget = {
  scope: 'person' | 'opportunity';
  opportunityIds: string[];
  contactIds: string[];
  /** Known names and emails: used to find copies that no id points to (cached rediscovery results, old payloads). */
  names: string[];
  emails: string[];
};

export type ErasureSummary = {
  opportunityIds: string[];
  contactIds: string[];
  /** Rows removed, by what they were ("proposals", "talent-pool people", ...); only the non-zero ones. */
  removed: Record<string, number>;
  /** Audit entries whose payload was replaced by the tombstone now. */
  auditErased: number;
};

/** Tables handled explicitly below, or that must keep their rows (the audit chain; an erasure request's record). */
const HANDLED = new Set([
  'audit_log',
  'ai_results',
  'proposals',
  'write_ledger',
  'rd_opportunity',
  'rd_person',
  'rd_outreach',
  'talent_pool',
  'compliance_erasure_requests',
]);

/**
 * Column names that key a row to a person, in tables this module does not know by name (a proposal id: rows about
 * one of the person's proposals, such as the automations' follow-ups).
 */
const PERSON_COLUMNS = ['opportunity_id', 'contact_id', 'proposal_id'];

/** Friendlier names for the summary of tables the generic pass below empties. */
const LABELS: Record<string, string> = { automation_followups: 'follow-ups' };

type Db = Kysely<Database>;

/** The talent-pool tables this module reads and deletes from (owned by rediscovery/, not in schema.ts yet). */
type RdTables = {
  rd_opportunity: { opportunity_id: string; contact_id: string; data: string; resume_text: string | null };
  rd_person: {
    rid: number;
    contact_id: string;
    doc: string;
    summary: string;
    best_stage_index: number | null;
    last_contact_at: number | null;
    location: string | null;
    updated_at: number;
  };
  rd_skill: { skill_id: string; rid: number };
  rd_outreach: { opportunity_id: string; contact_id: string };
  rd_result: { posting_id: string; response: string };
  automation_watchers: { opportunity_id: string; candidate_name: string };
};

const rdOf = (db: Db) => db.withTables<RdTables>();

/**
 * Names specific enough to search free text for: at least two words or six characters, so "Li" does not match every
 * payload that says "link". Ids and emails are always specific.
 */
export function searchableNames(names: Iterable<string>): string[] {
  return [...new Set([...names].map((n) => n.trim()).filter((n) => /\s/.test(n) || n.length >= 6))];
}

type TableInfo = { name: string; ref: RawBuilder<unknown>; columns: Array<{ name: string; dataType: string }> };

/** Ordinary tables (no views, virtual tables, FTS shadow tables or the engine's own), with their columns. */
async function userTables(db: Db): Promise<TableInfo[]> {
  const tables = await db.introspection.getTables();
  return tables
    .filter((t) => !t.isView && !t.name.startsWith('sqlite_') && !t.name.startsWith('rd_fts'))
    .map((t) => ({
      name: t.name,
      ref: t.schema ? sql.id(t.schema, t.name) : sql.id(t.name),
      columns: t.columns.map((c) => ({ name: c.name, dataType: c.dataType })),
    }));
}

const deleted = (r: { numDeletedRows: bigint }) => r.numDeletedRows;
const updated = (r: { numUpdatedRows: bigint }) => r.numUpdatedRows;

/**
 * Deletes everything about the target, in ONE transaction (the caller's when `db` is one): every row and the audit
 * payloads' tombstones commit together or not at all. The caller resolved who they are (ids, names, emails); this
 * never asks Lever. Call `scrubFiles` afterwards.
 */
export async function erasePerson(
  db: Db,
  target: ErasureTarget,
  opts: { actor: string; reason: string; now?: number },
): Promise<ErasureSummary> {
  const now = opts.now ?? Date.now();
  const pg = isPostgres(db);
  const opps = new Set(target.opportunityIds);
  const contacts = new Set(target.contactIds);
  const removed: Record<string, number> = {};
  const count = (what: string, n: number) => {
    if (n > 0) removed[what] = (removed[what] ?? 0) + n;
  };
  // SQLite: freed pages are overwritten with zeros (a connection setting, so restored afterwards).
  let secureBefore = 0;
  if (!pg) {
    const r = await sql<{ secure_delete: number }>`PRAGMA secure_delete`.execute(db);
    secureBefore = Number(r.rows[0]?.secure_delete ?? 0);
    await sql`PRAGMA secure_delete = ON`.execute(db);
  }
  try {
    const tables = await userTables(db);
    const auditErased = await withTransaction(db, async (trx) => {
      const rd = rdOf(trx);
      // The person scope takes every opportunity the index knows for their contacts.
      if (target.scope === 'person') {
        await inChunks(contacts, async (chunk) => {
          const rows = await rd
            .selectFrom('rd_opportunity')
            .select('opportunity_id')
            .where('contact_id', 'in', chunk)
            .execute();
          for (const r of rows) opps.add(r.opportunity_id);
        });
      }
      // Contacts whose index rows change: the person's own, and (opportunity scope) the one the opportunity is under.
      const touched = new Set<string>(contacts);
      await inChunks(opps, async (chunk) => {
        const rows = await rd
          .selectFrom('rd_opportunity')
          .select('contact_id')
          .where('opportunity_id', 'in', chunk)
          .execute();
        for (const r of rows) touched.add(r.contact_id);
      });
      const oppList = [...opps];
      const ids = [...opps, ...contacts];

      // Proposals last (the write ledger references them); first their ledger rows, then every other table keyed
      // by opportunity, contact or proposal: today lever_notes, the automations' watchers, polls and follow-ups, the
      // sync checkpoint, and whatever a later feature adds.
      const proposalIds = await proposalIdsOf(trx, oppList);
      count('Lever write-ledger entries', await eraseWriteLedger(trx, oppList, proposalIds));
      for (const table of tables) {
        if (HANDLED.has(table.name)) continue;
        const cols = table.columns.filter((c) => PERSON_COLUMNS.includes(c.name)).map((c) => c.name);
        for (const col of cols) {
          const list = col === 'proposal_id' ? proposalIds : ids;
          count(
            LABELS[table.name] ?? `rows of ${table.name}`,
            await inChunks(list, async (chunk) =>
              Number(
                (await sql`DELETE FROM ${table.ref} WHERE ${sql.ref(col)} IN (${sql.join(chunk)})`.execute(trx))
                  .numAffectedRows ?? 0,
              ),
            ),
          );
        }
      }
      count('proposals', await eraseProposals(trx, oppList));

      // The talent-pool index. SQLite: FTS5 drops the terms themselves while secure-delete is on (off again below,
      // so a sync's many re-indexing deletes keep their speed). PostgreSQL's tsvector is a column of the row.
      if (!pg) await sql`INSERT INTO rd_fts(rd_fts, rank) VALUES ('secure-delete', 1)`.execute(trx);
      count(
        'outreach drafts',
        (await inChunks(opps, async (chunk) =>
          deleted(await rd.deleteFrom('rd_outreach').where('opportunity_id', 'in', chunk).executeTakeFirst()),
        )) +
          (await inChunks(contacts, async (chunk) =>
            deleted(await rd.deleteFrom('rd_outreach').where('contact_id', 'in', chunk).executeTakeFirst()),
          )),
      );
      const people = async () =>
        Number(
          (
            await rd
              .selectFrom('rd_person')
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      const peopleBefore = await people();
      count(
        'talent-pool opportunities',
        await inChunks(opps, async (chunk) =>
          deleted(await rd.deleteFrom('rd_opportunity').where('opportunity_id', 'in', chunk).executeTakeFirst()),
        ),
      );
      // Rebuilt from what is left: gone when nothing is (their FTS entry and vector go with the row, by trigger).
      await rebuildTouched(trx, touched, now);
      count('talent-pool people (keyword, skill and vector index entries)', peopleBefore - (await people()));
      if (!pg) await sql`INSERT INTO rd_fts(rd_fts, rank) VALUES ('secure-delete', 0)`.execute(trx);

      // Copies no id column points to: cached rediscovery results, cached AI results, queued jobs, webhook bodies.
      const idPatterns = likePatterns(ids);
      const textPatterns = likePatterns([...ids, ...target.emails, ...searchableNames(target.names)]);
      const byPatterns = (patterns: string[], fn: (chunk: string[]) => Promise<bigint>) =>
        inChunks(patterns, fn, LIKE_CHUNK);
      count(
        'cached rediscovery results',
        await byPatterns(textPatterns, async (chunk) =>
          deleted(
            await rd
              .deleteFrom('rd_result')
              .where(likeAny(pg, 'response', chunk))
              .executeTakeFirst(),
          ),
        ),
      );
      count('cached AI results', await eraseAiResults(trx, oppList, textPatterns));
      // A running job is the one doing this erasure (or about to notice the person is gone): it holds ids only.
      count(
        'queued or finished jobs',
        await byPatterns(idPatterns, async (chunk) =>
          deleted(
            await trx
              .deleteFrom('jobs')
              .where('status', '!=', 'running')
              .where(likeAny(pg, 'payload', chunk))
              .executeTakeFirst(),
          ),
        ),
      );
      // PostgreSQL's queue is pg-boss (jobs/pg-queue.ts, schema pgboss): its jobs, and those it archived, likewise.
      if (pg) {
        for (const table of ['pgboss.job', 'pgboss.archive']) {
          const found = await sql<{ t: string | null }>`select to_regclass(${table})::text as t`.execute(trx);
          if (!found.rows[0]?.t) continue;
          const [schema, name] = table.split('.') as [string, string];
          count(
            'queued or finished jobs',
            await byPatterns(idPatterns, async (chunk) =>
              BigInt(
                (
                  await sql`DELETE FROM ${sql.id(schema, name)} WHERE state::text <> 'active'
                    AND ${likeAny(pg, sql`CAST(data AS TEXT)`, chunk)}`.execute(trx)
                ).numAffectedRows ?? 0,
              ),
            ),
          );
        }
      }
      // Delivery ids and signed tokens stay (they stop Lever's retries being processed twice); the bodies go.
      count(
        'webhook payloads',
        await byPatterns(idPatterns, async (chunk) =>
          updated(
            await trx
              .updateTable('webhook_events')
              .set({ payload: ERASED_PAYLOAD })
              .where('payload', '!=', ERASED_PAYLOAD)
              .where(likeAny(pg, 'payload', chunk))
              .executeTakeFirst(),
          ),
        ),
      );
      count(
        'talent-pool placeholder rows',
        (await inChunks(contacts, async (chunk) =>
          deleted(await trx.deleteFrom('talent_pool').where('contact_id', 'in', chunk).executeTakeFirst()),
        )) +
          (await byPatterns(likePatterns(opps), async (chunk) =>
            deleted(
              await trx
                .deleteFrom('talent_pool')
                .where(likeAny(pg, 'opportunity_ids', chunk))
                .executeTakeFirst(),
            ),
          )),
      );

      // Audit: rows about them keep their place in the chain, their payloads become the tombstone.
      const auditIds = new Set<number>();
      const pending = trx.selectFrom('audit_log').select('id').where('erased_at', 'is', null);
      await inChunks(opps, async (chunk) => {
        for (const r of await pending.where('opportunity_id', 'in', chunk).execute()) auditIds.add(r.id);
      });
      await byPatterns(idPatterns, async (chunk) => {
        for (const r of await pending.where(likeAny(pg, 'lever_ids', chunk)).execute()) auditIds.add(r.id);
        return 0n;
      });
      await byPatterns(textPatterns, async (chunk) => {
        for (const r of await pending.where(likeAny(pg, 'output', chunk)).execute()) auditIds.add(r.id);
        return 0n;
      });
      const erased = await eraseAuditPayloads(trx, [...auditIds], { actor: opts.actor, reason: opts.reason, now });
      return erased.length;
    });
    return { opportunityIds: [...opps].sort(), contactIds: [...contacts].sort(), removed, auditErased };
  } finally {
    if (!pg) await sql.raw(`PRAGMA secure_delete = ${secureBefore ? 'ON' : 'OFF'}`).execute(db);
  }
}

const ERASED_PAYLOAD = '{"erased":true}';

/**
 * The person rows of these contacts after their erased opportunities went: rebuilt from the opportunities left (the
 * rediscovery index's own personRow and skillIdsOf, as its sync builds them), deleted with their skills when none is.
 * The FTS entry (SQLite) and the vector follow the row by trigger; tsvector (PostgreSQL) is a generated column.
 */
async function rebuildTouched(trx: Db, contacts: ReadonlySet<string>, now: number): Promise<void> {
  const rd = rdOf(trx);
  const byContact = new Map<string, StoredOpportunityRow[]>();
  await inChunks(contacts, async (chunk) => {
    const rows = await rd
      .selectFrom('rd_opportunity')
      .select(['opportunity_id as id', 'contact_id', 'data', 'resume_text'])
      .where('contact_id', 'in', chunk)
      .orderBy('opportunity_id')
      .execute();
    for (const { contact_id, ...r } of rows) byContact.set(contact_id, [...(byContact.get(contact_id) ?? []), r]);
  });
  const gone = [...contacts].filter((c) => !byContact.has(c));
  await inChunks(gone, async (chunk) => {
    const rids = rd.selectFrom('rd_person').select('rid').where('contact_id', 'in', chunk);
    await rd.deleteFrom('rd_skill').where('rid', 'in', rids).execute();
    return deleted(await rd.deleteFrom('rd_person').where('contact_id', 'in', chunk).executeTakeFirst());
  });
  for (const [contact, rows] of byContact) {
    const { doc, summary, best, last, location } = personRow(rows);
    const person = await rd
      .updateTable('rd_person')
      .set({ doc, summary, best_stage_index: best, last_contact_at: last, location, updated_at: now })
      .where('contact_id', '=', contact)
      .returning('rid')
      .executeTakeFirst();
    if (!person) continue;
    await rd.deleteFrom('rd_skill').where('rid', '=', person.rid).execute();
    const skills = skillIdsOf(doc).map((skill_id) => ({ skill_id, rid: person.rid }));
    for (let i = 0; i < skills.length; i += IN_CHUNK / 2) {
      await rd
        .insertInto('rd_skill')
        .values(skills.slice(i, i + IN_CHUNK / 2))
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
  }
}

export type PersonSelector = { opportunityId: string } | { contactId: string } | { email: string };

export type Resolution = {
  target: ErasureTarget;
  /** Opportunities Lever still has: a later sync would index them again unless they are deleted in Lever too. */
  stillInLever: string[];
  /** Why Lever could not be asked (the target then comes from Fulcrum's own data only). */
  leverProblem: string | null;
};

/** What resolution needs from Lever: reads by id, contact and email (backend/lever/client.ts). */
export type LeverLookup = {
  getOpportunity(id: string): Promise<Opportunity>;
  listOpportunities(f: { contactId?: string; email?: string; limit?: number }): AsyncIterable<Opportunity>;
};

const contactOf = (o: Opportunity): string | null =>
  typeof o.contact === 'string' ? o.contact : ((o.contact as { id?: string } | undefined)?.id ?? null);

/**
 * Works out everyone a selector means in the person scope: their contact(s), every opportunity of those contacts,
 * and the names and emails on record, from Fulcrum's own data and (when `lever` is given and answers) from Lever.
 * Lever's answer is bounded by `leverTimeoutMs`; without it the local index decides.
 */
export async function resolvePerson(
  db: Db,
  selector: PersonSelector,
  opts: { lever?: LeverLookup; leverTimeoutMs?: number } = {},
): Promise<Resolution> {
  const opps = new Set<string>();
  const contacts = new Set<string>();
  const names = new Set<string>();
  const emails = new Set<string>();
  const stillInLever = new Set<string>();
  const seen = (o: Opportunity) => {
    opps.add(o.id);
    stillInLever.add(o.id);
    const c = contactOf(o);
    if (c) contacts.add(c);
    if (o.name) names.add(o.name);
    for (const e of o.emails ?? []) emails.add(e.toLowerCase());
  };
  if ('opportunityId' in selector) opps.add(selector.opportunityId);
  if ('contactId' in selector) contacts.add(selector.contactId);
  if ('email' in selector) emails.add(selector.email.toLowerCase());

  let leverProblem: string | null = null;
  const lever = opts.lever;
  if (lever) {
    const ask = async () => {
      if ('opportunityId' in selector) {
        try {
          seen(await lever.getOpportunity(selector.opportunityId));
        } catch (e) {
          if ((e as { status?: number }).status !== 404) throw e;
        }
      }
      for (const c of [...contacts])
        for await (const o of lever.listOpportunities({ contactId: c, limit: 100 })) seen(o);
      for (const e of [...emails]) for await (const o of lever.listOpportunities({ email: e, limit: 100 })) seen(o);
    };
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        ask(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('Lever did not answer in time')), opts.leverTimeoutMs ?? 15_000);
        }),
      ]);
    } catch (e) {
      leverProblem = e instanceof Error ? e.message.slice(0, 200) : String(e);
    } finally {
      clearTimeout(timer);
    }
  }

  await expandLocally(db, { opps, contacts, names, emails });
  return {
    target: {
      scope: 'person',
      opportunityIds: [...opps],
      contactIds: [...contacts],
      names: [...names],
      emails: [...emails],
    },
    stillInLever: [...stillInLever].sort(),
    leverProblem,
  };
}

/**
 * The person scope from Fulcrum's own data alone, for erasures that do not ask Lever (an erasure request carried out
 * by the retention run): the selector's opportunity or contact, every opportunity and contact the talent-pool index
 * links to it, and the names and emails on record.
 */
export async function resolvePersonLocally(db: Db, selector: PersonSelector): Promise<ErasureTarget> {
  const sets = {
    opps: new Set<string>(),
    contacts: new Set<string>(),
    names: new Set<string>(),
    emails: new Set<string>(),
  };
  if ('opportunityId' in selector) sets.opps.add(selector.opportunityId);
  if ('contactId' in selector) sets.contacts.add(selector.contactId);
  if ('email' in selector) sets.emails.add(selector.email.toLowerCase());
  await expandLocally(db, sets);
  return {
    scope: 'person',
    opportunityIds: [...sets.opps],
    contactIds: [...sets.contacts],
    names: [...sets.names],
    emails: [...sets.emails],
  };
}

/** Grows the sets from Fulcrum's own data until nothing new turns up. */
async function expandLocally(
  db: Db,
  {
    opps,
    contacts,
    names,
    emails,
  }: { opps: Set<string>; contacts: Set<string>; names: Set<string>; emails: Set<string> },
): Promise<void> {
  const rd = rdOf(db);
  // Fulcrum's own data, repeated until nothing new turns up (an email leads to a contact, a contact to opportunities):
  // the whole index, a page at a time in key order.
  for (let changed = true; changed; ) {
    changed = false;
    const add = (set: Set<string>, v: string | null | undefined) => {
      if (v && !set.has(v)) {
        set.add(v);
        changed = true;
      }
    };
    await keysetPages(
      (after, limit) =>
        rd
          .selectFrom('rd_opportunity')
          .select(['opportunity_id', 'contact_id', 'data'])
          .$if(after !== null, (q) => q.where('opportunity_id', '>', after as string))
          .orderBy('opportunity_id')
          .limit(limit)
          .execute(),
      (r) => r.opportunity_id,
      (r) => {
        let data: { name?: unknown; emails?: unknown };
        try {
          data = JSON.parse(r.data) as typeof data;
        } catch {
          data = {};
        }
        const rowEmails = Array.isArray(data.emails)
          ? data.emails.filter((e): e is string => typeof e === 'string')
          : [];
        const mine =
          opps.has(r.opportunity_id) ||
          contacts.has(r.contact_id) ||
          rowEmails.some((e) => emails.has(e.toLowerCase()));
        if (!mine) return;
        add(opps, r.opportunity_id);
        add(contacts, r.contact_id);
        if (typeof data.name === 'string') names.add(data.name);
        for (const e of rowEmails) add(emails, e.toLowerCase());
      },
    );
  }
  await inChunks(opps, async (chunk) => {
    const rows = await rd
      .selectFrom('automation_watchers')
      .select('candidate_name')
      .where('opportunity_id', 'in', chunk)
      .execute();
    for (const r of rows) if (r.candidate_name !== '(no name)') names.add(r.candidate_name);
  });
}

/**
 * The server's erasures (candidateDeleted) cannot VACUUM on the spot: it holds the database for as long as it takes
 * to rewrite it (seconds for a large talent pool), and deletions come in bursts. secure_delete zeroes what the erasure
 * frees, but older copies (earlier versions of an updated row, freed while secure_delete was off) may sit in free
 * pages until a VACUUM. So each erasure queues one VACUUM job, debounced: at most one runs per ERASURE_VACUUM_DELAY_MS.
 */
export const VACUUM_JOB = 'governance.vacuum';
export const VacuumJob = defineJob(VACUUM_JOB, z.object({}));
export const ERASURE_VACUUM_DELAY_MS = 10 * 60_000;

export async function scheduleVacuum(
  queue: Pick<JobQueue, 'enqueue'>,
  now: number,
  delayMs = ERASURE_VACUUM_DELAY_MS,
): Promise<void> {
  await queue.enqueue({ type: VacuumJob, payload: {}, runAt: now + delayMs, dedupeKey: `${VACUUM_JOB}:pending` });
}

export type ScrubResult = { walTruncated: boolean; vacuumed: boolean; problems: string[] };

/**
 * After an erasure on SQLite: the WAL still holds page images from before it, so checkpoint everything into the
 * database and truncate the WAL; with `vacuum`, also rebuild the database file (VACUUM), which leaves no free pages
 * behind. Either can be refused while another connection is busy (the server mid-request): that is reported, not
 * thrown, because secure_delete already zeroed the freed space in the database itself. On PostgreSQL the server
 * owns its files (autovacuum reclaims dead rows): nothing to do here.
 */
export async function scrubFiles(db: Db, opts: { vacuum: boolean }): Promise<ScrubResult> {
  if (isPostgres(db)) return { walTruncated: false, vacuumed: false, problems: [] };
  const problems: string[] = [];
  let vacuumed = false;
  if (opts.vacuum) {
    try {
      await sql`VACUUM`.execute(db);
      vacuumed = true;
    } catch (e) {
      problems.push(`VACUUM could not run (${(e as Error).message}); freed space was zeroed anyway`);
    }
  }
  let walTruncated = false;
  try {
    const { rows } = await sql<{
      busy: number;
      log: number;
      checkpointed: number;
    }>`PRAGMA wal_checkpoint(TRUNCATE)`.execute(db);
    const [r] = rows;
    walTruncated = r !== undefined && Number(r.busy) === 0;
    if (!walTruncated)
      problems.push('the WAL could not be truncated while another connection reads; it will be at the next checkpoint');
  } catch (e) {
    problems.push(`the WAL checkpoint failed (${(e as Error).message})`);
  }
  return { walTruncated, vacuumed, problems };
}

/** Column types that never hold text (SQLite's declared types, PostgreSQL's type names). */
const NOT_TEXT = /INT|REAL|BLOB|bytea|float|numeric|double|bool|tsvector|vector/i;

/**
 * Where any of these texts still occurs in the database, table by table (text columns, case-insensitive for ASCII):
 * the CLI's check after an erasure. A linear scan of every table, fine for a command run by hand.
 */
export async function findLeftovers(
  db: Db,
  needles: string[],
  opts: { skip?: Record<string, string[]> } = {},
): Promise<Array<{ table: string; rows: number }>> {
  const patterns = likePatterns(needles);
  if (patterns.length === 0) return [];
  const pg = isPostgres(db);
  const out: Array<{ table: string; rows: number }> = [];
  for (const table of await userTables(db)) {
    const skip = opts.skip?.[table.name] ?? [];
    const cols = table.columns.filter((c) => !NOT_TEXT.test(c.dataType) && !skip.includes(c.name));
    if (cols.length === 0) continue;
    const where = sql.join(
      cols.map((c) => likeAny(pg, sql`CAST(${sql.ref(c.name)} AS TEXT)`, patterns)),
      sql` OR `,
    );
    const { rows } = await sql<{ n: number | string }>`SELECT count(*) AS n FROM ${table.ref} WHERE ${where}`.execute(
      db,
    );
    const n = Number(rows[0]?.n ?? 0);
    if (n > 0) out.push({ table: table.name, rows: n });
  }
  return out;
}
