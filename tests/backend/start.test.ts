import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { type EmulatorHandle, startEmulator } from '../../backend/lever-emulator/server.ts';

// `npm start` as a user runs it (minus the extension build, which the e2e tier covers): emulator + backend in one
// process, demo instructions printed, /healthz served, Ctrl-C stops everything with exit code 0. Then the same data
// directory started on a real Lever key revokes the demo recruiter before it serves anything.
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulcrum-start-'));
let child: ChildProcess | undefined;
let secondLever: EmulatorHandle | undefined;

afterAll(async () => {
  child?.kill('SIGKILL');
  await secondLever?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function waitFor(proc: ChildProcess, text: string, output: { value: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for "${text}":\n${output.value}`)), 60_000);
    const check = (chunk: Buffer) => {
      output.value += chunk.toString();
      if (output.value.includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout?.on('data', check);
    proc.stderr?.on('data', (c: Buffer) => (output.value += c.toString()));
    proc.on('exit', (code) => reject(new Error(`exited with ${code} before "${text}":\n${output.value}`)));
  });
}

function start(env: Record<string, string>, options: { cwd?: string; detached?: boolean } = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', path.resolve('backend/start.ts')], {
    ...options,
    env: {
      ...process.env,
      PORT: '18787',
      LEVER_EMULATOR_PORT: '18788',
      FULCRUM_DATA_DIR: dataDir,
      FULCRUM_SKIP_EXTENSION_BUILD: 'true',
      LOG_LEVEL: 'warn',
      LEVER_API_KEY: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function stop(proc: ChildProcess): Promise<number | null> {
  const exit = new Promise<number | null>((resolve) => proc.on('exit', resolve));
  proc.kill('SIGINT');
  return exit;
}

test('npm start serves the backend and the emulator, prints where the demo token is (never the token), and stops cleanly on Ctrl-C', async () => {
  child = start({});
  const output = { value: '' };
  await waitFor(child, 'Press Ctrl-C to stop.', output);

  expect(output.value).toContain('Backend:   http://127.0.0.1:18787');
  expect(output.value).toMatch(/Lever: +emulator at http:\/\/127\.0\.0\.1:18788/);
  const tokenFile = path.join(dataDir, 'demo-recruiter-token');
  expect(output.value).toContain(`token in ${tokenFile} (mode 0600`);
  expect(output.value).toMatch(/\(admin, demo only, expires \d{4}-\d{2}-\d{2}\)/);
  expect(output.value).not.toMatch(/flk_/);
  expect(fs.statSync(tokenFile).mode & 0o777).toBe(0o600);
  expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
  const token = fs.readFileSync(tokenFile, 'utf8').trim();
  expect(token).toMatch(/^flk_/);
  const demoUrl = /Demo candidate page: (\S+)/.exec(output.value)?.[1] ?? '';
  expect(demoUrl).toMatch(/^http:\/\/127\.0\.0\.1:18788\/candidates\/[0-9a-f-]{36}$/);

  expect((await fetch('http://127.0.0.1:18787/healthz')).status).toBe(200);
  const status = await fetch('http://127.0.0.1:18787/api/status', { headers: { authorization: `Bearer ${token}` } });
  expect(status.status).toBe(200);
  expect(await status.json()).toMatchObject({
    lever: { mode: 'emulator', reachable: true },
    ai: { provider: 'local' },
  });
  // The demo candidate page is served by the emulator, as hire.lever.co would serve it.
  expect((await fetch(demoUrl)).status).toBe(200);

  expect(await stop(child)).toBe(0);
  await expect(fetch('http://127.0.0.1:18787/healthz')).rejects.toThrow();

  // A restart on the emulator keeps the token the user pasted.
  child = start({});
  const again = { value: '' };
  await waitFor(child, 'Press Ctrl-C to stop.', again);
  expect(fs.readFileSync(tokenFile, 'utf8').trim()).toBe(token);
  expect(again.value).not.toContain(', new)');
  expect(await stop(child)).toBe(0);

  // The same data directory on a real Lever account: another Lever (an emulator the backend only knows as a base
  // URL and a key of its own, as it would know api.lever.co) with LEVER_API_KEY set.
  secondLever = await startEmulator({ port: 0, seed: 3, opportunities: 5, apiKey: 'real-customer-key-0123456789' });
  child = start({ LEVER_API_KEY: secondLever.apiKey, LEVER_BASE_URL: secondLever.apiBaseUrl });
  const real = { value: '' };
  await waitFor(child, 'Press Ctrl-C to stop.', real);
  const revokedAt = real.value.indexOf('Revoked the demo recruiter token of');
  expect(revokedAt).toBeGreaterThanOrEqual(0);
  // Said before the backend reports that it runs (it revokes before it listens).
  expect(revokedAt).toBeLessThan(real.value.indexOf('Fulcrum is running.'));
  expect(real.value).not.toMatch(/Lever: +emulator/);
  expect(fs.existsSync(tokenFile)).toBe(false);
  const refused = await fetch('http://127.0.0.1:18787/api/status', { headers: { authorization: `Bearer ${token}` } });
  expect(refused.status).toBe(401);
  expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/invalid or was revoked/);
  expect(await stop(child)).toBe(0);
}, 180_000);

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('Ctrl-C during the extension build stops everything: exit 0, "Stopping…", no "failed to start", no build left running', async () => {
  // A WXT project whose build writes its process id and then waits in its first hook, so the signal surely lands
  // while `wxt build` runs. It is the real wxt binary that npm start runs, started by start.ts in this folder: the
  // repo's own .output (which the browser tier loads) is not touched.
  const project = fs.mkdtempSync(path.join(os.tmpdir(), 'fulcrum-start-build-'));
  const pidFile = path.join(project, 'wxt.pid');
  fs.symlinkSync(path.resolve('node_modules'), path.join(project, 'node_modules'));
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'slow-build', version: '0.0.0' }));
  fs.writeFileSync(
    path.join(project, 'wxt.config.ts'),
    "import fs from 'node:fs';\n" +
      "export default { hooks: { 'build:before': () => { fs.writeFileSync('wxt.pid', String(process.pid)); " +
      'return new Promise((resolve) => setTimeout(resolve, 120_000)); } } };\n',
  );
  try {
    // A terminal's Ctrl-C reaches the whole process group (start.ts and the build); `kill -INT` reaches start.ts alone.
    for (const toGroup of [true, false]) {
      fs.rmSync(pidFile, { force: true });
      child = start({ FULCRUM_SKIP_EXTENSION_BUILD: 'false' }, { cwd: project, detached: toGroup });
      const output = { value: '' };
      await waitFor(child, 'Building the extension…', output);
      const pid = child.pid!;
      for (const started = Date.now(); !fs.existsSync(pidFile); await new Promise((resolve) => setTimeout(resolve, 50)))
        if (Date.now() - started > 30_000) throw new Error(`wxt build never reached its hook:\n${output.value}`);
      const build = Number(fs.readFileSync(pidFile, 'utf8'));
      const exit = new Promise<number | null>((resolve) => child!.on('exit', resolve));
      if (toGroup) process.kill(-pid, 'SIGINT');
      else child.kill('SIGINT');
      expect(await exit, output.value).toBe(0);
      expect(output.value).toContain('Stopping…');
      expect(output.value).not.toContain('failed to start');
      expect(output.value).not.toContain('Press Ctrl-C to stop.');
      expect(alive(build), `wxt build (pid ${build}) still running`).toBe(false);
    }
  } finally {
    fs.rmSync(project, { recursive: true, force: true });
  }
}, 120_000);
