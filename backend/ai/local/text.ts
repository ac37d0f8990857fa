/**
 * Tokenising and stemming for the local engine. Every token keeps its character offsets into the text it came
 * from, so evidence can always be quoted exactly (`text.slice(start, end)`).
 */

export type Token = {
  /** Lower-cased surface form. */
  norm: string;
  /** Matching key: the stem of `norm`. */
  stem: string;
  start: number;
  end: number;
};

export type Span = { start: number; end: number };

// Letters/digits runs, keeping the suffixes that make tech names distinct (c++, c#, node.js, asp.net).
const WORD_RE = /[\p{L}\p{N}]+(?:[+#]{1,2}(?![\p{L}\p{N}])|\.(?:js|net|io|ts)(?![\p{L}\p{N}]))?/gu;

export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  // Lower-casing once is much faster than per token; only possible when it keeps offsets (it nearly always does).
  const lower = text.toLowerCase();
  const src = lower.length === text.length ? lower : text;
  const lowered = src === lower;
  WORD_RE.lastIndex = 0;
  let m: RegExpExecArray | null = WORD_RE.exec(src);
  while (m !== null) {
    const norm = lowered ? m[0] : m[0].toLowerCase();
    out.push({ norm, stem: stem(norm), start: m.index, end: m.index + m[0].length });
    m = WORD_RE.exec(src);
  }
  return out;
}

/** Function words and pronouns: never matching keys. */
export const STOPWORDS = new Set(
  (
    'a an and are as at be been being but by can could did do does doing for from had has have having he her hers him ' +
    'his how i if in into is it its itself me my myself no nor not of off on once only or other our ours out over own ' +
    'same she should so some such than that the their theirs them then there these they this those through to too ' +
    'under until up very was we were what when where which while who whom why will with would you your yours also ' +
    'etc per via within across all any each both more most us may must shall well like including include includes ' +
    'e g ie eg'
  ).split(' '),
);

// Checked before suffix stripping: words whose stripped form would collide with an unrelated word.
const KEEP = new Set([
  'engineer',
  'career',
  'volunteer',
  'business',
  'news',
  'series',
  'analy',
  'process',
  'data',
  'material',
  'personal',
  'experiment',
]);

const IRREGULAR: Record<string, string> = {
  led: 'lead',
  taught: 'teach',
  written: 'writ',
  wrote: 'writ',
  built: 'build',
  ran: 'run',
  spoke: 'speak',
  spoken: 'speak',
  sold: 'sell',
  bought: 'buy',
  made: 'make',
  grew: 'grow',
  grown: 'grow',
  drove: 'driv',
  driven: 'driv',
  won: 'win',
  analysis: 'analy',
  engineers: 'engineer',
  // Kept apart from words that strip to the same stem (communication, experience, person, matter); see KEEP.
  community: 'communit',
  communities: 'communit',
  experiments: 'experiment',
  experimental: 'experiment',
  experimentation: 'experiment',
  experimenting: 'experiment',
  personally: 'personal',
  materials: 'material',
  businesses: 'business',
};

// Longest first; [suffix, replacement]. Tuned so word families collapse (analysis/analyze/analyst/analytical,
// operate/operation/operator, manage/manager/management) without merging unrelated words.
const SUFFIXES: Array<[string, string]> = [
  ['izations', 'ize'],
  ['ization', 'ize'],
  ['isations', 'ize'],
  ['isation', 'ize'],
  ['ational', 'ate'],
  // Adjectives of a noun: directorial/director, managerial/manager, secretarial/secretary, financial/finance.
  ['orial', 'or'],
  ['erial', 'er'],
  ['arial', 'ary'],
  ['ancial', ''],
  ['ercial', 'erce'],
  ['ytically', 'y'],
  ['ytical', 'y'],
  ['ytics', 'y'],
  ['ytic', 'y'],
  ['ysis', 'y'],
  ['yses', 'y'],
  ['ysts', 'y'],
  ['yst', 'y'],
  ['yzing', 'y'],
  ['yzed', 'y'],
  ['yzes', 'y'],
  ['yze', 'y'],
  ['ysing', 'y'],
  ['ysed', 'y'],
  ['yse', 'y'],
  ['fulness', ''],
  ['iveness', ''],
  ['ousness', ''],
  ['ications', 'ic'],
  ['ication', 'ic'],
  ['enances', 'ain'],
  ['enance', 'ain'],
  ['ostics', 'os'],
  ['ostic', 'os'],
  ['osis', 'os'],
  ['oses', 'os'],
  ['ose', 'os'],
  ['isory', ''],
  ['isors', ''],
  ['isor', ''],
  ['ships', ''],
  ['ship', ''],
  ['ations', ''],
  ['ation', ''],
  ['ators', ''],
  ['ator', ''],
  ['ating', ''],
  ['ated', ''],
  ['ates', ''],
  ['ate', ''],
  ['itions', ''],
  ['ition', ''],
  ['itive', ''],
  ['ements', ''],
  ['ement', ''],
  ['ments', ''],
  ['ment', ''],
  ['nesses', ''],
  ['ness', ''],
  ['ities', ''],
  ['ity', ''],
  ['ically', ''],
  ['ical', ''],
  ['ics', ''],
  ['ic', ''],
  ['izing', ''],
  ['ized', ''],
  ['izes', ''],
  ['ize', ''],
  ['ising', ''],
  ['ised', ''],
  ['ises', ''],
  ['ise', ''],
  ['ists', ''],
  ['ist', ''],
  ['isms', ''],
  ['ism', ''],
  ['ively', ''],
  ['ives', ''],
  ['ive', ''],
  ['ions', ''],
  ['ion', ''],
  ['ings', ''],
  ['ing', ''],
  ['edly', ''],
  ['ed', ''],
  ['ers', ''],
  ['er', ''],
  ['ors', ''],
  ['or', ''],
  ['ory', ''],
  ['ies', 'y'],
  ['ables', ''],
  ['able', ''],
  ['ibles', ''],
  ['ible', ''],
  ['ances', ''],
  ['ance', ''],
  ['ences', ''],
  ['ence', ''],
  ['ants', ''],
  ['ant', ''],
  ['ents', ''],
  ['ent', ''],
  ['ally', ''],
  ['als', ''],
  ['al', ''],
  ['ly', ''],
  ['es', ''],
  ['s', ''],
  ['e', ''],
];

const cache = new Map<string, string>();

/** A crude, fast English stemmer; keys only need to collide within a word family, not to be words. */
export function stem(word: string): string {
  const hit = cache.get(word);
  if (hit !== undefined) return hit;
  let out = IRREGULAR[word] ?? word;
  // Two passes so inflected derivations collapse too (monitoring -> monitor -> monit).
  for (let pass = 0; pass < 2; pass++) {
    if (out.length <= 3 || KEEP.has(out) || !/^[a-z]+$/.test(out)) break;
    const before = out;
    for (const [suffix, repl] of SUFFIXES) {
      if (!out.endsWith(suffix)) continue;
      const base = out.slice(0, out.length - suffix.length);
      if (base.length < 3) continue;
      if (suffix === 's' && /(ss|us|is)$/.test(out)) continue;
      out = base + repl;
      break;
    }
    // Undouble a final consonant left by -ing/-ed (running -> run) and drop a final e (manage -> manag).
    if (/([bdfgklmnprt])\1$/.test(out) && out.length > 3 && !/(ll|ss)$/.test(out)) out = out.slice(0, -1);
    if (out.endsWith('e') && out.length > 3) out = out.slice(0, -1);
    if (out === before) break;
  }
  if (cache.size > 200_000) cache.clear();
  cache.set(word, out);
  return out;
}

/** Lines with their offsets; `text.slice(start, end)` is the line without its newline. */
export function lineSpans(text: string): Span[] {
  const out: Span[] = [];
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i === text.length || text[i] === '\n') {
      out.push({ start, end: i });
      start = i + 1;
    }
  }
  return out;
}

