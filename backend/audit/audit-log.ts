import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { type AuditEntry, AuditEntrySchema } from '../../utils/contracts/api.ts';
import type { Store } from '../store/db.ts';
import { lockForTransaction, withTransaction } from '../store/dialect.ts';
import type { Database } from '../store/schema.ts';

/**
 * The append-only record of every AI action and every write to Lever. Rows are hash-chained: each row's `hash` is
 * sha256(prev_hash + canonical JSON of its fields), and `prev_hash` is the previous row's hash ('' for the first).
 * Editing, deleting or reordering any row breaks the chain from that row on, which verifyAuditChain reports.
 * (Deleting the newest rows cannot be detected from the table alone: keep exported copies for that.)
 *
 * The chain covers each row's payload (`output`) through its content hash (sha256 of the payload's JSON, stored in
 * content_hash), not the payload itself. So the payload of a person who must be forgotten can be replaced by a
 * tombstone (eraseAuditPayloads) and the chain still verifies: the content hash stays, what it hashed is gone.
 * An erased row must hold exactly the tombstone and be listed by a later erasure record (action `audit.erase`),
 * which verification checks, so a payload cannot be removed or forged quietly under the cover of an erasure.
 */

const nullableText = z.string().min(1).nullish();

export const AuditInputSchema = z.object({
  /** Recruiter email, 'system', or a job name. */
  actor: z.string().min(1),
  opportunityId: nullableText,
  capability: z.string().min(1),
  action: z.string().min(1),
  provider: nullableText,
  model: nullableText,
  modelVersion: nullableText,
  promptVersion: nullableText,
  inputHash: nullableText,
  output: z.unknown().optional(),
  decision: nullableText,
  leverIds: z.array(z.string()).default([]),
});
export type AuditInput = z.input<typeof AuditInputSchema>;

const AuditRowSchema = z.object({
  id: z.number().int(),
  at: z.number(),
  actor: z.string(),
  opportunity_id: z.string().nullable(),
  capability: z.string(),
  action: z.string(),
  provider: z.string().nullable(),
  model: z.string().nullable(),
  model_version: z.string().nullable(),
  prompt_version: z.string().nullable(),
  input_hash: z.string().nullable(),
  output: z.string().nullable(),
  decision: z.string().nullable(),
  lever_ids: z.string(),
  prev_hash: z.string(),
  hash: z.string(),
  content_hash: z.string().nullable(),
  erased_at: z.number().nullable(),
  hash_version: z.number().int(),
  legacy_hash: z.string().nullable(),
});
type AuditRow = z.infer<typeof AuditRowSchema>;
/** What the chain covers of a row: everything but its own hash and link; the payload only by its content hash. */
type ChainFields = Omit<AuditRow, 'hash' | 'prev_hash' | 'erased_at' | 'legacy_hash' | 'hash_version'>;

/** What an erased row's output holds instead of its payload (JSON text as stored). */
export const AUDIT_TOMBSTONE = '{"erased":true}';
/** The action of the record that lists which rows an erasure tombstoned. */
export const AUDIT_ERASE_ACTION = 'audit.erase';
const ErasureRecordSchema = z.object({ erasedAuditIds: z.array(z.number().int()) });

const LeverIdsSchema = z.array(z.string());
// Schemas are built once: constructing a zod object costs about a millisecond.
const ChainHeadSchema = z.object({ id: z.number(), hash: z.string() }).optional();

export class AuditInputError extends Error {
  override name = 'AuditInputError';
}

/** Version 1 (rows from before migration 0003 that were not re-chained): the payload itself is hashed. */
function legacyMaterial(row: Omit<AuditRow, 'hash' | 'prev_hash'>): string {
  return JSON.stringify([
    row.id,
    row.at,
    row.actor,
    row.opportunity_id,
    row.capability,
    row.action,
    row.provider,
    row.model,
    row.model_version,
    row.prompt_version,
    row.input_hash,
    row.output,
    row.decision,
    row.lever_ids,
  ]);
}

