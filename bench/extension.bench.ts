import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Extension bundle sizes, before gzip, from a fresh production build. The side panel's JavaScript is every chunk it
 * can ever load (target < 350 kB): what its HTML loads when the panel opens, plus every chunk reachable from there by
 * static or dynamic import (the views loaded on demand); of it, what opening the panel loads (the first script and the
 * app it imports). Also the Lever content script (target < 10 kB).
 * The time to show a cached candidate is measured in Chromium by tests/e2e/panel.test.ts, which prints it.
 */
const out = path.resolve('.output/chrome-mv3');
execFileSync('npx', ['wxt', 'build'], {
  stdio: ['ignore', 'ignore', 'inherit'],
  // A NODE_ENV other than production (e.g. 'test') would make Vite bundle React's development build.
  env: { ...process.env, NODE_ENV: 'production' },
});

const sizeOf = (rel: string) => fs.statSync(path.join(out, rel)).size;
const html = fs.readFileSync(path.join(out, 'sidepanel.html'), 'utf8');
const initial = [...html.matchAll(/(?:src|href)="\/?([^"]+\.js)"/g)].map((m) => m[1] as string);

/** Chunks a chunk imports: `from"./x.js"`, `import("./x.js")`, and Vite's preload lists ("chunks/x.js"). */
function importsOf(rel: string): string[] {
  const code = fs.readFileSync(path.join(out, rel), 'utf8');
  const dir = path.posix.dirname(rel);
  const found = new Set<string>();
  for (const m of code.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+\.js)["']/g))
    found.add(path.posix.join(dir, m[1] as string));
  for (const m of code.matchAll(/["'](chunks\/[^"']+\.js)["']/g)) found.add(m[1] as string);
  return [...found].filter((f) => fs.existsSync(path.join(out, f)));
}

/** `roots` and everything reachable from them; `follow` limits which imports count (static only, or all). */
function closure(roots: string[], follow: (rel: string) => string[]): Set<string> {
  const seen = new Set<string>();
  const visit = (rel: string) => {
    if (seen.has(rel)) return;
    seen.add(rel);
    for (const next of follow(rel)) visit(next);
  };
  for (const root of roots) visit(root);
  return seen;
}
const staticImportsOf = (rel: string) => {
  const code = fs.readFileSync(path.join(out, rel), 'utf8');
  const dir = path.posix.dirname(rel);
  return [...code.matchAll(/from\s*["'](\.{1,2}\/[^"']+\.js)["']/g)].map((m) => path.posix.join(dir, m[1] as string));
};

/** Chunks a chunk loads with `import("./x.js")` (Vite writes the path in backticks). */
const dynamicImportsOf = (rel: string) => {
  const code = fs.readFileSync(path.join(out, rel), 'utf8');
  const dir = path.posix.dirname(rel);
  return [...code.matchAll(/import\(\s*[`"'](\.{1,2}\/[^`"']+\.js)[`"']/g)].map((m) =>
    path.posix.join(dir, m[1] as string),
  );
};

// The first script (what the HTML loads) paints a saved snapshot, then always loads the app, a chunk it imports
// dynamically: opening the panel loads both, with their static imports.
const firstScript = closure(initial, staticImportsOf);
const onOpen = closure([...initial, ...[...firstScript].flatMap(dynamicImportsOf)], staticImportsOf);
const all = closure(initial, importsOf);
const total = (files: Set<string>) => [...files].reduce((sum, rel) => sum + sizeOf(rel), 0);
const contentDir = path.join(out, 'content-scripts');
const contentBytes = fs
  .readdirSync(contentDir)
  .filter((f) => f.endsWith('.js'))
  .reduce((sum, f) => sum + fs.statSync(path.join(contentDir, f)).size, 0);
const kb = (n: number) => `${(n / 1000).toFixed(1)} kB`;

console.log(`side panel JS:  ${kb(total(all))} in ${all.size} files, all chunks it can load (target < 350 kB)`);
console.log(`  on opening:   ${kb(total(onOpen))} in ${onOpen.size} files (${[...onOpen].join(', ')})`);
console.log(`    of which the first script: ${kb(total(firstScript))} in ${firstScript.size} files (before the app)`);
console.log(`  on demand:    ${kb(total(all) - total(onOpen))} in ${all.size - onOpen.size} files (other views)`);
console.log(`content script: ${kb(contentBytes)} (target < 10 kB)`);
console.log(`background:     ${kb(sizeOf('background.js'))}`);
