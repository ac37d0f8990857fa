import { browser } from 'wxt/browser';
import { PURGED_AT_KEY } from '@/utils/shared/storage-keys';
import { afterElementPainted } from './after-paint';
import { markPanel } from './marks';
import { primePanel } from './prime';
import { hasSnapshots, pruneSnapshots, readSnapshot, showSnapshot } from './snapshot';

/**
 * When the cached results were last dropped (sign-out, a 401; local-data.ts), straight from extension storage: the
 * storage library would be one more file before the snapshot. 0 when never, or when it cannot be read.
 */
function readPurgedAt(): Promise<number> {
  return Promise.resolve()
    .then(() => browser.storage.local.get(PURGED_AT_KEY))
    .then((stored) => {
      const value = (stored as Record<string, unknown> | undefined)?.[PURGED_AT_KEY];
      return typeof value === 'number' ? value : 0;
    })
    .catch(() => 0);
}

/**
 * The side panel's first moments, before React: read which page to show and that page's cached results and, for a
 * candidate whose match view was seen before, paint that view at once (panel/snapshot.ts); then load and mount the
 * app, which takes the reads over and replaces the snapshot as soon as it has rendered. The app is loaded whatever
 * happens to the snapshot; if it cannot be loaded, the panel says so.
 */
export async function bootPanel(root: HTMLElement, loadApp: () => Promise<(root: HTMLElement) => void>): Promise<void> {
  markPanel('main');
  try {
    let shown = false;
    if (!hasSnapshots()) {
      // Nothing to show early: the reads overlap loading the app.
      void primePanel().catch(() => {});
    } else {
      // Asked before the page: it is answered by the time the page is known, so the snapshot waits for nothing. A
      // snapshot from before the last sign-out or 401 is never shown, and is dropped.
      const purged = readPurgedAt();
      // Decided as soon as the page is known: with no snapshot for it, the app loads while its cache is read.
      shown = await new Promise<boolean>((done) => {
        let decided = false;
        const resolve = (value: boolean) => {
          decided = true;
          done(value);
        };
        primePanel(100, (page) => {
          void purged.then((purgedAt) => {
            // Too late: the app is already loading without a snapshot.
            if (decided) return;
            if (purgedAt > 0) pruneSnapshots(purgedAt);
            const id = page.kind === 'candidate' ? page.opportunityId : undefined;
            const html = id === undefined ? null : readSnapshot(id, purgedAt);
            if (id !== undefined && html !== null) showSnapshot(root, html, id);
            resolve(html !== null);
          });
        }).then(
          () => resolve(false),
          () => resolve(false),
        );
      });
    }
    // Loading and running the app's bundle competes with painting the snapshot (for the CPU): the app waits until
    // the browser reports the snapshot's score painted.
    if (shown) await afterElementPainted('match-score');
  } catch {
    // Nothing shown early; the app reads everything itself.
  }
  let mount: (root: HTMLElement) => void;
  try {
    mount = await loadApp();
  } catch (error) {
    console.error('Fulcrum: the side panel could not load', error);
    root.textContent = 'Fulcrum could not load. Close and reopen the side panel, or reload the extension.';
    root.hidden = false;
    return;
  }
  mount(root);
}
