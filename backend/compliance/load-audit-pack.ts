import { type Kysely, sql } from 'kysely';
import { z } from 'zod';
import type { AuditPack } from '../../utils/contracts/compliance.ts';
import { type LeverClient, LeverForbiddenError } from '../lever/index.ts';
import type { Store } from '../store/db.ts';
import { inChunks, keysetPages } from '../store/in-chunks.ts';
import type { Database } from '../store/schema.ts';
import { type AssessedApplicant, computeAuditPack } from './audit-pack.ts';
import { optedOutOpportunityIds } from './opt-out.ts';

/**
 * The audit pack from Fulcrum's records and Lever's EEO self-reports with identifiers (`/eeo/responses/pii`, which
 * needs its own permission: without it this fails with AuditPackPermissionError, it never falls back to guessing).
 * Scores and verdicts come from the audit log (every match Fulcrum generated, by a recruiter or an automation), and
 * from the AI result cache for any the log does not hold; the newest in the window counts per opportunity. The EEO
 * answers are joined in memory by opportunity id and dropped: never stored, never sent to any AI provider.
 */

const DAY = 86_400_000;
/** Applications can predate their assessment: self-reports are read from this long before the window. */
const EEO_LOOKBACK_MS = 365 * DAY;
const MAX_ROWS = 500_000;
const PAGE = 5_000;

export class AuditPackQueryError extends Error {
  override name = 'AuditPackQueryError';
}
export class AuditPackPermissionError extends Error {
  override name = 'AuditPackPermissionError';
}

const Scored = z.looseObject({ score: z.number().finite(), verdict: z.string() });

export type AuditPackQuery = { from: string; to: string; postingId?: string; minCell?: number };

function dayStart(name: string, value: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(ms))
    throw new AuditPackQueryError(`${name} must be a date like 2026-01-31, got "${value.slice(0, 40)}"`);
  return ms;
}

/** The newest recorded score and verdict per opportunity in [from, to]. */
export async function recordedScores(
  db: Kysely<Database>,
  from: number,
  to: number,
): Promise<Map<string, { score: number; verdict: string; at: number }>> {
  const out = new Map<string, { score: number; verdict: string; at: number }>();
  const keep = (id: string | null, at: number, json: string | null) => {
    if (!id || !json) return;
    const prev = out.get(id);
    if (prev && prev.at >= at) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      return;
    }
    const r = Scored.safeParse(parsed);
    if (r.success) out.set(id, { score: r.data.score, verdict: r.data.verdict, at });
  };
  // Read a page at a time (keyset on each table's primary key), so memory stays bounded however long the window.
  const pages = { pageSize: PAGE, max: MAX_ROWS };
  await keysetPages(
    (after, limit) =>
      db
        .selectFrom('audit_log')
        .select(['id', 'opportunity_id', 'at', 'output'])
        .where('capability', '=', 'match')
        .where('action', '=', 'ai.generate')
        .where('opportunity_id', 'is not', null)
        .where('at', '>=', from)
        .where('at', '<=', to)
        .$if(after !== null, (q) => q.where('id', '>', after as number))
        .orderBy('id')
        .limit(limit)
        .execute(),
    (row) => row.id,
    (row) => keep(row.opportunity_id, row.at, row.output),
    pages,
  );
  // The cache fills in opportunities the log does not hold (the newest row of each, whatever order pages come in).
  const logged = new Set(out.keys());
  await keysetPages(
    (after, limit) =>
      db
        .selectFrom('ai_results')
        .select(['input_hash', 'opportunity_id', 'created_at', 'result'])
        .where('capability', '=', 'match')
        .where('opportunity_id', 'is not', null)
        .where('created_at', '>=', from)
        .where('created_at', '<=', to)
        .$if(after !== null, (q) => q.where('input_hash', '>', after as string))
        .orderBy('input_hash')
        .limit(limit)
        .execute(),
    (row) => row.input_hash,
    (row) => {
      if (row.opportunity_id && !logged.has(row.opportunity_id)) keep(row.opportunity_id, row.created_at, row.result);
    },
    pages,
  );
  return out;
}

