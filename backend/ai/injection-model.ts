import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { type Counts, countFeatures, FEATURE_BITS, vectorOf } from './injection-features.ts';
import { graderReason } from './injection-grader-rules.ts';
import { multilingualReason } from './injection-multilingual.ts';
import { base64Segments, foldForInjection } from './injection-normalise.ts';

/**
 * The second half of the prompt-injection check (the first is the rules in detect-injection.ts): a logistic
 * regression over hashed character n-grams and words (injection-features.ts), trained by `npm run train:injection`
 * (bench/train-injection.ts) on openly licensed injection strings and on clean résumé and job-ad lines, shipped as
 * weights in data/injection/injection-model.json (sources and licences in data/injection/SOURCE.md). Nothing is
 * downloaded at run time.
 *
 * It reads candidate text with its disguises taken off (injection-normalise.ts: zero-width characters, look-alike
 * letters, full-width and math letters, leetspeak, spaced letters), scores every line, every sentence of a longer
 * line and every window of three lines, checks the same units for injection phrases in other languages and for text
 * aimed at graders (injection-grader-rules.ts), decodes
 * base64 runs and reads reversed lines. When a line was disguised, the detector's own rules are asked about its
 * plain reading too (`rule`). Linear in the text, which is capped at MAX_SCAN characters.
 */

const ModelSchema = z.object({
  version: z.string(),
  featureBits: z.literal(FEATURE_BITS),
  bias: z.number(),
  threshold: z.number().min(0).max(1),
  weights: z.array(z.unknown()),
});

const file = ModelSchema.parse(
  JSON.parse(readFileSync(new URL('./data/injection/injection-model.json', import.meta.url), 'utf8')),
);
const WEIGHTS = new Float32Array(1 << FEATURE_BITS);
// 30,000 pairs: checked by hand, which is much faster than a schema per tuple at start-up.
for (const pair of file.weights) {
  const [i, w] = pair as [unknown, unknown];
  if (!Number.isInteger(i) || (i as number) < 0 || (i as number) >= WEIGHTS.length || typeof w !== 'number')
    throw new Error('injection-model.json: every weight must be [feature index, number]');
  WEIGHTS[i as number] = w;
}

export const INJECTION_MODEL = { version: file.version, threshold: file.threshold };

function probability(counts: Counts): number {
  let z = file.bias;
  for (const [k, v] of vectorOf(counts)) z += WEIGHTS[k]! * v;
  return 1 / (1 + Math.exp(-z));
}

/** The model's probability that a piece of (raw) text is an injected instruction. */
export function injectionProbability(text: string): number {
  return probability(countFeatures(foldForInjection(text).text));
}

export type ModelSpan = { start: number; end: number; reason: string };

const MAX_UNIT = 800;
const MIN_UNIT = 12;
const REVERSED_HINTS = ['erongi', 'snoitcurtsni', 'tpmorp', 'drager', 'etadidnac', 'tnatsissa'];

type Line = { s: number; e: number; counts: Counts | null; disguised: boolean };

/**
 * Spans of `text` that read as injected instructions by the model, the multilingual phrases, decoded base64 or
 * reversed text. `rule` is the detector's own rule check (a reason or null), applied to disguised lines only.
 */
export function modelInjectionSpans(text: string, rule?: (plain: string) => string | null): ModelSpan[] {
  // The same resume is read again for every posting it is ranked against: remember the last few answers.
  const memo = rule ? memoOf(rule) : null;
  const hit = memo?.get(text);
  if (hit) {
    memo!.delete(text);
    memo!.set(text, hit);
    return hit.map((s) => ({ ...s }));
  }
  const out = spansOf(text, rule);
  if (memo) {
    memo.set(text, out);
    if (memo.size > MEMO_SIZE) memo.delete(memo.keys().next().value!);
  }
  return out.map((s) => ({ ...s }));
}

const MEMO_SIZE = 512;
const memos = new WeakMap<object, Map<string, ModelSpan[]>>();
function memoOf(rule: object): Map<string, ModelSpan[]> {
  let m = memos.get(rule);
  if (!m) {
    m = new Map();
    memos.set(rule, m);
  }
  return m;
}

