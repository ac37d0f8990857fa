import type { Page } from 'playwright-core';
import { SNAPSHOTS_KEY } from '../../utils/shared/storage-keys.ts';
import type { ExtensionBrowser } from './harness.ts';

// How long the real side panel takes to show a cached candidate after the click that opens it, read from the panel
// page's own performance timeline. Used by tests/e2e/panel.test.ts (a few openings, printed) and
// bench/panel-open.bench.ts (many, with percentiles).

/** Side-panel size for the panel page opened in a tab (screenshots, most tests): Chrome's side panel is 360 px wide. */
export const PANEL_VIEWPORT = { width: 360, height: 900 };

/** Page-side times of one opening of the panel, in ms from the panel page's navigation start (but the last). */
export type OpenTimes = {
  /** HTML parsed (Navigation Timing domInteractive). */
  html: number;
  /** The panel's first script loaded and run (its `fulcrum:main` mark). */
  js: number | null;
  /** Cached candidate and match read from IndexedDB (`fulcrum:cache-read:*` measures): first start, last end. */
  cache: { start: number; end: number } | null;
  /** Which page to show read from session storage and handed to React (`fulcrum:context`). */
  context: number | null;
  /** React put the score in the DOM (`fulcrum:match-in-dom`). */
  dom: number | null;
  /** The score's first paint, as Element Timing reports it (null if the browser reports none). */
  painted: number | null;
  /** The panel's first script showed the saved snapshot of the candidate's view (`fulcrum:snapshot`). */
  snapshot: number | null;
  /** The app's bundle loaded and mounting (`fulcrum:app`); after the measurement ends when a snapshot was shown. */
  app: number | null;
  /** From the click that opened the side panel to its page's navigation start. */
  clickToNavigation: number;
};

// Evaluated in the panel page over CDP rather than through Playwright's own page script, which takes tens of ms to
// inject and would run inside the very time being measured. Every time comes from the page's own performance
// timeline, so it does not matter when this lands: it waits for the score, then for its paint (Element Timing).
const MEASURE_OPEN = `new Promise((resolve) => {
  let painted = null;
  try {
    new PerformanceObserver((list) => {
      // The first paint of a score: the snapshot's, when the panel showed one, else the app's.
      for (const e of list.getEntries())
        if (e.identifier === 'match-score') painted = Math.min(painted ?? Infinity, e.renderTime || e.loadTime);
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
      snapshot: at('fulcrum:snapshot'),
      app: at('fulcrum:app'),
    });
  };
  // Polled with timers, not animation frames (a hidden page gets none), and given up after 10 s with what the page
  // shows instead, so a panel that never shows the score fails the caller with a reason instead of hanging it.
  const started = performance.now();
  const poll = () => {
    if (document.querySelector('[data-testid="match-score"]')) return finish(performance.now());
    if (performance.now() - started > 10000)
      return resolve({ failure: 'no score after 10 s (page ' + document.visibilityState + '): ' + document.body.innerText.slice(0, 300) });
    setTimeout(poll, 5);
  };
  poll();
})`;

/** The real side panel of an open Lever tab, driven the way a recruiter opens it: see `sidePanelDriver`. */
export type SidePanelDriver = {
  /**
   * Opens the side panel on the Lever tab, as a click on the toolbar button does (a user gesture calling
   * chrome.sidePanel.open), waits for the cached score and times it. Options: stop the background worker first; open
   * without the panel's snapshot of the Lever tab's candidate (its first opening in the panel; snapshots of others
   * stay). Throws with what the panel shows when no score appears within 10 s.
   */
  open(options?: { stopWorker?: boolean; withoutSnapshot?: boolean }): Promise<OpenedPanel>;
  /** Sets the side panel's page (relative to the extension), e.g. a static page for the floor figure. */
  setPath(path: string): Promise<void>;
  close(): Promise<void>;
};
export type OpenedPanel = {
  times: OpenTimes;
  /** Evaluates an expression in the side panel page (awaiting a promise), returning its JSON value. */
  evaluate<T>(expression: string): Promise<T>;
  /** Closes the side panel and waits until its page is gone. */
  close(): Promise<void>;
};

/**
 * Drives the real side panel (not the panel page in a tab) on `lever`'s tab. Headless Chromium has no toolbar to
 * click, so an extension page (the options page, in its own tab) calls chrome.sidePanel.open with a user gesture,
 * which is what the toolbar button does. Playwright does not list side panels among its pages, so the panel's page
 * is reached over the browser's DevTools protocol.
 */
