import { collect, createLeverClient, type Opportunity } from '../backend/lever/index.ts';
import { startEmulator } from '../backend/lever-emulator/server.ts';

/**
 * Full sync from the Lever emulator at Lever's real limits (10 req/s, burst 20): list 10,000 opportunities (limit
 * 100, expand stage) and then read the resume list of the first RESUME_READS of them, four at a time. The client
 * runs at 9.5 req/s with a burst of 20. Passes when the run stays within 15% of the time the limit allows,
 * (requests - burst) / rate, and 429s stay under 1% of requests (no storm).
 */
const OPPORTUNITIES = Number(process.env.BENCH_OPPORTUNITIES ?? 10_000);
const RESUME_READS = Number(process.env.BENCH_RESUME_READS ?? 250);
const SERVER_RATE = 10;
const SERVER_BURST = 20;

async function main(): Promise<number> {
  const seedStart = performance.now();
  const emu = await startEmulator({
    port: 0,
    opportunities: OPPORTUNITIES,
    ratePerSecond: SERVER_RATE,
    burst: SERVER_BURST,
  });
  const seedMs = performance.now() - seedStart;
  const statuses = new Map<number, number>();
  const lever = createLeverClient({
    baseUrl: emu.apiBaseUrl,
    auth: { kind: 'apiKey', apiKey: emu.apiKey },
    ratePerSecond: 9.5,
    burst: SERVER_BURST,
    onRequest: (i) => statuses.set(i.status, (statuses.get(i.status) ?? 0) + 1),
  });
  try {
    const started = performance.now();
    const opportunities: Opportunity[] = await collect(
      lever.listOpportunities({ limit: 100, expand: ['stage'], confidentiality: 'all' }),
    );
    const listMs = performance.now() - started;
    const queue = opportunities.slice(0, RESUME_READS);
    let resumes = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let o = queue.shift(); o; o = queue.shift()) {
          const found = await collect(lever.listResumes(o.id));
          resumes += found.length;
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    const { requests, rateLimited, retries } = lever.stats;
    const ideal = Math.max(0, requests - SERVER_BURST) / SERVER_RATE;
    const ratio = elapsed / ideal;
    const lines = [
      `emulator seeded ${OPPORTUNITIES} opportunities in ${Math.round(seedMs)} ms`,
      `synced ${opportunities.length} opportunities (list: ${(listMs / 1000).toFixed(1)} s) + ${resumes} resumes`,
      `requests ${requests}, 429s ${rateLimited}, retries ${retries}, statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
      `elapsed ${elapsed.toFixed(1)} s, effective ${(requests / elapsed).toFixed(2)} req/s`,
      `limit allows ${ideal.toFixed(1)} s at ${SERVER_RATE} req/s (burst ${SERVER_BURST}): ${((ratio - 1) * 100).toFixed(1)}% over`,
    ];
    console.log(lines.join('\n'));
    const ok = opportunities.length === OPPORTUNITIES && ratio <= 1.15 && rateLimited <= requests * 0.01;
    console.log(ok ? 'PASS' : 'FAIL: slower than 115% of the limit, incomplete, or too many 429s');
    return ok ? 0 : 1;
  } finally {
    await emu.close();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
