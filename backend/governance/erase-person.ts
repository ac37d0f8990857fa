import type BetterSqlite3 from 'better-sqlite3';
import { z } from 'zod';
import { eraseAuditPayloadsSync } from '../audit/audit-log.ts';
import { eraseFollowUpsSync } from '../automations/follow-up.ts';
import { eraseAiResultsSync } from '../candidates/ai-results.ts';
import { defineJob, type JobQueue } from '../jobs/queue.ts';
import type { Opportunity } from '../lever/index.ts';
import { eraseProposalsSync, eraseWriteLedgerSync, proposalIdsOfSync } from '../proposals/retention.ts';
import { rebuildPeople } from '../rediscovery/index-store.ts';

/**
 * Erasure of a person, in one place, for `npm run cli -- forget`, the candidateDeleted webhook and the compliance kit's
 * erasure requests (compliance/retention-policy.ts carries them out here at its next run). Everything Fulcrum
 * keeps about them goes: cached AI results, proposals with their write ledger and follow-ups, Lever note links, the
 * automations' watchers and polls, the talent-pool index (opportunities, person row, FTS5 keyword index, skill index,
 * vector, cached rediscovery results, outreach drafts), queued jobs and webhook payloads that name them, and any other
 * table with an `opportunity_id` or `contact_id` column (so a table added later is covered). Audit rows about them
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
 * the person live there until then). The CLI also runs VACUUM.
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
  'proposals',
  'write_ledger',
  'rd_opportunity',
  'rd_person',
  'rd_outreach',
  'automation_followups',
  'compliance_erasure_requests',
]);

/** Column names that key a row to a person, in tables this module does not know by name. */
const PERSON_COLUMNS = ['opportunity_id', 'contact_id'];

type Row = Record<string, unknown>;

const sqlIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Values for `LIKE ?` matching any of these texts anywhere, with LIKE's wildcards escaped. */
function likePatterns(texts: Iterable<string>): string[] {
  return [...new Set(texts)].filter(Boolean).map((t) => `%${t.replace(/[\\%_]/g, (m) => `\\${m}`)}%`);
}

/**
 * Names specific enough to search free text for: at least two words or six characters, so "Li" does not match every
 * payload that says "link". Ids and emails are always specific.
 */
export function searchableNames(names: Iterable<string>): string[] {
  return [...new Set([...names].map((n) => n.trim()).filter((n) => /\s/.test(n) || n.length >= 6))];
}

function columnsOf(sqlite: BetterSqlite3.Database, table: string): Array<{ name: string; type: string }> {
  return sqlite.prepare(`PRAGMA table_info(${sqlIdent(table)})`).all() as Array<{ name: string; type: string }>;
}

/** Ordinary tables (no virtual tables, FTS shadow tables or SQLite's own). */
function userTables(sqlite: BetterSqlite3.Database): string[] {
  return (
    sqlite
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' AND name NOT LIKE 'rd_fts_%'",
      )
      .all() as Array<{ name: string }>
  ).map((r) => r.name);
}

/**
 * Deletes everything about the target, in one IMMEDIATE transaction. The caller resolved who they are (ids, names,
 * emails); this never asks Lever. Call `scrubFiles` afterwards.
 */
