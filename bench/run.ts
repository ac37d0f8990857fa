import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * `npm run bench [name…]`: runs every bench/*.bench.ts (or the named ones) one after another, each in its own
 * process so one benchmark's memory and timers do not disturb the next. Each prints its own figures.
 */
const dir = path.dirname(new URL(import.meta.url).pathname);
const wanted = process.argv.slice(2);
const files = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();

if (files.length === 0) {
  console.log(wanted.length ? `No benchmark matches ${wanted.join(', ')}.` : 'No benchmarks yet.');
  process.exit(wanted.length ? 1 : 0);
}
let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file} ===`);
  const result = spawnSync('npx', ['tsx', path.join(dir, file)], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
