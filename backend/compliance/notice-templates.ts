import type { JurisdictionId } from '../../utils/contracts/compliance.ts';

/**
 * Fulcrum's default wording of the candidate notice, one section per jurisdiction. Admins can replace any section
 * (compliance_notice_templates); these are drafts for the employer's counsel to review, written to cover what each
 * rule asks a notice to say: what the tool assesses, the data it uses, how to ask for an alternative process or a
 * human review, and how long records are kept. `{{name}}` placeholders are filled per posting (see PLACEHOLDERS).
 */

export const PLACEHOLDERS: Array<{ name: string; description: string }> = [
  { name: 'organization', description: 'The organisation name from the compliance settings' },
  { name: 'postingTitle', description: "The posting's title in Lever" },
  { name: 'assessed', description: "The posting's requirements the tool compares applications with" },
  { name: 'contactEmail', description: 'Where candidates write for an alternative process or a human review' },
  {
    name: 'retention',
    description: 'How long the tool’s outputs and decisions are kept (from the retention settings)',
  },
  { name: 'biasAuditUrl', description: 'Where the latest bias audit summary is published (NYC)' },
];

export const SECTION_TITLES: Record<JurisdictionId, string> = {
  generic: 'How we use an automated tool for this role',
  'nyc-ll144': 'New York City: automated employment decision tool notice',
  'illinois-hb3773': 'Illinois: notice of the use of artificial intelligence',
  'colorado-ai-act': 'Colorado: notice of a high-risk artificial intelligence system',
  'california-ads': 'California: automated-decision system',
  'eu-ai-act': 'European Union: AI used in recruitment',
};

export const DEFAULT_TEMPLATES: Record<JurisdictionId, string> = {
  generic: `{{organization}} uses Fulcrum, a software tool, to help recruiters review applications for {{postingTitle}}. It compares the résumé and application answers you send with the requirements of this posting and shows the recruiter which requirements your application appears to meet, quoting the passages it relied on. A recruiter reads every application; the tool does not reject or advance anyone on its own and makes no hiring decision.

What it assesses: {{assessed}}

The data it uses: the résumé and application answers you submit, and this job posting. It does not use your photo, age or date of birth, sex or gender, race or ethnicity, disability, marital or family status, or your answers to voluntary equal-opportunity questions. Names and contact details are removed before any text is sent to an AI model.

Your choices: you can ask for your application to be reviewed without the tool (an alternative process), or for a person to review any outcome, with no disadvantage to you. Write to {{contactEmail}} naming the job, or tell your recruiter. You can also ask what the tool found about your application and ask us to correct information we hold about you.

How long we keep it: {{retention}}`,

  'nyc-ll144': `This role is in New York City. The tool described above is an automated employment decision tool used to help assess candidates for this position, and this notice is given at least ten business days before it is used on your application. It assesses these job qualifications and characteristics: {{assessed}}

You may ask for an alternative selection process or a reasonable accommodation by writing to {{contactEmail}}. On written request we tell you, within 30 days, the type of data collected for the tool, where it comes from and our data retention policy. The summary of the most recent bias audit of this tool, with its date, is published at {{biasAuditUrl}}.`,

  'illinois-hb3773': `This role is in Illinois. As the Illinois Human Rights Act requires (as amended by HB 3773, in force 1 January 2026), we tell you that artificial intelligence, the tool described above, is used when we consider applications for this role. It does not use zip codes, or any other stand-in for a protected characteristic, to assess anyone. To ask a question about it, or to have your application reviewed by a person without it, write to {{contactEmail}}.`,

  'colorado-ai-act': `This role is in Colorado. The tool described above is a high-risk artificial intelligence system under the Colorado AI Act (SB 24-205 as amended by SB 26-189, from 1 January 2027): it may be a factor in a decision about employment. Its purpose is to compare applications with the posting's requirements: {{assessed}}

If a decision that is not in your favour is made with the help of the tool, you may ask for a statement of the main reasons, including what the tool found and the data it used; ask us to correct any of your personal data that was wrong; and appeal the decision for review by a person. Write to {{contactEmail}}.`,

  'california-ads': `This role is in California. The tool described above is an automated-decision system. We keep its outputs and the decisions made with them, with the data behind them, for at least four years, as California's Civil Rights Council regulations require. You may ask how the tool was used in your case, and ask for an alternative process or a review by a person, at {{contactEmail}}. The tool is not used to assess characteristics protected by California law, or stand-ins for them.`,

  'eu-ai-act': `This role is in the European Union. The tool described above is an AI system used in recruitment, which the EU AI Act (Regulation (EU) 2024/1689, Annex III point 4) classes as high-risk. Trained recruiters oversee its outputs and may disregard them, and its use is logged. You have the right to a clear explanation of the role the tool played in any decision about you (Article 86 of the AI Act) and, under the GDPR (Article 22), the right to obtain human intervention, to express your point of view and to contest a decision. Write to {{contactEmail}}; you may also contact our data protection officer or your data protection authority.`,
};

/** Longest template an admin may save, and the longest value one placeholder may expand to. */
export const MAX_TEMPLATE_CHARS = 20_000;
const MAX_VALUE_CHARS = 4_000;

/**
 * Fills `{{name}}` placeholders in one linear pass. Unknown names are left as written, so a typo shows in the preview
 * instead of vanishing; a value is never re-scanned, so a posting title with braces in it cannot inject a placeholder.
 */
export function renderTemplate(body: string, values: Record<string, string>): string {
  return body
    .slice(0, MAX_TEMPLATE_CHARS)
    .replace(/\{\{([A-Za-z]{1,40})\}\}/g, (whole, name: string) =>
      Object.hasOwn(values, name) ? (values[name] ?? '').slice(0, MAX_VALUE_CHARS) : whole,
    );
}
