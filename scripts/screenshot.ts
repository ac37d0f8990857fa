import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { saveSettings, startPanelStack } from '../tests/e2e/panel-stack.ts';

/**
 * `npm run screenshot`: the README's picture, docs/screenshot-lever-and-panel.png. The production build of the
 * extension in Chromium, the Lever emulator's candidate page and the side panel's match for that candidate (the
 * backend scores it), each rendered at its real width: a 920 px browser tab and Chrome's 360 px side panel.
 * Headless Chromium has no window frame to capture a side panel in, so the two renderings are put side by side on
 * one page, drawn by the same browser, and that page is captured.
 */
const OUT = path.resolve('docs/screenshot-lever-and-panel.png');
const HEIGHT = 820;
const TAB = { width: 920, height: HEIGHT };
const PANEL = { width: 360, height: HEIGHT };

execFileSync('npx', ['wxt', 'build'], {
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { ...process.env, NODE_ENV: 'production' },
});
const stack = await startPanelStack();
try {
  const { browser } = stack;
  await (await saveSettings(browser, stack.backend.url, stack.token)).close();
  const lever = await browser.context.newPage();
  await lever.setViewportSize(TAB);
  await lever.goto(`${stack.emulator.url}/candidates/${stack.ids[0]}`);
  const name = (await lever.locator('[data-field="name"]').textContent())!;
  const panel = await browser.openPanel();
  await panel.setViewportSize(PANEL);
  await panel.getByRole('heading', { level: 1, name }).waitFor({ timeout: 30_000 });
  await panel.getByTestId('match-score').waitFor({ timeout: 60_000 });
  const shot = async (page: typeof lever) => `data:image/png;base64,${(await page.screenshot()).toString('base64')}`;
  const [leverPng, panelPng] = [await shot(lever), await shot(panel)];

  const composed = await browser.context.newPage();
  await composed.setViewportSize({ width: TAB.width + 1 + PANEL.width, height: HEIGHT });
  await composed.setContent(
    '<!doctype html><html><body style="margin:0;display:flex;background:#c7c9d1">' +
      `<img alt="Lever candidate page" src="${leverPng}" width="${TAB.width}" height="${HEIGHT}">` +
      `<img alt="Fulcrum side panel" src="${panelPng}" width="${PANEL.width}" height="${HEIGHT}" ` +
      'style="margin-left:1px"></body></html>',
  );
  await composed.screenshot({ path: OUT });
  console.log(`Saved ${path.relative(process.cwd(), OUT)}: ${name} on the Lever emulator with the Fulcrum panel.`);
} finally {
  await stack.backend.close();
  await stack.close();
}
