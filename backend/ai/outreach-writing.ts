import type { Evidence } from '../../utils/contracts/ai.ts';
import { STOPWORDS, tokenize } from './local/text.ts';
import type { Recruiter } from './types.ts';

/**
 * What makes an outreach draft read like a recruiter wrote it: a short phrase lifted from each evidence line (so
 * the sentence paraphrases the line, and the claim still points at the exact resume text for the review sheet),
 * the recruiter's name and title from Lever, and checks for pasted lines and repeated phrases. Everything here reads
 * candidate text through bounded, linear scans (no backtracking regexes) and caps what it reads.
 */

/** At most this many words of a resume line go into a sentence. */
export const MAX_PHRASE_WORDS = 6;
const MAX_LINE = 400;

/** How a phrase came out of its line, which decides the sentence built around it. */
export type PhraseKind = 'action' | 'skill' | 'role';
export type EvidencePhrase = { kind: PhraseKind; verb: string | null; evidence: Evidence };

const IRREGULAR = new Set(
  'built led ran wrote made grew drove won took set cut began taught brought sold held kept spent found rebuilt rewrote oversaw undertook shipped owned'.split(
    ' ',
  ),
);
const STOP_AFTER = new Set(
  'handling which that to by using with across resulting reducing cutting improving increasing saving serving for from in at on while so where who including via through'.split(
    ' ',
  ),
);
const ROLE_WORD =
  /^(?:engineer|manager|developer|analyst|designer|lead|director|specialist|consultant|scientist|architect|recruiter|representative|executive|officer|coordinator|administrator|intern|associate|nurse|accountant|technician|assistant|supervisor|programmer|writer|editor|teacher|advisor|adviser|strategist|partner|head|owner|founder|president)s?$/i;
const LIST_LABEL = /^(?:skills|technologies|tools|languages|tech stack|stack|expertise|competencies|certifications)$/i;

type Word = { start: number; end: number; text: string };

