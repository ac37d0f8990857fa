import type { TextTruncation } from '../../utils/contracts/ai.ts';
import type { CandidateInput } from './types.ts';

/**
 * Bounds on candidate text, applied once the text is extracted and before anything reads it (scoring, redaction
 * for an LLM, the rediscovery index and its embeddings): anyone can apply to a public posting, so the size of what
 * the backend works on is ours to choose, not the applicant's.
 *
 * - A run of more than `maxRunChars` characters without whitespace (no word is that long; base64 blobs, "aaaa…",
 *   "a-a-a-…") keeps its first `maxRunChars` characters.
 * - Text longer than `maxChars` is cut there, at the last whitespace within the final 1,000 characters when there is
 *   one, so no word is split.
 *
 * Each cut is reported (`TextTruncation`, on the candidate and on the match result), so the recruiter knows the
 * score rests on part of the document.
 */

export type InputLimits = { maxChars: number; maxRunChars: number };

/** RESUME_MAX_CHARS's default: about 60 pages of dense text, far beyond any real résumé. */
export const DEFAULT_MAX_CHARS = 200_000;
/** The longest run of non-blank characters kept: longer than any URL or word worth reading. */
export const MAX_RUN_CHARS = 2_000;

let limits: InputLimits = { maxChars: DEFAULT_MAX_CHARS, maxRunChars: MAX_RUN_CHARS };

/** Sets the limits for this process (the backend calls it with RESUME_MAX_CHARS at start-up). */
export function configureInputLimits(next: Partial<InputLimits>): void {
  limits = { ...limits, ...next };
}

export function inputLimits(): InputLimits {
  return limits;
}

const isBlank = (code: number) =>
  code === 0x20 ||
  (code >= 0x09 && code <= 0x0d) ||
  code === 0xa0 ||
  code === 0x1680 ||
  (code >= 0x2000 && code <= 0x200a) ||
  code === 0x2028 ||
  code === 0x2029 ||
  code === 0x202f ||
  code === 0x205f ||
  code === 0x3000 ||
  code === 0xfeff;

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

/** `text` with every run of non-blank characters cut to `max` characters; how many runs were cut. */
function cutLongRuns(text: string, max: number): { text: string; cut: number } {
  let out: string[] | null = null;
  let from = 0;
  let cut = 0;
  let runStart = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i < text.length && !isBlank(text.charCodeAt(i))) continue;
    if (i - runStart > max) {
      let keepEnd = runStart + max;
      if (isHighSurrogate(text.charCodeAt(keepEnd - 1))) keepEnd--;
      out ??= [];
      out.push(text.slice(from, keepEnd));
      from = i;
      cut++;
    }
    runStart = i + 1;
  }
  if (!out) return { text, cut: 0 };
  out.push(text.slice(from));
  return { text: out.join(''), cut };
}

const number = (n: number) => n.toLocaleString('en-US');
const LABEL: Record<TextTruncation['source'], string> = { resume: 'Résumé', application: 'Cover letter' };

/**
 * `text` within the limits, and what was cut (null when nothing was). `clipped`: the text is already the start of a
 * longer one (a parser stopped reading), so its length is a lower bound of the original's.
 */
export function boundText(
  text: string,
  source: TextTruncation['source'],
  l: InputLimits = limits,
  clipped = false,
): { text: string; truncation: TextTruncation | null } {
  const originalChars = text.length;
  const runs = cutLongRuns(text, l.maxRunChars);
  let out = runs.text;
  let capped = false;
  if (out.length > l.maxChars) {
    let end = l.maxChars;
    for (let i = end; i > l.maxChars - 1_000 && i > 0; i--) {
      if (isBlank(out.charCodeAt(i - 1))) {
        end = i;
        break;
      }
    }
    if (isHighSurrogate(out.charCodeAt(end - 1))) end--;
    out = out.slice(0, end).trimEnd();
    capped = true;
  }
  if (clipped && !capped) {
    out = out.trimEnd();
    capped = true;
  }
  if (!capped && runs.cut === 0) return { text, truncation: null };
  const parts: string[] = [];
  if (capped)
    parts.push(
      `${LABEL[source]} truncated at ${number(out.length)} characters (of ${clipped ? 'more than ' : ''}${number(originalChars)}): only the first part was read.`,
    );
  if (runs.cut > 0)
    parts.push(
      `${number(runs.cut)} run${runs.cut === 1 ? '' : 's'} of more than ${number(l.maxRunChars)} characters without a space ${runs.cut === 1 ? 'was' : 'were'} cut${capped ? '' : ` from the ${source === 'resume' ? 'résumé' : 'cover letter'}`}.`,
    );
  return {
    text: out,
    truncation: { source, originalChars, keptChars: out.length, longRunsCut: runs.cut, message: parts.join(' ') },
  };
}

/**
 * The candidate with résumé and cover letter within the limits. Idempotent: a bounded candidate comes back as it is,
 * with the truncations already recorded (e.g. by extraction, which cuts before the text leaves the parser).
 */
export function boundCandidate(candidate: CandidateInput, l: InputLimits = limits): CandidateInput {
  const resume = boundText(candidate.resumeText, 'resume', l);
  const application =
    candidate.applicationText !== undefined ? boundText(candidate.applicationText, 'application', l) : null;
  if (!resume.truncation && !application?.truncation) return candidate;
  const truncated = [...(candidate.truncated ?? [])];
  for (const t of [resume.truncation, application?.truncation]) if (t) truncated.push(t);
  return {
    ...candidate,
    resumeText: resume.text,
    ...(application ? { applicationText: application.text } : {}),
    truncated: mergeTruncations(truncated),
  };
}

/** One entry per source: a later cut of an already cut text keeps the first one's original length. */
export function mergeTruncations(list: TextTruncation[]): TextTruncation[] {
  const bySource = new Map<TextTruncation['source'], TextTruncation>();
  for (const t of list) {
    const before = bySource.get(t.source);
    if (!before) bySource.set(t.source, t);
    else
      bySource.set(t.source, {
        ...t,
        originalChars: before.originalChars,
        longRunsCut: before.longRunsCut + t.longRunsCut,
        message: `${before.message} ${t.message}`,
      });
  }
  return [...bySource.values()];
}
