import type { Kysely } from 'kysely';
import type { OptOutStatus } from '../../utils/contracts/compliance.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { withTransaction } from '../store/dialect.ts';
import type { Database } from '../store/schema.ts';
import { readComplianceSettings } from './settings.ts';

/**
 * Opt-out of automated assessment. A candidate is opted out when their opportunity carries the configured Lever tag
 * (default `fulcrum:no-automated-assessment`, compared case-insensitively) or when a local opt-out was recorded (CLI or
 * an admin/recruiter action). Opted-out candidates get no scoring, ranking, rediscovery or automation proposal; the AI
 * routes answer 409 (governance/require-not-opted-out.ts). Every opt-out and withdrawal is audited, including the
 * first time Fulcrum sees the tag in Lever and the first time it sees it gone. Every function takes a Kysely (`db`, or
 * the caller's transaction), so automations and rediscovery ask the same question the HTTP middleware does, on SQLite
 * and PostgreSQL alike.
 */

type Db = Kysely<Database>;
export type OptOutSource = 'lever-tag' | 'cli' | 'admin';

type Row = {
  opportunity_id: string;
  contact_id: string | null;
  source: OptOutSource;
  reason: string | null;
  created_at: number;
  created_by: string;
};

export async function optOutTag(db: Db): Promise<string> {
  return (await readComplianceSettings(db)).settings.optOutTag;
}

const norm = (t: string) => t.trim().toLowerCase();

/** Whether `tags` (a Lever opportunity's, at most 500 looked at) hold the opt-out tag. */
export function hasOptOutTag(tags: readonly unknown[] | null | undefined, tag: string): boolean {
  if (!tags?.length) return false;
  const want = norm(tag);
  for (const t of tags.slice(0, 500)) if (typeof t === 'string' && norm(t) === want) return true;
  return false;
}

/** An opportunity's opt-out records, oldest first (the order the status lists its sources in). */
function rowsFor(db: Db, opportunityId: string): Promise<Row[]> {
  return db
    .selectFrom('compliance_opt_outs')
    .selectAll()
    .where('opportunity_id', '=', opportunityId)
    .orderBy('created_at')
    .orderBy('source')
    .execute();
}

function audit(db: Db, action: string, r: { opportunityId: string; by: string; output: unknown; now: number }) {
  return appendAudit(
    db,
    {
      actor: r.by,
      opportunityId: r.opportunityId,
      capability: 'compliance',
      action,
      output: r.output,
      decision: null,
      leverIds: [r.opportunityId],
    },
    r.now,
  );
}

/** Records a local opt-out (audited, in one transaction). Returns false when this source had already recorded one. */
export function recordOptOut(
  db: Db,
  o: {
    opportunityId: string;
    contactId: string | null;
    source: OptOutSource;
    reason?: string;
    by: string;
    now: number;
  },
): Promise<boolean> {
  return withTransaction(db, async (trx) => {
    const inserted = await trx
      .insertInto('compliance_opt_outs')
      .values({
        opportunity_id: o.opportunityId,
        contact_id: o.contactId,
        source: o.source,
        reason: o.reason ?? null,
        created_at: o.now,
        created_by: o.by,
      })
      .onConflict((oc) => oc.columns(['opportunity_id', 'source']).doNothing())
      .executeTakeFirst();
    if (!inserted.numInsertedOrUpdatedRows) return false;
    await audit(trx, 'compliance.opt-out', {
      opportunityId: o.opportunityId,
      by: o.by,
      now: o.now,
      output: { source: o.source, reason: o.reason ?? null },
    });
    return true;
  });
}

/**
 * Withdraws local opt-outs (audited, in one transaction). `sources` defaults to the local ones (CLI and admin): a Lever
 * tag is withdrawn by removing it in Lever, which the next read notices. Returns how many were removed.
 */
export function withdrawOptOut(
  db: Db,
  o: { opportunityId: string; by: string; now: number; reason?: string; sources?: OptOutSource[] },
): Promise<number> {
  const sources = o.sources ?? ['cli', 'admin'];
  return withTransaction(db, async (trx) => {
    let removed = 0;
    for (const source of sources) {
      const n = Number(
        (
          await trx
            .deleteFrom('compliance_opt_outs')
            .where('opportunity_id', '=', o.opportunityId)
            .where('source', '=', source)
            .executeTakeFirst()
        ).numDeletedRows,
      );
      if (n) {
        removed += n;
        await audit(trx, 'compliance.opt-out.withdrawn', {
          opportunityId: o.opportunityId,
          by: o.by,
          now: o.now,
          output: { source, reason: o.reason ?? null },
        });
      }
    }
    return removed;
  });
}

