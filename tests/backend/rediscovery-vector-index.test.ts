import { describe, expect, it } from 'vitest';
import { normalize, type TextEmbedder } from '../../backend/ai/embed-texts.ts';
import { createMatrix } from '../../backend/rediscovery/dot-scan.ts';
import { embedPeople } from '../../backend/rediscovery/embed-people.ts';
import { indexOpportunities, removeOpportunity } from '../../backend/rediscovery/index-store.ts';
import { searchVectors } from '../../backend/rediscovery/vector-index.ts';
import { fakeEmbedding } from './helpers/fake-openai.ts';
import { pastOpportunity } from './helpers/rediscovery-fixtures.ts';
import { cleanupsAfterEach, openTempStoreUntilCleanup } from './helpers/temp-store.ts';

const cleanups = cleanupsAfterEach();

/** The fake server's embedding without the server: the index is what is under test here. */
const embedder: TextEmbedder = {
  key: 'stub',
  model: 'stub',
  batchSize: 500,
  timeoutMs: 1000,
  embed: async (texts) => texts.map((t) => normalize(fakeEmbedding(t, 64))),
};

function seeded(n: number, dims: number, seed = 1): Float32Array {
  let x = seed;
  const out = new Float32Array(n * dims);
  for (let i = 0; i < out.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x / 2 ** 32 - 0.5;
  }
  return out;
}

describe('exact vector scan', () => {
  it('the SIMD kernel gives the same dot products as plain arithmetic', () => {
    for (const dims of [8, 256, 1536, 12]) {
      const n = 300;
      const rows = seeded(n, dims);
      const query = seeded(1, dims, 7);
      const m = createMatrix(n + 5, dims);
      expect(m.kind).toBe(dims % 8 === 0 ? 'wasm-simd' : 'js');
      m.data.set(rows);
      const got = m.scan(query, n);
      const js = createMatrix(n, dims, { js: true });
      js.data.set(rows);
      const ref = js.scan(query, n);
      expect(got).toHaveLength(n);
      for (let i = 0; i < n; i++) {
        let exact = 0;
        for (let j = 0; j < dims; j++) exact += rows[i * dims + j]! * query[j]!;
        expect(got[i]).toBeCloseTo(exact, 4);
        expect(ref[i]).toBeCloseTo(exact, 4);
      }
    }
  });
});

describe('the in-memory vector index', () => {
  it('follows rd_vector: new vectors, more than its first capacity, and deletions', async () => {
    const { store } = await openTempStoreUntilCleanup(cleanups);
    const person = (i: number, text: string) => ({ opportunity: pastOpportunity(`o${i}`, `c${i}`), resumeText: text });
    indexOpportunities(store.sqlite, [
      person(0, 'Pastry chef: croissants, brioche, laminated dough.'),
      person(1, 'Accountant: ledgers and audits.'),
    ]);
    await embedPeople({ store, embedder });
    const query = normalize(fakeEmbedding('Baker for viennoiserie', 64));
    const rid = (contact: string) =>
      (store.sqlite.prepare('SELECT rid FROM rd_person WHERE contact_id = ?').get(contact) as { rid: number }).rid;
    let s = searchVectors(store.sqlite, 'stub', query);
    expect(s.size).toBe(2);
    expect(s.top(1)[0]?.rid).toBe(rid('c0'));

    // 1,200 more people (past the first allocation of 1,024 rows), one of them a closer match.
    indexOpportunities(store.sqlite, [
      ...Array.from({ length: 1199 }, (_, i) => person(i + 2, `Driver ${i}: routes, vans and deliveries.`)),
      person(5000, 'Viennoiserie baker: croissants and brioche every morning.'),
    ]);
    await embedPeople({ store, embedder });
    s = searchVectors(store.sqlite, 'stub', query);
    expect(s.size).toBe(1202);
    expect(s.top(2).map((x) => x.rid)).toEqual([rid('c5000'), rid('c0')]);
    expect(s.similarity(rid('c1'))).toBeCloseTo(
      [...query].reduce((n, q, j) => n + q * fakeEmbedding('Accountant: ledgers and audits.', 64)[j]!, 0),
      2,
    );
    expect(s.median).toBeLessThan(s.top(1)[0]!.cos);

    // A person Lever deleted leaves the index, and the search.
    const gone = rid('c5000');
    removeOpportunity(store.sqlite, 'o5000');
    s = searchVectors(store.sqlite, 'stub', query);
    expect(s.size).toBe(1201);
    expect(s.similarity(gone)).toBeNull();
    expect(s.top(1)[0]?.rid).toBe(rid('c0'));
  });
});