/** The posting of each opportunity as the talent-pool sync last saw it (absent before a sync saw it). */
async function syncedPostings(db: Kysely<Database>, opportunityIds: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  await inChunks(opportunityIds, async (ids) => {
    // rd_opportunity belongs to the rediscovery index, which is not in the typed schema.
    const { rows } = await sql<{ opportunity_id: string; data: string }>`
      SELECT opportunity_id, data FROM rd_opportunity WHERE opportunity_id IN (${sql.join(ids)})`.execute(db);
    for (const row of rows) {
      try {
        const p = (JSON.parse(row.data) as { postingId?: unknown }).postingId;
        if (typeof p === 'string') out.set(row.opportunity_id, p);
      } catch {
        // An unreadable row: the posting is unknown, as before a sync.
      }
    }
  });
  return out;
}

const refId = (v: unknown): string | null =>
  typeof v === 'string' ? v : v && typeof v === 'object' && 'id' in v && typeof v.id === 'string' ? v.id : null;

export async function loadAuditPack(
  deps: { store: Store; lever: LeverClient; now: Date },
  q: AuditPackQuery,
): Promise<AuditPack> {
  const from = dayStart('from', q.from);
  const to = dayStart('to', q.to) + DAY - 1;
  if (from > to) throw new AuditPackQueryError('the window ends before it starts');
  if (q.minCell !== undefined && !(Number.isInteger(q.minCell) && q.minCell >= 2 && q.minCell <= 100)) {
    throw new AuditPackQueryError('the minimum cell size must be a whole number from 2 to 100');
  }
  const scores = await recordedScores(deps.store.db, from, to);
  // Candidates who opted out of automated assessment are left out of the pack (their earlier scores included).
  for (const id of await optedOutOpportunityIds(deps.store.db)) scores.delete(id);

  const eeo = new Map<string, { gender: string | null; race: string | null; postingId: string | null }>();
  try {
    for await (const r of deps.lever.listEeoResponsesWithPii({
      createdAtStart: from - EEO_LOOKBACK_MS,
      createdAtEnd: to,
    })) {
      if (!r.opportunityId || !scores.has(r.opportunityId)) continue;
      eeo.set(r.opportunityId, { gender: r.gender ?? null, race: r.race ?? null, postingId: refId(r.posting) });
    }
  } catch (e) {
    if (e instanceof LeverForbiddenError) {
      throw new AuditPackPermissionError(
        'The Lever API key lacks the "EEO responses (PII)" permission (eeo_responses_pii:read), which the audit pack needs to join self-reported answers to Fulcrum\'s scores.',
      );
    }
    throw e;
  }

  // Only opportunities without a posting from their EEO answer need the synced one.
  const postingOf = q.postingId
    ? await syncedPostings(
        deps.store.db,
        [...scores.keys()].filter((id) => !eeo.get(id)?.postingId),
      )
    : new Map<string, string>();
  const people: AssessedApplicant[] = [];
  let withEeo = 0;
  for (const [opportunityId, s] of scores) {
    const answers = eeo.get(opportunityId);
    if (q.postingId) {
      const posting = answers?.postingId ?? postingOf.get(opportunityId) ?? null;
      if (posting !== q.postingId) continue;
    }
    if (answers) withEeo++;
    people.push({
      opportunityId,
      score: s.score,
      verdict: s.verdict,
      sex: answers?.gender ?? null,
      race: answers?.race ?? null,
    });
  }
  return computeAuditPack(people, {
    from: q.from,
    to: q.to,
    postingId: q.postingId ?? null,
    ...(q.minCell === undefined ? {} : { minCell: q.minCell }),
    generatedAt: deps.now,
    withEeo,
    dataSource: `Historical data of this employer's use of Fulcrum: the scores and verdicts Fulcrum recorded (audit log of every match generated, by recruiters and automations, and its result cache) between ${q.from} and ${q.to}, the newest per applicant, joined by Lever opportunity id to the applicants' voluntary EEO self-identification from Lever (/eeo/responses/pii, applications created from ${new Date(from - EEO_LOOKBACK_MS).toISOString().slice(0, 10)}). The answers were not stored by Fulcrum or sent to any AI provider.`,
  });
}
