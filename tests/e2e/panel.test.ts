import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { addRecruiter } from '../../backend/auth/recruiters.ts';
import type { loadConfig } from '../../backend/config.ts';
import { collect, createLeverClient, type LeverClient, TokenBucket } from '../../backend/lever/index.ts';
import { type EmulatorHandle, startEmulator } from '../../backend/lever-emulator/server.ts';
import { type RunningBackend, startBackend } from '../../backend/server.ts';
import { testConfig } from '../backend/helpers/test-config.ts';
import { type ExtensionBrowser, launchWithExtension, screenshot } from './harness.ts';

// The whole loop, nothing mocked: the Lever emulator and the backend in-process, the built extension in Chromium.

const LABEL = '[Fulcrum · AI-assisted]';
let emulator: EmulatorHandle;
let backend: RunningBackend | undefined;
let browser: ExtensionBrowser;
let inspect: LeverClient;
let dataDir: string;
let config: ReturnType<typeof loadConfig>;
let token: string;
let ids: string[];

async function start(port: number): Promise<RunningBackend> {
  return startBackend({ ...config, PORT: port }, { drainTimeoutMs: 500 });
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulcrum-panel-e2e-'));
  emulator = await startEmulator({ port: 0, seed: 7, opportunities: 12, ratePerSecond: 1000, burst: 1000 });
  config = testConfig(dataDir, { emulator });
  backend = await start(0);
  inspect = createLeverClient({
    baseUrl: emulator.apiBaseUrl,
    auth: { kind: 'apiKey', apiKey: emulator.apiKey },
    bucket: new TokenBucket(500, 500),
  });
  // The recruiter is a user of the emulated Lever account, so the backend can write notes as them.
  const users = await collect(inspect.listUsers());
  const user = users.find((u) => u.email && u.accessRole !== 'interviewer') ?? users[0];
  token = (await addRecruiter(backend.store, { email: user!.email!, role: 'recruiter' })).token;
  ids = [];
  for await (const o of inspect.listOpportunities({ archived: false, limit: 50 })) ids.push(o.id);
  browser = await launchWithExtension();
});

