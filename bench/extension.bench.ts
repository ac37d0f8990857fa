import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Extension bundle sizes, before gzip, from a fresh production build: the side panel's JavaScript (every script and
 * module preload its HTML loads; target < 350 kB) and the Lever content script (target < 10 kB).
 */
const out = path.resolve('.output/chrome-mv3');
execFileSync('npx', ['wxt', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });

const html = fs.readFileSync(path.join(out, 'sidepanel.html'), 'utf8');
const scripts = [...html.matchAll(/(?:src|href)="([^"]+\.js)"/g)].map((m) => m[1] as string);
const sizeOf = (rel: string) => fs.statSync(path.join(out, rel.replace(/^\//, ''))).size;
const panelBytes = scripts.reduce((sum, rel) => sum + sizeOf(rel), 0);
const contentDir = path.join(out, 'content-scripts');
const contentBytes = fs
  .readdirSync(contentDir)
  .filter((f) => f.endsWith('.js'))
  .reduce((sum, f) => sum + fs.statSync(path.join(contentDir, f)).size, 0);
const kb = (n: number) => `${(n / 1000).toFixed(1)} kB`;

console.log(`side panel JS:  ${kb(panelBytes)} in ${scripts.length} files (target < 350 kB)`);
console.log(`content script: ${kb(contentBytes)} (target < 10 kB)`);
console.log(`background:     ${kb(sizeOf('background.js'))}`);
