import type { Criterion } from '../../../utils/contracts/ai.ts';
import { degreeLevel, withoutMicrosoft } from './education.ts';
import { isLanguageRequirement, languagesIn } from './languages.ts';
import { findSkills } from './skills.ts';
import { negatedTokens, STOPWORDS, type Token, tokenize } from './text.ts';
import { minYearsAsked } from './years.ts';

/**
 * What a criterion's text asks for, in matchable form. Works on any criterion text, so a recruiter's rubric is
 * understood the same way as criteria extracted from the posting.
 */

/**
 * One thing the resume must show; satisfied when every key of any one form is present. `proper`: a word written
 * with a capital inside a sentence ("Active Listening", "NIST"), so a name rather than an ordinary word.
 */
export type Concept = { key: string; label: string; forms: string[][]; head: boolean; proper?: true };

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
  /**
   * The parts of a head that joins several things ("stamina and strength": [[stamina], [strength]]), each with its
   * words as written; one part when the head names one thing. Each part must be shown for the criterion to be met,
   * or one of them when `headAnyOf` ("AWS, GCP or Azure").
   */
  headParts: HeadPart[];
  headAnyOf: boolean;
  /** Groups of named skills of which one is enough (examples, alternatives): see optionalGroups. */
  optional: string[][];
  /** Keys of concepts named only in what the head is for ("HTML5 & CSS3 for UI development"): see purposeKeys. */
  purpose: string[];
};

export type HeadPart = { label: string; concepts: Concept[] };

const EXAMPLES_RE =
  /\b(?:such as|like|e\.g\.?|eg|for example|for instance|including|especially|particularly)\s+([^.;:()]+)/gi;

/** The items joined by the "or" at [orStart, orEnd): up to three words each, commas between, within the clause. */
function alternativesAround(text: string, orStart: number, orEnd: number): [number, number] {
  const clauseStart = Math.max(...['.', ';', ':', '(', ')'].map((c) => text.lastIndexOf(c, orStart - 1))) + 1;
  const items = text.slice(clauseStart, orStart).split(',');
  let from = orStart;
  for (let n = items.length - 1; n >= 0; n--) {
    const item = items[n]!;
    from -= item.length + (n < items.length - 1 ? 1 : 0);
    const words = item.trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) continue;
    if (words.length > 3 || /\band\b|&/i.test(item)) {
      // Only the nearest item may be the end of a longer phrase: keep its last words.
      if (n === items.length - 1) from = orStart - (/(?:\S+\s+){0,2}\S+\s*$/.exec(item)?.[0].length ?? 0);
      else from += item.length + 1;
      break;
    }
  }
  const after = /^\s+(?:(?!(?:and|or|&)(?:\s|$))[^\s,.;:()]+(?:\s+|$)){1,3}/i.exec(text.slice(orEnd));
  return [Math.max(from, clauseStart), orEnd + (after?.[0].length ?? 0)];
}

/**
 * Named skills given as examples or alternatives ("cloud services like Azure, AWS or GCP", "Python or Go"): one
 * of each group is enough, so the others are not gaps. Groups hold concept keys.
 */
