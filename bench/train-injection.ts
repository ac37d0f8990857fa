import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Counts, countFeatures, FEATURE_BITS, vectorOf } from '../backend/ai/injection-features.ts';
import { foldForInjection } from '../backend/ai/injection-normalise.ts';
import { benignConversation, benignTriggerSet, docsText, injectionStrings, rjdbRows } from './injection-data.ts';

/**
 * `npm run train:injection`: trains the injection model (backend/ai/injection-model.ts) and writes its weights to
 * backend/ai/data/injection/injection-model.json. Deterministic: the same data gives the same file.
 * - Positives: the "train" injection strings of bench/injection-data.ts (spikee, TaskTracker, BIPIA's train file).
 *   spikee placed some injections at the start or end of a benign base document (an HR news item, an e-mail,
 *   code); the lines such strings share are that document, so they are taken out of the positive and learnt as
 *   negatives instead.
 * - Negatives: every line and every window of three lines of RJDB fold 0 (matched and unmatched résumés and job
 *   descriptions), the train half of the benign trigger-word set, Fulcrum's benign cover-letter/e-mail lines and
 *   the lines of the project's how-to documents (instructions written for people).
 * Logistic regression, AdaGrad, L2, positives weighted to balance the classes. The threshold comes from 2-fold
 * cross-validation on the training data alone: the highest out-of-fold score of a negative plus a margin, and never
 * below MIN_THRESHOLD. Held-out figures (RJDB fold 1, unseen sources) are printed by `npm run bench:quality`.
 */

const OUT = fileURLToPath(new URL('../backend/ai/data/injection/injection-model.json', import.meta.url));
const EPOCHS = Number(process.env.EPOCHS ?? 12);
const L2 = Number(process.env.L2 ?? 1e-5);
const RATE = 0.4;
/** The model flags a unit at p >= threshold: never on a coin toss. */
const MIN_THRESHOLD = 0.5;

type Example = { x: Array<[number, number]>; y: number; text: string };

const fold = (s: string) => foldForInjection(s).text;
const fnvText = (s: string) => {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
};
const linesOf = (text: string) =>
  fold(text)
    .split('\n')
    .filter((l) => l.trim().length >= 12);

