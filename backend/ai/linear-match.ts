/**
 * Linear-time matching for patterns that start with a run of one character class ("[\w.+-]+@…" for an e-mail):
 * a global regex retries such a pattern at every offset inside a long run that ends without the rest ("aaaa…",
 * "a.a.a.…"), and each retry scans to the end of the run, which is quadratic in the run's length.
 *
 * `runStartMatches` tries the pattern (sticky) only where a run starts, or where the previous match ended. For a
 * pattern whose first part is `[class]+` of the run's class this gives exactly the matches of the global regex: a
 * match starting inside a run also matches from the start of that run (the run is all `class` characters), so the
 * leftmost match never starts mid-run, except right after a previous match, which is tried too. Each run is scanned
 * once from its start, so the whole text costs O(n) plus what the rest of the pattern costs.
 */

export type RunMatch = { index: number; text: string; groups: Array<string | undefined> };

/** A sticky copy of `re` (same source and flags, plus y, minus g). */
export function sticky(re: RegExp): RegExp {
  return new RegExp(re.source, `${re.flags.replace(/[gy]/g, '')}y`);
}

/**
 * Matches of `pattern` in `text`, left to right and non-overlapping, like `text.matchAll(/pattern/g)`, for a pattern
 * that begins with one or more characters of `inRun` (a test of one UTF-16 unit: `/[\w.+-]/`). `startOk` is for a
 * pattern that also asserts something where it starts (a `\b`): then the first offset of each run where it holds is
 * tried, which is still where the global regex's leftmost match would start. `orElse` is a second alternative
 * (`pattern|orElse`), tried at every offset where `pattern` did not match; it must be cheap to try anywhere (start
 * with a fixed word).
 */
export function runStartMatches(
  text: string,
  pattern: RegExp,
  inRun: RegExp,
  startOk?: ((text: string, at: number) => boolean) | null,
  orElse?: RegExp,
): RunMatch[] {
  const re = sticky(pattern);
  const alt = orElse ? sticky(orElse) : null;
  const isIn = classTest(inRun);
  const out: RunMatch[] = [];
  // True at the start of a run and right after a match: nothing was tried yet from this run.
  let pending = true;
  for (let p = 0; p < text.length; p++) {
    let m: RegExpExecArray | null = null;
    if (!isIn(text.charCodeAt(p))) pending = true;
    else if (pending && (!startOk || startOk(text, p))) {
      pending = false;
      re.lastIndex = p;
      m = re.exec(text);
    }
    if (!m && alt) {
      alt.lastIndex = p;
      m = alt.exec(text);
    }
    if (m && m[0].length > 0) {
      out.push({ index: p, text: m[0], groups: m.slice(1) });
      p += m[0].length - 1;
      pending = true;
    }
  }
  return out;
}

/** A fast test for one UTF-16 unit: a table for ASCII, the regex for the rest. */
function classTest(inRun: RegExp): (code: number) => boolean {
  const re = new RegExp(inRun.source, inRun.flags.replace(/[gy]/g, ''));
  const ascii = Array.from({ length: 128 }, (_, c) => re.test(String.fromCharCode(c)));
  return (code) => (code < 128 ? ascii[code]! : re.test(String.fromCharCode(code)));
}

/**
 * `text.replace(/pattern/g, fn)` over the matches of `runStartMatches`: `fn` returns the replacement for a match.
 */
export function replaceRunStartMatches(
  text: string,
  pattern: RegExp,
  inRun: RegExp,
  fn: (match: string) => string,
  orElse?: RegExp,
): string {
  const matches = runStartMatches(text, pattern, inRun, null, orElse);
  if (matches.length === 0) return text;
  let out = '';
  let at = 0;
  for (const m of matches) {
    out += text.slice(at, m.index) + fn(m.text);
    at = m.index + m.text.length;
  }
  return out + text.slice(at);
}