function optionalGroups(text: string, tokens: Token[], concepts: Concept[]): string[][] {
  const spans: Array<[number, number]> = [];
  for (const m of text.matchAll(EXAMPLES_RE)) spans.push([m.index + m[0].length - m[1]!.length, m.index + m[0].length]);
  // "A, B or C" and "A or B" outside examples: the run of short items around each "or".
  for (const m of text.matchAll(/\bor\b/gi)) spans.push(alternativesAround(text, m.index, m.index + m[0].length));
  const groups: string[][] = [];
  for (const [a, b] of spans) {
    const stems = new Set(tokens.filter((t) => t.start >= a && t.end <= b).map((t) => t.stem));
    const keys = concepts
      .filter(
        (c) => (c.key.startsWith('§') || c.proper) && c.forms.some((f) => f.length > 0 && f.every((k) => stems.has(k))),
      )
      .map((c) => c.key);
    if (keys.length > 1) groups.push(keys);
  }
  return groups;
}

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
    'familiarize practical comprehensive depth detailed ' +
    // How well or how much, said in other words: "adept at", "well versed in", "profound knowledge of".
    'adept adeptness apt aptitude versed conversant acquainted versatile versatility competence excellency ' +
    'excellence superior supreme profound profoundly robust meticulous unrelenting impeccable stellar phenomenal ' +
    'remarkable exemplary brilliant significant substantial considerable sufficient adequate intense vast ' +
    'sophisticated matured notable notably particularly especially furthermore moreover additionally important ' +
    'pivotal crucial vital mandatory possession possessing nurtured novice fondness unmatched unbeatable ' +
    'exhaustive steep skillful skilful technically proficiencies talent flair knack mastered masterly utmost ' +
    'paramount amount rich sharp strict resilient latest demonstratable besides consistently accurately beneficial ' +
    // How many, not what: "different hardware systems", "several facets of Adobe".
    'different several numerous multiple diverse'
  ).split(' '),
);

export function isGeneric(token: Token): boolean {
  return STOPWORDS.has(token.norm) || GENERIC.has(token.norm) || /^\d/.test(token.norm) || token.norm.length < 2;
}

// Phrases that say how much or how well in words that are content elsewhere ("a sound engineer", "record label").
const FILLER_PHRASE_RE =
  /\b(?:track\s+records?|skill[\s-]*sets?|know-how|sound(?=\s+(?:knowledge|understanding|grasp|judge?ment|command|foundation|background)\b))\b/gi;

// Generic nouns that name a thing when they modify a capitalised name: "Requirements Analyst", "Knowledge Management".
const NAMING_NOUNS = new Set(['requirement', 'requirements', 'knowledge', 'experience']);

/** Indices of tokens that are filler in this text: generic words and the filler phrases above. */
function fillerTokens(text: string, tokens: Token[]): Set<number> {
  const out = new Set<number>();
  const capital = (t: Token) => /^\p{Lu}/u.test(text.slice(t.start, t.end));
  tokens.forEach((t, i) => {
    if (!isGeneric(t)) return;
    const next = tokens[i + 1];
    const naming =
      NAMING_NOUNS.has(t.norm) &&
      next !== undefined &&
      capital(t) &&
      capital(next) &&
      !isGeneric(next) &&
      /^ +$/.test(text.slice(t.end, next.start));
    if (!naming) out.add(i);
  });
  for (const m of text.matchAll(FILLER_PHRASE_RE)) {
    const end = m.index + m[0].length;
    tokens.forEach((t, i) => {
      if (t.start >= m.index && t.end <= end) out.add(i);
    });
  }
  return out;
}