export async function sidePanelDriver(browser: ExtensionBrowser, lever: Page): Promise<SidePanelDriver> {
  const extensionPage = await browser.context.newPage();
  await extensionPage.goto(`chrome-extension://${browser.extensionId}/options.html`);
  const ext = await browser.context.newCDPSession(extensionPage);
  const root = await browser.context.browser()!.newBrowserCDPSession();
  const inExtension = async <T>(expression: string): Promise<T> => {
    const { result, exceptionDetails } = await ext.send('Runtime.evaluate', {
      expression,
      awaitPromise: true,
      returnByValue: true,
      userGesture: true,
    });
    if (exceptionDetails) throw new Error(`${expression}: ${exceptionDetails.exception?.description}`);
    return result.value as T;
  };
  const leverUrl = lever.url();
  const { tabId, windowId } = await inExtension<{ tabId: number; windowId: number }>(
    `chrome.tabs.query({}).then((tabs) => tabs.find((t) => t.url === ${JSON.stringify(leverUrl)}))` +
      `.then((t) => ({ tabId: t.id, windowId: t.windowId }))`,
  );
  let path = 'sidepanel.html';
  // The panel page in a tab has the same URL: the side panel is the target that was not there before the click.
  const panelTargets = async () =>
    (await root.send('Target.getTargets')).targetInfos
      .filter((t) => t.url === `chrome-extension://${browser.extensionId}/${path}`)
      .map((t) => t.targetId);
  // New targets are announced by events rather than polled for: polling the browser process while it opens the panel
  // would slow down the very thing being timed.
  type TargetInfo = { targetId: string; url: string };
  let onTarget: (info: TargetInfo) => void = () => {};
  root.on('Target.targetCreated', ({ targetInfo }) => onTarget(targetInfo));
  root.on('Target.targetInfoChanged', ({ targetInfo }) => onTarget(targetInfo));
  await root.send('Target.setDiscoverTargets', { discover: true });
  const nextPanelTarget = (before: Set<string>) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the side panel did not open within 10 s')), 10_000);
      onTarget = (info) => {
        if (info.url !== `chrome-extension://${browser.extensionId}/${path}` || before.has(info.targetId)) return;
        clearTimeout(timer);
        onTarget = () => {};
        resolve(info.targetId);
      };
    });
  // Messages to the panel's page go through the browser session (Playwright's sessions do not take a sessionId).
  let nextId = 0;
  const replies = new Map<number, (reply: { result?: { result: { value: unknown } }; error?: unknown }) => void>();
  root.on('Target.receivedMessageFromTarget', (event) => {
    const reply = JSON.parse(event.message);
    replies.get(reply.id)?.(reply);
    replies.delete(reply.id);
  });
  let kept: Record<string, unknown> | undefined;

  return {
    async setPath(next) {
      path = next;
      await inExtension(`chrome.sidePanel.setOptions({ path: ${JSON.stringify(next)} })`);
    },
    async open({ stopWorker = false, withoutSnapshot = false } = {}) {
      await lever.bringToFront();
      // The side panel describes the active tab: wait until the background has recorded the Lever tab as that (the
      // extension page this driver uses was the active tab before).
      const url = JSON.stringify(lever.url());
      for (const started = Date.now(); ; await new Promise((resolve) => setTimeout(resolve, 10))) {
        const described = await inExtension<boolean>(
          `chrome.storage.session.get('activeContext').then(({ activeContext: c }) => ` +
            `!!c && c.kind !== 'none' && ${url}.includes(c.opportunityId ?? c.postingId))`,
        );
        if (described) break;
        if (Date.now() - started > 10_000) throw new Error(`the Lever tab (${lever.url()}) never became the context`);
      }
      // The snapshots live in the extension's localStorage, which the options page shares with the panel.
      // The last store that had this candidate's snapshot is kept, to put back after an opening without it.
      const current: Record<string, unknown> = JSON.parse(
        (await inExtension<string | null>(`localStorage.getItem('${SNAPSHOTS_KEY}')`)) ?? '{}',
      );
      const ofThisCandidate = (id: string) => lever.url().includes(id);
      if (Object.keys(current).some(ofThisCandidate)) kept = current;
      const base = kept ?? current;
      const store = withoutSnapshot
        ? Object.fromEntries(Object.entries(base).filter(([id]) => !ofThisCandidate(id)))
        : base;
      await inExtension(`localStorage.setItem('${SNAPSHOTS_KEY}', ${JSON.stringify(JSON.stringify(store))})`);
      if (stopWorker) {
        await ext.send('ServiceWorker.enable');
        await ext.send('ServiceWorker.stopAllWorkers');
      }
      const opened = nextPanelTarget(new Set(await panelTargets()));
      const clickedAt = await inExtension<number>(
        `(() => { const at = performance.timeOrigin + performance.now(); ` +
          `return chrome.sidePanel.open({ tabId: ${tabId} }).then(() => at); })()`,
      );
      const targetId = await opened;
      const { sessionId } = await root.send('Target.attachToTarget', { targetId, flatten: false });
      const evaluate = <T>(expression: string) =>
        new Promise<T>((resolve, reject) => {
          const id = ++nextId;
          replies.set(id, (reply) =>
            reply.error ? reject(new Error(JSON.stringify(reply.error))) : resolve(reply.result?.result.value as T),
          );
          void root
            .send('Target.sendMessageToTarget', {
              sessionId,
              message: JSON.stringify({
                id,
                method: 'Runtime.evaluate',
                params: { expression, awaitPromise: true, returnByValue: true },
              }),
            })
            .catch(reject);
        });
      const value = await evaluate<OpenTimes | { failure: string }>(
        `(${MEASURE_OPEN}).then((times) => ({ ...times, origin: performance.timeOrigin }))`,
      );
      const close = async () => {
        await root.send('Target.detachFromTarget', { sessionId }).catch(() => {});
        await inExtension(`chrome.sidePanel.close({ windowId: ${windowId} })`);
        for (const started = Date.now(); (await panelTargets()).includes(targetId); ) {
          if (Date.now() - started > 10_000) throw new Error('the side panel did not close within 10 s');
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      };
      if ('failure' in value) {
        const state = await inExtension('chrome.storage.session.get(null)').then(JSON.stringify, String);
        await close();
        throw new Error(`The side panel did not show the cached match: ${value.failure}\nsession state: ${state}`);
      }
      const { origin, ...times } = value as OpenTimes & { origin: number };
      return { times: { ...times, clickToNavigation: origin - clickedAt }, evaluate, close };
    },
    async close() {
      await root.detach().catch(() => {});
      await extensionPage.close();
    },
  };
}