afterAll(async () => {
  await browser?.close();
  await backend?.close();
  await emulator?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

async function notesWith(opportunityId: string, text: string) {
  const notes = await collect(inspect.listNotes(opportunityId));
  const textOf = (n: (typeof notes)[number]) =>
    [n.text ?? '', ...(n.fields ?? []).map((f) => String(f.value ?? ''))].join('\n');
  return notes.filter((n) => textOf(n).includes(LABEL) && textOf(n).includes(text));
}

let panel: Page;
let lever: Page;
const PANEL_VIEWPORT = { width: 360, height: 900 };

test('settings: save the backend URL and token, and the connection test reports each part', async () => {
  const options = await browser.context.newPage();
  await options.goto(`chrome-extension://${browser.extensionId}/options.html`);
  await options.getByLabel('Backend URL').fill(backend!.url);
  await options.getByLabel('Recruiter token').fill(token);
  await options.getByRole('button', { name: 'Save' }).click();
  await options.getByText('Saved.').waitFor({ timeout: 10_000 });
  await options.getByRole('button', { name: 'Test connection' }).click();
  const report = options.getByRole('region', { name: 'Connection test' });
  await report.waitFor({ timeout: 15_000 });
  const text = await report.textContent();
  expect(text).toContain('OK Backend');
  expect(text).toContain('OK Token: Token valid');
  expect(text).toContain('OK Lever: Lever emulator reachable');
  expect(text).toMatch(/OK AI: AI provider: local engine/);
  await screenshot(options, 'options-connection-test');
  await options.close();
});

test('the panel shows the match with evidence, and follows client-side navigation to another candidate', async () => {
  lever = await browser.context.newPage();
  await lever.setViewportSize({ width: 1000, height: 800 });
  await lever.goto(`${emulator.url}/candidates/${ids[0]}`);
  const name0 = (await lever.locator('[data-field="name"]').textContent())!;
  panel = await browser.openPanel();
  await panel.setViewportSize(PANEL_VIEWPORT);
  await panel.getByRole('heading', { level: 1, name: name0 }).waitFor({ timeout: 20_000 });
  await panel.getByTestId('match-score').waitFor({ timeout: 30_000 });
  expect(Number(await panel.getByTestId('match-score').textContent())).toBeGreaterThanOrEqual(0);
  expect(await panel.locator('blockquote').count()).toBeGreaterThan(0);
  await screenshot(panel, 'panel-match');
  await panel.emulateMedia({ colorScheme: 'dark' });
  await screenshot(panel, 'panel-match-dark');
  await panel.emulateMedia({ colorScheme: 'light' });

  await lever.bringToFront();
  const link = lever.locator('ul.others a[data-opportunity-id]').first();
  const nextId = (await link.getAttribute('data-opportunity-id'))!;
  const nextName = (await link.textContent())!;
  await link.click();
  await expect.poll(() => lever.url()).toContain(nextId);
  await expect
    .poll(
      () =>
        panel
          .getByTestId('opportunity-id')
          .textContent({ timeout: 1000 })
          .catch(() => ''),
      { timeout: 15_000 },
    )
    .toBe(nextId);
  await panel.getByRole('heading', { level: 1, name: nextName }).waitFor({ timeout: 20_000 });
  expect(await panel.getByRole('heading', { level: 1 }).textContent()).not.toBe(name0);
  await panel.getByTestId('match-score').waitFor({ timeout: 30_000 });
});

/** Page-side times of one opening of the panel, in ms from the panel page's navigation start. */
type OpenTimes = {
  /** HTML parsed (Navigation Timing domInteractive). */
  html: number;
  /** The panel's JavaScript loaded and evaluated (its `fulcrum:main` mark). */
  js: number | null;
  /** Cached candidate and match read from IndexedDB (`fulcrum:cache-read:*` measures): first start, last end. */
  cache: { start: number; end: number } | null;
  /** Which page to show read from session storage and handed to React (`fulcrum:context`). */
  context: number | null;
  /** React put the score in the DOM (`fulcrum:match-in-dom`). */
  dom: number | null;
  /** The score's first paint, as Element Timing reports it (null if the browser reports none). */
  painted: number | null;
};

// Evaluated in the panel page over CDP rather than through Playwright's own page script, which takes tens of ms to
// inject and would run inside the very time being measured. Every time comes from the page's own performance
// timeline, so it does not matter when this lands: it waits for the score, then for its paint (Element Timing).
const MEASURE_OPEN = `new Promise((resolve) => {
  let painted = null;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (e.identifier === 'match-score') painted = e.renderTime || e.loadTime;
    }).observe({ type: 'element', buffered: true });
  } catch {}
  const at = (name) => performance.getEntriesByName(name)[0]?.startTime ?? null;
  const finish = (since) => {
    if (painted === null && performance.now() - since < 1000) return setTimeout(() => finish(since), 10);
    const reads = performance.getEntriesByType('measure').filter((m) => m.name.startsWith('fulcrum:cache-read:'));
    resolve({
      html: performance.getEntriesByType('navigation')[0].domInteractive,
      js: at('fulcrum:main'),
      cache: reads.length
        ? { start: Math.min(...reads.map((m) => m.startTime)), end: Math.max(...reads.map((m) => m.startTime + m.duration)) }
        : null,
      context: at('fulcrum:context'),
      dom: at('fulcrum:match-in-dom'),
      painted,
    });
  };
  const frame = () => (document.querySelector('[data-testid="match-score"]') ? finish(performance.now()) : requestAnimationFrame(frame));
  frame();
})`;

/** Opens the panel page in a new tab (optionally with the background worker stopped first) and times it. */
async function openPanelTimed(stopWorker: boolean): Promise<{ page: Page; times: OpenTimes }> {
  const page = await browser.context.newPage();
  // Side-panel size, as the panel is shown (a side panel is a few hundred pixels wide): painting a 1280 px wide tab
  // costs Chrome's software compositor more than the real panel does.
  await page.setViewportSize(PANEL_VIEWPORT);
  const cdp = await browser.context.newCDPSession(page);
  if (stopWorker) {
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
  }
  await page.goto(`chrome-extension://${browser.extensionId}/sidepanel.html`, { waitUntil: 'commit' });
  const { result } = await cdp.send('Runtime.evaluate', {
    expression: MEASURE_OPEN,
    awaitPromise: true,
    returnByValue: true,
    timeout: 10_000,
  });
  await cdp.detach();
  return { page, times: result.value as OpenTimes };
}

function report(label: string, runs: { shown: number; times: OpenTimes }[]): void {
  const sorted = [...runs].sort((a, b) => a.shown - b.shown);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const t = median.times;
  const ms = (n: number | null) => (n === null ? '?' : `${Math.round(n)}`);
  console.log(
    `[panel] cached match shown ${Math.round(median.shown)} ms after opening the panel (median of ${runs.length}; ` +
      `${sorted.map((r) => Math.round(r.shown)).join(', ')}), ${label} (target < 150 ms; the panel page opened in ` +
      `a ${PANEL_VIEWPORT.width} px tab)\n[panel]   median opening, ms from navigation start: HTML parsed ` +
      `${ms(t.html)} · JS loaded and run ${ms(t.js)} · cache read from IndexedDB ` +
      `${t.cache ? `${ms(t.cache.start)}-${ms(t.cache.end)}` : '?'} · page context to React ${ms(t.context)} · ` +
      `score in the DOM ${ms(t.dom)} · score painted ${ms(t.painted)}`,
  );
}

test('reopening the panel shows the cached match for the candidate at once, even with the worker asleep (times printed)', async () => {
  const shownScore = await panel.getByTestId('match-score').textContent();
  const shownId = await panel.getByTestId('opportunity-id').textContent();
  // One opening is one noisy sample on a shared 2-core machine: print the median of several, with the spread.
  const OPENINGS = 5;
  for (const stopWorker of [false, true]) {
    const runs: { shown: number; times: OpenTimes }[] = [];
    for (let i = 0; i < OPENINGS; i++) {
      await lever.bringToFront();
      const { page, times } = await openPanelTimed(stopWorker);
      const shown = times.painted ?? times.dom;
      if (shown === null) throw new Error(`the panel recorded no timings: ${JSON.stringify(times)}`);
      // The figure is the point; this only catches a panel that waits for something it should not (a backend call).
      expect(shown).toBeLessThan(2000);
      // The cached match is the candidate's own, under that candidate's name.
      expect(await page.getByTestId('opportunity-id').textContent()).toBe(shownId);
      expect(await page.getByTestId('match-score').textContent()).toBe(shownScore);
      await page.close();
      runs.push({ shown, times });
    }
    report(stopWorker ? 'background worker stopped first' : 'background worker running', runs);
  }
  await panel.bringToFront();
});

test('outreach: draft, edit, approve the note once (even on a double click), with the AI label', async () => {
  const opportunityId = (await panel.getByTestId('opportunity-id').textContent())!;
  await panel.getByRole('tab', { name: 'Outreach' }).click();
  await panel.getByRole('button', { name: 'Draft outreach' }).click();
  const body = panel.getByRole('textbox', { name: 'Message' });
  await body.waitFor({ timeout: 30_000 });
  const marker = `Edited in e2e ${Date.now()}`;
  await body.fill(`${marker}\n\nWould you be open to a chat?`);
  await screenshot(panel, 'panel-outreach');
  await panel.getByRole('button', { name: 'Log to Lever' }).click();
  const preview = panel.getByTestId('note-preview');
  await preview.waitFor({ timeout: 20_000 });
  await expect.poll(() => preview.textContent()).toContain(marker);
  expect(await preview.textContent()).toContain(LABEL);
  await screenshot(panel, 'panel-review');
  await panel.getByRole('button', { name: 'Approve and write to Lever' }).dblclick();
  await panel.getByRole('heading', { name: 'Written to Lever' }).waitFor({ timeout: 20_000 });
  const link = panel.getByRole('link', { name: 'Open the candidate in Lever' });
  expect(await link.getAttribute('href')).toContain(opportunityId);
  expect(await notesWith(opportunityId, marker)).toHaveLength(1);

  // Approving the same proposal again through the API does not write a second note.
  const list = await fetch(`${backend!.url}/api/proposals?opportunityId=${opportunityId}`, {
    headers: { authorization: `Bearer ${token}` },
  }).then((r) => r.json() as Promise<{ proposals: { id: string; status: string }[] }>);
  const written = list.proposals.filter((p) => p.status === 'written');
  expect(written.length).toBeGreaterThan(0);
  for (const p of written) {
    await fetch(`${backend!.url}/api/proposals/${p.id}/approve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ dryRun: false }),
    });
  }
  expect(await notesWith(opportunityId, marker)).toHaveLength(1);
  await screenshot(panel, 'panel-written');
  await panel.getByRole('button', { name: 'Done' }).click();
});

test('interview and feedback tabs render for the candidate', async () => {
  await panel.getByRole('tab', { name: 'Interview' }).click();
  await panel
    .getByRole('button', { name: /Save \d+ to Lever/ })
    .or(panel.getByRole('alert'))
    .first()
    .waitFor({ timeout: 30_000 });
  await screenshot(panel, 'panel-interview');
  await panel.getByRole('tab', { name: 'Feedback' }).click();
  await panel
    .getByText('No interview feedback yet.')
    .or(panel.getByRole('button', { name: 'Re-run synthesis' }))
    .or(panel.getByRole('alert'))
    .first()
    .waitFor({ timeout: 30_000 });
  await screenshot(panel, 'panel-feedback');
});

test('backend stopped: the panel says how to fix it; backend back: Retry works', async () => {
  const port = Number(new URL(backend!.url).port);
  await backend!.close();
  backend = undefined;
  await panel.getByRole('tab', { name: 'History' }).click();
  const alert = panel.getByRole('alert').first();
  await alert.waitFor({ timeout: 20_000 });
  expect(await alert.textContent()).toContain('Start the backend with npm start');
  await screenshot(panel, 'panel-backend-down');

  backend = await start(port);
  await alert.getByRole('button', { name: 'Retry' }).click();
  await panel.getByRole('button', { name: 'Refresh' }).waitFor({ timeout: 20_000 });
  expect(await panel.getByRole('alert').count()).toBe(0);
  expect(await panel.locator('ol li').count()).toBeGreaterThan(0);
  await screenshot(panel, 'panel-history');
});
