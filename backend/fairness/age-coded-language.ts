import type { JdFinding } from '../../utils/contracts/fairness.ts';
import { finding, matchAll, sentenceAround } from './text-match.ts';

/**
 * Age-coded wording. The US EEOC names the pattern directly: "a help-wanted ad that seeks 'females' or 'recent
 * college graduates' may discourage men and people over 40 from applying and may violate the law" (ADEA).
 */
const SOURCE =
  'US EEOC, "Prohibited Employment Policies/Practices: Job Advertisements"; Age Discrimination in Employment Act of 1967';

const PATTERNS: Array<{ re: RegExp; reason: string; suggestion: string }> = [
  {
    re: /(?<![\p{L}\p{N}])digital[\s-]+natives?(?![\p{L}\p{N}])/giu,
    reason: '"Digital native" describes a generation, not a skill',
    suggestion: 'Name the skill, e.g. "fluent with modern collaboration tools"',
  },
  {
    re: /(?<![\p{L}\p{N}])young(?:\s+and\s+(?:energetic|dynamic|hungry|ambitious)|\s+(?:team|company|people|professionals?|talent|blood|minds?))(?![\p{L}\p{N}])/giu,
    reason: 'Describes the age of the people, which signals an age preference',
    suggestion: 'Describe the work or the culture, e.g. "an energetic team" or "a team that moves quickly"',
  },
  {
    re: /(?<![\p{L}\p{N}])(?:youthful|fresh\s+blood|overqualified)(?![\p{L}\p{N}])/giu,
    reason: 'Age-coded wording',
    suggestion: 'Describe the skills and behaviours you need instead',
  },
  {
    re: /(?<![\p{L}\p{N}])(?:no\s+more\s+than|maximum\s+(?:of\s+)?|at\s+most|up\s+to)\s+\d+\s+years?(?:\s+of)?\s+(?:experience|work)(?![\p{L}\p{N}])/giu,
    reason: 'A ceiling on experience excludes older applicants',
    suggestion: 'State the minimum you need, not a maximum',
  },
];

const RECENT_GRAD =
  /(?<![\p{L}\p{N}])(?:recent|new)\s+(?:(?:college|university)\s+)?grad(?:uate)?s?(?![\p{L}\p{N}])/giu;
/** Words that turn "recent graduate" from an invitation into a requirement when they share its sentence. */
const REQUIREMENT_WORDS =
  /\b(?:must|required|requirement|only|should\s+be|need\s+to\s+be|you\s+are\s+a|ideal\s+candidate\s+is)\b/i;

export function findAgeCodedPhrases(text: string): JdFinding[] {
  const out: JdFinding[] = [];
  for (const { re, reason, suggestion } of PATTERNS) {
    for (const hit of matchAll(text, re))
      out.push(finding(text, hit, { category: 'age-coded', reason, source: SOURCE, suggestion }));
  }
  for (const hit of matchAll(text, RECENT_GRAD)) {
    const sentence = sentenceAround(text, hit);
    if (!REQUIREMENT_WORDS.test(text.slice(sentence.start, sentence.end))) continue;
    out.push(
      finding(text, hit, {
        category: 'age-coded',
        reason: '"Recent graduate" as a requirement screens out older applicants',
        source: SOURCE,
        suggestion:
          'Welcome graduates without requiring it, e.g. "open to early-career applicants, including recent graduates"',
      }),
    );
  }
  return out;
}