/**
 * When the cached score was shown in one opening, in ms from the click that opened the panel: its first paint (the
 * snapshot's or the app's), or (if the browser reported no paint) when it was put in the DOM.
 */
export function shownAt(times: OpenTimes): number {
  const shown = times.painted ?? times.dom ?? times.snapshot;
  if (shown === null) throw new Error(`the panel recorded no timings: ${JSON.stringify(times)}`);
  return times.clickToNavigation + shown;
}

/** Median, the given percentiles and every value, then the median opening's breakdown, as printed lines. */
export function summarize(label: string, runs: OpenTimes[], percentiles: number[] = []): string {
  const sorted = [...runs].sort((a, b) => shownAt(a) - shownAt(b));
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const t = at(0.5);
  const ms = (n: number | null) => (n === null ? '-' : `${Math.round(n)}`);
  const spread =
    percentiles.length > 0
      ? percentiles.map((q) => `p${Math.round(q * 100)} ${ms(shownAt(at(q)))}`).join(', ')
      : sorted.map((r) => ms(shownAt(r))).join(', ');
  return (
    `[panel] cached match shown ${ms(shownAt(t))} ms after the click that opened the side panel (median of ` +
    `${runs.length}; ${spread}), ${label} (target < 150 ms)\n` +
    `[panel]   median opening, ms from the panel's navigation start (${ms(t.clickToNavigation)} ms after the click): ` +
    `HTML parsed ${ms(t.html)} · first script run ${ms(t.js)} · cache read from IndexedDB ` +
    `${t.cache ? `${ms(t.cache.start)}-${ms(t.cache.end)}` : '-'} · snapshot shown ${ms(t.snapshot)} · app loaded ` +
    `${ms(t.app)} · page context to React ${ms(t.context)} · score in React's DOM ${ms(t.dom)} · score painted ` +
    `${ms(t.painted)}`
  );
}