/** Words of one line (letters, digits and the inner characters of "Node.js", "C++", "CI/CD"), by a linear scan. */
function wordsOf(line: string, base: number): Word[] {
  const out: Word[] = [];
  let i = 0;
  const inWord = (c: string) => /[\p{L}\p{N}+#]/u.test(c);
  while (i < line.length) {
    if (!inWord(line[i]!)) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < line.length && (inWord(line[j]!) || (/[./'’-]/.test(line[j]!) && inWord(line[j + 1] ?? '')))) j++;
    out.push({ start: base + i, end: base + j, text: line.slice(i, j) });
    i = j;
  }
  return out;
}

const isVerb = (w: string) =>
  (/^[A-Z][a-z]{2,}ed$/.test(w) && !/^(?:Need|Seed|Speed|Bed)$/.test(w)) || IRREGULAR.has(w.toLowerCase());

function slice(source: string, ev: Evidence, start: number, end: number): Evidence {
  return { source: ev.source, quote: source.slice(start, end), start, end };
}

/**
 * A short phrase of an evidence line that a sentence can carry: the object of its leading verb ("Designed the
 * PostgreSQL schema for billing" -> verb "designed", phrase "PostgreSQL schema"), the list item that names the
 * requirement ("Skills: TypeScript, PostgreSQL" -> "PostgreSQL"), or the job title of a role line ("Staff
 * Engineer, Northpeak Software (Seattle, WA)" -> "Staff Engineer"). An exact slice of `source`, or null.
 */
export function evidencePhrase(source: string, ev: Evidence, requirement: string): EvidencePhrase | null {
  const line = source.slice(ev.start, Math.min(ev.end, ev.start + MAX_LINE));
  const words = wordsOf(line, ev.start);
  if (words.length === 0) return null;
  const want = new Set(
    tokenize(requirement.slice(0, MAX_LINE))
      .filter((t) => !STOPWORDS.has(t.norm))
      .map((t) => t.stem),
  );
  const names = (w: Word) => tokenize(w.text).some((t) => want.has(t.stem));
  const gapBefore = (k: number) => source.slice(words[k - 1]!.end, words[k]!.start);

  // "Skills: a, b, c": the item that names the requirement (else the first).
  const colon = line.indexOf(':');
  if (
    colon > 0 &&
    LIST_LABEL.test(
      line
        .slice(0, colon)
        .replace(/^[\s•*-]+/, '')
        .trim(),
    )
  ) {
    const items: Word[][] = [];
    let cur: Word[] = [];
    for (let k = 0; k < words.length; k++) {
      const w = words[k]!;
      if (w.start - ev.start < colon) continue;
      if (cur.length && /[,;|•/]/.test(gapBefore(k))) {
        items.push(cur);
        cur = [];
      }
      cur.push(w);
    }
    if (cur.length) items.push(cur);
    const item = items.find((it) => it.some(names)) ?? items[0];
    if (!item || item.length > MAX_PHRASE_WORDS) return null;
    return { kind: 'skill', verb: null, evidence: slice(source, ev, item[0]!.start, item[item.length - 1]!.end) };
  }

  // "Built X handling Y": the object of the verb, up to a clause word or a comma.
  if (isVerb(words[0]!.text)) {
    let k = 1;
    if (k < words.length && /^(?:the|a|an|our|my|its|their)$/i.test(words[k]!.text)) k++;
    const from = k;
    while (
      k < words.length &&
      k - from < MAX_PHRASE_WORDS &&
      !STOP_AFTER.has(words[k]!.text.toLowerCase()) &&
      !(k > from && /[,;:()]/.test(gapBefore(k))) &&
      !(words[k]!.text.toLowerCase() === 'and' && k + 1 < words.length && isVerb(cap(words[k + 1]!.text)))
    )
      k++;
    if (k === from) return null;
    while (k - 1 > from && /^(?:and|or|of|the|a|an)$/i.test(words[k - 1]!.text)) k--;
    return {
      kind: 'action',
      verb: words[0]!.text.toLowerCase(),
      evidence: slice(source, ev, words[from]!.start, words[k - 1]!.end),
    };
  }

  // "Acme Corp, Senior Software Engineer (2017 - 2024)": the part with a job word.
  const head = words.filter((w) => !/[(\d]/.test(source.slice(ev.start, w.start)) || w.start - ev.start < 3);
  const parts: Word[][] = [];
  let cur: Word[] = [];
  for (const w of head) {
    const k = words.indexOf(w);
    if (cur.length && k > 0 && /[,|—–@]|\s-\s|\bat\b/.test(gapBefore(k))) {
      parts.push(cur);
      cur = [];
    }
    // A title ends at a number or a clause word ("Senior Account Executive with 8 years").
    if (cur.length && (/\d/.test(w.text) || STOP_AFTER.has(w.text.toLowerCase()) || w.text.toLowerCase() === 'at')) {
      parts.push(cur);
      cur = [];
      continue;
    }
    cur.push(w);
  }
  if (cur.length) parts.push(cur);
  const role = parts.find((p) => p.length <= MAX_PHRASE_WORDS && p.some((w) => ROLE_WORD.test(w.text)));
  if (role)
    return { kind: 'role', verb: null, evidence: slice(source, ev, role[0]!.start, role[role.length - 1]!.end) };

  // Otherwise the first run of words that name the requirement, up to a comma and at most three words.
  const a = words.findIndex(names);
  if (a < 0) return null;
  let b = a;
  while (b + 1 < words.length && b - a < 2 && names(words[b + 1]!) && !/[,;|/•]/.test(gapBefore(b + 1))) b++;
  return { kind: 'skill', verb: null, evidence: slice(source, ev, words[a]!.start, words[b]!.end) };
}

const cap = (w: string) => (w ? w[0]!.toUpperCase() + w.slice(1) : w);

/** The name a draft may sign with: never an e-mail address, never empty. */
export function signatureName(recruiter: Recruiter): string | null {
  const name = recruiter.name?.trim() ?? '';
  if (!name || name.includes('@') || name.toLowerCase() === recruiter.email?.trim().toLowerCase()) return null;
  return name;
}

export function recruiterFirstName(recruiter: Recruiter): string | null {
  return signatureName(recruiter)?.split(/\s+/)[0] ?? null;
}

/** Lower-cased word tokens of a text, for n-gram checks. */
export function wordTokens(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N}'’.+#-]*/gu) ?? []).map((w) => w.replace(/[.'’-]+$/, ''));
}

/** Word n-grams that occur more than once in the text (each reported once). */
export function repeatedNgrams(text: string, n = 4): string[] {
  const t = wordTokens(text);
  const seen = new Set<string>();
  const out = new Set<string>();
  for (let i = 0; i + n <= t.length; i++) {
    const g = t.slice(i, i + n).join(' ');
    if (seen.has(g)) out.add(g);
    seen.add(g);
  }
  return [...out];
}

/**
 * Whether the body pastes resume text rather than paraphrasing it: a resume line of five words or more appears
 * whole, or any run of `run` consecutive resume words does (unless the posting has the same words), or a
 * quotation mark wraps three words or more.
 */
export function pastesResume(body: string, sourceTexts: string[], postingTexts: string[] = [], run = 8): boolean {
  if (quotesWords(body)) return true;
  const b = ` ${wordTokens(body).join(' ')} `;
  // Words the posting has too (its title, its requirements) are the recruiter's to use.
  const posting = ` ${postingTexts.map((t) => wordTokens(t.slice(0, 200_000)).join(' ')).join(' | ')} `;
  const pasted = (w: string[]) => b.includes(` ${w.join(' ')} `) && !posting.includes(` ${w.join(' ')} `);
  for (const src of sourceTexts) {
    for (const line of src.slice(0, 200_000).split('\n')) {
      const w = wordTokens(line);
      if (w.length >= 5 && pasted(w)) return true;
      for (let i = 0; i + run <= w.length; i++) if (pasted(w.slice(i, i + run))) return true;
    }
  }
  return false;
}

const CLOSE: Record<string, string> = { '“': '”', '"': '"', '«': '»', '„': '“' };

/** A quotation mark that wraps three words or more (scanned, not matched by a regex). */
function quotesWords(body: string): boolean {
  for (let i = 0; i < body.length; i++) {
    const close = CLOSE[body[i]!];
    if (!close) continue;
    const j = body.indexOf(close, i + 1);
    if (j < 0) continue;
    const inner = body.slice(i + 1, j);
    if (!inner.includes('\n') && inner.trim().split(/\s+/).length >= 3) return true;
    i = j;
  }
  return false;
}
