/**
 * BM25 over documents represented as term-frequency maps. Query terms carry weights (how much the posting
 * stresses them). IDF comes from the document pool being ranked. Loops run over each document's own terms
 * (tens) rather than over the query (hundreds): that is what makes ranking 10,000 documents fast.
 */

export type DocStats = { tf: Map<string, number>; length: number };

export const K1 = 1.2;
export const B = 0.75;

/** BM25 with IDF and average length taken from a pool, able to score any document against that pool. */
export type Bm25Index = { score(doc: DocStats): number };

export function bm25Index(query: Map<string, number>, pool: DocStats[], k1 = K1, b = B): Bm25Index {
  const n = pool.length;
  let total = 0;
  const df = new Map<string, number>();
  for (const d of pool) {
    total += d.length;
    for (const term of d.tf.keys()) if (query.has(term)) df.set(term, (df.get(term) ?? 0) + 1);
  }
  const avg = n > 0 ? total / n || 1 : 1;
  const weightIdf = new Map<string, number>();
  for (const [term, f] of df) weightIdf.set(term, query.get(term)! * Math.log(1 + (n - f + 0.5) / (f + 0.5)));
  return {
    score(d: DocStats): number {
      const norm = k1 * (1 - b + (b * d.length) / avg);
      let s = 0;
      for (const [term, tf] of d.tf) {
        let wi = weightIdf.get(term);
        if (wi === undefined) {
          // A query term the pool's own statistics missed (e.g. a skill only found with its exact capitals in
          // the full reading of a document): count it as occurring in one document.
          const w = query.get(term);
          if (w === undefined) continue;
          wi = w * Math.log(1 + Math.max(n - 0.5, 0.5) / 1.5);
          weightIdf.set(term, wi);
        }
        s += (wi * (tf * (k1 + 1))) / (tf + norm);
      }
      return s;
    },
  };
}

export function bm25Scores(query: Map<string, number>, docs: DocStats[], k1 = K1, b = B): Float64Array {
  const out = new Float64Array(docs.length);
  if (docs.length === 0) return out;
  const index = bm25Index(query, docs, k1, b);
  for (let i = 0; i < docs.length; i++) out[i] = index.score(docs[i]!);
  return out;
}

const totals = new WeakMap<Map<string, number>, number>();

/**
 * Pool-free relevance in 0..1 for scoring one document on its own: BM25's saturation and length normalisation,
 * with the posting's term weights standing in for IDF (there is no pool to take IDF from).
 */
export function weightedCoverage(query: Map<string, number>, doc: DocStats, avgLength = 300, k1 = K1, b = B): number {
  let max = totals.get(query);
  if (max === undefined) {
    max = 0;
    for (const w of query.values()) max += w;
    totals.set(query, max);
  }
  const norm = k1 * (1 - b + (b * doc.length) / avgLength);
  let s = 0;
  for (const [term, tf] of doc.tf) {
    const w = query.get(term);
    if (w !== undefined) s += (w * (tf * (k1 + 1))) / (tf + norm) / (k1 + 1);
  }
  return max > 0 ? s / max : 0;
}
