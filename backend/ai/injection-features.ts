/**
 * Features of the injection model: hashed character 3- to 5-grams of the folded text (padded words) and hashed word
 * unigrams and bigrams, each weighted 1 + ln(count). Linear in the text. Shared by the model (run time) and its
 * training script (bench/train-injection.ts), so both see exactly the same features.
 */

export const FEATURE_BITS = 15;
const MASK = (1 << FEATURE_BITS) - 1;

export type Counts = Map<number, number>;

function fnv(s: string, from: number, to: number, salt: number): number {
  let h = (0x811c9dc5 ^ salt) >>> 0;
  for (let i = from; i < to; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h & MASK;
}

const WORD = /[\p{L}\p{N}]+/gu;

/** Raw feature counts of already folded (lower-cased, de-obfuscated) text. */
export function countFeatures(folded: string, into: Counts = new Map()): Counts {
  const words = folded.match(WORD) ?? [];
  const add = (k: number) => into.set(k, (into.get(k) ?? 0) + 1);
  const padded = ` ${words.join(' ')} `;
  for (let n = 3; n <= 5; n++) for (let i = 0; i + n <= padded.length; i++) add(fnv(padded, i, i + n, n));
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    add(fnv(w, 0, w.length, 101));
    if (i + 1 < words.length) {
      const pair = `${w} ${words[i + 1]}`;
      add(fnv(pair, 0, pair.length, 202));
    }
  }
  return into;
}

/** Sparse feature vector: 1 + ln(count), L2-normalised. */
export function vectorOf(counts: Counts): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let norm = 0;
  for (const [k, c] of counts) {
    const v = 1 + Math.log(c);
    out.push([k, v]);
    norm += v * v;
  }
  const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (const p of out) p[1] *= inv;
  return out;
}
