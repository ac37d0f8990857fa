/**
 * The text an injection check reads: candidate text with the usual disguises taken off, in one linear pass each,
 * with a map from every character of the result back to an offset of the original (so a flag quotes the original).
 * - invisible characters (zero-width, bidi controls, variation selectors, tag characters) are dropped;
 * - each character is NFKC-folded (full-width and mathematical letters become ASCII), accents and other combining
 *   marks are dropped, and look-alike Cyrillic, Greek, Armenian and IPA letters become the Latin letter they imitate;
 * - digits and symbols inside words are read as the letters they stand for ("1gn0r3" -> "ignore");
 * - letters spelled out one by one ("i g n o r e", "i.g.n.o.r.e") are joined;
 * - the result is lower-cased.
 * `base64Segments` decodes base64 runs that hold readable text. Everything is bounded: at most MAX_SCAN characters
 * of input, at most MAX_B64_SEGMENTS segments of at most MAX_B64_CHARS characters each.
 */

export const MAX_SCAN = 200_000;
export const MAX_B64_CHARS = 4096;
export const MAX_B64_SEGMENTS = 16;

export type Folded = { text: string; map: number[] };

const INVISIBLE = new Set<number>([0x00ad, 0x034f, 0x061c, 0x115f, 0x1160, 0x17b4, 0x17b5, 0x3164, 0xfeff, 0xffa0]);
function invisible(cp: number): boolean {
  return (
    INVISIBLE.has(cp) ||
    (cp >= 0x180b && cp <= 0x180f) ||
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0x202a && cp <= 0x202e) ||
    (cp >= 0x2060 && cp <= 0x206f) ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    (cp >= 0xe0000 && cp <= 0xe007f) ||
    (cp >= 0xe0100 && cp <= 0xe01ef)
  );
}

/** Letters from other scripts that look like a Latin letter (after Unicode's confusables list, the common ones). */
const CONFUSABLE: Record<string, string> = {
  а: 'a',
  б: 'b',
  в: 'b',
  г: 'r',
  д: 'd',
  е: 'e',
  ё: 'e',
  з: '3',
  и: 'u',
  к: 'k',
  л: 'n',
  м: 'm',
  н: 'h',
  о: 'o',
  п: 'n',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  ь: 'b',
  ѕ: 's',
  і: 'i',
  ї: 'i',
  ј: 'j',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  һ: 'h',
  ɡ: 'g',
  ɑ: 'a',
  ɩ: 'i',
  ı: 'i',
  ȷ: 'j',
  ο: 'o',
  ν: 'v',
  ι: 'i',
  κ: 'k',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  α: 'a',
  ε: 'e',
  η: 'n',
  χ: 'x',
  γ: 'y',
  ω: 'w',
  օ: 'o',
  ս: 'u',
  ց: 'g',
  հ: 'h',
  ո: 'n',
  ⅰ: 'i',
  ℓ: 'l',
};

/** Digits and symbols used for letters inside words. */
const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's' };

const isLetter = (c: string | undefined) => c !== undefined && c >= 'a' && c <= 'z';
const isLeet = (c: string | undefined) => c !== undefined && LEET[c] !== undefined;

/** One character of the input as zero or more lower-case characters (NFKD, combining marks dropped). */
function foldChar(ch: string): string {
  const cp = ch.codePointAt(0)!;
  if (invisible(cp)) return '';
  if (cp < 0x80) return ch.toLowerCase();
  // NFKD then drop combining marks: full-width and math letters become ASCII, "é" becomes "e".
  let out = '';
  for (const c of ch.normalize('NFKD')) if (!/\p{M}/u.test(c)) out += c.toLowerCase();
  return out;
}

const isAsciiLetter = (c: string | undefined) => c !== undefined && c >= 'a' && c <= 'z';
const isWordChar = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}]/u.test(c);

