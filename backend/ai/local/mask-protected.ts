import { runStartMatches } from '../linear-match.ts';
import type { CandidateInput } from '../types.ts';
import { blankSpans, type Span } from './text.ts';

/**
 * Blanks what must not influence a score: the candidate's name, contact details and links, pronouns and
 * honorifics, and self-declared age/gender/marital status/nationality/religion. Blanking keeps every other
 * character at its offset, so evidence found in the masked text quotes the original text exactly.
 */

// One optional bullet between runs of blanks, written so that a line of blanks is not split two ways at every length.
const LABEL_RE =
  /^[ \t]*(?:[-*•][ \t]*)?(?:full[ \t]+name|first[ \t]+name|last[ \t]+name|name|e-?mail(?:[ \t]+address)?|phone(?:[ \t]+number)?|mobile|cell|tel(?:ephone)?|contact|address|home address|date[ \t]+of[ \t]+birth|dob|birth[ \t]?date|born|age|gender|sex|marital[ \t]+status|nationality|citizenship|religion|pronouns?|photo|linkedin|github|website|portfolio|twitter|x)[ \t]*:[ \t]*([^\n]*)$/gim;
// Tried only where a run of local-part characters starts (linear-match.ts), so "aaaa…" without an @ is one scan.
const EMAIL_RE = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/;
const EMAIL_CHAR = /[\w.+-]/;
const URL_RE = /\b(?:https?:\/\/|www\.)\S+|\b(?:linkedin\.com|github\.com|gitlab\.com|twitter\.com|x\.com)\/\S*/gi;
const PHONE_RE = /(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?)?\d{2,4}[\s.-]\d{2,4}[\s.-]\d{2,5}\b/g;
const PRONOUN_RE = /\b(?:he|she|him|her|his|hers|himself|herself|mr|mrs|ms|miss|mx|sir|madam|ma'am)\b\.?/gi;
const AGE_RE = /\b(?:\d{2}[- ]years?[- ]old|aged \d{2}|age \d{2}|born (?:in |on )?(?:\w+ )?\d{4})\b/gi;
const GENDER_RE = /\b(?:male|female|married|divorced|widowed|mother of|father of)\b/gi;

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function spansOf(text: string, re: RegExp): Span[] {
  return [...text.matchAll(re)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
}

export function maskProtected(
  text: string,
  candidate: Pick<CandidateInput, 'name' | 'emails' | 'phones' | 'links'>,
): string {
  const spans: Span[] = [];
  for (const m of text.matchAll(LABEL_RE)) {
    const value = m[1] ?? '';
    const start = m.index + m[0].length - value.length;
    spans.push({ start, end: start + value.length });
  }
  for (const m of runStartMatches(text, EMAIL_RE, EMAIL_CHAR))
    spans.push({ start: m.index, end: m.index + m.text.length });
  spans.push(...spansOf(text, URL_RE), ...spansOf(text, PHONE_RE));
  spans.push(...spansOf(text, PRONOUN_RE), ...spansOf(text, AGE_RE));
  // Gender words only in a personal-details context ("Gender: female" is caught above; "female" in a
  // sentence about the candidate is rare and harmless either way), so only blank them in short lines.
  let lineStart = 0;
  let lineEnd = -1;
  for (const m of text.matchAll(GENDER_RE)) {
    // The line around the match, found once per line (matches come in order), not once per match.
    if (m.index > lineEnd) {
      lineStart = text.lastIndexOf('\n', m.index) + 1;
      lineEnd = text.indexOf('\n', m.index);
      if (lineEnd === -1) lineEnd = text.length;
    }
    if (lineEnd - lineStart < 40) spans.push({ start: m.index, end: m.index + m[0].length });
  }
  const literal = [...candidate.emails, ...candidate.phones, ...candidate.links].filter((s) => s.length >= 4);
  for (const s of literal) spans.push(...spansOf(text, new RegExp(escapeRe(s), 'gi')));
  const nameParts = candidate.name
    .split(/[\s,]+/)
    .map((p) => p.replace(/[^\p{L}'-]/gu, ''))
    .filter((p) => p.length >= 2);
  if (nameParts.length > 0)
    spans.push(
      ...spansOf(text, new RegExp(`(?<![\\p{L}])(?:${nameParts.map(escapeRe).join('|')})(?![\\p{L}])`, 'giu')),
    );
  return blankSpans(text, spans);
}