export type OpportunityTags = { id: string; tags?: readonly unknown[] | null; contact?: unknown };

const contactOf = (c: unknown): string | null =>
  typeof c === 'string' ? c : c && typeof c === 'object' && 'id' in c && typeof c.id === 'string' ? c.id : null;

/**
 * The opt-out status of an opportunity as just read from Lever, keeping the local record of the tag in step: the
 * first read that shows the tag records (and audits) it, the first read without it withdraws it.
 */
export async function optOutStatusOf(db: Db, opp: OpportunityTags, now: number = Date.now()): Promise<OptOutStatus> {
  const tag = await optOutTag(db);
  const tagged = hasOptOutTag(opp.tags, tag);
  let rows = await rowsFor(db, opp.id);
  const seen = rows.some((r) => r.source === 'lever-tag');
  if (tagged !== seen) {
    if (tagged) {
      await recordOptOut(db, {
        opportunityId: opp.id,
        contactId: contactOf(opp.contact),
        source: 'lever-tag',
        reason: `Lever tag "${tag}"`,
        by: 'lever',
        now,
      });
    } else {
      await withdrawOptOut(db, {
        opportunityId: opp.id,
        by: 'lever',
        now,
        reason: `Lever tag "${tag}" removed`,
        sources: ['lever-tag'],
      });
    }
    rows = await rowsFor(db, opp.id);
  }
  return statusOf(rows, tag);
}

function statusOf(rows: Row[], tag: string): OptOutStatus {
  return {
    optedOut: rows.length > 0,
    sources: rows.map((r) => ({
      source: r.source,
      since: new Date(r.created_at).toISOString(),
      by: r.source === 'lever-tag' ? null : r.created_by,
    })),
    tag,
  };
}

/** The local record alone (no Lever read): what the CLI prints and what an offline check can tell. */
export async function localOptOutStatus(db: Db, opportunityId: string): Promise<OptOutStatus> {
  return statusOf(await rowsFor(db, opportunityId), await optOutTag(db));
}

type PoolPerson = { contactId: string; tags: readonly string[]; opportunities: ReadonlyArray<{ id: string }> };

/** Ids per statement: well under both engines' bound-parameter limits (SQLite 32,766, PostgreSQL 65,535). */
const CHUNK = 1_000;

/**
 * The opt-out check for a batch of talent-pool people (rediscovery index): a person is opted out when the tag is on any
 * of their synced opportunities, or a local opt-out was recorded for their contact or any of their opportunities.
 * Reads the records of all of them at once; returns the check for one person of the batch.
 */
export async function optOutCheck(
  db: Db,
  people: ReadonlyArray<Pick<PoolPerson, 'contactId' | 'opportunities'>>,
  tag?: string,
): Promise<(p: PoolPerson) => boolean> {
  const optOutTagIs = tag ?? (await optOutTag(db));
  const contacts = [...new Set(people.map((p) => p.contactId))];
  const opps = [...new Set(people.flatMap((p) => p.opportunities.map((o) => o.id)))];
  const local = new Set<string>();
  for (const [column, ids] of [
    ['contact_id', contacts],
    ['opportunity_id', opps],
  ] as const) {
    for (let i = 0; i < ids.length; i += CHUNK) {
      const rows = await db
        .selectFrom('compliance_opt_outs')
        .select(['contact_id', 'opportunity_id'])
        .where(column, 'in', ids.slice(i, i + CHUNK))
        .execute();
      for (const r of rows) {
        local.add(r.opportunity_id);
        if (r.contact_id) local.add(r.contact_id);
      }
    }
  }
  return (p) =>
    hasOptOutTag(p.tags, optOutTagIs) || local.has(p.contactId) || p.opportunities.some((o) => local.has(o.id));
}

/** Whether one talent-pool person opted out (see optOutCheck). */
export async function isOptedOutPerson(db: Db, person: PoolPerson, tag?: string): Promise<boolean> {
  return (await optOutCheck(db, [person], tag))(person);
}

/** Every opportunity with a local opt-out record (for reports and the audit pack, which leaves them out). */
export async function optedOutOpportunityIds(db: Db): Promise<Set<string>> {
  const rows = await db.selectFrom('compliance_opt_outs').select('opportunity_id').distinct().execute();
  return new Set(rows.map((r) => r.opportunity_id));
}
