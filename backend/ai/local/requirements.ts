import type { Criterion } from '../../../utils/contracts/ai.ts';
import { postingFromText } from '../posting-from-text.ts';
import type { PostingInput } from '../types.ts';
import { classifyKind } from './criterion-spec.ts';

/**
 * Criteria extraction: one Criterion per requirement item of the posting (plus nice-to-haves at half weight and
 * an implied seniority criterion). The question generator and feedback synthesis reuse this list, so ids are
 * stable for a given posting text.
 */

const MUST_RE = /\b(must|required|mandatory|essential|non-negotiable)\b/i;
const KIND_WEIGHT: Record<Criterion['kind'], number> = {
  skill: 1,
  experience: 1.2,
  education: 0.8,
  language: 1,
  other: 0.5,
};

/** Title words and the years of experience they usually imply. */
const SENIORITY: Array<[RegExp, string, number]> = [
  [/\b(director|head of|vp|vice president|chief)\b/i, 'Director-level', 10],
  [/\b(principal|staff|lead|architect)\b/i, 'Lead/principal-level', 7],
  [/\b(senior|sr\.?)\b/i, 'Senior-level', 5],
];

export function seniorityOf(title: string): { name: string; years: number } | null {
  for (const [re, name, years] of SENIORITY) if (re.test(title)) return { name, years };
  return null;
}

export function extractCriteria(posting: PostingInput): Criterion[] {
  const source =
    posting.requirements.length > 0 || posting.niceToHave.length > 0
      ? posting
      : postingFromText(posting.id, posting.text);
  const out: Criterion[] = [];
  const seen = new Set<string>();
  const add = (text: string, id: string, nice: boolean) => {
    const clean = text.replace(/\s+/g, ' ').trim();
    const key = clean.toLowerCase();
    if (clean.length < 2 || seen.has(key) || out.length >= 40) return;
    seen.add(key);
    const kind = classifyKind(clean);
    out.push({
      id,
      text: clean,
      kind,
      weight: KIND_WEIGHT[kind] * (nice ? 0.5 : 1),
      mustHave: !nice && MUST_RE.test(clean),
    });
  };
  for (const [i, r] of source.requirements.entries()) add(r, `req-${i + 1}`, false);
  for (const [i, r] of source.niceToHave.entries()) add(r, `nice-${i + 1}`, true);
  const seniority = seniorityOf(posting.title);
  if (seniority && !out.some((c) => c.kind === 'experience') && out.length < 40)
    out.push({
      id: 'seniority',
      text: `${seniority.name} experience: ${seniority.years} years of experience in ${posting.title
        .replace(/\b(senior|sr\.?|lead|principal|staff|director|head of|vp)\b/gi, '')
        .replace(/\s+/g, ' ')
        .trim()}`,
      kind: 'experience',
      weight: 1,
      mustHave: false,
    });
  if (out.length === 0)
    out.push({ id: 'title', text: `Experience as ${posting.title}`, kind: 'experience', weight: 1, mustHave: false });
  return out;
}