export function foldForInjection(input: string): Folded {
  const text = input.length > MAX_SCAN ? input.slice(0, MAX_SCAN) : input;
  // Pass 1: characters.
  const chars: string[] = [];
  const m: number[] = [];
  let i = 0;
  for (const ch of text) {
    const out = foldChar(ch);
    for (const c of out) {
      chars.push(c);
      m.push(i);
    }
    i += ch.length;
  }
  // Pass 1b: look-alike letters, only inside words that also hold a Latin letter (a Russian or Greek word stays as
  // it is, "іgnоrе" with Cyrillic і, о, е becomes "ignore").
  let w0 = 0;
  while (w0 < chars.length) {
    if (!isWordChar(chars[w0])) {
      w0++;
      continue;
    }
    let e = w0;
    let latin = false;
    while (e < chars.length && isWordChar(chars[e])) {
      if (isAsciiLetter(chars[e])) latin = true;
      e++;
    }
    if (latin) for (let k = w0; k < e; k++) chars[k] = CONFUSABLE[chars[k]!] ?? chars[k]!;
    w0 = e;
  }
  // Pass 2: leetspeak inside words (a digit or symbol next to letters, in a word with at least two letters).
  let w = 0;
  while (w < chars.length) {
    if (!isLetter(chars[w]) && !isLeet(chars[w])) {
      w++;
      continue;
    }
    let e = w;
    let letters = 0;
    let leet = 0;
    while (e < chars.length && (isLetter(chars[e]) || isLeet(chars[e]))) {
      if (isLetter(chars[e])) letters++;
      else leet++;
      e++;
    }
    if (leet > 0 && letters >= 1 && e - w >= 2 && leet <= letters + 3) {
      for (let k = w; k < e; k++) if (isLeet(chars[k])) chars[k] = LEET[chars[k]!]!;
    }
    w = e;
  }
  // Pass 3: letters spelled out one at a time, with one separator between them: four or more in a row are joined
  // into a word; after such a word, a wider gap (three characters, "i g n o r e   a l l") starts the next word.
  let out = '';
  const map: number[] = [];
  let k = 0;
  const sep = (c: string | undefined) => c === ' ' || c === '.' || c === '-' || c === '_' || c === '*' || c === '|';
  const single = (j: number) => isLetter(chars[j]) && !isLetter(chars[j + 1]) && !isLetter(chars[j - 1]);
  /** The last index of a run of single letters starting at j, and its length. */
  const runAt = (j: number): [number, number] => {
    let last = j;
    let n = 1;
    while (sep(chars[last + 1]) && single(last + 2)) {
      last += 2;
      n++;
    }
    return [last, n];
  };
  let joining = false;
  while (k < chars.length) {
    if (single(k)) {
      const [last, n] = runAt(k);
      if (n >= 4 || joining) {
        for (let q = k; q <= last; q += 2) {
          out += chars[q];
          map.push(m[q]!);
        }
        k = last + 1;
        joining = true;
        // A wider gap followed by more spelled-out letters: one space, and the next word.
        if (sep(chars[k]) && sep(chars[k + 1]) && sep(chars[k + 2]) && single(k + 3)) {
          out += ' ';
          map.push(m[k]!);
          k += 3;
        } else joining = false;
        continue;
      }
    }
    joining = false;
    out += chars[k];
    map.push(m[k]!);
    k++;
  }
  map.push(text.length);
  return { text: out, map };
}

/** A decoded base64 run: where it is in the original text and the text it holds. */
export type Decoded = { start: number; end: number; text: string };

const B64_RUN = /[A-Za-z0-9+/]{24,}={0,2}/g;

/** Base64 runs of the original text that decode to readable text (mostly printable, with spaces). */
export function base64Segments(input: string): Decoded[] {
  const text = input.length > MAX_SCAN ? input.slice(0, MAX_SCAN) : input;
  const out: Decoded[] = [];
  for (const r of text.matchAll(B64_RUN)) {
    if (out.length >= MAX_B64_SEGMENTS) break;
    const run = r[0].slice(0, MAX_B64_CHARS);
    // Mixed case and no long all-letter stretch: a long word or an identifier is not base64.
    if (!/[A-Z]/.test(run) || !/[a-z]/.test(run)) continue;
    const decoded = Buffer.from(run.slice(0, run.length - (run.length % 4)), 'base64').toString('utf8');
    if (readable(decoded)) out.push({ start: r.index, end: r.index + r[0].length, text: decoded });
  }
  return out;
}

function readable(s: string): boolean {
  if (s.length < 12) return false;
  let printable = 0;
  let spaces = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c === 0x20) spaces++;
    if ((c >= 0x20 && c < 0x7f) || c === 0x0a || (c > 0xa0 && c !== 0xfffd)) printable++;
  }
  return printable / s.length > 0.95 && spaces >= 2;
}
