import type { JdFinding } from '../../utils/contracts/fairness.ts';
import { finding, matchAll, type Span, sentenceAround } from './text-match.ts';

/**
 * Requirement inflation: long must-have lists and degree requirements where demonstrated skills would do. Both
 * shrink the pool: many people (disproportionately women) apply only when they meet every listed requirement, and a
 * degree filter screens out skilled people without one.
 */

/** More must-have bullets than this is flagged. Guidance usually says 5-7 real requirements; 8 leaves slack. */
export const MAX_MUST_HAVES = 8;

const MUST_HAVE_SOURCE =
  'Mohr, T. S. (2014), "Why Women Don\'t Apply for Jobs Unless They\'re 100% Qualified", Harvard Business Review';
const DEGREE_SOURCE =
  'Accenture, Grads of Life & Harvard Business School (2017), "Dismissed by Degrees"; Fuller, Langer & Sigelman (2022), "Skills-Based Hiring Is on the Rise", Harvard Business Review';

const REQUIRED_HEADING =
  /^(?:requirements?|(?:minimum|basic|required)\s+qualifications|qualifications|must[\s-]haves?|what\s+you(?:['’]ll)?\s+(?:need|bring)|what\s+we(?:['’]re)?\s+look(?:ing)?\s+for|who\s+you\s+are|you\s+have|about\s+you)$/i;
const OPTIONAL_HEADING =
  /\b(?:nice[\s-]to[\s-]haves?|bonus|preferred|pluses?|extra\s+credit|good\s+to\s+have|desirable)\b/i;
const BULLET = /^\s*(?:[-*•·▪‣–]|\d+[.)])\s+\S/;

type Section = { heading: Span; kind: 'required' | 'optional'; bullets: Span[]; body: Span };

function headingText(line: string): string {
  return line
    .trim()
    .replace(/^#+\s*/, '')
    .replace(/^\*\*(.*)\*\*$/, '$1')
    .replace(/:$/, '')
    .trim();
}

/** Sections introduced by a short heading line and made of the bullet lines (and blank lines) that follow it. */
function sections(text: string): Section[] {
  const lines: Array<Span & { text: string }> = [];
  let offset = 0;
  for (const line of text.split('\n')) {
    lines.push({ start: offset, end: offset + line.length, text: line });
    offset += line.length + 1;
  }
  const out: Section[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (BULLET.test(line.text) || line.text.trim().length === 0 || line.text.trim().length > 60) continue;
    const title = headingText(line.text);
    const kind = OPTIONAL_HEADING.test(title) ? 'optional' : REQUIRED_HEADING.test(title) ? 'required' : null;
    if (!kind) continue;
    const lead = line.text.indexOf(title);
    const heading = { start: line.start + lead, end: line.start + lead + title.length };
    const bullets: Span[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const next = lines[j]!;
      if (next.text.trim().length === 0) continue;
      if (!BULLET.test(next.text)) break;
      bullets.push({ start: next.start, end: next.end });
    }
    const last = bullets.at(-1);
    out.push({ heading, kind, bullets, body: { start: heading.start, end: last ? last.end : heading.end } });
  }
  return out;
}

/** Degree phrases, most specific first; one finding per sentence, on the first that matches. */
const DEGREES = [
  /(?<![\p{L}\p{N}])(?:bachelor|master)(?:['’]?s)?(?:\s+(?:of\s+\p{L}+|degree))?(?![\p{L}\p{N}])/giu,
  /(?<![\p{L}\p{N}])(?:university|college|four[\s-]year|undergraduate|graduate)\s+degree(?![\p{L}\p{N}])/giu,
  /(?<![\p{L}\p{N}])(?:BSc|BS|BA|MSc|MS|MA|MBA|PhD|Ph\.D\.|B\.S\.|M\.S\.)(?:\s*\/\s*(?:BSc|BS|BA|MSc|MS|MA|MBA|PhD|Ph\.D\.))*(?=[\s,;.)]|$)/gu,
  /(?<![\p{L}\p{N}])degree(?![\p{L}\p{N}])/giu,
];
const EQUIVALENT = /\bor\s+(?:equivalent|relevant|comparable|similar)\b|\bequivalent\s+(?:practical\s+)?experience\b/i;
const REQUIRED_WORDS = /\b(?:required|must|minimum|mandatory)\b/i;

export function findRequirementInflation(text: string): JdFinding[] {
  const out: JdFinding[] = [];
  const all = sections(text);
  for (const section of all) {
    if (section.kind !== 'required' || section.bullets.length <= MAX_MUST_HAVES) continue;
    out.push(
      finding(text, section.heading, {
        category: 'requirement-inflation',
        reason: `${section.bullets.length} must-have requirements (more than ${MAX_MUST_HAVES}); many qualified people apply only if they meet all of them`,
        source: MUST_HAVE_SOURCE,
        suggestion: 'Keep the few requirements the job truly needs and move the rest under "Nice to have"',
      }),
    );
  }
  const inRequired = (span: Span) =>
    all.some((s) => s.kind === 'required' && s.body.start <= span.start && span.end <= s.body.end);
  const inOptional = (span: Span) =>
    all.some((s) => s.kind === 'optional' && s.body.start <= span.start && span.end <= s.body.end);
  const seenSentences = new Set<number>();
  const hits = DEGREES.flatMap((re) => matchAll(text, re)).sort((a, b) => a.start - b.start);
  for (const hit of hits) {
    const sentence = sentenceAround(text, hit);
    const sentenceText = text.slice(sentence.start, sentence.end);
    if (seenSentences.has(sentence.start) || inOptional(hit) || EQUIVALENT.test(sentenceText)) continue;
    if (!inRequired(hit) && !REQUIRED_WORDS.test(sentenceText)) continue;
    seenSentences.add(sentence.start);
    out.push(
      finding(text, hit, {
        category: 'requirement-inflation',
        reason: 'A degree requirement without "or equivalent experience" screens out people with the same skills',
        source: DEGREE_SOURCE,
        suggestion: 'Add "or equivalent practical experience", or list the skills the degree stands for',
      }),
    );
  }
  return out;
}
