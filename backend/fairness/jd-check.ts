import type { JdCheckResult, JdFinding, JdFindingCategory, JdVerdict } from '../../utils/contracts/fairness.ts';
import { JdFindingCategorySchema } from '../../utils/contracts/fairness.ts';
import { findAgeCodedPhrases } from './age-coded-language.ts';
import { findExclusionaryPhrases } from './exclusionary-language.ts';
import { findGenderedWords } from './gendered-wording.ts';
import { findJargon } from './jargon.ts';
import { findMissingInfo } from './missing-info.ts';
import type { JdCheckInput } from './posting-text.ts';
import { findRequirementInflation } from './requirement-inflation.ts';

export { postingToCheckInput, postingToText } from './posting-text.ts';
export type { JdCheckInput };

/**
 * The job-description check: pure, deterministic and fast (no I/O after module load). Every finding's `text` equals
 * `input.text.slice(start, end)`; missing-info findings are empty spans at 0.
 *
 * Verdict, from the Gaucher et al. counts: 'neutral' when no gender-coded word appears, 'masculine-leaning' or
 * 'feminine-leaning' when one kind leads by at least 2 words and makes up more than 60% of them, else 'balanced'.
 */
export function checkJobDescription(input: JdCheckInput): JdCheckResult {
  const { text } = input;
  const findings: JdFinding[] = [
    ...findGenderedWords(text),
    ...findExclusionaryPhrases(text),
    ...findAgeCodedPhrases(text),
    ...findJargon(text),
    ...findRequirementInflation(text),
    ...findMissingInfo(input),
  ];
  const order = JdFindingCategorySchema.options;
  findings.sort((a, b) => a.start - b.start || a.end - b.end || order.indexOf(a.category) - order.indexOf(b.category));
  const byCategory: Record<JdFindingCategory, number> = {
    'masculine-coded': 0,
    'feminine-coded': 0,
    exclusionary: 0,
    'age-coded': 0,
    jargon: 0,
    'requirement-inflation': 0,
    'missing-info': 0,
  };
  for (const f of findings) byCategory[f.category]++;
  const masculine = byCategory['masculine-coded'];
  const feminine = byCategory['feminine-coded'];
  return { verdict: verdict(masculine, feminine), counts: { masculine, feminine, byCategory }, findings };
}

function verdict(masculine: number, feminine: number): JdVerdict {
  const total = masculine + feminine;
  if (total === 0) return 'neutral';
  if (masculine - feminine >= 2 && masculine / total > 0.6) return 'masculine-leaning';
  if (feminine - masculine >= 2 && feminine / total > 0.6) return 'feminine-leaning';
  return 'balanced';
}
