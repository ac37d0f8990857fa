import type { PageContext } from '@/utils/shared/lever-url';
import { primePageContext } from '@/utils/shared/page-context-read';
import { openCacheEarly, readCachedResult } from './cache-reader';

/** A cached result read before the app's bundle loaded, for the panel store (`seedCachedReads` in panel/store.ts). */
export type CachedRead = { opportunityId: string; slot: 'candidate' | 'match'; value: unknown };

let pending: Promise<Promise<CachedRead>[]> = Promise.resolve([]);

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
  // Handed over as a promise set now: the app may take it before the page (and so which reads) is known.
  let started: (reads: Promise<CachedRead>[]) => void = () => {};
  pending = new Promise((resolve) => {
    started = resolve;
  });
  const primed = primePageContext(async (page) => {
    try {
      onPage?.(page);
    } catch {
      // What the caller does with the page early is extra; the reads go on.
    }
    if (page.kind !== 'candidate') return started([]);
    const { opportunityId } = page;
    const reads = (['candidate', 'match'] as const).map(async (slot) => ({
      opportunityId,
      slot,
      value: await readCachedResult(opportunityId, slot),
    }));
    started(reads);
    await Promise.race([Promise.all(reads), new Promise((resolve) => setTimeout(resolve, maxWaitMs))]);
  });
  primed.catch(() => started([]));
  return primed;
}

/** The reads `primePanel` started (or will start, once it knows the page), once: the app seeds its store with them. */
export function takeCachedReads(): Promise<Promise<CachedRead>[]> {
  const reads = pending;
  pending = Promise.resolve([]);
  return reads;
}
