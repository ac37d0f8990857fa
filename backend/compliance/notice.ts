import type { JurisdictionId, Notice, NoticeTemplate } from '../../utils/contracts/compliance.ts';
import { toPostingInput } from '../candidates/load-candidate.ts';
import type { Posting } from '../lever/index.ts';
import type { Store } from '../store/db.ts';
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

type TemplateRow = { jurisdiction: string; body: string; updated_at: number; updated_by: string };

function templateRows(sqlite: Store['sqlite']): Map<string, TemplateRow> {
  const rows = sqlite.prepare('SELECT * FROM compliance_notice_templates').all() as TemplateRow[];
  return new Map(rows.map((r) => [r.jurisdiction, r]));
}

export function listTemplates(sqlite: Store['sqlite']): NoticeTemplate[] {
  const rows = templateRows(sqlite);
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
export function saveTemplate(
  sqlite: Store['sqlite'],
  jurisdiction: JurisdictionId,
  body: string | null,
  by: string,
  now: number,
): NoticeTemplate {
  if (body === null) {
    sqlite.prepare('DELETE FROM compliance_notice_templates WHERE jurisdiction = ?').run(jurisdiction);
  } else {
    sqlite
      .prepare(
        `INSERT INTO compliance_notice_templates (jurisdiction, body, updated_at, updated_by) VALUES (?, ?, ?, ?)
         ON CONFLICT (jurisdiction) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at,
           updated_by = excluded.updated_by`,
      )
      .run(jurisdiction, body.slice(0, MAX_TEMPLATE_CHARS), now, by);
  }
  return listTemplates(sqlite).find((t) => t.jurisdiction === jurisdiction) as NoticeTemplate;
}

export type NoticeOptions = {
  /** The admin's retention period (governance), which legal minimums raise. */
  retentionDays: number;
  /** Jurisdictions this install hires in (settings or COMPLIANCE_JURISDICTIONS), for the retention period. */
  installJurisdictions: readonly RegulatedJurisdiction[];
  /** Requirements the proxy check excludes from scoring: not listed as "what it assesses". */
  excludeCriteria?: (text: string) => boolean;
};

export function buildNotice(sqlite: Store['sqlite'], posting: Posting, opts: NoticeOptions): Notice {
  const { settings } = readComplianceSettings(sqlite);
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

  const rows = templateRows(sqlite);
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