const negatives = new Map<string, Counts>();
function addNegativeDoc(text: string) {
  const lines = linesOf(text);
  for (const l of lines) if (!negatives.has(l)) negatives.set(l, countFeatures(l));
  for (let k = 0; k + 2 < lines.length; k++) {
    const key = lines.slice(k, k + 3).join('\n');
    if (negatives.has(key)) continue;
    const c: Counts = new Map();
    for (const l of lines.slice(k, k + 3)) countFeatures(l, c);
    negatives.set(key, c);
  }
}
for (const { row, fold: f } of rjdbRows()) {
  if (f !== 0) continue;
  addNegativeDoc(row['Resume-matched']);
  addNegativeDoc(row['Resume-unmatched']);
  addNegativeDoc(row['Job-Description']);
}
for (const b of benignTriggerSet()) if (b.split === 'train') addNegativeDoc(b.text);
for (const t of benignConversation()) addNegativeDoc(t);
for (const d of docsText()) addNegativeDoc(d.replace(/[`*#|>]+/g, ' '));

// A string placed in base document D (its source ends in "@in:<file>#<id>") shares D's lines with every other
// string placed in D; a line common to all of them is D. A string whose document cannot be told apart that way (the
// only one placed in D) is left out.
const train = injectionStrings().filter((s) => s.split === 'train');
const byDoc = new Map<string, string[][]>();
for (const s of train) {
  const doc = s.origin?.split('@in:')[1];
  if (doc) byDoc.set(doc, [...(byDoc.get(doc) ?? []), linesOf(s.text)]);
}
const baseLines = new Set<string>();
for (const docs of byDoc.values()) {
  if (docs.length < 2) continue;
  for (const l of docs[0]!) if (docs.every((d) => d.includes(l))) baseLines.add(l);
}
for (const l of baseLines) if (!negatives.has(l)) negatives.set(l, countFeatures(l));
const positives = [
  ...new Set(
    train
      .filter((s) => {
        const doc = s.origin?.split('@in:')[1];
        return !doc || (byDoc.get(doc)?.length ?? 0) >= 2;
      })
      .map((p) =>
        linesOf(p.text)
          .filter((l) => !baseLines.has(l))
          .join(' '),
      )
      .filter((t) => t.trim().length >= 12),
  ),
];
const examples: Example[] = [
  ...positives.map((text) => ({ x: vectorOf(countFeatures(text)), y: 1, text })),
  ...[...negatives].map(([text, c]) => ({ x: vectorOf(c), y: 0, text })),
];

const dim = 1 << FEATURE_BITS;
type Weights = { w: Float64Array; bias: number };

/** Logistic regression by AdaGrad, deterministic (xorshift shuffle with a fixed seed). */
function trainLogistic(items: Example[], log: boolean): Weights {
  let seed = 0x9e3779b9;
  const rand = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 4294967296;
  };
  const nP = items.filter((e) => e.y === 1).length;
  const posWeight = (items.length - nP) / nP;
  const order = items.map((_, i) => i);
  const w = new Float64Array(dim);
  const g2 = new Float64Array(dim).fill(1e-8);
  let bias = 0;
  let bias2 = 1e-8;
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    let loss = 0;
    for (const i of order) {
      const ex = items[i]!;
      const p = 1 / (1 + Math.exp(-ex.x.reduce((s, [k, v]) => s + w[k]! * v, bias)));
      const weight = ex.y ? posWeight : 1;
      loss += -weight * (ex.y ? Math.log(p + 1e-12) : Math.log(1 - p + 1e-12));
      const g = weight * (p - ex.y);
      for (const [k, v] of ex.x) {
        const grad = g * v + L2 * w[k]!;
        g2[k]! += grad * grad;
        w[k]! -= (RATE * grad) / Math.sqrt(g2[k]!);
      }
      bias2 += g * g;
      bias -= (RATE * g) / Math.sqrt(bias2);
    }
    if (log) console.log(`epoch ${epoch + 1}: weighted log loss ${(loss / (2 * (items.length - nP))).toFixed(4)}`);
  }
  return { w, bias };
}
const probOf = (m: Weights, x: Array<[number, number]>) =>
  1 / (1 + Math.exp(-x.reduce((s, [k, v]) => s + m.w[k]! * v, m.bias)));

const part = (e: Example) => fnvText(e.text) & 1;
const oof: Array<{ p: number; text: string }> = [];
const oofPos: number[] = [];
for (const k of [0, 1]) {
  const m = trainLogistic(
    examples.filter((e) => part(e) !== k),
    false,
  );
  for (const e of examples.filter((x) => part(x) === k)) {
    const p = probOf(m, e.x);
    if (e.y === 0) oof.push({ p, text: e.text });
    else oofPos.push(p);
  }
}
oof.sort((a, b) => b.p - a.p);
const threshold = Math.max(MIN_THRESHOLD, Math.min(0.99, (oof[0]?.p ?? 0) + 0.02));
console.log(
  `2-fold cross-validation: out-of-fold recall at the threshold ${threshold.toFixed(3)}: ${(oofPos.filter((p) => p >= threshold).length / oofPos.length).toFixed(3)}; highest out-of-fold negatives:`,
);
for (const n of oof.slice(0, 5)) console.log(`  ${n.p.toFixed(3)}  ${n.text.slice(0, 100).replace(/\n/g, ' / ')}`);

const final = trainLogistic(examples, true);
const weights: Array<[number, number]> = [];
for (let k = 0; k < dim; k++) {
  const r = Math.round(final.w[k]! * 1000) / 1000;
  if (Math.abs(r) >= 0.002) weights.push([k, r]);
}
const model = {
  version: 'injection-lr-1',
  featureBits: FEATURE_BITS,
  trainedOn:
    'positives: WithSecureLabs/spikee, microsoft/TaskTracker (shared/data/prompt-injection/open-sets), microsoft/BIPIA text_attack_train; negatives: RJDB fold 0 lines (Megagon Labs, CC BY-SA 4.0), spikee base documents, benign-trigger-words.jsonl (train half), benign-conversation.jsonl, docs/*.md. See SOURCE.md.',
  examples: { positives: positives.length, negatives: negatives.size },
  bias: Math.round(final.bias * 1000) / 1000,
  threshold: Math.round(threshold * 1000) / 1000,
  weights,
};
fs.writeFileSync(OUT, `${JSON.stringify(model)}\n`);
console.log(
  `${positives.length} positives, ${negatives.size} negatives (${baseLines.size} base-document lines); threshold ${model.threshold}; ${weights.length} weights kept; ${(fs.statSync(OUT).size / 1024).toFixed(0)} KB`,
);
