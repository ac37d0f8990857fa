import { minYearsAsked } from './local/years.ts';
import type { PostingInput } from './types.ts';

/**
 * Turns a job description given as plain text (CLI input, pasted text) into a PostingInput: the title from a
 * "Job title" heading or the first line, requirement and nice-to-have items from the bullet/line structure under
 * headings such as "Requirements", "Qualifications", "Required Skills", "Nice to have".
 */

type SectionKind = 'requirements' | 'nice' | 'title' | 'other';

const NICE_RE =
  /\b(nice[- ]to[- ]have|bonus|preferred|pluses|plus|desired|desirable|optional|good to have|extra credit)\b/i;
const REQ_RE =
  /\b(requirements?|required|qualifications?|must[- ]haves?|what you('|’)ll (need|bring)|what you bring|what we('|’)re looking for|who you are|you have|about you|skills|experience|education|competenc(ies|e)|knowledge|abilities)\b/i;
const NOT_REQ_RE =
  /\b(responsibilit\w*|duties|what you('|’)ll do|the role|about (us|the (company|team|role))|benefits|perks|summary|overview|description|we offer|compensation|salary|how to apply|company)\b/i;
const BULLET_RE = /^\s*(?:[-*•·–—▪◦●]|\d{1,2}[.)]|[a-z][.)])\s+/;

function headingOf(line: string): string | null {
  const md = /^\s*#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
  if (md) return md[1]!;
  const trimmed = line.trim();
  if (BULLET_RE.test(line)) return null;
  const colon = /^([A-Z][^:.!?]{1,60}):\s*$/.exec(trimmed);
  if (colon) return colon[1]!;
  if (
    /^[A-Z][A-Za-z'’ &/-]{2,50}$/.test(trimmed) &&
    trimmed.split(/\s+/).length <= 6 &&
    (REQ_RE.test(trimmed) || NICE_RE.test(trimmed) || NOT_REQ_RE.test(trimmed) || /^(job\s*)?title$/i.test(trimmed))
  )
    return trimmed;
  return null;
}

function classify(heading: string): SectionKind {
  if (/\bjob\s*title\b|^title$/i.test(heading.trim())) return 'title';
  if (NICE_RE.test(heading)) return 'nice';
  if (NOT_REQ_RE.test(heading) && !/requir|qualif/i.test(heading)) return 'other';
  if (REQ_RE.test(heading)) return 'requirements';
  return 'other';
}

function splitSentences(line: string): string[] {
  return line
    .split(/(?<=[.!?])\s+(?=[A-Z])/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .flatMap(splitList);
}

/** "Core skills: Confidentiality, Basic IT Skills, Initiative" is a list of items written on one line. */
function splitList(sentence: string): string[] {
  // "3 years as a Molder, Machine Setter, and Operator" is one requirement about one span of years.
  if (minYearsAsked(sentence) !== null) return [sentence];
  const body = sentence.replace(/^[^:]{0,80}:\s*/, '').replace(/[.;]\s*$/, '');
  const parts = body
    .split(/\s*[,;]\s*(?:and\s+|or\s+)?|\s+and\s+(?=[^,]*$)/)
    .map((p) => p.trim())
    .filter(Boolean);
  const short = parts.filter((p) => p.split(/\s+/).length <= 6).length;
  return parts.length >= 3 && short >= parts.length - 1 ? parts : [sentence];
}

export function postingFromText(id: string, text: string): PostingInput {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const requirements: string[] = [];
  const niceToHave: string[] = [];
  const allBullets: string[] = [];
  let title: string | null = null;
  let section: SectionKind | null = null;
  let sawRequirementSection = false;

  for (const raw of lines) {
    const line = raw.trim();
    if (!line) continue;
    const heading = headingOf(raw);
    if (heading) {
      const kind = classify(heading);
      // "The ideal candidate should have:" is a lead-in inside the current section, not a new section.
      if (kind === 'other' && !/^\s*#/.test(raw) && !NOT_REQ_RE.test(heading) && section !== null) continue;
      section = kind;
      if (section === 'requirements' || section === 'nice') sawRequirementSection = true;
      const inline = /^(?:job\s*)?title\s*:\s*(.+)$/i.exec(heading);
      if (inline && !title) title = inline[1]!.trim();
      continue;
    }
    const inlineTitle = /^(?:job\s*)?title\s*:\s*(.+)$/i.exec(line);
    if (inlineTitle && !title) {
      title = inlineTitle[1]!.trim();
      continue;
    }
    if (section === 'title') {
      if (!title) title = line;
      continue;
    }
    const isBullet = BULLET_RE.test(raw);
    const item = line
      .replace(BULLET_RE, '')
      .replace(/^-(?=\d)/, '')
      .trim();
    if (isBullet && item) allBullets.push(item);
    // A lead-in line ("Position requires ... including:") introduces the items; it is not one.
    if (!isBullet && /:\s*$/.test(line)) continue;
    if (section === 'requirements') requirements.push(...(isBullet ? [item] : splitSentences(item)));
    else if (section === 'nice') niceToHave.push(...(isBullet ? [item] : splitSentences(item)));
  }
  if (!title)
    title =
      lines
        .find((l) => l.trim())
        ?.replace(/^#+\s*/, '')
        .trim() ?? id;
  // Unstructured text: every bullet counts as a requirement, since there is no better signal.
  if (!sawRequirementSection && requirements.length === 0) requirements.push(...allBullets);
  return {
    id,
    title: title.slice(0, 200),
    team: null,
    location: null,
    text,
    requirements: requirements.filter((r) => r.length > 1).slice(0, 60),
    niceToHave: niceToHave.filter((r) => r.length > 1).slice(0, 30),
  };
}