export function erasePersonSync(
  sqlite: BetterSqlite3.Database,
  target: ErasureTarget,
  opts: { actor: string; reason: string; now?: number },
): ErasureSummary {
  const now = opts.now ?? Date.now();
  const opps = new Set(target.opportunityIds);
  const contacts = new Set(target.contactIds);
  const removed: Record<string, number> = {};
  const count = (what: string, n: number) => {
    if (n > 0) removed[what] = (removed[what] ?? 0) + n;
  };
  const secureBefore = Number(sqlite.pragma('secure_delete', { simple: true }));
  sqlite.pragma('secure_delete = ON');
  try {
    const run = sqlite.transaction(() => {
      // The person scope takes every opportunity the index knows for their contacts.
      if (target.scope === 'person' && contacts.size > 0) {
        const rows = sqlite
          .prepare('SELECT opportunity_id FROM rd_opportunity WHERE contact_id IN (SELECT value FROM json_each(?))')
          .all(JSON.stringify([...contacts])) as Array<{ opportunity_id: string }>;
        for (const r of rows) opps.add(r.opportunity_id);
      }
      // Contacts whose index rows change: the person's own, and (opportunity scope) the one the opportunity is under.
      const touched = new Set<string>(contacts);
      const oppList = JSON.stringify([...opps]);
      for (const r of sqlite
        .prepare('SELECT contact_id FROM rd_opportunity WHERE opportunity_id IN (SELECT value FROM json_each(?))')
        .all(oppList) as Array<{ contact_id: string }>) {
        touched.add(r.contact_id);
      }
      const inOpps = 'IN (SELECT value FROM json_each(?))';

      // Proposals first: the write ledger references them.
      const proposalIds = proposalIdsOfSync(sqlite, [...opps]);
      count('Lever write-ledger entries', eraseWriteLedgerSync(sqlite, [...opps], proposalIds));
      count('follow-ups', eraseFollowUpsSync(sqlite, [...opps], proposalIds));
      count('proposals', eraseProposalsSync(sqlite, [...opps]));

      // The talent-pool index: FTS5 drops the terms themselves while secure-delete is on (off again below, so a
      // sync's many re-indexing deletes keep their speed).
      sqlite.prepare("INSERT INTO rd_fts(rd_fts, rank) VALUES ('secure-delete', 1)").run();
      count(
        'outreach drafts',
        sqlite
          .prepare(`DELETE FROM rd_outreach WHERE opportunity_id ${inOpps} OR contact_id ${inOpps}`)
          .run(oppList, JSON.stringify([...contacts])).changes,
      );
      const peopleBefore = (sqlite.prepare('SELECT count(*) AS n FROM rd_person').get() as { n: number }).n;
      count(
        'talent-pool opportunities',
        sqlite.prepare(`DELETE FROM rd_opportunity WHERE opportunity_id ${inOpps}`).run(oppList).changes,
      );
      // Rebuilt from what is left: gone when nothing is (their FTS entry, skills and vector go with the row).
      rebuildPeople(sqlite, touched, now);
      if (target.scope === 'person') {
        for (const c of contacts) {
          const rid = sqlite.prepare('SELECT rid FROM rd_person WHERE contact_id = ?').get(c) as
            | { rid: number }
            | undefined;
          if (!rid) continue;
          sqlite.prepare('DELETE FROM rd_skill WHERE rid = ?').run(rid.rid);
          sqlite.prepare('DELETE FROM rd_person WHERE rid = ?').run(rid.rid);
        }
      }
      const peopleAfter = (sqlite.prepare('SELECT count(*) AS n FROM rd_person').get() as { n: number }).n;
      count('talent-pool people (keyword, skill and vector index entries)', peopleBefore - peopleAfter);
      sqlite.prepare("INSERT INTO rd_fts(rd_fts, rank) VALUES ('secure-delete', 0)").run();

      // Copies no id column points to: cached rediscovery results, cached AI results, queued jobs, webhook bodies.
      const ids = [...opps, ...contacts];
      const idPatterns = likePatterns(ids);
      const textPatterns = likePatterns([...ids, ...target.emails, ...searchableNames(target.names)]);
      const anyLike = (column: string, patterns: string[]) =>
        patterns.length === 0 ? '0' : patterns.map(() => `${column} LIKE ? ESCAPE '\\'`).join(' OR ');
      count(
        'cached rediscovery results',
        sqlite.prepare(`DELETE FROM rd_result WHERE ${anyLike('response', textPatterns)}`).run(...textPatterns).changes,
      );
      count('cached AI results', eraseAiResultsSync(sqlite, [...opps], textPatterns));
      // A running job is the one doing this erasure (or about to notice the person is gone): it holds ids only.
      count(
        'queued or finished jobs',
        sqlite
          .prepare(`DELETE FROM jobs WHERE status != 'running' AND (${anyLike('payload', idPatterns)})`)
          .run(...idPatterns).changes,
      );
      // Delivery ids and signed tokens stay (they stop Lever's retries being processed twice); the bodies go.
      count(
        'webhook payloads',
        sqlite
          .prepare(
            `UPDATE webhook_events SET payload = '{"erased":true}' WHERE payload != '{"erased":true}' AND (${anyLike('payload', idPatterns)})`,
          )
          .run(...idPatterns).changes,
      );
      count(
        'talent-pool placeholder rows',
        sqlite
          .prepare(
            `DELETE FROM talent_pool WHERE contact_id ${inOpps} OR ${anyLike('opportunity_ids', likePatterns(opps))}`,
          )
          .run(JSON.stringify([...contacts]), ...likePatterns(opps)).changes,
      );

      // Every other table keyed by opportunity or contact: today lever_notes, the automations' watchers and polls,
      // the sync checkpoint, and whatever a later feature adds.
      for (const table of userTables(sqlite)) {
        if (HANDLED.has(table) || table === 'talent_pool') continue;
        const cols = columnsOf(sqlite, table).filter((c) => PERSON_COLUMNS.includes(c.name));
        if (cols.length === 0) continue;
        const where = cols.map((c) => `${sqlIdent(c.name)} ${inOpps}`).join(' OR ');
        const list = JSON.stringify(ids);
        count(
          `rows of ${table}`,
          sqlite.prepare(`DELETE FROM ${sqlIdent(table)} WHERE ${where}`).run(...cols.map(() => list)).changes,
        );
      }

      // Audit: rows about them keep their place in the chain, their payloads become the tombstone.
      const auditIds = (
        sqlite
          .prepare(
            `SELECT id FROM audit_log WHERE erased_at IS NULL AND (opportunity_id ${inOpps} OR ${anyLike('lever_ids', idPatterns)} OR ${anyLike('output', textPatterns)})`,
          )
          .all(oppList, ...idPatterns, ...textPatterns) as Array<{ id: number }>
      ).map((r) => r.id);
      const auditErased = eraseAuditPayloadsSync(sqlite, auditIds, { actor: opts.actor, reason: opts.reason, now });
      return auditErased.length;
    });
    const auditErased = run.immediate();
    return { opportunityIds: [...opps].sort(), contactIds: [...contacts].sort(), removed, auditErased };
  } finally {
    sqlite.pragma(`secure_delete = ${secureBefore ? 'ON' : 'OFF'}`);
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
  sqlite: BetterSqlite3.Database,
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

  expandLocally(sqlite, { opps, contacts, names, emails });
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
export function resolvePersonLocallySync(sqlite: BetterSqlite3.Database, selector: PersonSelector): ErasureTarget {
  const sets = {
    opps: new Set<string>(),
    contacts: new Set<string>(),
    names: new Set<string>(),
    emails: new Set<string>(),
  };
  if ('opportunityId' in selector) sets.opps.add(selector.opportunityId);
  if ('contactId' in selector) sets.contacts.add(selector.contactId);
  if ('email' in selector) sets.emails.add(selector.email.toLowerCase());
  expandLocally(sqlite, sets);
  return {
    scope: 'person',
    opportunityIds: [...sets.opps],
    contactIds: [...sets.contacts],
    names: [...sets.names],
    emails: [...sets.emails],
  };
}

/** Grows the sets from Fulcrum's own data until nothing new turns up. */
function expandLocally(
  sqlite: BetterSqlite3.Database,
  {
    opps,
    contacts,
    names,
    emails,
  }: { opps: Set<string>; contacts: Set<string>; names: Set<string>; emails: Set<string> },
): void {
  // Fulcrum's own data, repeated until nothing new turns up (an email leads to a contact, a contact to opportunities).
  const opportunityRows = sqlite.prepare('SELECT opportunity_id, contact_id, data FROM rd_opportunity');
  for (let changed = true; changed; ) {
    changed = false;
    const add = (set: Set<string>, v: string | null | undefined) => {
      if (v && !set.has(v)) {
        set.add(v);
        changed = true;
      }
    };
    for (const r of opportunityRows.iterate() as Iterable<{
      opportunity_id: string;
      contact_id: string;
      data: string;
    }>) {
      let data: { name?: unknown; emails?: unknown };
      try {
        data = JSON.parse(r.data) as typeof data;
      } catch {
        data = {};
      }
      const rowEmails = Array.isArray(data.emails) ? data.emails.filter((e): e is string => typeof e === 'string') : [];
      const mine =
        opps.has(r.opportunity_id) || contacts.has(r.contact_id) || rowEmails.some((e) => emails.has(e.toLowerCase()));
      if (!mine) continue;
      add(opps, r.opportunity_id);
      add(contacts, r.contact_id);
      if (typeof data.name === 'string') names.add(data.name);
      for (const e of rowEmails) add(emails, e.toLowerCase());
    }
  }
  for (const r of sqlite
    .prepare('SELECT candidate_name FROM automation_watchers WHERE opportunity_id IN (SELECT value FROM json_each(?))')
    .all(JSON.stringify([...opps])) as Array<{ candidate_name: string }>) {
    if (r.candidate_name !== '(no name)') names.add(r.candidate_name);
  }
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
 * After an erasure: the WAL still holds page images from before it, so checkpoint everything into the database and
 * truncate the WAL; with `vacuum`, also rebuild the database file (VACUUM), which leaves no free pages behind. Either
 * can be refused while another connection is busy (the server mid-request): that is reported, not thrown, because
 * secure_delete already zeroed the freed space in the database itself.
 */
export function scrubFiles(sqlite: BetterSqlite3.Database, opts: { vacuum: boolean }): ScrubResult {
  const problems: string[] = [];
  let vacuumed = false;
  if (opts.vacuum) {
    try {
      sqlite.exec('VACUUM');
      vacuumed = true;
    } catch (e) {
      problems.push(`VACUUM could not run (${(e as Error).message}); freed space was zeroed anyway`);
    }
  }
  let walTruncated = false;
  try {
    const [r] = sqlite.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number; log: number; checkpointed: number }>;
    walTruncated = r !== undefined && r.busy === 0;
    if (!walTruncated)
      problems.push('the WAL could not be truncated while another connection reads; it will be at the next checkpoint');
  } catch (e) {
    problems.push(`the WAL checkpoint failed (${(e as Error).message})`);
  }
  return { walTruncated, vacuumed, problems };
}

/**
 * Where any of these texts still occurs in the database, table by table (text columns, case-insensitive for ASCII):
 * the CLI's check after an erasure. A linear scan of every table, fine for a command run by hand.
 */
export function findLeftovers(
  sqlite: BetterSqlite3.Database,
  needles: string[],
  opts: { skip?: Record<string, string[]> } = {},
): Array<{ table: string; rows: number }> {
  const patterns = likePatterns(needles);
  if (patterns.length === 0) return [];
  const out: Array<{ table: string; rows: number }> = [];
  for (const table of userTables(sqlite)) {
    const skip = opts.skip?.[table] ?? [];
    const cols = columnsOf(sqlite, table).filter((c) => !/INT|REAL|BLOB/i.test(c.type) && !skip.includes(c.name));
    if (cols.length === 0) continue;
    const where = cols
      .flatMap((c) => patterns.map(() => `CAST(${sqlIdent(c.name)} AS TEXT) LIKE ? ESCAPE '\\'`))
      .join(' OR ');
    const params = cols.flatMap(() => patterns);
    const { n } = sqlite
      .prepare(`SELECT count(*) AS n FROM ${sqlIdent(table)} WHERE ${where}`)
      .get(...params) as Row & {
      n: number;
    };
    if (n > 0) out.push({ table, rows: n });
  }
  return out;
}
