import { afterElementPainted } from './after-paint';
import { markPanel } from './panel-marks';
import { hasSnapshots, readSnapshot, showSnapshot } from './panel-snapshot';
import { primePanel } from './prime-panel';

/**
 * The side panel's first moments, before React: read which page to show and that page's cached results and, for a
 * candidate whose match view was seen before, paint that view at once (panel-snapshot.ts); then load and mount the
 * app, which takes the reads over and replaces the snapshot as soon as it has rendered.
 */
export async function bootPanel(root: HTMLElement, loadApp: () => Promise<(root: HTMLElement) => void>): Promise<void> {
  markPanel('main');
  if (!hasSnapshots()) {
    void primePanel(); // nothing to show early: the reads overlap loading the app
  } else {
    let shown = false;
    await primePanel(100, (page) => {
      const html = page.kind === 'candidate' ? readSnapshot(page.opportunityId) : null;
      if (!html) return;
      showSnapshot(root, html);
      shown = true;
    });
    // Loading and running the app's bundle competes with painting the snapshot (for the CPU): the app waits until
    // the browser reports the snapshot's score painted.
    if (shown) await afterElementPainted('match-score');
  }
  (await loadApp())(root);
}
