import type { JdFinding } from '../../utils/contracts/fairness.ts';
import { checkJobDescription } from './jd-check.ts';
import { htmlToText } from './posting-text.ts';

/**
 * The deterministic rewrite of a posting description: every finding whose suggestion names a concrete replacement
 * ('Use "expert" instead', 'Try "persistent"') has its span replaced by the first replacement. Suggestions that are
 * advice ("Describe the work…", "e.g. …" examples) are left for the recruiter: guessing a replacement for them would
 * put words in the employer's mouth. Same input, same output.
 */

export type PostingRewrite = {
  /** The description after the replacements (plain text, as the check reads it). */
  description: string;
  /** What changed, in text order, for the proposal's reason line. */
  replacements: Array<{ from: string; to: string }>;
  /** Findings with no mechanical fix (missing info, requirement lists, advice-only suggestions). */
  leftForReview: number;
};

/** 'Use "x"…', 'Try "x"…' at the start of a suggestion; an 'e.g.' example is not a replacement. */
const REPLACEMENT = /^(?:Use|Try)\s+"([^"]+)"/;

export function replacementFor(finding: JdFinding): string | null {
  if (finding.start === finding.end) return null;
  const m = REPLACEMENT.exec(finding.suggestion);
  return m ? m[1]! : null;
}

/** Keeps the capitalisation of the replaced word's first letter ("Ninja" → "Expert"). */
function matchCase(original: string, replacement: string): string {
  const first = original[0];
  if (first && first === first.toUpperCase() && first !== first.toLowerCase()) {
    return replacement[0]!.toUpperCase() + replacement.slice(1);
  }
  return replacement;
}

/** Rewrites a Lever description (HTML or plain text). Overlapping findings: the earlier span wins. */
export function rewriteDescription(descriptionHtmlOrText: string): PostingRewrite {
  const text = htmlToText(descriptionHtmlOrText);
  const { findings } = checkJobDescription({ text });
  const edits: Array<{ start: number; end: number; to: string; from: string }> = [];
  let leftForReview = 0;
  let lastEnd = -1;
  for (const f of findings) {
    const to = replacementFor(f);
    if (to === null || f.start < lastEnd) {
      if (to === null) leftForReview++;
      continue;
    }
    // Jargon findings are nouns ("ninjas", "rockstars"): keep the plural so the sentence still reads.
    const plural = f.category === 'jargon' && /s$/i.test(f.text) && !/s$/i.test(to);
    edits.push({ start: f.start, end: f.end, from: f.text, to: matchCase(f.text, plural ? `${to}s` : to) });
    lastEnd = f.end;
  }
  let out = text;
  for (const e of [...edits].reverse()) out = out.slice(0, e.start) + e.to + out.slice(e.end);
  return { description: out, replacements: edits.map(({ from, to }) => ({ from, to })), leftForReview };
}
