import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';

// `npm start` as a user runs it (minus the extension build, which the e2e tier covers): emulator + backend in one
// process, demo instructions printed, /healthz served, Ctrl-C stops everything with exit code 0.
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulcrum-start-'));
let child: ChildProcess | undefined;

afterAll(() => {
  child?.kill('SIGKILL');
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

test('npm start serves the backend and the emulator, prints the demo instructions, and stops cleanly on Ctrl-C', async () => {
  child = spawn(process.execPath, ['--import', 'tsx', 'backend/start.ts'], {
    env: {
      ...process.env,
      PORT: '18787',
      LEVER_EMULATOR_PORT: '18788',
      FULCRUM_DATA_DIR: dataDir,
      FULCRUM_SKIP_EXTENSION_BUILD: 'true',
      LOG_LEVEL: 'warn',
      LEVER_API_KEY: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { value: '' };
  await waitFor(child, 'Press Ctrl-C to stop.', output);

  expect(output.value).toContain('Backend:   http://127.0.0.1:18787');
  expect(output.value).toMatch(/Lever: +emulator at http:\/\/127\.0\.0\.1:18788/);
  const token = /token: (flk_\S+)/.exec(output.value)?.[1];
  expect(token).toBeDefined();
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

  const exit = new Promise<number | null>((resolve) => child?.on('exit', resolve));
  child.kill('SIGINT');
  expect(await exit).toBe(0);
  await expect(fetch('http://127.0.0.1:18787/healthz')).rejects.toThrow();
}, 90_000);
