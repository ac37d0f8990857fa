import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { collect } from '../../backend/lever/index.ts';
import type { RunningBackend } from '../../backend/server.ts';
import { SNAPSHOTS_KEY } from '../../utils/shared/storage-keys.ts';
import { type ExtensionBrowser, screenshot } from './harness.ts';
import { type PanelStack, saveSettings, startPanelStack } from './panel-stack.ts';
import { type OpenTimes, PANEL_VIEWPORT, shownAt, sidePanelDriver, summarize } from './panel-timing.ts';

// The whole loop, nothing mocked: the Lever emulator and the backend in-process, the built extension in Chromium.

const LABEL = '[Fulcrum · AI-assisted]';
let stack: PanelStack;
let backend: RunningBackend | undefined;
let browser: ExtensionBrowser;
let token: string;
let ids: string[];

beforeAll(async () => {
  stack = await startPanelStack();
  ({ backend, browser, token, ids } = stack);
});

afterAll(async () => {
  await backend?.close();
  await stack?.close();
});

async function notesWith(opportunityId: string, text: string) {
  const notes = await collect(stack.inspect.listNotes(opportunityId));
  const textOf = (n: (typeof notes)[number]) =>
    [n.text ?? '', ...(n.fields ?? []).map((f) => String(f.value ?? ''))].join('\n');
  return notes.filter((n) => textOf(n).includes(LABEL) && textOf(n).includes(text));
}

let panel: Page;
let lever: Page;

test('settings: save the backend URL and token, and the connection test reports each part', async () => {
  const options = await saveSettings(browser, backend!.url, token);
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
  await lever.goto(`${stack.emulator.url}/candidates/${ids[0]}`);
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

/** In the side panel: "<opportunity id> <score>" once the app shows its live view (the snapshot gone), else null. */
const LIVE_VIEW = `(() => {
  const root = document.getElementById('root');
  if (!root || root.hidden || document.querySelector('[inert]')) return null;
  const text = (id) => root.querySelector('[data-testid="' + id + '"]')?.textContent ?? '?';
  return text('opportunity-id') + ' ' + text('match-score');
})()`;

test('the real side panel opens on the cached match at once, from its snapshot, even with the worker asleep (times printed)', async () => {
  const shownScore = await panel.getByTestId('match-score').textContent();
  const shownId = (await panel.getByTestId('opportunity-id').textContent())!;
  // The panel (in its tab) keeps a snapshot of this candidate's view once it is idle; the driver's own extension tab
  // would take the focus from the Lever tab, so wait for the snapshot first.
  const snapshotIds = () =>
    panel.evaluate<string[]>(`Object.keys(JSON.parse(localStorage.getItem('${SNAPSHOTS_KEY}') ?? '{}'))`);
  await expect.poll(snapshotIds, { timeout: 10_000 }).toContain(shownId);
  const driver = await sidePanelDriver(browser, lever);
  try {
    // A few openings each way; `npm run bench -- panel-open` takes many more for steadier figures.
    const ways = [
      { label: 'background worker running', stopWorker: false, withoutSnapshot: false, openings: 5 },
      { label: 'background worker stopped first', stopWorker: true, withoutSnapshot: false, openings: 5 },
      {
        label: 'no snapshot of this candidate saved (its first opening)',
        stopWorker: false,
        withoutSnapshot: true,
        openings: 3,
      },
    ];
    for (const { label, openings, ...options } of ways) {
      const runs: OpenTimes[] = [];
      for (let i = 0; i < openings; i++) {
        const opened = await driver.open(options);
        // The figure is the point; this only catches a panel that waits for something it should not (a backend call).
        expect(shownAt(opened.times)).toBeLessThan(2000);
        expect(opened.times.snapshot === null).toBe(options.withoutSnapshot);
        // The app then takes over from the snapshot: the same candidate, under that candidate's name, same score.
        await expect.poll(() => opened.evaluate(LIVE_VIEW), { timeout: 10_000 }).toBe(`${shownId} ${shownScore}`);
        await opened.close();
        runs.push(opened.times);
      }
      console.log(summarize(label, runs));
    }
  } finally {
    await driver.close();
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

  backend = await stack.start(port);
  await alert.getByRole('button', { name: 'Retry' }).click();
  await panel.getByRole('button', { name: 'Refresh' }).waitFor({ timeout: 20_000 });
  expect(await panel.getByRole('alert').count()).toBe(0);
  expect(await panel.locator('ol li').count()).toBeGreaterThan(0);
  await screenshot(panel, 'panel-history');
});
