import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { configureInputLimits, DEFAULT_MAX_CHARS } from '../backend/ai/bound-text.ts';
import { candidateFromText } from '../backend/ai/candidate-from-text.ts';
import { postingFromText } from '../backend/ai/posting-from-text.ts';
import { scoreCandidateLocal } from '../backend/ai/score-candidate.ts';
import { HOSTILE_CASES, HOSTILE_POSTING_TEXT } from '../tests/backend/fixtures/hostile-corpus.ts';
import { startStack } from '../tests/backend/helpers/automations-stack.ts';

/**
 * Hostile résumés (issue 15): every adversarial case of tests/backend/fixtures/hostile-corpus.ts at 100 kB and
 * 400 kB,
 * - through the CLI, `npm run cli -- score` (one process per case and size, as a user runs it; "work" is the wall
 *   time minus that of the same command on a one-line résumé, i.e. without Node and tsx starting up);
 * - through the backend: startBackend on loopback with the Lever emulator, the case uploaded as a .txt résumé, then
 *   POST /api/candidates/:id/match (refresh) while /healthz is polled back to back: the match's time and the
 *   /healthz p99 during it;
 * - the engine alone without the 200,000-character cap (scoreCandidateLocal in this process), to show the
 *   algorithm's own cost at 400 kB.
 * Targets: under 1 s of work per case at 400 kB; /healthz p99 under 50 ms throughout.
 *   npm run bench -- hostile            HOSTILE_CASES=name,name  HOSTILE_SKIP_CLI=1  to narrow it down
 */

const only = process.env.HOSTILE_CASES?.split(',').map((s) => s.trim());
const cases = HOSTILE_CASES.filter((c) => !only || only.some((o) => c.name.includes(o)));
const SIZES = [100_000, 400_000];
const failures: string[] = [];
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulcrum-hostile-'));
const pct = (xs: number[], p: number) =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]! : Number.NaN;
const ms = (x: number) => (Number.isFinite(x) ? `${Math.round(x)}` : '-');

// ---- CLI -------------------------------------------------------------------------------------------------------
fs.writeFileSync(path.join(dir, 'jobs.jsonl'), `${JSON.stringify({ id: 'job', text: HOSTILE_POSTING_TEXT })}\n`);
fs.writeFileSync(path.join(dir, 'pairs.jsonl'), `${JSON.stringify({ jobId: 'job', candidateId: 'c' })}\n`);

