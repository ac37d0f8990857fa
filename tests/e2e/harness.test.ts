import { afterAll, beforeAll, expect, test } from 'vitest';
import { type ExtensionBrowser, launchWithExtension, servePages } from './harness.ts';

const first = '0b5c3f1e-7a2d-4c8e-9f10-2a3b4c5d6e7f';
const second = '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a';

let browser: ExtensionBrowser;
let site: Awaited<ReturnType<typeof servePages>>;

beforeAll(async () => {
  site = await servePages(
    (pathname) => `<!doctype html><title>Candidate – Lever Hire</title><h1>${pathname}</h1>
      <button id="next" onclick="history.pushState({}, '', '/candidates/${second}')">next</button>`,
  );
  browser = await launchWithExtension();
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

test('the side panel shows the opportunity id of the candidate page, and follows client-side navigation', async () => {
  const candidate = await browser.context.newPage();
  await candidate.goto(`${site.url}/candidates/${first}`);
  const panel = await browser.openPanel();
  await expect
    .poll(() => panel.getByTestId('opportunity-id').textContent({ timeout: 1_000 }), { timeout: 10_000 })
    .toBe(first);

  await candidate.bringToFront();
  await candidate.click('#next');
  await expect
    .poll(() => panel.getByTestId('opportunity-id').textContent({ timeout: 1_000 }), { timeout: 10_000 })
    .toBe(second);
});

test('a page that is not a candidate profile shows what Fulcrum is for', async () => {
  const list = await browser.context.newPage();
  await list.goto(`${site.url}/candidates?stage=new`);
  await expect
    .poll(
      async () => {
        const panel = browser.context.pages().find((p) => p.url().includes('sidepanel.html'));
        return panel ? await panel.locator('main').textContent() : '';
      },
      { timeout: 10_000 },
    )
    .toContain('Open a candidate in Lever');
});
