import {
  benignTriggerSet,
  DISGUISES,
  hideIn,
  injectionStrings,
  type Labelled,
  openBenign,
  rjdbRows,
} from './injection-data.ts';

/**
 * Figures of an injection detector: the share of injected strings it flags when they are hidden in a clean résumé
 * (a flag must overlap the injected text), per source and split, for disguised copies of the unseen strings, and
 * its false flags on the 600 RJDB résumés (per fold), on the benign trigger-word set (per half) and on the open
 * benign texts. Used by quality.bench.ts.
 */

export type Detector = (text: string) => Array<{ start: number; end: number }>;

type Row = { label: string; split: string; n: number; hit: number };

export function injectionFigures(detect: Detector): { rows: Row[]; falseFlags: Row[] } {
  const data = rjdbRows();
  const hosts = data.filter((d) => d.fold === 1).map((d) => d.row['Resume-matched']);
  const caught = (s: string, i: number) => {
    const h = hideIn(hosts, s, i);
    return detect(h.text).some((f) => f.start < h.end && h.start < f.end);
  };
  const strings = injectionStrings();
  const bySource = new Map<string, Row>();
  strings.forEach((s, i) => {
    const key = `${s.source}|${s.split}`;
    const row = bySource.get(key) ?? { label: s.source, split: s.split, n: 0, hit: 0 };
    row.n++;
    if (caught(s.text, i)) row.hit++;
    bySource.set(key, row);
  });
  const rows = [...bySource.values()];
  const total = (split: string, xs: Row[]) => {
    const pick = xs.filter((r) => r.split === split);
    return { label: `all ${split}`, split, n: sum(pick, 'n'), hit: sum(pick, 'hit') };
  };
  const plain = [total('train', rows), total('unseen', rows)];
  const unseen = strings.filter((s) => s.split === 'unseen');
  const disguised: Row[] = DISGUISES.map((d) => ({ label: `disguised: ${d.name}`, split: 'unseen', n: 0, hit: 0 }));
  unseen.forEach((s, i) => {
    const k = i % DISGUISES.length;
    disguised[k]!.n++;
    if (caught(DISGUISES[k]!.apply(s.text), i)) disguised[k]!.hit++;
  });
  const allDisguised = { label: 'all disguised', split: 'unseen', n: sum(disguised, 'n'), hit: sum(disguised, 'hit') };
  const unseenAll = {
    label: 'all unseen, plain + disguised',
    split: 'unseen',
    n: plain[1]!.n + allDisguised.n,
    hit: plain[1]!.hit + allDisguised.hit,
  };

  const flagged = (texts: Labelled[], label: string, split: string): Row => {
    const pick = texts.filter((t) => t.split === split);
    return { label, split, n: pick.length, hit: pick.filter((t) => detect(t.text).length > 0).length };
  };
  const resumes = (f: number): Labelled[] =>
    data
      .filter((d) => d.fold === f)
      .flatMap((d) => [d.row['Resume-matched'], d.row['Resume-unmatched']])
      .map((text) => ({ text, source: 'rjdb', split: f === 0 ? 'train' : 'unseen' }));
  const benign = benignTriggerSet();
  const open = openBenign();
  const falseFlags: Row[] = [
    flagged(resumes(0), 'RJDB résumés, fold 0 (model trained on)', 'train'),
    flagged(resumes(1), 'RJDB résumés, fold 1 (held out)', 'unseen'),
    flagged(benign, 'benign trigger words, train half', 'train'),
    flagged(benign, 'benign trigger words, held-out half', 'unseen'),
    flagged(open, 'spikee + llm-guard benign texts', 'unseen'),
  ];
  return { rows: [...rows, ...plain, ...disguised, allDisguised, unseenAll], falseFlags };
}

const sum = (xs: Row[], k: 'n' | 'hit') => xs.reduce((a, r) => a + r[k], 0);

export function printInjectionFigures(title: string, figures: ReturnType<typeof injectionFigures>) {
  const pct = (r: Row) => (r.n ? (r.hit / r.n).toFixed(3) : '-');
  console.log(`\n${title}`);
  console.log(`${'injected strings hidden in a résumé'.padEnd(52)}split    n      flagged  rate`);
  for (const r of figures.rows)
    console.log(`${r.label.padEnd(52)}${r.split.padEnd(9)}${String(r.n).padEnd(7)}${String(r.hit).padEnd(9)}${pct(r)}`);
  console.log(`${'false flags on clean text'.padEnd(52)}split    n      flagged  rate`);
  for (const r of figures.falseFlags)
    console.log(`${r.label.padEnd(52)}${r.split.padEnd(9)}${String(r.n).padEnd(7)}${String(r.hit).padEnd(9)}${pct(r)}`);
}
