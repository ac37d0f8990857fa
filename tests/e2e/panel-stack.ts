import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { addRecruiter } from '../../backend/auth/recruiters.ts';
import type { loadConfig } from '../../backend/config.ts';
import { collect, createLeverClient, type LeverClient, TokenBucket } from '../../backend/lever/index.ts';
import { type EmulatorHandle, startEmulator } from '../../backend/lever-emulator/server.ts';
import { type RunningBackend, startBackend } from '../../backend/server.ts';
import { testConfig } from '../backend/helpers/test-config.ts';
import { type ExtensionBrowser, launchWithExtension } from './harness.ts';

/**
 * Everything the side panel talks to, nothing mocked: the Lever emulator and the backend in this process, a
 * recruiter token for a user of the emulated account, and Chromium with the built extension. Used by
 * tests/e2e/panel.test.ts and bench/panel-open.bench.ts.
 */
export type PanelStack = {
  emulator: EmulatorHandle;
  /** The backend started with the stack; the caller closes it (it may stop and start its own). */
  backend: RunningBackend;
  /** Starts a backend on the stack's configuration (port 0 for any free port). */
  start(port: number): Promise<RunningBackend>;
  /** A Lever client on the emulator, to check what was written. */
  inspect: LeverClient;
  token: string;
  /** Active opportunities of the emulated account. */
  ids: string[];
  browser: ExtensionBrowser;
  /** Closes the browser and the emulator and removes the data directory (not the backend). */
  close(): Promise<void>;
};

export async function startPanelStack(): Promise<PanelStack> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulcrum-panel-e2e-'));
  const emulator = await startEmulator({ port: 0, seed: 7, opportunities: 12, ratePerSecond: 1000, burst: 1000 });
  const config: ReturnType<typeof loadConfig> = testConfig(dataDir, { emulator });
  const start = (port: number) => startBackend({ ...config, PORT: port }, { drainTimeoutMs: 500 });
  const backend = await start(0);
  const inspect = createLeverClient({
    baseUrl: emulator.apiBaseUrl,
    auth: { kind: 'apiKey', apiKey: emulator.apiKey },
    bucket: new TokenBucket(500, 500),
  });
  // The recruiter is a user of the emulated Lever account, so the backend can write notes as them.
  const users = await collect(inspect.listUsers());
  const user = users.find((u) => u.email && u.accessRole !== 'interviewer') ?? users[0];
  const { token } = await addRecruiter(backend.store, { email: user!.email!, role: 'recruiter' });
  const ids: string[] = [];
  for await (const o of inspect.listOpportunities({ archived: false, limit: 50 })) ids.push(o.id);
  const browser = await launchWithExtension();
  return {
    emulator,
    backend,
    start,
    inspect,
    token,
    ids,
    browser,
    async close() {
      await browser.close();
      await emulator.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Saves the backend URL and token on the extension's options page, as a recruiter would; returns that page. */
export async function saveSettings(browser: ExtensionBrowser, backendUrl: string, token: string): Promise<Page> {
  const options = await browser.context.newPage();
  await options.goto(`chrome-extension://${browser.extensionId}/options.html`);
  await options.getByLabel('Backend URL').fill(backendUrl);
  await options.getByLabel('Recruiter token').fill(token);
  await options.getByRole('button', { name: 'Save' }).click();
  await options.getByText('Saved.').waitFor({ timeout: 10_000 });
  return options;
}
