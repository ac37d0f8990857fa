import { z } from 'zod';
import type { JdFinding } from '../../utils/contracts/fairness.ts';

/**
 * Missing pay range and workplace type. These findings have nothing to highlight, so their span is empty at offset 0
 * (`text: ''`, `start: 0`, `end: 0`); the side panel shows them above the text.
 */

const SALARY_SOURCE =
  'Pay-transparency laws: Colorado Equal Pay for Equal Work Act (2021), New York City Local Law 32 (2022), California SB 1162 (2023), EU Pay Transparency Directive 2023/970';
const WORKPLACE_SOURCE = 'Lever posting field "workplaceType" (onsite, remote, hybrid)';

/** Lever's `salaryRange`; present when at least one bound is a number. */
const SalaryRangeSchema = z.looseObject({ min: z.number().nullish(), max: z.number().nullish() });

/** A currency amount range written in the text, e.g. "$90,000 - $120,000", "€60k–75k", "USD 50 to 70k". */
const SALARY_IN_TEXT =
  /(?:[$€£¥₹]|\b(?:USD|EUR|GBP|CAD|AUD|CHF)\s?)\s?\d[\d,.]*\s?[kK]?\s*(?:-|–|—|to)\s*(?:[$€£¥₹]|\b(?:USD|EUR|GBP|CAD|AUD|CHF)\s?)?\s?\d[\d,.]*\s?[kK]?/;
const WORKPLACE_IN_TEXT = /\b(?:remote|hybrid|on[\s-]?site|in[\s-]office|in[\s-]person|work\s+from\s+home)\b/i;
const KNOWN_WORKPLACE = new Set(['remote', 'hybrid', 'onsite', 'on-site']);

function hasSalaryRange(value: unknown): boolean {
  const parsed = SalaryRangeSchema.safeParse(value);
  return parsed.success && (typeof parsed.data.min === 'number' || typeof parsed.data.max === 'number');
}

export function findMissingInfo(input: {
  text: string;
  salaryRange?: unknown;
  workplaceType?: string | null;
}): JdFinding[] {
  const out: JdFinding[] = [];
  if (!hasSalaryRange(input.salaryRange) && !SALARY_IN_TEXT.test(input.text)) {
    out.push({
      text: '',
      start: 0,
      end: 0,
      category: 'missing-info',
      reason: 'No salary range: ranges are required by law in several places and help people who negotiate less',
      source: SALARY_SOURCE,
      suggestion:
        'Add the pay range (Lever: salary range on the posting, or a line such as "$90,000-$110,000 per year")',
    });
  }
  const declared = input.workplaceType?.trim().toLowerCase();
  if (!(declared && KNOWN_WORKPLACE.has(declared)) && !WORKPLACE_IN_TEXT.test(input.text)) {
    out.push({
      text: '',
      start: 0,
      end: 0,
      category: 'missing-info',
      reason:
        'No workplace type: applicants with caring duties or disabilities need to know if the job is remote, hybrid or on-site',
      source: WORKPLACE_SOURCE,
      suggestion:
        'Set the workplace type on the posting and mention it in the text (e.g. "Hybrid: 2 days a week in our Berlin office")',
    });
  }
  return out;
}
