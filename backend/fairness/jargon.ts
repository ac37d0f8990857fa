import type { JdFinding } from '../../utils/contracts/fairness.ts';
import { finding, matchAll } from './text-match.ts';

/**
 * Hype jargon that signals a narrow "culture fit" and tells many qualified people the job is not for them. There is
 * no single published list; this one is Fulcrum's, kept short and literal so each hit is easy to judge.
 */
const SOURCE = 'Fulcrum editorial list (hype jargon in job ads)';

const TERMS: Array<{ re: RegExp; suggestion: string }> = [
  { re: /rock[\s-]?stars?/giu, suggestion: 'Say what excellent looks like, e.g. "experienced" or "skilled"' },
  { re: /ninjas?/giu, suggestion: 'Use "expert" or "specialist"' },
  { re: /gurus?/giu, suggestion: 'Use "expert" or "specialist"' },
  { re: /wizards?/giu, suggestion: 'Use "expert"' },
  { re: /jedis?/giu, suggestion: 'Use "expert"' },
  { re: /unicorns?/giu, suggestion: 'List the two or three skills that matter most' },
  { re: /superstars?/giu, suggestion: 'Use "skilled" or "accomplished"' },
  { re: /superheroe?s?/giu, suggestion: 'Use "skilled" or "accomplished"' },
  { re: /10x\s+(?:engineers?|developers?)/giu, suggestion: 'Describe the impact you expect instead' },
  { re: /work\s+hard,?\s+play\s+hard/giu, suggestion: 'Describe working hours and team activities concretely' },
  { re: /crush(?:ing)?\s+it/giu, suggestion: 'Describe the goals concretely' },
  { re: /hustle/giu, suggestion: 'Describe the pace and hours honestly' },
  { re: /killer\s+instinct/giu, suggestion: 'Use "drive to reach goals"' },
  { re: /beer\s+(?:fridge|fridays?)/giu, suggestion: 'Describe team events that include non-drinkers' },
];

const BOUNDED = TERMS.map(({ re, suggestion }) => ({
  re: new RegExp(`(?<![\\p{L}\\p{N}])(?:${re.source})(?![\\p{L}\\p{N}])`, 'giu'),
  suggestion,
}));

export function findJargon(text: string): JdFinding[] {
  const out: JdFinding[] = [];
  for (const { re, suggestion } of BOUNDED) {
    for (const hit of matchAll(text, re)) {
      out.push(
        finding(text, hit, {
          category: 'jargon',
          reason: 'Hype jargon: it narrows who feels invited to apply',
          source: SOURCE,
          suggestion,
        }),
      );
    }
  }
  return out;
}
