import { openCacheEarly, readCachedResult } from './cache-reader';
import type { PageContext } from './lever-url';
import { usePanelStore } from './panel-store';
import { primePageContext } from './use-page-context';

/**
 * What the side panel does before React mounts, so that a candidate seen before shows at once: it starts opening the
 * cache, reads which page to show from session storage and, for a candidate, puts the cached candidate and match
 * into the panel store (keyed by that opportunity) before the candidate view first renders, so its first frame
 * already has them. None of it waits for the background worker. The candidate view waits at most `maxWaitMs` for
 * the cache; a later answer still shows when it lands, and a fresh one from the backend replaces it.
 */
export function primePanel(maxWaitMs = 100): Promise<PageContext> {
  openCacheEarly();
  return primePageContext(async (page) => {
    if (page.kind !== 'candidate') return;
    const { opportunityId } = page;
    const seeded = Promise.all(
      (['candidate', 'match'] as const).map(async (slot) => {
        const cached = await readCachedResult(opportunityId, slot);
        usePanelStore.getState().showCached(opportunityId, slot, cached);
      }),
    );
    await Promise.race([seeded, new Promise((resolve) => setTimeout(resolve, maxWaitMs))]);
  });
}
