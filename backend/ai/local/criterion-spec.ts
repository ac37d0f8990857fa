import type { Criterion } from '../../../utils/contracts/ai.ts';
import { degreeLevel } from './education.ts';
import { isLanguageRequirement, languagesIn } from './languages.ts';
import { findSkills } from './skills.ts';
import { STOPWORDS, type Token, tokenize } from './text.ts';
import { minYearsAsked } from './years.ts';

/**
 * What a criterion's text asks for, in matchable form. Works on any criterion text, so a recruiter's rubric is
 * understood the same way as criteria extracted from the posting.
 */

/** One thing the resume must show; satisfied when every key of any one form is present. */
export type Concept = { key: string; label: string; forms: string[][]; head: boolean };

export type CriterionSpec = {
  criterion: Criterion;
  /** Short name a recruiter reads ("Customer Service", "4+ years as Junior Systems Admin"). */
  label: string;
  concepts: Concept[];
  minYears: number | null;
  /** For experience criteria: the role or field the years must be in (empty = any experience). */
  subject: Concept[];
  degreeLevel: number;
  languages: string[];
  /** "DNS, DHCP and load balancing": every item is asked for, so each missing one is a gap. */
  isList: boolean;
};

/** Words that describe how much or how well, not what: they never decide a match. */
export const GENERIC = new Set(
  (
    'experience experienced experiences year years yr yrs ability abilities able skill skills skilled knowledge ' +
    'knowledgeable understanding understand strong excellent good great proven solid outstanding exceptional superb ' +
    'advanced basic proficiency proficient familiarity familiar demonstrated demonstrable working work hands ' +
    'extensive deep thorough practiced previous prior relevant related similar equivalent candidate ' +
    'candidates role roles position positions has have holds hold spent least minimum min maximum around ' +
    'approximately approx ideal ideally required requirement requirements preferred plus must need needed ' +
    'necessary essential desired desirable bonus responsible responsibilities duties ensure ensuring various variety ' +
    'etc new high highly level levels direct valuable possess possesses should demonstrate successful ' +
    'effectively effective efficient efficiently capacity capability capabilities expertise expert mastery using ' +
    'use utilize within across one two three four five six seven eight nine ten twelve fifteen twenty plus ' +
    'preferably least year-round professional professionally general overall wide broad keen key core able ' +
    'proficiently competent competency competencies comfortable capable foundation background grasp command ' +
    'familiarize practical comprehensive depth detailed'
  ).split(' '),
);

export function isGeneric(token: Token): boolean {
  return STOPWORDS.has(token.norm) || GENERIC.has(token.norm) || /^\d/.test(token.norm) || token.norm.length < 2;
}

