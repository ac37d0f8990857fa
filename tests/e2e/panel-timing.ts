import type { Page } from 'playwright-core';
import type { ExtensionBrowser } from './harness.ts';

// How long the side panel takes to show a cached candidate, read from the panel page's own performance timeline.
// Used by tests/e2e/panel.test.ts (a few openings, printed) and bench/panel-open.bench.ts (many, with percentiles).

/** Side-panel size: a side panel is a few hundred pixels wide, and painting a 1280 px tab costs Chrome more. */
export const PANEL_VIEWPORT = { width: 360, height: 900 };

/** Page-side times of one opening of the panel, in ms from the panel page's navigation start. */
export type OpenTimes = {
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

/** Opens the panel page in a new tab (optionally with the background worker stopped first) and times it. */
export async function openPanelTimed(
  browser: ExtensionBrowser,
  stopWorker: boolean,
): Promise<{ page: Page; times: OpenTimes }> {
  const page = await browser.context.newPage();
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
  const value = result.value as OpenTimes | { failure: string };
  if ('failure' in value) {
    const state = await page
      .evaluate(() => {
        type Session = { storage: { session: { get(keys: null): Promise<unknown> } } };
        return (globalThis as unknown as { chrome: Session }).chrome.storage.session.get(null);
      })
      .then(JSON.stringify, (error: unknown) => String(error));
    throw new Error(`The panel did not show the cached match: ${value.failure}\nsession state: ${state}`);
  }
  return { page, times: value };
}

/** When the cached score was shown in one opening: its first paint, or (if the browser reported none) its DOM time. */
export function shownAt(times: OpenTimes): number {
  const shown = times.painted ?? times.dom;
  if (shown === null) throw new Error(`the panel recorded no timings: ${JSON.stringify(times)}`);
  return shown;
}

/** Median, the given percentiles and every value, then the median opening's breakdown, as printed lines. */
export function summarize(label: string, runs: OpenTimes[], percentiles: number[] = []): string {
  const sorted = [...runs].sort((a, b) => shownAt(a) - shownAt(b));
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const t = at(0.5);
  const ms = (n: number | null) => (n === null ? '?' : `${Math.round(n)}`);
  const spread =
    percentiles.length > 0
      ? percentiles.map((q) => `p${Math.round(q * 100)} ${ms(shownAt(at(q)))}`).join(', ')
      : sorted.map((r) => ms(shownAt(r))).join(', ');
  return (
    `[panel] cached match shown ${ms(shownAt(t))} ms after opening the panel (median of ${runs.length}; ${spread}), ` +
    `${label} (target < 150 ms; the panel page opened in a ${PANEL_VIEWPORT.width} px tab)\n` +
    `[panel]   median opening, ms from navigation start: HTML parsed ${ms(t.html)} · JS loaded and run ${ms(t.js)} · ` +
    `cache read from IndexedDB ${t.cache ? `${ms(t.cache.start)}-${ms(t.cache.end)}` : '?'} · page context to React ` +
    `${ms(t.context)} · score in the DOM ${ms(t.dom)} · score painted ${ms(t.painted)}`
  );
}
