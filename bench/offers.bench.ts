import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { createLeverClient, TokenBucket } from '../backend/lever/index.ts';
import { generateSeed } from '../backend/lever-emulator/seed.ts';
import { startEmulator } from '../backend/lever-emulator/server.ts';
import { draftLetter } from '../backend/offers/draft-letter.ts';
import { readOfferData } from '../backend/offers/lever-data.ts';
import { createParagraphWriter } from '../backend/offers/paragraphs.ts';
import { loadDefaultTemplate } from '../backend/offers/template.ts';

/**
 * Offer letter for one opportunity with the local engine: re-read Lever (opportunity, posting, offers, requisition by
 * code, hiring manager and owner, from the emulator on loopback), draft from the default template and run every
 * check. Target: under 1 s for one opportunity. Each of the seeded open offers is drafted 10 times; prints the
 * median and p95 of the whole, and of the draft + checks part alone.
 */
const OPPS = 300;
const ROUNDS = 10;
const emu = await startEmulator({ port: 0, opportunities: OPPS, ratePerSecond: 1000, burst: 1000 });
const lever = createLeverClient({
  baseUrl: emu.apiBaseUrl,
  auth: { kind: 'apiKey', apiKey: emu.apiKey },
  bucket: new TokenBucket(1000, 1000),
});
const writer = createParagraphWriter();
const template = loadDefaultTemplate();
const ids = generateSeed({ opportunities: OPPS }).offerScenarios.map((s) => s.opportunityId);

const total: number[] = [];
const compute: number[] = [];
let requests = 0;
// Warm-up: JIT, the emulator's per-candidate record build.
for (const id of ids)
  await draftLetter(await readOfferData(lever, id), template, writer, { now: new Date(), holidays: [] });
for (let r = 0; r < ROUNDS; r++) {
  for (const id of ids) {
    const before = lever.requestCount;
    const t0 = performance.now();
    const data = await readOfferData(lever, id);
    const t1 = performance.now();
    await draftLetter(data, template, writer, { now: new Date(), holidays: [] });
    const t2 = performance.now();
    total.push(t2 - t0);
    compute.push(t2 - t1);
    requests += lever.requestCount - before;
  }
}
await emu.close();

const q = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const ms = (x: number) => `${x.toFixed(1)} ms`;
console.log(
  `offers: ${ids.length} open offers x ${ROUNDS} rounds, local engine, Node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg()[0]?.toFixed(2)}`,
);
console.log(
  `  read Lever + draft + checks: median ${ms(q(total, 0.5))}, p95 ${ms(q(total, 0.95))}, max ${ms(Math.max(...total))}`,
);
console.log(`  draft + checks only:         median ${ms(q(compute, 0.5))}, p95 ${ms(q(compute, 0.95))}`);
console.log(`  Lever requests per letter:   ${(requests / total.length).toFixed(1)}`);
const ok = q(total, 0.95) < 1000;
console.log(`  target (< 1 s for one opportunity, p95): ${ok ? 'met' : 'NOT met'}`);
process.exit(ok ? 0 : 1);
