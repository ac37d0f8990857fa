import type { JdFinding } from '../../utils/contracts/fairness.ts';

/**
 * Span and word helpers shared by the job-description rules. A word character is any Unicode letter or digit, so
 * boundaries work for accented text and never split "SharePoint" or "analytics" in the middle.
 */

export type Span = { start: number; end: number };

export function overlaps(a: Span, b: Span): boolean {
  return a.start < b.end && b.start < a.end;
}

export function contains(outer: Span, inner: Span): boolean {
  return outer.start <= inner.start && inner.end <= outer.end;
}

/** Every match of a global regex as spans. */
export function matchAll(text: string, re: RegExp): Array<Span & { text: string }> {
  const out: Array<Span & { text: string }> = [];
  for (const m of text.matchAll(re)) {
    if (m[0].length === 0) continue;
    out.push({ start: m.index, end: m.index + m[0].length, text: m[0] });
  }
  return out;
}

/** 1-based line and column of an offset, for human output. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** The sentence (or list line) around a span: requirement words only count when they share it. */
export function sentenceAround(text: string, span: Span): Span {
  let start = span.start;
  while (start > 0 && !/[.!?\n]/.test(text[start - 1] ?? '')) start--;
  let end = span.end;
  while (end < text.length && !/[.!?\n]/.test(text[end] ?? '')) end++;
  return { start, end };
}

export function finding(text: string, span: Span, rest: Omit<JdFinding, 'text' | 'start' | 'end'>): JdFinding {
  return { text: text.slice(span.start, span.end), start: span.start, end: span.end, ...rest };
}

export type Token = Span & { text: string; lower: string };

/**
 * Words for phrase and stem lookup: letters/digits with inner apostrophes or dots ("he'll", "o.c.d"). Hyphenated
 * compounds are separate tokens here; `hyphenated` joins them for the stem rules. Token lookup is linear in the
 * text, unlike hundreds of Unicode regexes, which cost about a second to compile on first use.
 */
export function tokenize(text: string, hyphenated = false): Token[] {
  const re = hyphenated ? /[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu : /[\p{L}\p{N}]+(?:['’.][\p{L}\p{N}]+)*/gu;
  const out: Token[] = [];
  for (const m of text.matchAll(re)) {
    out.push({ start: m.index, end: m.index + m[0].length, text: m[0], lower: normalizeWord(m[0]) });
  }
  return out;
}

export function normalizeWord(word: string): string {
  return word.toLowerCase().replace(/’/g, "'");
}
