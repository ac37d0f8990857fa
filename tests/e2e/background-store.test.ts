import { afterAll, beforeAll, expect, test } from 'vitest';
import { type ExtensionBrowser, launchWithExtension } from './harness.ts';

// Dexie cannot run in happy-dom (no IndexedDB, and fake-indexeddb is not installed), so the background's real
// IndexedDB store is tested here, in Chromium, including surviving Chrome stopping the service worker.

// The extension API inside pages evaluated by Playwright; the backend tsconfig has no chrome types.
declare const chrome: {
  runtime: { sendMessage(message: unknown): Promise<unknown> };
  storage: {
    [area in 'local' | 'session']: {
      get(keys: unknown): Promise<Record<string, unknown>>;
      set(items: object): Promise<void>;
    };
  };
};

const id = '0b5c3f1e-7a2d-4c8e-9f10-2a3b4c5d6e7f';
let browser: ExtensionBrowser;

beforeAll(async () => {
  browser = await launchWithExtension();
});
afterAll(async () => {
  await browser?.close();
});

test('outreach drafts are kept in IndexedDB by the background and survive the worker being stopped', async () => {
  const panel = await browser.openPanel();
  const call = (request: object) =>
    panel.evaluate((r) => chrome.runtime.sendMessage({ type: 'fulcrum:api', request: r }), request);
  const draft = {
    opportunityId: id,
    subject: 'Hello',
    body: 'Edited body',
    tone: 'warm',
    variant: 'first-contact',
    followUpDate: '2026-12-03',
    provenance: {
      provider: 'local',
      model: 'm',
      version: '1',
      promptVersion: 'p',
      inputHash: 'h',
      latencyMs: 1,
      createdAt: '2026-11-26T00:00:00.000Z',
    },
    updatedAt: '2026-11-26T00:00:00.000Z',
  };
  expect(await call({ op: 'saveDraft', draft })).toEqual({ ok: true, data: null });

  const cdp = await browser.context.newCDPSession(panel);
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  await panel.close();

  const reopened = await browser.openPanel();
  const got = await reopened.evaluate(
    (opportunityId) => chrome.runtime.sendMessage({ type: 'fulcrum:api', request: { op: 'getDraft', opportunityId } }),
    id,
  );
  expect(got).toMatchObject({ ok: true, data: { subject: 'Hello', body: 'Edited body' } });

  await reopened.evaluate(
    (opportunityId) =>
      chrome.runtime.sendMessage({ type: 'fulcrum:api', request: { op: 'deleteDraft', opportunityId } }),
    id,
  );
  const gone = await reopened.evaluate(
    (opportunityId) => chrome.runtime.sendMessage({ type: 'fulcrum:api', request: { op: 'getDraft', opportunityId } }),
    id,
  );
  expect(gone).toEqual({ ok: true, data: null });
});

test('with no backend running the panel says how to fix it, instead of failing silently', async () => {
  const panel = await browser.openPanel();
  const result = await panel.evaluate(() =>
    chrome.storage.local
      .set({ recruiterToken: 'tok', backendUrl: 'http://127.0.0.1:9' })
      .then(() => chrome.runtime.sendMessage({ type: 'fulcrum:api', request: { op: 'status' } })),
  );
  expect(result).toMatchObject({ ok: false, error: { kind: 'unreachable', backendUrl: 'http://127.0.0.1:9' } });
});
