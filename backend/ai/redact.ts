import { PiiLeakError } from './errors.ts';
import { type RunMatch, runStartMatches } from './linear-match.ts';
import type { CandidateInput } from './types.ts';

/**
 * PII redaction before any text leaves the process for an LLM provider, and restoration of the provider's answer.
 *
 * What is redacted: the candidate's known name (full and each part), emails, phones, links, plus whatever looks
 * like an email, phone, URL, @handle or street address anywhere in the text, and capitalised name-like sequences
 * on the contact header lines (the first line and any line carrying an email, phone or URL), where a resume puts
 * the name even when Lever's `name` field spells it differently. Each distinct value gets a stable placeholder
 * ([CANDIDATE_NAME], [EMAIL_1], [PHONE_1], [URL_1], [ADDRESS_1], [HANDLE_1], [NAME_1]) shared across every text
 * redacted with the same Redactor, so the resume and the cover letter agree.
 *
 * EEO data (gender, race, veteran, disability answers) never reaches this module or any provider: CandidateInput
 * does not carry it, and the backend never reads Lever's EEO endpoints into AI inputs.
 */

export type PiiKind = 'name' | 'email' | 'phone' | 'url' | 'address' | 'handle';

/** placeholder → original text. Serialisable; pass it to `restore`. */
export type RedactionMap = Record<string, string>;

export type KnownPii = { name?: string; emails?: string[]; phones?: string[]; links?: string[] };

export function knownPiiOf(candidate: CandidateInput): KnownPii {
  return { name: candidate.name, emails: candidate.emails, phones: candidate.phones, links: candidate.links };
}