/** Narrows a span to exclude surrounding whitespace and list markers, so quotes read cleanly. */
export function trimSpan(text: string, span: Span): Span {
  let { start, end } = span;
  while (start < end && /[\s\-*•·–—>#\d.)]/.test(text[start] ?? '') && !/^\d{4}/.test(text.slice(start, start + 4))) {
    // Stop at the first letter, but keep leading digits that are part of content ("2019 - 2023", "5 years").
    if (/\d/.test(text[start] ?? '') && !/^\d{1,2}[.)]\s/.test(text.slice(start, start + 4))) break;
    start++;
  }
  while (end > start && /\s/.test(text[end - 1] ?? '')) end--;
  return { start, end };
}

/** Sentence-ish spans inside a text (split at . ! ? followed by space, and at newlines). */
export function sentenceSpans(text: string): Span[] {
  const out: Span[] = [];
  const re = /[^\n.!?]+(?:[.!?]+(?=\s|$)|[.!?]+(?!\s)[^\n.!?]*)*[.!?]*/g;
  for (const m of text.matchAll(re)) {
    const s = trimSpan(text, { start: m.index, end: m.index + m[0].length });
    if (s.end > s.start) out.push(s);
  }
  return out;
}

/** Replaces the given spans with spaces, keeping every other character at its offset. */
export function blankSpans(text: string, spans: Span[]): string {
  if (spans.length === 0) return text;
  const chars = text.split('');
  for (const { start, end } of spans) {
    for (let i = Math.max(0, start); i < Math.min(chars.length, end); i++) if (chars[i] !== '\n') chars[i] = ' ';
  }
  return chars.join('');
}