/** Version 2: everything in a row except its own hash, in a fixed order, with the payload's content hash. */
function chainMaterial(row: ChainFields): string {
  return JSON.stringify([
    2,
    row.id,
    row.at,
    row.actor,
    row.opportunity_id,
    row.capability,
    row.action,
    row.provider,
    row.model,
    row.model_version,
    row.prompt_version,
    row.input_hash,
    row.content_hash,
    row.decision,
    row.lever_ids,
  ]);
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The content hash of a stored payload (JSON text, or null for none). */
export function contentHashOf(output: string | null): string {
  return sha256(JSON.stringify(output));
}

function chainHash(prevHash: string, row: ChainFields): string {
  return createHash('sha256').update(prevHash).update(chainMaterial(row)).digest('hex');
}

function rowHash(row: AuditRow): string {
  if (row.hash_version === 1) {
    return createHash('sha256').update(row.prev_hash).update(legacyMaterial(row)).digest('hex');
  }
  return chainHash(row.prev_hash, row);
}

/** JSON with object keys sorted, so equal values always serialize (and hash) the same way. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const s = JSON.stringify(value);
    if (s === undefined) throw new AuditInputError('audit output must be JSON-serializable');
    return s;
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

function parseInput(input: AuditInput) {
  const parsed = AuditInputSchema.safeParse(input);
  if (!parsed.success) throw new AuditInputError(`Invalid audit entry: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** The next row of the chain after `head` (undefined: the log is empty). */
function nextRow(
  head: { id: number; hash: string } | undefined,
  e: ReturnType<typeof parseInput>,
  now: number,
): AuditRow {
  const output = e.output === undefined ? null : canonicalJson(e.output);
  const fields: ChainFields = {
    id: (head?.id ?? 0) + 1,
    at: now,
    actor: e.actor,
    opportunity_id: e.opportunityId ?? null,
    capability: e.capability,
    action: e.action,
    provider: e.provider ?? null,
    model: e.model ?? null,
    model_version: e.modelVersion ?? null,
    prompt_version: e.promptVersion ?? null,
    input_hash: e.inputHash ?? null,
    output,
    decision: e.decision ?? null,
    lever_ids: JSON.stringify(e.leverIds),
    content_hash: contentHashOf(output),
  };
  const prevHash = head?.hash ?? '';
  return {
    ...fields,
    prev_hash: prevHash,
    hash: chainHash(prevHash, fields),
    erased_at: null,
    hash_version: 2,
    legacy_hash: null,
  };
}

/** The advisory lock (PostgreSQL) that makes appenders in several processes take turns at the chain head. */
const AUDIT_CHAIN_LOCK = 'fulcrum.audit_chain';

/**
 * Appends one entry and returns it as the API shows it, on either dialect. Pass a transaction to make the entry
 * part of the caller's write (it commits or rolls back with it); otherwise the append runs in its own. The head is
 * read under a transaction lock (PostgreSQL: an advisory lock; SQLite: the write lock), and prev_hash is UNIQUE,
 * so concurrent appenders never fork the chain.
 */
export async function appendAudit(db: Kysely<Database>, input: AuditInput, now = Date.now()): Promise<AuditEntry> {
  const e = parseInput(input);
  const row = await withTransaction(db, async (trx) => {
    await lockForTransaction(trx, AUDIT_CHAIN_LOCK);
    const head = ChainHeadSchema.parse(
      await trx.selectFrom('audit_log').select(['id', 'hash']).orderBy('id', 'desc').limit(1).executeTakeFirst(),
    );
    const next = nextRow(head, e, now);
    await trx.insertInto('audit_log').values(next).execute();
    return next;
  });
  return toEntry(row);
}

export type AuditVerification = {
  ok: boolean;
  rows: number;
  /** Rows whose payload was replaced by the tombstone (forget, candidateDeleted); their chain links still verify. */
  erased?: number;
  firstBadId?: number;
  problem?: string;
};

/**
 * Recomputes the whole chain. `firstBadId` is the first row whose content or link no longer matches. A row whose
 * payload is the original must match its content hash; an erased row must hold the tombstone and be listed by a
 * later erasure record.
 */
export async function verifyAuditChain(store: Pick<Store, 'db'>): Promise<AuditVerification> {
  let prevHash = '';
  let rows = 0;
  const erased: number[] = [];
  const listed = new Set<number>();
  for await (const row of scanRows(store)) {
    rows++;
    if (row.prev_hash !== prevHash) {
      return { ok: false, rows, firstBadId: row.id, problem: `row ${row.id} does not link to the row before it` };
    }
    const payloadIntact =
      row.hash_version === 1 ||
      (row.erased_at === null ? contentHashOf(row.output) === row.content_hash : row.output === AUDIT_TOMBSTONE);
    if (!payloadIntact || rowHash(row) !== row.hash) {
      return { ok: false, rows, firstBadId: row.id, problem: `row ${row.id} was changed after it was written` };
    }
    if (row.erased_at !== null) erased.push(row.id);
    if (row.action === AUDIT_ERASE_ACTION && row.erased_at === null && row.output !== null) {
      const record = ErasureRecordSchema.safeParse(JSON.parse(row.output));
      if (record.success) for (const id of record.data.erasedAuditIds) if (id < row.id) listed.add(id);
    }
    prevHash = row.hash;
  }
  const unlisted = erased.find((id) => !listed.has(id));
  if (unlisted !== undefined) {
    return {
      ok: false,
      rows,
      erased: erased.length,
      firstBadId: unlisted,
      problem: `row ${unlisted} lost its content without an erasure record listing it`,
    };
  }
  return { ok: true, rows, ...(erased.length ? { erased: erased.length } : {}) };
}

/**
 * Replaces the payload of these rows with the tombstone, keeping their content hash (so the chain still verifies),
 * and appends the erasure record that lists them, in the caller's transaction (or its own). Rows already erased are
 * skipped. The record names the reason and the rows, never the person. Returns the ids erased now.
 */
export async function eraseAuditPayloads(
  db: Kysely<Database>,
  ids: readonly number[],
  opts: { actor: string; reason: string; now?: number },
): Promise<number[]> {
  const now = opts.now ?? Date.now();
  const wanted = [...new Set(ids)].sort((a, b) => a - b);
  if (wanted.length === 0) return [];
  return withTransaction(db, async (trx) => {
    const done: number[] = [];
    // In slices: a long erasure must not exceed either engine's limit on bound parameters.
    for (let i = 0; i < wanted.length; i += 500) {
      const slice = wanted.slice(i, i + 500);
      const erased = await trx
        .updateTable('audit_log')
        .set({ output: AUDIT_TOMBSTONE, erased_at: now })
        .where('id', 'in', slice)
        .where('erased_at', 'is', null)
        .returning('id')
        .execute();
      done.push(...erased.map((r) => r.id));
    }
    done.sort((a, b) => a - b);
    if (done.length > 0) {
      await appendAudit(
        trx,
        {
          actor: opts.actor,
          capability: 'governance',
          action: AUDIT_ERASE_ACTION,
          output: { reason: opts.reason, erasedAuditIds: done },
          decision: null,
        },
        now,
      );
    }
    return done;
  });
}

/** Rows in id order, in pages, so a large log never sits in memory at once. */
async function* scanRows(store: Pick<Store, 'db'>, since?: Date): AsyncGenerator<AuditRow> {
  let after = 0;
  for (;;) {
    let q = store.db.selectFrom('audit_log').selectAll().where('id', '>', after).orderBy('id').limit(1_000);
    if (since) q = q.where('at', '>=', since.getTime());
    const page = await q.execute();
    for (const raw of page) yield AuditRowSchema.parse(raw);
    const lastRow = page.at(-1);
    if (!lastRow || page.length < 1_000) return;
    after = lastRow.id;
  }
}

/** A stored row with every field, JSON columns parsed and names in camelCase: the JSONL export line. */
function rowToJson(row: AuditRow) {
  return {
    id: row.id,
    at: new Date(row.at).toISOString(),
    actor: row.actor,
    opportunityId: row.opportunity_id,
    capability: row.capability,
    action: row.action,
    provider: row.provider,
    model: row.model,
    modelVersion: row.model_version,
    promptVersion: row.prompt_version,
    inputHash: row.input_hash,
    output: row.output === null ? null : (JSON.parse(row.output) as unknown),
    decision: row.decision,
    leverIds: LeverIdsSchema.parse(JSON.parse(row.lever_ids)),
    prevHash: row.prev_hash,
    hash: row.hash,
    contentHash: row.content_hash,
    hashVersion: row.hash_version,
    erasedAt: row.erased_at === null ? null : new Date(row.erased_at).toISOString(),
  };
}

/** The wire entry: the schema keeps its own fields and drops the rest (model version, hashes). */
function toEntry(row: AuditRow): AuditEntry {
  return AuditEntrySchema.parse(rowToJson(row));
}

/** The history of one opportunity, newest first, as the side panel shows it. */
export async function listAudit(
  store: Pick<Store, 'db'>,
  opts: { opportunityId: string; limit?: number },
): Promise<AuditEntry[]> {
  const rows = await store.db
    .selectFrom('audit_log')
    .selectAll()
    .where('opportunity_id', '=', opts.opportunityId)
    .orderBy('id', 'desc')
    .limit(opts.limit ?? 200)
    .execute();
  return rows.map((raw) => toEntry(AuditRowSchema.parse(raw)));
}

export type AuditExportFormat = 'jsonl' | 'csv';

const CSV_COLUMNS = [
  'id',
  'at',
  'actor',
  'opportunity_id',
  'capability',
  'action',
  'provider',
  'model',
  'model_version',
  'prompt_version',
  'input_hash',
  'output',
  'decision',
  'lever_ids',
  'prev_hash',
  'hash',
  'content_hash',
  'hash_version',
  'erased_at',
] as const satisfies ReadonlyArray<keyof AuditRow>;

/**
 * The log as text lines (each ending in '\n'), oldest first. JSONL keeps every stored field, hashes included, so an
 * export can be re-verified elsewhere. CSV is for spreadsheets: cells that a spreadsheet would run as a formula
 * get a leading apostrophe.
 */
export async function* exportAudit(
  store: Pick<Store, 'db'>,
  opts: { format: AuditExportFormat; since?: Date },
): AsyncGenerator<string> {
  if (opts.format === 'csv') yield `${CSV_COLUMNS.join(',')}\n`;
  for await (const row of scanRows(store, opts.since)) {
    if (opts.format === 'jsonl') {
      yield `${JSON.stringify(rowToJson(row))}\n`;
    } else {
      const cells = CSV_COLUMNS.map((c) =>
        (c === 'at' || c === 'erased_at') && row[c] !== null ? new Date(row[c]).toISOString() : row[c],
      );
      yield `${cells.map(csvCell).join(',')}\n`;
    }
  }
}

function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
