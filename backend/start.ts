import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { registerWebhooks } from './cli/webhooks.ts';
import { ConfigError, loadConfig } from './config.ts';
import { demoCandidateUrl, ensureDemoRecruiter } from './demo.ts';
import { startEmulatorForBackend } from './lever-emulator/for-backend.ts';
import { startBackend } from './server.ts';

// What has started so far, closed in reverse order by stop().
const closers: Array<() => Promise<void> | void> = [];
let stopping = false;
async function stop(code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping…');
  for (const close of closers.reverse()) await close();
  process.exit(code);
}

/**
 * `npm start`: the whole product on its embedded defaults, in one process: the Lever emulator (when no Lever key is
 * configured), the backend, and a fresh build of the extension. Ctrl-C (or SIGTERM) stops everything cleanly at any
 * point, the extension build included: in-flight requests finish and running jobs finish or are released for the
 * next start.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  const emulated = await startEmulatorForBackend(config);
  if (emulated) closers.push(() => emulated.emulator.close());
  const backend = await startBackend(config);
  closers.push(() => backend.close());

  const lines = ['', 'Fulcrum is running.', `  Backend:   ${backend.url}  (health: /healthz, data: ${config.dataDir})`];
  if (emulated) {
    // The emulator delivers its webhooks (new applications, stage changes, archives) to this backend.
    await registerWebhooks(backend.store, backend.lever, backend.url);
    const demo = await ensureDemoRecruiter(backend.store, emulated.emulator, config.dataDir, {
      tokenTtlDays: config.TOKEN_TTL_DAYS,
    });
    const expires = demo.expiresAt === null ? '' : `, expires ${new Date(demo.expiresAt).toISOString().slice(0, 10)}`;
    // The token itself is never printed (terminal scrollback and CI logs keep it): it is in a 0600 file.
    lines.push(
      emulated.banner,
      `  Recruiter: ${demo.email} (admin, demo only${expires})`,
      `             token in ${demo.tokenFile} (mode 0600${demo.renewed ? ', new' : ''}): paste it in the extension Options`,
      `             e.g. cat ${shellQuote(demo.tokenFile)}`,
      `  Demo candidate page: ${demoCandidateUrl(emulated.emulator)}`,
    );
  } else {
    lines.push(
      `  Lever:     ${backend.lever.baseUrl}`,
      '             Create a recruiter token: npm run cli -- recruiters add EMAIL --role recruiter',
    );
  }

  const extensionDir = path.resolve(config.FULCRUM_EXTENSION_DIR);
  if (!config.FULCRUM_SKIP_EXTENSION_BUILD) {
    console.log('Building the extension…');
    await buildExtension();
  }
  lines.push(
    `  Extension: ${extensionDir}`,
    '             Load it in Chrome: chrome://extensions → Developer mode → Load unpacked → pick that folder,',
    '             then open a candidate page and click the Fulcrum toolbar button.',
    '',
    'Press Ctrl-C to stop.',
  );
  console.log(lines.join('\n'));
}

function shellQuote(p: string): string {
  return /^[\w./-]+$/.test(p) ? p : `'${p.replaceAll("'", "'\\''")}'`;
}

/**
 * `wxt build`, spawned directly (npx does not pass signals on) and stopped with the rest on Ctrl-C. A build ended by
 * a signal is an interruption (a terminal's Ctrl-C reaches the build too), not a failure to start.
 */
function buildExtension(): Promise<void> {
  const wxt = path.join(import.meta.dirname, '..', 'node_modules', '.bin', 'wxt');
  const child = spawn(wxt, ['build'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  closers.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    return exited;
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else if (signal !== null) reject(new Interrupted(`the extension build was stopped (${signal})`));
      else reject(new Error(`wxt build exited with ${code}`));
    });
  });
}

class Interrupted extends Error {}

main().catch((error: unknown) => {
  // Ctrl-C during start-up: stop() closes whatever had started and exits; it is not a failure.
  if (stopping || error instanceof Interrupted) return void stop();
  console.error(error instanceof ConfigError ? error.message : `Fulcrum failed to start: ${(error as Error).message}`);
  process.exit(1);
});
