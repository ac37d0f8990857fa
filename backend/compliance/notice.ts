import type { Kysely } from 'kysely';
import type { JurisdictionId, Notice, NoticeTemplate } from '../../utils/contracts/compliance.ts';
import { toPostingInput } from '../candidates/load-candidate.ts';
import type { Posting } from '../lever/index.ts';
import type { Database } from '../store/schema.ts';
import { JURISDICTION_NAMES, jurisdictionsOf, type RegulatedJurisdiction } from './jurisdiction.ts';
import { DEFAULT_TEMPLATES, MAX_TEMPLATE_CHARS, renderTemplate, SECTION_TITLES } from './notice-templates.ts';
import { describeDays, keepDays } from './retention-law.ts';
import { readComplianceSettings } from './settings.ts';

/**
 * The candidate notice for one posting: the generic section, then one section per jurisdiction its location brings in,
 * each from the admin's template or Fulcrum's default, filled with the posting's requirements, the contact address and
 * the retention period that applies. Recruiters paste it into the posting or the application form.
 */

const ALL: JurisdictionId[] = [
  'generic',
  'nyc-ll144',
  'illinois-hb3773',
  'colorado-ai-act',
  'california-ads',
  'eu-ai-act',
];
const MAX_ASSESSED = 15;
const MAX_ASSESSED_CHARS = 160;

type Db = Kysely<Database>;

async function templateRows(db: Db) {
  const rows = await db.selectFrom('compliance_notice_templates').selectAll().execute();
  return new Map(rows.map((r) => [r.jurisdiction, r]));
}

export async function listTemplates(db: Db): Promise<NoticeTemplate[]> {
  const rows = await templateRows(db);
  return ALL.map((j) => {
    const row = rows.get(j);
    return {
      jurisdiction: j,
      name: JURISDICTION_NAMES[j],
      title: SECTION_TITLES[j],
      body: row?.body ?? DEFAULT_TEMPLATES[j],
      defaultBody: DEFAULT_TEMPLATES[j],
      updatedAt: row ? new Date(row.updated_at).toISOString() : null,
      updatedBy: row?.updated_by ?? null,
    };
  });
}

/** Saves an admin's template (or, with `body === null`, goes back to the default). Returns the template as now used. */
export async function saveTemplate(
  db: Db,
  jurisdiction: JurisdictionId,
  body: string | null,
  by: string,
  now: number,
): Promise<NoticeTemplate> {
  if (body === null) {
    await db.deleteFrom('compliance_notice_templates').where('jurisdiction', '=', jurisdiction).execute();
  } else {
    const row = { jurisdiction, body: body.slice(0, MAX_TEMPLATE_CHARS), updated_at: now, updated_by: by };
    await db
      .insertInto('compliance_notice_templates')
      .values(row)
      .onConflict((oc) => oc.column('jurisdiction').doUpdateSet({ body: row.body, updated_at: now, updated_by: by }))
      .execute();
  }
  return (await listTemplates(db)).find((t) => t.jurisdiction === jurisdiction) as NoticeTemplate;
}

export type NoticeOptions = {
  /** The admin's retention period (governance), which legal minimums raise. */
  retentionDays: number;
  /** Jurisdictions this install hires in (settings or COMPLIANCE_JURISDICTIONS), for the retention period. */
  installJurisdictions: readonly RegulatedJurisdiction[];
  /** Requirements the proxy check excludes from scoring: not listed as "what it assesses". */
  excludeCriteria?: (text: string) => boolean;
};

export async function buildNotice(db: Db, posting: Posting, opts: NoticeOptions): Promise<Notice> {
  const { settings } = await readComplianceSettings(db);
  const found = jurisdictionsOf(posting);
  const notes = [...found.notes];
  const input = toPostingInput(posting);
  const requirements = input.requirements.filter((r) => !opts.excludeCriteria?.(r));
  const assessed = requirements.length
    ? requirements
        .slice(0, MAX_ASSESSED)
        .map((r) => r.replace(/\s+/g, ' ').trim().slice(0, MAX_ASSESSED_CHARS))
        .join('; ') + (requirements.length > MAX_ASSESSED ? `; and ${requirements.length - MAX_ASSESSED} more` : '')
    : 'the requirements written in this job posting';
  if (!requirements.length) {
    notes.push('The posting lists no requirements Fulcrum could read, so the notice describes them only in general.');
  }

  const regulated = found.jurisdictions.map((j) => j.id);
  const days = keepDays('ai-outputs', opts.retentionDays, [...new Set([...regulated, ...opts.installJurisdictions])]);
  const retention = `the tool's outputs about your application and the decisions made with them are kept for ${describeDays(days)}, then deleted; a log of each use of the tool is kept so its use can be checked.`;

  const missing = (what: string) => `[${what}: set it in Fulcrum's compliance settings]`;
  if (!settings.contactEmail)
    notes.push('Set the contact address candidates write to (compliance settings) before publishing.');
  if (!settings.organization) notes.push("Set your organisation's name (compliance settings) before publishing.");
  if (regulated.includes('nyc-ll144') && !settings.biasAuditUrl) {
    notes.push(
      'New York City requires the bias audit summary to be published: set its URL in the compliance settings.',
    );
  }
  const values: Record<string, string> = {
    organization: settings.organization || 'The hiring team',
    postingTitle: posting.text.slice(0, 300),
    assessed,
    contactEmail: settings.contactEmail || missing('contact email'),
    retention,
    biasAuditUrl: settings.biasAuditUrl || missing('bias audit summary URL'),
  };

  const rows = await templateRows(db);
  const sections = (['generic', ...regulated] as JurisdictionId[]).map((j) => ({
    jurisdiction: j,
    title: SECTION_TITLES[j],
    text: renderTemplate(rows.get(j)?.body ?? DEFAULT_TEMPLATES[j], values),
    edited: rows.has(j),
  }));
  return {
    posting: { id: posting.id, title: posting.text },
    location: found.location,
    jurisdictions: found.jurisdictions.map((j) => ({ id: j.id, name: JURISDICTION_NAMES[j.id], matched: j.matched })),
    sections,
    text: sections.map((s) => `${s.title}\n\n${s.text}`).join('\n\n'),
    notes,
  };
}