// Linear time on any text (issue 15): the e-mail patterns are tried only where a run of local-part characters starts
// (linear-match.ts), labels and subdomain chains are bounded (a DNS label has at most 63 characters), and no two
// unbounded repeats of one class stand side by side.
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/;
const EMAIL_CHAR = /[A-Za-z0-9._%+-]/;
const URL_RE =
  /\b(?:https?:\/\/|www\.)[^\s<>()"']+|\b(?:[a-z0-9-]{1,63}\.){0,8}(?:linkedin\.com|github\.com|gitlab\.com|twitter\.com|x\.com|behance\.net|dribbble\.com|medium\.com|stackoverflow\.com)\/[^\s<>()"']+/gi;
// "jane [at] example.com", "jane(at)example(dot)com": the obfuscations people use against scrapers.
// Tried where a run of local-part characters first has a word boundary (linear-match.ts).
const OBFUSCATED_EMAIL =
  /\b[A-Za-z0-9._%+-]+\s*(?:\[at\]|\(at\)|\{at\})\s*[A-Za-z0-9-]+(?:\s*(?:\.|\[dot\]|\(dot\))\s*[A-Za-z0-9-]+)+/i;
// Bare personal domains ("janedoe.dev"); lower-case only, and not the tech names that look like domains.
const BARE_DOMAIN =
  /(?<![\w@./-])[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:dev|io|me|app|design|com|net|org|co|xyz|site|page)(?:\/[^\s<>()"']*)?(?![\w@-])/g;
const TECH_DOMAINS = new Set(['socket.io', 'asp.net', 'ado.net', 'vb.net', 'dot.net', 'phaser.io']);
const HANDLE = /(?<![\w.@/])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?\b/g;
const PHONE = /(?<![\w+(])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{1,5}(?:[\s.-]{1,3}\d{2,8}){1,5}(?![\w])/g;
const YEAR_RANGE = /(?:19|20)\d{2}\s*[-–.]\s*(?:19|20)\d{2}/;
const STREET_SUFFIX =
  'Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Square|Sq|Parkway|Pkwy|Highway|Hwy|Close|Crescent';
// "1234 Maple Avenue, Apt 5, Springfield, IL 62704" / "221B Baker Street, London NW1 6XE" / "Hauptstraße 12, 10115 Berlin"
const UNIT_PREFIX = `(?:(?:Flat|Apt|Apartment|Suite|Unit)\\.?\\s*[\\w-]+,?\\s+)?`;
// "1234 Maple Avenue, Apt 5, Springfield, IL 62704" / "Flat 2, 221B Baker Street, London NW1 6XE"
const ADDRESS_EN = new RegExp(
  `${UNIT_PREFIX}\\b\\d{1,5}[A-Z]?\\s+(?:[A-Z][A-Za-z'-]+\\s+){1,3}(?:${STREET_SUFFIX})\\b\\.?(?:,?\\s+(?:Apt|Apartment|Suite|Unit|Flat|#)\\.?\\s*[\\w-]+)?(?:,\\s*[A-Z][A-Za-z .'-]+?(?:,\\s*[A-Z]{2})?(?:\\s+\\d{5}(?:-\\d{4})?|\\s+[A-Z]{1,2}\\d[A-Z\\d]?\\s*\\d[A-Z]{2})?(?=$|[\\n|;•·]|,\\s))?`,
  'g',
);
// "Hauptstraße 12, 10115 Berlin"
const ADDRESS_DE =
  /\b[A-ZÄÖÜ][a-zäöüß]+(?:straße|strasse|str\.|weg|gasse|platz|allee|damm)[ \t]+\d{1,3}(?!\d)[a-z]?(?:,\s*\d{4,5}\s+[A-ZÄÖÜ][a-zäöüß]+)?/g;
// "12 rue de Rivoli, 75001 Paris", "Via Roma 5", "Calle Mayor 3, 28013 Madrid": a house number is required, so
// "via IBM" in a sentence is left alone.
const ROMANCE_STREET =
  "(?:(?:de|du|des|la|le|del|da|di)[ \\t]+)*[A-ZÀ-Ý][\\p{L}'-]+(?:[ \\t]+[A-ZÀ-Ý][\\p{L}'-]+){0,2}";
const ROMANCE_CITY = '(?:,[ \\t]*\\d{4,5}[ \\t]+[A-ZÀ-Ý][\\p{L}-]+)?';
const ADDRESS_ROMANCE = new RegExp(
  `\\b\\d{1,4}(?:[ \\t]*(?:bis|ter))?,?[ \\t]+(?:rue|avenue|boulevard|bd|chemin|allée|impasse)[ \\t]+${ROMANCE_STREET}${ROMANCE_CITY}` +
    `|\\b(?:Via|Viale|Calle|Piazza|Rua|Avenida|Rue)[ \\t]+${ROMANCE_STREET}[ \\t]+\\d{1,4}[a-z]?${ROMANCE_CITY}`,
  'gu',
);
const NAME_WORD = "\\p{Lu}[\\p{Ll}'’-]+(?:\\p{Lu}[\\p{Ll}'’-]+)?"; // "Jane", "McConnor", "Järvinen", "O'Neil"
const NAME_SEQUENCE = new RegExp(
  `(?<![\\p{L}])${NAME_WORD}(?:[ \\t]+\\p{Lu}\\.)?(?:[ \\t]+(?:${NAME_WORD}|\\p{Lu}{2,}))+(?![\\p{L}])|(?<![\\p{L}])\\p{Lu}{2,}(?:[ \\t]+\\p{Lu}{2,}){1,3}(?![\\p{L}])`,
  'gu',
);
// "Name: Klea", "First Name: Matias": the value of a labelled name field, whatever its shape.
const NAME_FIELD =
  /^(\W*(?:(?:full|first|last|given|family|middle|candidate|legal|preferred)\s+)?name\s*:\s*)([^\s|([](?:[^|([]*[^\s|([])?)\s*(?=$|[|([])/i;
// Capitalised words that head a resume without being a name.
const NOT_NAME = new Set(
  (
    'resume curriculum vitae cv senior junior lead principal staff software engineer developer manager designer ' +
    'product data scientist analyst account executive sales support customer success operations marketing head ' +
    'director of and the contact email phone mobile tel address profile summary linkedin github portfolio website ' +
    'personal information details experience education skills objective references professional work history ' +
    'full stack frontend backend remote united states kingdom new york san francisco los angeles'
  ).split(' '),
);

const PREFIX: Record<PiiKind, string> = {
  name: 'NAME',
  email: 'EMAIL',
  phone: 'PHONE',
  url: 'URL',
  address: 'ADDRESS',
  handle: 'HANDLE',
};

const digitsOf = (s: string) => s.replace(/\D/g, '');
/** Digit strings a known phone may appear as: in full, or without its country code. */
function phoneTargets(phones: string[] | undefined): string[] {
  return (phones ?? []).flatMap((p) => {
    const d = digitsOf(p);
    if (d.length < 6) return [];
    return d.length > 10 ? [d, d.slice(-10)] : [d];
  });
}

// A run of digits with the separators phone numbers are written with; known numbers are looked for inside runs by
// their digits, which is linear (a regex with optional separators between every digit backtracks badly).
const DIGIT_RUN = /(?<![+(])[+(]*\d[\d\s().+-]*\d/g;

/** Spans of `text` holding one of the target digit strings, whatever the separators ("(415) 555-0134"). */
function knownPhoneSpans(text: string, targets: string[]): Array<{ start: number; end: number }> {
  const spans: Array<{ start: number; end: number }> = [];
  if (targets.length === 0) return spans;
  for (const m of text.matchAll(DIGIT_RUN)) {
    const positions: number[] = [];
    let digits = '';
    for (let i = 0; i < m[0].length; i++) {
      const ch = m[0][i]!;
      if (ch >= '0' && ch <= '9') {
        positions.push(m.index + i);
        digits += ch;
      }
    }
    // Spans of one run never overlap another run's; within the run, a span is kept when none of its digits is in
    // a span kept before (what comparing it with every earlier span decided, without the quadratic cost).
    const taken = new Uint8Array(digits.length);
    for (const t of targets) {
      for (let at = digits.indexOf(t); at >= 0; at = digits.indexOf(t, at + t.length)) {
        let start = positions[at]!;
        while (start > m.index && /[+(]/.test(text[start - 1]!)) start--;
        const end = positions[at + t.length - 1]! + 1;
        if (taken.subarray(at, at + t.length).includes(1)) continue;
        taken.fill(1, at, at + t.length);
        spans.push({ start, end });
      }
    }
  }
  return spans.sort((a, b) => a.start - b.start);
}

type Span = { start: number; end: number };

/** `s` without the trailing characters in `chars` (a loop: `/[…]+$/` retries at every offset of a long run). */
function trimEnd(s: string, chars: string): string {
  let end = s.length;
  while (end > 0 && chars.includes(s[end - 1]!)) end--;
  return s.slice(0, end);
}

/** `\b` before offset `p`, as a regex without the u flag sees it. */
function wordStart(text: string, p: number): boolean {
  const word = (c: string | undefined) => c !== undefined && /\w/.test(c);
  return word(text[p - 1]) !== word(text[p]);
}

const isWordChar = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}_]/u.test(c);

/**
 * Non-overlapping occurrences of a known value, by plain string search: no per-value regex to compile (that cost
 * dominated redaction time), and word boundaries that understand "Ólafur" and "García".
 */
function literalSpans(text: string, needle: string, opts: { ignoreCase?: boolean; wholeWord?: boolean } = {}): Span[] {
  if (!needle) return [];
  let hay = text;
  let ndl = needle;
  if (opts.ignoreCase) {
    const lt = text.toLowerCase();
    const ln = needle.toLowerCase();
    // Lower-casing can change lengths (İ -> i̇); offsets must stay valid, so only then fall back to exact case.
    if (lt.length === text.length && ln.length === needle.length) {
      hay = lt;
      ndl = ln;
    }
  }
  const out: Span[] = [];
  for (let at = hay.indexOf(ndl); at >= 0; at = hay.indexOf(ndl, at + 1)) {
    const end = at + ndl.length;
    if (opts.wholeWord && (isWordChar(text[at - 1]) || isWordChar(text[end]))) continue;
    const last = out[out.length - 1];
    if (last && last.end > at) continue;
    out.push({ start: at, end });
  }
  return out;
}

/** The capitalised and upper-case spellings of a name part: "Will"/"WILL" are the name, "will" is a verb. */
function partSpellings(part: string): string[] {
  return [...new Set([part[0]!.toUpperCase() + part.slice(1), part.toUpperCase()])];
}

function nameParts(name: string | undefined): string[] {
  if (!name) return [];
  return name
    .split(/[\s,]+/)
    .map((p) => p.replace(/[.()]/g, ''))
    .filter((p) => p.length >= 2);
}

export class Redactor {
  private readonly map: RedactionMap = {};
  private readonly byValue = new Map<string, string>();
  private readonly counters: Record<PiiKind, number> = { name: 0, email: 0, phone: 0, url: 0, address: 0, handle: 0 };
  private readonly caught: Record<PiiKind, number> = { name: 0, email: 0, phone: 0, url: 0, address: 0, handle: 0 };

  constructor(private readonly known: KnownPii) {}

  /** Placeholder → original, for `restore`. Grows as more text is redacted. */
  get redactionMap(): RedactionMap {
    return { ...this.map };
  }

  /** How many occurrences of each kind were replaced so far. */
  get counts(): Record<PiiKind, number> {
    return { ...this.caught };
  }

  redact(text: string): string {
    let out = text;
    const known = this.known;
    const fullName = known.name?.trim();
    // Known values first: they are certain, and replacing them before the generic patterns keeps their kind right.
    for (const e of known.emails ?? [])
      out = this.replaceSpans(out, literalSpans(out, e, { ignoreCase: true }), 'email');
    for (const l of known.links ?? []) {
      const bare = l.replace(/^https?:\/\//i, '').replace(/\/$/, '');
      if (bare.length < 4) continue;
      const spans = literalSpans(out, bare, { ignoreCase: true }).map(({ start, end }) => {
        const scheme = /https?:\/\/$/i.exec(out.slice(Math.max(0, start - 8), start));
        return { start: start - (scheme?.[0].length ?? 0), end: out[end] === '/' ? end + 1 : end };
      });
      out = this.replaceSpans(out, spans, 'url');
    }
    out = this.replaceSpans(out, knownPhoneSpans(out, phoneTargets(known.phones)), 'phone');
    out = this.replaceMatches(out, runStartMatches(out, EMAIL, EMAIL_CHAR), 'email');
    out = this.replaceMatches(out, runStartMatches(out, OBFUSCATED_EMAIL, EMAIL_CHAR, wordStart), 'email');
    out = this.replaceAll(out, URL_RE, 'url', (m) => trimEnd(m, '.,;:!?'));
    out = this.replaceAll(out, BARE_DOMAIN, 'url', (m) => (TECH_DOMAINS.has(m.toLowerCase()) ? null : m));
    out = this.replaceAll(out, HANDLE, 'handle');
    for (const re of [ADDRESS_EN, ADDRESS_DE, ADDRESS_ROMANCE])
      out = this.replaceAll(out, re, 'address', (m) => trimEnd(m, ', \t\n\r\f\v'));
    out = this.replaceAll(out, PHONE, 'phone', (m) => {
      const digits = digitsOf(m).length;
      if (digits < 7 || digits > 15 || YEAR_RANGE.test(m)) return null;
      // Plain digit runs without separators or "+" are more often IDs or amounts than phone numbers.
      if (!/[\s.()+-]/.test(m) && !m.startsWith('+')) return null;
      return m;
    });
    if (fullName) {
      const single = fullName.replace(/\s+/g, ' ');
      out = this.replaceSpans(out, literalSpans(out, single, { ignoreCase: true, wholeWord: true }), 'name');
    }
    out = this.redactHeaderNames(out);
    for (const part of nameParts(fullName)) {
      for (const spelling of partSpellings(part)) {
        out = this.replaceSpans(out, literalSpans(out, spelling, { wholeWord: true }), 'name');
      }
    }
    return out;
  }

  private redactHeaderNames(text: string): string {
    const lines = text.split('\n');
    const firstContent = lines.findIndex((l) => l.trim().length > 0);
    const blank = lines.findIndex((l, i) => i > firstContent && l.trim().length === 0);
    const contactBlockEnd = blank < 0 ? lines.length : blank - 1;
    return lines
      .map((line, i) => {
        const field = NAME_FIELD.exec(line);
        if (field && !/^\[[A-Z_]+(?:_\d+)?\]$/.test(field[2]!)) {
          const start = field[1]!.length;
          return this.replaceSpans(line, [{ start, end: start + field[2]!.length }], 'name');
        }
        // The contact block: the first line, and lines carrying contact details before the first blank line.
        const inBlock = i <= contactBlockEnd && i <= firstContent + 5;
        const isHeader = i === firstContent || (inBlock && /\[(?:EMAIL|PHONE|URL|HANDLE)_\d+\]/.test(line));
        if (!isHeader) return line;
        return this.replaceAll(line, NAME_SEQUENCE, 'name', (m) => {
          const words = m.split(/\s+/).map((w) => w.toLowerCase().replace(/\.$/, ''));
          return words.some((w) => NOT_NAME.has(w)) ? null : m;
        });
      })
      .join('\n');
  }

  /** Replaces the given spans of `text`; placeholders are numbered in reading order. Built in one pass. */
  private replaceSpans(text: string, spans: Span[], kind: PiiKind): string {
    if (spans.length === 0) return text;
    const placed = spans.map((span) => ({
      ...span,
      placeholder: this.placeholderFor(text.slice(span.start, span.end), kind),
    }));
    const parts: string[] = [];
    let at = 0;
    for (const p of placed) {
      parts.push(text.slice(at, p.start), p.placeholder);
      at = p.end;
    }
    parts.push(text.slice(at));
    this.caught[kind] += spans.length;
    return parts.join('');
  }

  /** `accept` may trim the match (return the part to redact) or veto it (return null). */
  private replaceAll(text: string, re: RegExp, kind: PiiKind, accept?: (m: string) => string | null): string {
    return text.replace(re, (match: string) => this.replacement(match, kind, accept));
  }

  /** As replaceAll, over matches found by runStartMatches. */
  private replaceMatches(text: string, matches: RunMatch[], kind: PiiKind): string {
    if (matches.length === 0) return text;
    const parts: string[] = [];
    let at = 0;
    for (const m of matches) {
      parts.push(text.slice(at, m.index), this.replacement(m.text, kind));
      at = m.index + m.text.length;
    }
    parts.push(text.slice(at));
    return parts.join('');
  }

  private replacement(match: string, kind: PiiKind, accept?: (m: string) => string | null): string {
    if (/^\[[A-Z_]+(?:_\d+)?\]$/.test(match)) return match;
    const value = accept ? accept(match) : match;
    if (!value) return match;
    this.caught[kind]++;
    return this.placeholderFor(value, kind) + match.slice(value.length);
  }

  private candidateVariants = 0;

  private placeholderFor(value: string, kind: PiiKind): string {
    const key = `${kind}\u0000${value}`;
    const existing = this.byValue.get(key);
    if (existing) return existing;
    let placeholder: string;
    if (kind === 'name' && isCandidateName(value, this.known.name)) {
      // The usual spelling is [CANDIDATE_NAME]; other spellings ("JANE DOE", "Jane") get their own slot so that
      // restore() puts back exactly what was there.
      this.candidateVariants++;
      placeholder = this.candidateVariants === 1 ? '[CANDIDATE_NAME]' : `[CANDIDATE_NAME_${this.candidateVariants}]`;
    } else {
      placeholder = `[${PREFIX[kind]}_${++this.counters[kind]}]`;
    }
    this.byValue.set(key, placeholder);
    this.map[placeholder] = value;
    return placeholder;
  }
}

function isCandidateName(value: string, name: string | undefined): boolean {
  if (!name) return false;
  const v = value.toLowerCase().replace(/\s+/g, ' ');
  const parts = nameParts(name).map((p) => p.toLowerCase());
  return v === name.toLowerCase().replace(/\s+/g, ' ') || parts.includes(v);
}

/** One-shot redaction of a single text. */
export function redact(text: string, known: KnownPii): { text: string; map: RedactionMap } {
  const r = new Redactor(known);
  const out = r.redact(text);
  return { text: out, map: r.redactionMap };
}

/** Puts the original values back. Unknown placeholders are left as they are. */
export function restore(text: string, map: RedactionMap): string {
  return text.replace(
    /\[(?:CANDIDATE_NAME(?:_\d+)?|(?:NAME|EMAIL|PHONE|URL|ADDRESS|HANDLE)_\d+)\]/g,
    (p) => map[p] ?? p,
  );
}

/**
 * Throws PiiLeakError when `text` still contains any known PII value: an email, link or phone (whatever its
 * separators), the full name in any case, or a capitalised part of the name. Call it on the exact payload about
 * to be sent.
 */
export function assertNoLeak(text: string, known: KnownPii): void {
  const kinds = new Set<string>();
  const lower = text.toLowerCase();
  for (const e of known.emails ?? []) if (e && lower.includes(e.toLowerCase())) kinds.add('email');
  for (const l of known.links ?? []) {
    const bare = l.replace(/^https?:\/\//i, '').replace(/\/$/, '');
    if (bare.length >= 4 && lower.includes(bare.toLowerCase())) kinds.add('link');
  }
  if (knownPhoneSpans(text, phoneTargets(known.phones)).length > 0) kinds.add('phone');
  const name = known.name?.trim();
  if (name) {
    if (literalSpans(text, name.replace(/\s+/g, ' '), { ignoreCase: true, wholeWord: true }).length) kinds.add('name');
    for (const part of nameParts(name)) {
      if (partSpellings(part).some((p) => literalSpans(text, p, { wholeWord: true }).length)) kinds.add('name');
    }
  }
  if (kinds.size > 0) throw new PiiLeakError([...kinds]);
}