function cli(text: string): { ms: number; work: number; ok: boolean; truncated: boolean; error: string } {
  const candidates = path.join(dir, 'candidates.jsonl');
  fs.writeFileSync(candidates, `${JSON.stringify({ id: 'c', text })}\n`);
  const started = performance.now();
  const r = spawnSync(
    'npx',
    [
      'tsx',
      'backend/cli/index.ts',
      'score',
      '--jobs',
      path.join(dir, 'jobs.jsonl'),
      '--candidates',
      candidates,
      '--pairs',
      path.join(dir, 'pairs.jsonl'),
    ],
    { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  const elapsed = performance.now() - started;
  // The command's own account of its scoring time (stderr: "Scored 1 pair(s) in 123 ms").
  const work = Number(/Scored \d+ pair\(s\) in (\d+) ms/.exec(r.stderr)?.[1] ?? Number.NaN);
  return {
    ms: elapsed,
    work,
    ok: r.status === 0,
    truncated: r.stdout.includes('"truncated"'),
    error: r.status === 0 ? '' : ((r.stderr || r.stdout).trim().split('\n').slice(-1)[0] ?? ''),
  };
}

const cliWork = new Map<string, number>();
const cliWall = new Map<string, number>();
if (!process.env.HOSTILE_SKIP_CLI) {
  const base = cli('Python and SQL, 6 years.');
  console.log(
    `CLI on a one-line résumé: ${ms(base.ms)} ms wall (Node, tsx and the engine starting), ${ms(base.work)} ms scoring`,
  );
  for (const c of cases)
    for (const n of SIZES) {
      const r = cli(c.make(n));
      if (!r.ok) failures.push(`CLI on "${c.name}" at ${n}: ${r.error}`);
      if (n > DEFAULT_MAX_CHARS && !r.truncated && c.make(n).trim())
        failures.push(`CLI did not report the cut on "${c.name}" at ${n}`);
      cliWork.set(`${c.name}|${n}`, r.work);
      cliWall.set(`${c.name}|${n}`, r.ms);
    }
}

// ---- engine without the cap ------------------------------------------------------------------------------------
const posting = postingFromText('job', HOSTILE_POSTING_TEXT);
configureInputLimits({ maxChars: 10_000_000 });
const engine = new Map<string, number>();
for (const c of cases) {
  const text = c.make(400_000);
  // One run: a second run of the same text is 2-4x faster (per-line caches in the injection model and the stemmer),
  // which an applicant's new résumé would not get.
  const t = performance.now();
  scoreCandidateLocal(posting, candidateFromText('c', text, { name: 'Jane Doe' }));
  const best = performance.now() - t;
  engine.set(c.name, best);
}
configureInputLimits({ maxChars: DEFAULT_MAX_CHARS });

// ---- backend ---------------------------------------------------------------------------------------------------
const stack = await startStack({ opportunities: 5 });
const backendMs = new Map<string, number>();
const healthByCase = new Map<string, number>();
const allHealth: number[] = [];
try {
  // The sandbox's first worker loads its parsers once; not part of any case.
  const warm = await stack.apply({ strong: true, origin: 'internal' });
  await stack.api('POST', `/api/candidates/${warm}/match`, stack.owner.token, { refresh: true });
  for (const c of cases)
    for (const n of SIZES) {
      const id = await stack.apply({ strong: false, origin: 'internal', resumeText: c.make(n) });
      const health: number[] = [];
      let running = true;
      const poll = (async () => {
        while (running) {
          const t = performance.now();
          const res = await fetch(`${stack.backend.url}/healthz`);
          await res.arrayBuffer();
          health.push(performance.now() - t);
        }
      })();
      const t = performance.now();
      const res = await stack.api('POST', `/api/candidates/${id}/match`, stack.owner.token, { refresh: true });
      const body = (await res.json()) as { truncated?: unknown[]; error?: { message: string } };
      backendMs.set(`${c.name}|${n}`, performance.now() - t);
      running = false;
      await poll;
      if (res.status !== 200) failures.push(`${c.name} at ${n}: HTTP ${res.status} ${body.error?.message ?? ''}`);
      // An all-blank résumé has no text to read (parsed data is used instead), so nothing to cut either.
      else if (n > DEFAULT_MAX_CHARS && !body.truncated && c.make(n).trim())
        failures.push(`${c.name} at ${n}: no truncation flag`);
      healthByCase.set(`${c.name}|${n}`, pct(health, 0.99));
      allHealth.push(...health);
    }
} finally {
  await stack.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

// ---- report ----------------------------------------------------------------------------------------------------
const w = Math.max(...cases.map((c) => c.name.length));
console.log(
  `\n${'case'.padEnd(w)}  CLI scoring ms 100k/400k   backend match ms 100k/400k (/healthz p99 ms)   engine uncapped 400k ms`,
);
let worst400 = 0;
for (const c of cases) {
  const k = (n: number) => `${c.name}|${n}`;
  const line = [
    c.name.padEnd(w),
    `${ms(cliWork.get(k(100_000)) ?? Number.NaN).padStart(6)} / ${ms(cliWork.get(k(400_000)) ?? Number.NaN).padStart(6)}`.padEnd(
      26,
    ),
    `${ms(backendMs.get(k(100_000))!).padStart(6)} (${healthByCase.get(k(100_000))!.toFixed(1)}) / ${ms(backendMs.get(k(400_000))!).padStart(6)} (${healthByCase.get(k(400_000))!.toFixed(1)})`.padEnd(
      45,
    ),
    ms(engine.get(c.name)!).padStart(6),
  ];
  worst400 = Math.max(worst400, cliWork.get(k(400_000)) ?? 0, backendMs.get(k(400_000)) ?? 0);
  console.log(line.join('  '));
}
const p99 = pct(allHealth, 0.99);
console.log(
  `\nworst case at 400 kB: ${ms(worst400)} ms of work (target < 1000 ms: ${worst400 < 1000 ? 'met' : 'missed'})`,
);
console.log(
  `/healthz during all backend matches: ${allHealth.length} answers, p50 ${pct(allHealth, 0.5).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${Math.max(...allHealth).toFixed(1)} ms (target p99 < 50 ms: ${p99 < 50 ? 'met' : 'missed'})`,
);
if (cliWall.size)
  console.log(
    `CLI wall time per run (start-up included): median ${ms(pct([...cliWall.values()], 0.5))} ms, max ${ms(Math.max(...cliWall.values()))} ms`,
  );
console.log(`machine: ${os.cpus().length} cores, load average ${os.loadavg()[0]!.toFixed(1)}`);
for (const f of failures) console.log(`FAILED: ${f}`);
process.exit(failures.length ? 1 : 0);
