import { openCacheEarly, readCachedResult } from './cache-reader';
import type { PageContext } from './lever-url';
import { primePageContext } from './page-context-read';

/** A cached result read before the app's bundle loaded, for the panel store (`seedCachedReads` in panel-store.ts). */
export type CachedRead = { opportunityId: string; slot: 'candidate' | 'match'; value: unknown };

let pending: Promise<CachedRead>[] = [];

/**
 * What the side panel does first, before React and the app's bundle are loaded, so that a candidate seen before
 * shows at once: it starts opening the cache, reads which page to show from session storage and, for a candidate,
 * reads its cached candidate and match. None of it waits for the background worker. `onPage` hears the page as soon
 * as it is known, before those reads. Resolves with the page once the reads are done or `maxWaitMs` has passed; the
 * app takes every read over with `takeCachedReads` (a later one still shows when it lands, and a fresh answer from
 * the backend replaces it).
 */
export function primePanel(maxWaitMs = 100, onPage?: (page: PageContext) => void): Promise<PageContext> {
  openCacheEarly();
  return primePageContext(async (page) => {
    onPage?.(page);
    if (page.kind !== 'candidate') return;
    const { opportunityId } = page;
    const reads = (['candidate', 'match'] as const).map(async (slot) => ({
      opportunityId,
      slot,
      value: await readCachedResult(opportunityId, slot),
    }));
    pending = reads;
    await Promise.race([Promise.all(reads), new Promise((resolve) => setTimeout(resolve, maxWaitMs))]);
  });
}

/** The reads `primePanel` started, once (the app seeds its store with them). */
export function takeCachedReads(): Promise<CachedRead>[] {
  const reads = pending;
  pending = [];
  return reads;
}