function spansOf(text: string, rule?: (plain: string) => string | null): ModelSpan[] {
  const { text: folded, map } = foldForInjection(text);
  const out: ModelSpan[] = [];
  const orig = (s: number, e: number) => ({ start: map[s]!, end: e > s ? map[e - 1]! + 1 : map[s]! });
  const flag = (s: number, e: number, reason: string) => out.push({ ...orig(s, e), reason });
  const score = (counts: Counts) => probability(counts);
  const modelReason = (p: number) =>
    `reads like an instruction to an AI (injection model ${INJECTION_MODEL.version}, p = ${p.toFixed(2)})`;

  const lines: Line[] = [];
  let ls = 0;
  while (ls <= folded.length) {
    let le = folded.indexOf('\n', ls);
    if (le < 0) le = folded.length;
    const line = folded.slice(ls, le);
    if (line.trim().length >= MIN_UNIT) {
      const o = orig(ls, le);
      const disguised = text.slice(o.start, o.end).toLowerCase() !== line;
      lines.push({ s: ls, e: le, counts: null, disguised });
    }
    ls = le + 1;
  }

  for (const line of lines) {
    const body = folded.slice(line.s, line.e);
    // Long lines are read in pieces, and every sentence of a line with several is read on its own too.
    const units: Array<[number, number]> = [];
    if (body.length <= MAX_UNIT) units.push([line.s, line.e]);
    for (const [a, b] of sentences(body)) {
      if (b - a < 20 || (a === 0 && b === body.length && body.length <= MAX_UNIT)) continue;
      for (let c = a; c < b; c += MAX_UNIT) units.push([line.s + c, line.s + Math.min(b, c + MAX_UNIT)]);
    }
    let flagged = false;
    for (const [a, b] of units) {
      const unit = folded.slice(a, b);
      const counts = countFeatures(unit);
      if (a === line.s && b === line.e) line.counts = counts;
      const p = score(counts);
      const why =
        multilingualReason(unit) ??
        graderReason(unit) ??
        (p >= INJECTION_MODEL.threshold ? modelReason(p) : null) ??
        (line.disguised && rule ? rule(unit) : null);
      if (why) {
        flag(line.s, line.e, why);
        flagged = true;
        break;
      }
    }
    if (!flagged && (line.disguised || REVERSED_HINTS.some((h) => body.includes(h)))) {
      const reversed = [...body].reverse().join('');
      if (REVERSED_HINTS.some((h) => body.includes(h))) {
        const p = score(countFeatures(reversed));
        const why = rule?.(reversed) ?? (p >= INJECTION_MODEL.threshold ? modelReason(p) : null);
        if (why) flag(line.s, line.e, `written backwards; read forwards it ${why}`);
      }
    }
    if (!line.counts) line.counts = countFeatures(body.slice(0, 4 * MAX_UNIT));
  }

  // Windows of three lines: an instruction split over lines, or a paragraph that only reads as one as a whole.
  for (let k = 0; k + 2 < lines.length; k++) {
    const win: Counts = new Map();
    for (const l of lines.slice(k, k + 3)) for (const [f, c] of l.counts!) win.set(f, (win.get(f) ?? 0) + c);
    const p = score(win);
    if (p >= INJECTION_MODEL.threshold) flag(lines[k]!.s, lines[k + 2]!.e, modelReason(p));
  }

  for (const seg of base64Segments(text)) {
    const plain = foldForInjection(seg.text).text;
    const p = score(countFeatures(plain));
    const why =
      multilingualReason(plain) ??
      graderReason(plain) ??
      rule?.(plain) ??
      (p >= INJECTION_MODEL.threshold ? modelReason(p) : null) ??
      ((plain.match(/[\p{L}]+/gu) ?? []).length >= 4 ? 'is readable text hidden in base64' : null);
    // Like an override, the payload usually sits on the rest of the line: the whole line is flagged.
    const lineEnd = text.indexOf('\n', seg.end);
    if (why)
      out.push({
        start: text.lastIndexOf('\n', seg.start - 1) + 1,
        end: lineEnd < 0 ? text.length : lineEnd,
        reason: `base64 that decodes to "${seg.text.slice(0, 80).replace(/\s+/g, ' ')}"; it ${why.replace(/^is /, 'is ')}`,
      });
  }
  return out;
}

/** Sentence spans of one line: cut after ". ", "! ", "? " (and their full-width forms), by a linear scan. */
function sentences(line: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    const end =
      c === '。' || c === '！' || c === '？' || ((c === '.' || c === '!' || c === '?') && line[i + 1] === ' ');
    if (end) {
      out.push([start, i + 1]);
      start = i + 1;
    }
  }
  if (start < line.length) out.push([start, line.length]);
  return out;
}