const OTHER_RE =
  /\b(lift(ing)?\s+(up to\s+)?\d+|driver'?s licen[cs]e|licen[cs]e|authori[sz]ed to work|work authori[sz]ation|eligib|clearance|willing(ness)?|availab|travel|relocat|background check|drug|citizen|visa|shifts?|weekends?|on-call|commut|overtime|stand(ing)? for)\b/i;
const EDUCATION_RE =
  /\b(degree|bachelor'?s?|master'?s|ph\.?d|doctorate|diploma|high school|ged|associate'?s degree|mba|b\.?sc?|m\.?sc?|graduate of)\b/i;

export function classifyKind(text: string): Criterion['kind'] {
  if (isLanguageRequirement(text)) return 'language';
  if (EDUCATION_RE.test(withoutMicrosoft(text)) && degreeLevel(text) > 0) return 'education';
  if (minYearsAsked(text) !== null) return 'experience';
  if (OTHER_RE.test(text)) return 'other';
  return 'skill';
}

const JOINING = new Set(['and', 'of', 'to', 'the', 'for', 'in', 'on']);

/** Whether `words` spell out `acronym`: each word adds its first letter and maybe more of its own, in order. */
function spellsOut(acronym: string, words: string[]): boolean {
  const spell = (a: number, w: number): boolean => {
    if (w === words.length) return a === acronym.length;
    const word = words[w]!;
    if (JOINING.has(word) && spell(a, w + 1)) return true;
    if (word[0] !== acronym[a]) return false;
    // The word takes acronym[a] and then any further letters of the acronym it has in order ("Lifecycle" = LC).
    let k = a + 1;
    let from = 1;
    if (spell(k, w + 1)) return true;
    while (k < acronym.length) {
      const at = word.indexOf(acronym[k]!, from);
      if (at === -1) return false;
      from = at + 1;
      k++;
      if (spell(k, w + 1)) return true;
    }
    return false;
  };
  return acronym.length >= 2 && words.length >= 2 && spell(0, 0);
}

type Expansion = { acronym: [number, number]; words: [number, number] };

/**
 * Acronyms given with their expansion, either way round: "TMG (Threat Management Gateway)", "Supply Network
 * Planning (SNP)". Token index ranges (inclusive) of the acronym and of the words that spell it out.
 */
function expansionsIn(text: string, tokens: Token[]): Expansion[] {
  const out: Expansion[] = [];
  const at = (offset: number) => tokens.findIndex((t) => t.start >= offset);
  const isAcronym = (s: string) => /^[A-Za-z][A-Za-z0-9]{1,7}$/.test(s) && (s.match(/[A-Z]/g)?.length ?? 0) >= 2;
  for (const m of text.matchAll(/\(([^()]{2,80})\)/g)) {
    const open = m.index;
    const innerFirst = at(open + 1);
    const innerLast = tokens.findLastIndex((t) => t.end <= open + 1 + m[1]!.length);
    if (innerFirst === -1 || innerLast < innerFirst) continue;
    const before = tokens.findLastIndex((t) => t.end <= open);
    const norms = (a: number, b: number) => tokens.slice(a, b + 1).map((t) => t.norm);
    const inner = m[1]!.trim();
    if (isAcronym(inner) && innerFirst === innerLast) {
      // "Words (ACR)": the fewest words before the parenthesis that spell it out.
      for (let n = 2; n <= 8 && before - n + 1 >= 0; n++) {
        const first = before - n + 1;
        if (/[,.;:()]/.test(text.slice(tokens[first]!.end, open))) break;
        // "Security Information and Event Management (SIEM)": the words start further back than the "and".
        if (JOINING.has(tokens[first]!.norm)) continue;
        if (spellsOut(tokens[innerFirst]!.norm, norms(first, before))) {
          out.push({ acronym: [innerFirst, innerFirst], words: [first, before] });
          break;
        }
      }
    } else if (before >= 0 && /^\s*$/.test(text.slice(tokens[before]!.end, open))) {
      // "ACR (Words)".
      const acr = text.slice(tokens[before]!.start, tokens[before]!.end);
      if (isAcronym(acr) && spellsOut(acr.toLowerCase(), norms(innerFirst, innerLast)))
        out.push({ acronym: [before, before], words: [innerFirst, innerLast] });
    }
  }
  return out;
}

/** A word written with a capital that is not the first of its sentence or item ("skills in Active Listening"). */
function midSentenceCapital(text: string, t: Token): boolean {
  // "Problem-solving": the word after a hyphen belongs to the capitalised word before it.
  // One step back only, so a long run of "A-B-C-..." costs no more than its words.
  const joined = /(?:^|[^\p{L}])\p{Lu}[\p{L}\p{N}]*-$/u.exec(text.slice(Math.max(0, t.start - 40), t.start));
  const start = joined ? t.start - joined[0].replace(/^[^\p{L}]/u, '').length : t.start;
  if (!/^\p{Lu}/u.test(text.slice(start, t.end))) return false;
  const before = text.slice(Math.max(0, start - 200), start).trimEnd();
  if (before.length > 0 && !/[.!?:;\-–—•*(\n]$/.test(before)) return true;
  // The first word of a name in title case ("Customer Service", "Active Listening Skills") is part of the name.
  const next = /^[\s-]+(\p{Lu}\p{Ll}[\p{L}\p{N}]*)/u.exec(text.slice(t.end, t.end + 80));
  return next !== null && !GENERIC.has(next[1]!.toLowerCase()) && !STOPWORDS.has(next[1]!.toLowerCase());
}

/** Turns tokens into concepts; vocabulary skills become one concept satisfied by the name or any alias. */
export function conceptsOf(text: string, tokens: Token[], inHead: (t: Token) => boolean): Concept[] {
  const out = new Map<string, Concept>();
  const covered = new Set<number>();
  // "Cisco networking, except Meraki": what a requirement excludes is not asked for.
  const negated = negatedTokens(text, tokens);
  tokens.forEach((_, i) => {
    if (negated[i]) covered.add(i);
  });
  const skills = findSkills(text, tokens);
  // An acronym and its expansion name one thing: either shows it ("KPI" or "key performance indicators").
  for (const { acronym, words } of expansionsIn(text, tokens)) {
    const range = (r: [number, number]) => Array.from({ length: r[1] - r[0] + 1 }, (_, k) => r[0] + k);
    const all = [...range(acronym), ...range(words)];
    if (all.some((i) => covered.has(i) || negated[i])) continue;
    const skillOf = (r: [number, number]) => skills.find((m) => m.firstToken === r[0] && m.lastToken === r[1])?.skillId;
    const acr = tokens[acronym[0]]!;
    const acrSkill = skillOf(acronym);
    const wordsSkill = skillOf(words);
    const spelled = range(words)
      .map((i) => tokens[i]!)
      .filter((t) => !STOPWORDS.has(t.norm))
      .map((t) => t.stem);
    const forms = [
      ...(acrSkill ? [[`§${acrSkill}`]] : []),
      [acr.stem],
      ...(wordsSkill ? [[`§${wordsSkill}`]] : []),
      spelled,
    ];
    const key = acrSkill ? `§${acrSkill}` : wordsSkill ? `§${wordsSkill}` : acr.stem;
    const from = Math.min(acronym[0], words[0]);
    const to = Math.max(acronym[1], words[1]);
    const label = text.slice(tokens[from]!.start, tokens[to]!.end + (text[tokens[to]!.end] === ')' ? 1 : 0));
    // An acronym is a name ("MM (Material Management)").
    if (!out.has(key)) out.set(key, { key, label, forms, head: all.some((i) => inHead(tokens[i]!)), proper: true });
    for (const i of all) covered.add(i);
  }
  for (const m of skills) {
    if (negated[m.firstToken] || covered.has(m.firstToken)) continue;
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
  const filler = fillerTokens(text, tokens);
  tokens.forEach((t, i) => {
    if (covered.has(i) || filler.has(i)) return;
    const existing = out.get(t.stem);
    const proper = midSentenceCapital(text, t);
    if (existing) {
      existing.head ||= inHead(t);
      if (proper) existing.proper = true;
    } else
      out.set(t.stem, {
        key: t.stem,
        label: t.norm,
        forms: [[t.stem]],
        head: inHead(t),
        ...(proper ? { proper: true as const } : {}),
      });
  });
  return [...out.values()];
}

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
  'like',
  'especially',
  'particularly',
  'eg',
  // A possessive refers back to what the head names ("VMware and its integration"): an aspect, not a new thing.
  'its',
  'their',
  'our',
  'your',
]);

/** Words an apposition starts with ("CIF, an integral part of APO"): it describes the head, it is not an item. */
const APPOSITION = new Set(['a', 'an', 'the', 'its', 'their', 'our', 'your', 'which']);

/** The head spans (see headSpanList), and whether a single head lists alternatives ("AWS, GCP or Azure"). */
function headSpans(text: string, tokens: Token[]): { spans: Array<[number, number]>; anyOf: boolean } {
  const spans = headSpanList(text, tokens);
  const last = spans.length === 1 ? spans[0]! : null;
  const inner = last ? text.slice(last[0], last[1]) : '';
  // Only a list joined by "or" offers alternatives: "PostgreSQL and NoSQL or similar" asks for both.
  const anyOf =
    last !== null &&
    !/\band\b|&/i.test(inner) &&
    (/\bor\b/i.test(inner) || /^\s*,?\s*(?:or|etc)\b/i.test(text.slice(last[1])));
  return { spans, anyOf };
}

/** The span that names the requirement: "Name: description", a trailing "(Name)", or the leading noun phrase. */
function headSpanList(text: string, tokens: Token[]): Array<[number, number]> {
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
  const filler = fillerTokens(text, tokens);
  let i = 0;
  while (i < tokens.length && filler.has(i)) i++;
  let content = 0;
  let j = i;
  for (; j < tokens.length && content < 4; j++) {
    const t = tokens[j]!;
    const gap = j > i ? text.slice(tokens[j - 1]!.end, t.start) : '';
    if (/[,;.:()]/.test(gap)) break;
    if (BOUNDARY.has(t.norm) && content > 0) break;
    // "and"/"to"/"of" may join a phrase ("attention to detail", "stamina and fitness") only early on, and "to"
    // only after a noun that takes it: "Strength to handle heavy equipment" names strength, the rest is its purpose.
    if (t.norm === 'to' && content > 0 && !TO_NOUNS.has(tokens[j - 1]!.norm)) break;
    if ((t.norm === 'and' || t.norm === 'or' || t.norm === 'to' || t.norm === 'of' || t.norm === '&') && content >= 2)
      break;
    if (!filler.has(j)) content++;
  }
  if (j > i && tokens[i] && content > 0) j = listEnd(text, tokens, j, filler);
  // A joining word the head stopped after ("VMware and" before "its integration") is not part of it.
  while (j > i + 1 && ['and', 'or', 'to', 'of', '&'].includes(tokens[j - 1]!.norm)) j--;
  if (j > i && tokens[i]) spans.push([tokens[i]!.start, tokens[j - 1]!.end]);
  return spans;
}

/**
 * Nouns followed by "to" as a preposition ("attention to detail", "commitment to quality"); after any other word
 * "to" starts what the thing is for ("Leadership skills to guide the team", "Packer to create images").
 */
const TO_NOUNS = new Set(
  'attention attentive commitment committed dedication dedicated adherence exposure devotion sensitivity responsiveness orientation'.split(
    ' ',
  ),
);

const ITEM_STOP = new Set([...BOUNDARY, 'and', 'or', 'etc']);
const MAX_LIST_ITEMS = 8;

/**
 * Where a head that starts a list ends: "with Solarwinds/Orion, AppDynamics for APM" and "physical stamina and
 * strength" each name two things, and each is asked for ("AWS, GCP or Azure" names alternatives: headSpans tells).
 * Items follow the head after a comma, "and" or "or", up to three words each, until a clause word ("for",
 * "with", ...) or other punctuation; a final "and"/"or" item ends the list.
 */
function listEnd(text: string, tokens: Token[], j: number, filler: Set<number>): number {
  let end = j;
  let k = j;
  for (let items = 0; k < tokens.length && k > 0 && items < MAX_LIST_ITEMS; items++) {
    const gap = text.slice(tokens[k - 1]!.end, tokens[k]!.start);
    const last = tokens[k]!.norm === 'and' || tokens[k]!.norm === 'or';
    if (!(/^\s*,\s*$/.test(gap) || (last && /^\s*,?\s+$/.test(gap)))) break;
    if (last) k++;
    if (APPOSITION.has(tokens[k]?.norm ?? '')) break;
    let m = k;
    let content = 0;
    for (; m < tokens.length && m - k < 3; m++) {
      const t = tokens[m]!;
      if (m > k && /[^\s\-/]/.test(text.slice(tokens[m - 1]!.end, t.start))) break;
      if (ITEM_STOP.has(t.norm)) break;
      if (!filler.has(m)) content++;
    }
    // "Azure, AWS, GCP, or similar": a last item of filler words only closes the list.
    if (content === 0 || m === k) break;
    end = m;
    k = m;
    if (last) break;
  }
  return end;
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

/**
 * The head split at "and", "or", "&" and commas into the things it names, each with the concepts of its words. A
 * part with no concept of its own (only filler words) is dropped.
 */
function headPartsOf(
  text: string,
  head: [number, number] | undefined,
  concepts: Concept[],
  tokens: Token[],
): HeadPart[] {
  if (!head) return [];
  const pieces: Array<[number, number]> = [];
  const inner = text.slice(head[0], head[1]);
  let start = 0;
  for (const m of inner.matchAll(/\s*(?:,|;|&|\band\b|\bor\b)\s*/gi)) {
    pieces.push([head[0] + start, head[0] + m.index]);
    start = m.index + m[0].length;
  }
  pieces.push([head[0] + start, head[1]]);
  const parts: HeadPart[] = [];
  for (const [a, b] of pieces) {
    const stems = new Set(tokens.filter((t) => t.start >= a && t.end <= b).map((t) => t.stem));
    const own = concepts.filter(
      (c) => stems.has(c.key) || c.forms.some((f) => f.length > 0 && f.every((k) => stems.has(k))),
    );
    if (own.length > 0) parts.push({ label: text.slice(a, b).trim(), concepts: own });
  }
  return parts;
}

/**
 * Concepts named only after the head in a clause that says what it is for ("for UI development", "to create
 * machine images") or describes it (", an integral part of APO"): they earn credit when shown but are not
 * themselves asked for.
 */
function purposeKeys(text: string, tokens: Token[], head: [number, number] | undefined, concepts: Concept[]): string[] {
  if (!head) return [];
  const inPurpose = new Set<number>();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    // ", an integral part of APO" after the head describes it, as a purpose clause does.
    const apposition = i > 0 && APPOSITION.has(t.norm) && /,\s*$/.test(text.slice(tokens[i - 1]!.end, t.start));
    if (
      t.start < head[1] ||
      !(apposition || t.norm === 'for' || (t.norm === 'to' && !TO_NOUNS.has(tokens[i - 1]?.norm ?? '')))
    )
      continue;
    const end = /[.;]/.exec(text.slice(t.end));
    const stop = end ? t.end + end.index : text.length;
    for (; i < tokens.length && tokens[i]!.end <= stop; i++) inPurpose.add(i);
  }
  if (inPurpose.size === 0) return [];
  const inside = new Set<string>();
  const outside = new Set<string>();
  tokens.forEach((t, i) => {
    (inPurpose.has(i) ? inside : outside).add(t.stem);
  });
  const words = (c: Concept) => c.forms.find((f) => f.length > 0 && !f[0]!.startsWith('§')) ?? [c.key];
  return concepts
    .filter((c) => !c.head && words(c).every((w) => inside.has(w)) && !words(c).every((w) => outside.has(w)))
    .map((c) => c.key);
}

export function analyzeCriterion(criterion: Criterion): CriterionSpec {
  const text = criterion.text;
  const tokens = tokenize(text);
  const list = criterion.kind === 'skill' || criterion.kind === 'other' ? listItems(text) : null;
  const found = criterion.kind === 'experience' || list ? null : headSpans(text, tokens);
  const heads = criterion.kind === 'experience' ? [] : (list ?? found!.spans);
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
    headParts: list === null && heads.length === 1 ? headPartsOf(text, heads[0], concepts, tokens) : [],
    headAnyOf: found?.anyOf ?? false,
    optional: optionalGroups(text, tokens, concepts),
    purpose: list === null && heads.length === 1 ? purposeKeys(text, tokens, heads[0], concepts) : [],
  };
}