export function countWords(text: string): number {
  return text.match(/[\p{L}\p{N}]+/gu)?.length ?? 0;
}

// Cues that what follows, up to the end of the clause, is something the writer does not have or do.
// "not only/just/merely" and "not limited to" add rather than deny; "apart from"/"other than" usually add too.
const NEGATION_RE =
  /\b(?:without|minus|excluding|except(?:\s+for)?|lacking|lacks?(?:\s+(?:of|in))?|(?:with\s+)?the\s+exception\s+of|not\s+including|(?:in\s+the\s+)?absence\s+of|no\s+(?:experience|knowledge|exposure|background)\s+(?:in|of|with)|not(?!\s+(?:only|just|merely|limited)\b))\b/gi;
// A clause ends at punctuation, a line break, a spaced dash, or a contrasting conjunction.
const CLAUSE_END_RE = /[.;:,!?()[\]\n]|\s[-–—]|\s(?:but|though|although|while|whereas|yet|however)\b/i;

/** Whether CLAUSE_END_RE matches at each offset: one pass, so no negation cue rescans the text after it. */
function clauseEnds(text: string): number[] {
  const out: number[] = [];
  const at = new RegExp(CLAUSE_END_RE.source, 'iy');
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // Every alternative starts with punctuation, a newline or whitespace: skip the letters cheaply.
    if (c > 0x20 && c !== 0x85 && c !== 0xa0 && c < 0x1680 && !CLAUSE_PUNCT.has(c)) continue;
    at.lastIndex = i;
    if (at.test(text)) out.push(i);
  }
  return out;
}
const CLAUSE_PUNCT = new Set([...'.;:,!?()[]'].map((c) => c.charCodeAt(0)));

/**
 * Spans that a text says are absent: "without Angular JS and Ajax", "minus Oracle", "except IGMP", "with the
 * exception of Communication", "lack of Hadoop expertise". Each runs from the end of its cue to the end of the
 * clause. Words in them are not evidence of a skill, and in a requirement they are not asked for. Linear: the clause
 * ends are found in one pass and each cue takes the first one after it.
 */
export function negatedSpans(text: string): Span[] {
  if (!/\b(?:without|minus|exclud\w*|except|lack\w*|absence|no|not)\b/i.test(text)) return [];
  const out: Span[] = [];
  let ends: number[] | null = null;
  let e = 0;
  for (const m of text.matchAll(NEGATION_RE)) {
    const start = m.index + m[0].length;
    ends ??= clauseEnds(text);
    while (e < ends.length && ends[e]! < start) e++;
    out.push({ start, end: e < ends.length ? ends[e]! : text.length });
  }
  return out;
}

/** For each token, whether it lies in a negated span of the text it came from (one sweep over both, in order). */
export function negatedTokens(text: string, tokens: Token[]): boolean[] {
  const spans = negatedSpans(text);
  if (spans.length === 0) return tokens.map(() => false);
  // Spans come in order of their start; one that starts inside another ends where it does (both end at the first
  // clause end after them), so the union of the spans is a list of disjoint spans, and containment in the union is
  // containment in one of them.
  const merged: Span[] = [];
  for (const s of spans) {
    const last = merged[merged.length - 1];
    if (last && s.start < last.end) last.end = Math.max(last.end, s.end);
    else merged.push({ start: s.start, end: s.end });
  }
  let k = 0;
  return tokens.map((t) => {
    while (k < merged.length && merged[k]!.end < t.end) k++;
    const s = merged[k];
    return s !== undefined && t.start >= s.start && t.end <= s.end;
  });
}
