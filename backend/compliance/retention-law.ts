import type { JurisdictionId } from '../../utils/contracts/compliance.ts';
import type { RegulatedJurisdiction } from './jurisdiction.ts';

/**
 * What the laws Fulcrum knows about say about keeping records of an automated hiring tool, by class of record:
 * - ai-outputs: ai_results (every score, draft, question set and synthesis the AI produced);
 * - decisions: decided proposals (what a recruiter approved, wrote or discarded, and when);
 * - audit-log: the append-only audit trail (who did what with which model);
 * - operational: finished jobs and received webhook events (no legal minimum; the admin's period alone).
 * A legal minimum raises the admin's retention period; it never lowers it. The rules are a plain table so a reviewer
 * (or counsel) can check each against its source; the citations are the ones the product was built from, not advice.
 */

export type RetentionClass = 'ai-outputs' | 'decisions' | 'audit-log' | 'operational';

export type RetentionRule = { jurisdiction: RegulatedJurisdiction; minDays: number; citation: string };

const FOUR_YEARS = 4 * 365 + 1;
const SIX_MONTHS = 183;

const CALIFORNIA =
  'California Civil Rights Council regulations on automated-decision systems (Cal. Code Regs., tit. 2, § 11013(c), in force 1 October 2025): automated-decision system data kept at least four years';
const EU =
  'EU AI Act (Regulation (EU) 2024/1689), Art. 26(6) and 19: deployers of a high-risk system keep the logs it generates for at least six months';

export const RETENTION_RULES: Record<RetentionClass, RetentionRule[]> = {
  'ai-outputs': [
    { jurisdiction: 'california-ads', minDays: FOUR_YEARS, citation: CALIFORNIA },
    { jurisdiction: 'eu-ai-act', minDays: SIX_MONTHS, citation: EU },
  ],
  decisions: [
    { jurisdiction: 'california-ads', minDays: FOUR_YEARS, citation: CALIFORNIA },
    { jurisdiction: 'eu-ai-act', minDays: SIX_MONTHS, citation: EU },
  ],
  'audit-log': [
    { jurisdiction: 'california-ads', minDays: FOUR_YEARS, citation: CALIFORNIA },
    { jurisdiction: 'eu-ai-act', minDays: SIX_MONTHS, citation: EU },
  ],
  operational: [],
};

export const CLASS_RECORDS: Record<RetentionClass, string> = {
  'ai-outputs': 'AI outputs (cached scores, drafts, questions, syntheses: ai_results)',
  decisions: 'Decisions (proposals a recruiter approved, wrote or discarded)',
  'audit-log': 'Audit log (every AI action and Lever write, hash-chained)',
  operational: 'Operational records (finished jobs, received webhook events)',
};

/** Notes on laws that set no per-candidate retention minimum, so nobody reads their absence as an oversight. */
export const JURISDICTION_NOTES: Partial<Record<JurisdictionId, string>> = {
  'nyc-ll144':
    'New York City LL144 sets no per-candidate retention period; the bias audit summary must stay published while the tool is used and for six months after its last use.',
  'illinois-hb3773':
    'Illinois HB 3773 sets no retention period of its own; keep records as for any other employment decision under the Human Rights Act.',
  'colorado-ai-act':
    'Colorado AI Act: impact assessments and their records are kept three years; export the audit pack and keep it with the assessment.',
};

/** The legal minimum for a class under the given jurisdictions (0 when none applies), and the rules behind it. */
export function legalMinimum(
  cls: RetentionClass,
  jurisdictions: readonly RegulatedJurisdiction[],
): { minDays: number; rules: RetentionRule[] } {
  const rules = RETENTION_RULES[cls].filter((r) => jurisdictions.includes(r.jurisdiction));
  return { minDays: rules.reduce((m, r) => Math.max(m, r.minDays), 0), rules };
}

/** Days a class is kept: the admin's period raised to the legal minimum. */
export function keepDays(cls: RetentionClass, adminDays: number, jurisdictions: readonly RegulatedJurisdiction[]) {
  return Math.max(adminDays, legalMinimum(cls, jurisdictions).minDays);
}

/** "4 years", "6 months", "180 days": how a period reads in a notice. */
export function describeDays(days: number): string {
  if (days >= 365 && days % 365 <= 1) {
    const years = Math.round(days / 365);
    return `${years} year${years === 1 ? '' : 's'}`;
  }
  if (days >= 182 && days <= 184) return '6 months';
  return `${days} days`;
}
