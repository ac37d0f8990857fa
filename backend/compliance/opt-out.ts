import type { OptOutStatus } from '../../utils/contracts/compliance.ts';
import { appendAuditSync } from '../audit/audit-log.ts';
import type { Store } from '../store/db.ts';
import { readComplianceSettings } from './settings.ts';

/**
 * Opt-out of automated assessment. A candidate is opted out when their opportunity carries the configured Lever tag
 * (default `fulcrum:no-automated-assessment`, compared case-insensitively) or when a local opt-out was recorded (CLI or
 * an admin/recruiter action). Opted-out candidates get no scoring, ranking, rediscovery or automation proposal; the AI
 * routes answer 409 (governance/require-not-opted-out.ts). Every opt-out and withdrawal is audited, including the
 * first time Fulcrum sees the tag in Lever and the first time it sees it gone. All synchronous (better-sqlite3), so
 * automations and rediscovery ask the same question the HTTP middleware does.
 */

type Sqlite = Store['sqlite'];
export type OptOutSource = 'lever-tag' | 'cli' | 'admin';

type Row = {
  opportunity_id: string;
  contact_id: string | null;
  source: OptOutSource;
  reason: string | null;
  created_at: number;
  created_by: string;
};

export function optOutTag(sqlite: Sqlite): string {
  return readComplianceSettings(sqlite).settings.optOutTag;
}

const norm = (t: string) => t.trim().toLowerCase();

/** Whether `tags` (a Lever opportunity's, at most 500 looked at) hold the opt-out tag. */
export function hasOptOutTag(tags: readonly unknown[] | null | undefined, tag: string): boolean {
  if (!tags?.length) return false;
  const want = norm(tag);
  for (const t of tags.slice(0, 500)) if (typeof t === 'string' && norm(t) === want) return true;
  return false;
}

function rowsFor(sqlite: Sqlite, opportunityId: string): Row[] {
  return sqlite.prepare('SELECT * FROM compliance_opt_outs WHERE opportunity_id = ?').all(opportunityId) as Row[];
}

function audit(sqlite: Sqlite, action: string, r: { opportunityId: string; by: string; output: unknown; now: number }) {
  appendAuditSync(
    sqlite,
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

/** Records a local opt-out (audited). Returns false when this source had already recorded one. */
export function recordOptOut(
  sqlite: Sqlite,
  o: {
    opportunityId: string;
    contactId: string | null;
    source: OptOutSource;
    reason?: string;
    by: string;
    now: number;
  },
): boolean {
  return sqlite
    .transaction(() => {
      const inserted = sqlite
        .prepare(
          `INSERT INTO compliance_opt_outs (opportunity_id, contact_id, source, reason, created_at, created_by)
           VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (opportunity_id, source) DO NOTHING`,
        )
        .run(o.opportunityId, o.contactId, o.source, o.reason ?? null, o.now, o.by).changes;
      if (inserted) {
        audit(sqlite, 'compliance.opt-out', {
          opportunityId: o.opportunityId,
          by: o.by,
          now: o.now,
          output: { source: o.source, reason: o.reason ?? null },
        });
      }
      return inserted > 0;
    })
    .immediate();
}

/**
 * Withdraws local opt-outs (audited). `sources` defaults to the local ones (CLI and admin): a Lever tag is withdrawn by
 * removing it in Lever, which the next read notices. Returns how many were removed.
 */
export function withdrawOptOut(
  sqlite: Sqlite,
  o: { opportunityId: string; by: string; now: number; reason?: string; sources?: OptOutSource[] },
): number {
  const sources = o.sources ?? ['cli', 'admin'];
  return sqlite
    .transaction(() => {
      let removed = 0;
      for (const source of sources) {
        const n = sqlite
          .prepare('DELETE FROM compliance_opt_outs WHERE opportunity_id = ? AND source = ?')
          .run(o.opportunityId, source).changes;
        if (n) {
          removed += n;
          audit(sqlite, 'compliance.opt-out.withdrawn', {
            opportunityId: o.opportunityId,
            by: o.by,
            now: o.now,
            output: { source, reason: o.reason ?? null },
          });
        }
      }
      return removed;
    })
    .immediate();
}

export type OpportunityTags = { id: string; tags?: readonly unknown[] | null; contact?: unknown };

const contactOf = (c: unknown): string | null =>
  typeof c === 'string' ? c : c && typeof c === 'object' && 'id' in c && typeof c.id === 'string' ? c.id : null;

/**
 * The opt-out status of an opportunity as just read from Lever, keeping the local record of the tag in step: the
 * first read that shows the tag records (and audits) it, the first read without it withdraws it.
 */
export function optOutStatusOf(sqlite: Sqlite, opp: OpportunityTags, now: number = Date.now()): OptOutStatus {
  const tag = optOutTag(sqlite);
  const tagged = hasOptOutTag(opp.tags, tag);
  let rows = rowsFor(sqlite, opp.id);
  const seen = rows.some((r) => r.source === 'lever-tag');
  if (tagged !== seen) {
    if (tagged) {
      recordOptOut(sqlite, {
        opportunityId: opp.id,
        contactId: contactOf(opp.contact),
        source: 'lever-tag',
        reason: `Lever tag "${tag}"`,
        by: 'lever',
        now,
      });
    } else {
      withdrawOptOut(sqlite, {
        opportunityId: opp.id,
        by: 'lever',
        now,
        reason: `Lever tag "${tag}" removed`,
        sources: ['lever-tag'],
      });
    }
    rows = rowsFor(sqlite, opp.id);
  }
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
export function localOptOutStatus(sqlite: Sqlite, opportunityId: string): OptOutStatus {
  const rows = rowsFor(sqlite, opportunityId);
  return {
    optedOut: rows.length > 0,
    sources: rows.map((r) => ({
      source: r.source,
      since: new Date(r.created_at).toISOString(),
      by: r.source === 'lever-tag' ? null : r.created_by,
    })),
    tag: optOutTag(sqlite),
  };
}

/**
 * Whether a talent-pool person (rediscovery index) opted out: the tag on any of their synced opportunities, or a
 * local opt-out recorded for their contact or any of their opportunities.
 */
export function isOptedOutPerson(
  sqlite: Sqlite,
  person: { contactId: string; tags: readonly string[]; opportunities: ReadonlyArray<{ id: string }> },
  tag: string = optOutTag(sqlite),
): boolean {
  if (hasOptOutTag(person.tags, tag)) return true;
  if (sqlite.prepare('SELECT 1 FROM compliance_opt_outs WHERE contact_id = ? LIMIT 1').get(person.contactId)) {
    return true;
  }
  const byOpp = sqlite.prepare('SELECT 1 FROM compliance_opt_outs WHERE opportunity_id = ? LIMIT 1');
  return person.opportunities.some((o) => byOpp.get(o.id) !== undefined);
}

/** Every opportunity with a local opt-out record (for reports and the audit pack, which leaves them out). */
export function optedOutOpportunityIds(sqlite: Sqlite): Set<string> {
  const rows = sqlite.prepare('SELECT DISTINCT opportunity_id FROM compliance_opt_outs').all() as Array<{
    opportunity_id: string;
  }>;
  return new Set(rows.map((r) => r.opportunity_id));
}