const OTHER_RE =
  /\b(lift(ing)?\s+(up to\s+)?\d+|driver'?s licen[cs]e|licen[cs]e|authori[sz]ed to work|work authori[sz]ation|eligib|clearance|willing(ness)?|availab|travel|relocat|background check|drug|citizen|visa|shifts?|weekends?|on-call|commut|overtime|stand(ing)? for)\b/i;
const EDUCATION_RE =
  /\b(degree|bachelor'?s?|master'?s|ph\.?d|doctorate|diploma|high school|ged|associate'?s degree|mba|b\.?sc?|m\.?sc?|graduate of)\b/i;

export function classifyKind(text: string): Criterion['kind'] {
  if (isLanguageRequirement(text)) return 'language';
  if (EDUCATION_RE.test(text) && degreeLevel(text) > 0) return 'education';
  if (minYearsAsked(text) !== null) return 'experience';
  if (OTHER_RE.test(text)) return 'other';
  return 'skill';
}

/** Turns tokens into concepts; vocabulary skills become one concept satisfied by the name or any alias. */
export function conceptsOf(text: string, tokens: Token[], inHead: (t: Token) => boolean): Concept[] {
  const out = new Map<string, Concept>();
  const covered = new Set<number>();
  for (const m of findSkills(text, tokens)) {
    const words: string[] = [];
    let head = false;
    for (let i = m.firstToken; i <= m.lastToken; i++) {
      covered.add(i);
      const t = tokens[i]!;
      if (!STOPWORDS.has(t.norm)) words.push(t.stem);
      head ||= inHead(t);
    }
    const key = `§${m.skillId}`;
    const forms = words.length ? [[key], words] : [[key]];
    if (!out.has(key)) out.set(key, { key, label: text.slice(m.start, m.end), forms, head });
  }
  tokens.forEach((t, i) => {
    if (covered.has(i) || isGeneric(t)) return;
    const existing = out.get(t.stem);
    if (existing) existing.head ||= inHead(t);
    else out.set(t.stem, { key: t.stem, label: t.norm, forms: [[t.stem]], head: inHead(t) });
  });
  return [...out.values()];
}

const LEAD_FILLER = new Set([...GENERIC, ...STOPWORDS, 'in', 'of', 'with', 'to', 'at', 'on', 'the', 'a', 'an']);
const BOUNDARY = new Set([
  'for',
  'ensuring',
  'including',
  'such',
  'that',
  'which',
  'who',
  'when',
  'while',
  'necessary',
  'required',
  'needed',
  'in',
  'with',
  'by',
  'from',
  'on',
  'at',
  'as',
  'through',
  'via',
  'within',
  'across',
  'into',
  'emphasizing',
]);

/** The span that names the requirement: "Name: description", a trailing "(Name)", or the leading noun phrase. */
function headSpans(text: string, tokens: Token[]): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  const colon = /^([^:]{2,60}):\s+\S/.exec(text);
  if (colon && colon[1]!.trim().split(/\s+/).length <= 6) return [[0, colon[1]!.length]];
  const dash = /^(.{2,50}?)\s+[-–—]\s+\S/.exec(text);
  if (dash && dash[1]!.trim().split(/\s+/).length <= 5 && minYearsAsked(text) === null) return [[0, dash[1]!.length]];
  for (const m of text.matchAll(/\(([^()]{2,60})\)/g)) {
    const inner = m[1]!;
    if (inner.split(/\s+/).length <= 5 && !/\d|^(e\.?g|i\.?e|or|and|etc)\b/i.test(inner))
      spans.push([m.index + 1, m.index + 1 + inner.length]);
  }
  // A named skill in parentheses ("... engines manually (Manual Dexterity)") is the requirement's name.
  if (spans.length > 0) return spans;
  // Leading noun phrase after filler ("Strong problem-solving skills for ..." -> "problem-solving").
  let i = 0;
  while (i < tokens.length && LEAD_FILLER.has(tokens[i]!.norm)) i++;
  let content = 0;
  let j = i;
  for (; j < tokens.length && content < 4; j++) {
    const t = tokens[j]!;
    const gap = j > i ? text.slice(tokens[j - 1]!.end, t.start) : '';
    if (/[,;.:()]/.test(gap)) break;
    if (BOUNDARY.has(t.norm) && content > 0) break;
    // "and"/"to"/"of" may join a phrase ("attention to detail", "stamina and fitness") only early on.
    if ((t.norm === 'and' || t.norm === 'or' || t.norm === 'to' || t.norm === 'of' || t.norm === '&') && content >= 2)
      break;
    if (!isGeneric(t)) content++;
  }
  if (j > i && tokens[i]) spans.push([tokens[i]!.start, tokens[j - 1]!.end]);
  return spans;
}

/** Spans of the items of an all-of list ("A, B and C"); null when the text is not such a list. */
function listItems(text: string): Array<[number, number]> | null {
  const body = /^(?:[^:]{0,60}:\s*)?/.exec(text)![0].length;
  const rest = text.slice(body).replace(/[.;]\s*$/, '');
  // "A, B, or similar" is any-of: not a list of requirements.
  if (/\bor\b|\betc\b|e\.g\.|such as|like\b/i.test(rest)) return null;
  const parts: Array<[number, number]> = [];
  const re = /\s*(?:,|;|\band\b|&)\s*/g;
  let start = 0;
  for (const m of rest.matchAll(re)) {
    parts.push([body + start, body + m.index]);
    start = m.index + m[0].length;
  }
  parts.push([body + start, body + rest.length]);
  const items = parts.filter(([a, b]) => b > a);
  if (items.length < 3 || !rest.includes(',')) return null;
  if (items.some(([a, b]) => text.slice(a, b).trim().split(/\s+/).length > 5)) return null;
  return items;
}

function subjectSpan(text: string): [number, number] | null {
  const m =
    /\b(?:as|in|with)\s+(?:an?\s+|the\s+)?(?:role\s+as\s+(?:an?\s+)?)?([A-Za-z][^,.;:()]*?)(?=\s+(?:for|in|which|where|while|emphasi[sz]ing|dealing|focus(?:ed|ing)?|including|to|who|that|position|role)\b|[,.;:()]|\s*$)/i.exec(
      text,
    );
  if (!m) return null;
  const start = m.index + m[0].length - m[1]!.length;
  // "as a Frontend Engineer or in a similar role": the subject stops before a dangling "or"/"and".
  const subject = m[1]!.replace(/\s+(?:or|and|\/)\s*$/i, '');
  return [start, start + subject.length];
}

function shorten(s: string, max: number): string {
  const clean = s
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.;:,]+$/, '');
  return clean.length <= max ? clean : `${clean.slice(0, max - 1).replace(/\s+\S*$/, '')}…`;
}

export function analyzeCriterion(criterion: Criterion): CriterionSpec {
  const text = criterion.text;
  const tokens = tokenize(text);
  const list = criterion.kind === 'skill' || criterion.kind === 'other' ? listItems(text) : null;
  const heads = criterion.kind === 'experience' ? [] : (list ?? headSpans(text, tokens));
  const inHead = (t: Token) => heads.some(([s, e]) => t.start >= s && t.end <= e);
  const concepts = conceptsOf(text, tokens, inHead);
  const minYears = minYearsAsked(text);
  let subject: Concept[] = [];
  let label = shorten(heads[0] ? text.slice(heads[0][0], heads[0][1]) : text, 70);
  if (minYears !== null || criterion.kind === 'experience') {
    const span = subjectSpan(text);
    subject = span
      ? concepts.filter((c) =>
          tokens.some(
            (t) =>
              t.start >= span[0] && t.end <= span[1] && (c.key === t.stem || c.forms.some((f) => f.includes(t.stem))),
          ),
        )
      : [];
    if (subject.length === 0) subject = concepts;
    const what = span ? shorten(text.slice(span[0], span[1]), 60) : '';
    const prep = span ? (/\b(as|in|with)\s+\S*\s*$/i.exec(text.slice(0, span[0]))?.[1]?.toLowerCase() ?? 'in') : '';
    label = minYears !== null ? `${minYears}+ years${what ? ` ${prep} ${what}` : ' of experience'}` : shorten(text, 70);
  }
  if (concepts.length > 0 && !concepts.some((c) => c.head)) for (const c of concepts) c.head = true;
  return {
    criterion,
    label,
    concepts,
    minYears,
    subject,
    degreeLevel: criterion.kind === 'education' ? degreeLevel(text) : 0,
    languages: criterion.kind === 'language' ? languagesIn(text) : [],
    isList: list !== null,
  };
}
