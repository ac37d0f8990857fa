import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { browserTier } from './chromium.ts';

export const EXTENSION_DIR = path.resolve('.output/chrome-mv3');
export const ARTIFACTS_DIR = path.resolve('test-artifacts');

export type ExtensionBrowser = {
  context: BrowserContext;
  extensionId: string;
  openPanel(): Promise<Page>;
  close(): Promise<void>;
};

/** Debian's Chromium (or CHROMIUM_PATH) with the built extension loaded, in a fresh profile. Never downloads one. */
export async function launchWithExtension(): Promise<ExtensionBrowser> {
  const browser = browserTier();
  if (!browser.run) throw new Error(browser.message);
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulcrum-e2e-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: browser.executablePath,
    headless: true,
    args: [`--disable-extensions-except=${EXTENSION_DIR}`, `--load-extension=${EXTENSION_DIR}`],
  });
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  const extensionId = new URL(worker.url()).host;
  return {
    context,
    extensionId,
    async openPanel() {
      const page = await context.newPage();
      await page.goto(`chrome-extension://${extensionId}/sidepanel.html`);
      return page;
    },
    async close() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** A loopback server that answers every path with a small HTML page (a stand-in for a Lever Hire page). */
export async function servePages(
  render: (pathname: string) => string,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(render(pathname));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
