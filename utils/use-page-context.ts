import { useEffect, useState } from 'react';
import { browser } from 'wxt/browser';
import { whenIdle } from './after-paint';
import type { PageContext } from './lever-url';
import {
  activation,
  activeContext,
  contextOfPanelTab,
  type PanelTabMessage,
  panelTabs,
  tabContexts,
} from './page-context';
import { markPanel } from './panel-marks';

/**
 * The panel page's own tab id when it was opened as a normal tab (tests, or a user bookmarking it), undefined in the
 * real side panel, which is not a tab. Wrapped in a promise: WXT's fake browser returns undefined, not a promise.
 */
function ownTabId(): Promise<number | undefined> {
  return Promise.resolve()
    .then(() => browser.tabs?.getCurrent?.())
    .then((tab) => tab?.id)
    .catch(() => undefined);
}

/**
 * What the panel describes, from session storage alone (never by asking the background worker, which may be asleep):
 * the side panel shows the active tab's page; a panel opened as a tab is itself the active tab, so it shows the tab it
 * was opened from, worked out from the same session state the background keeps.
 */
async function readPageContext(tabId: Promise<number | undefined>): Promise<PageContext> {
  const [id, active, state, contexts, panels] = await Promise.all([
    tabId,
    activeContext.getValue(),
    activation.getValue(),
    tabContexts.getValue(),
    panelTabs.getValue(),
  ]);
  return id === undefined
    ? active
    : contextOfPanelTab(id, { activation: state, tabContexts: contexts, activeContext: active, panelTabs: panels });
}

let primed: { tabId: Promise<number | undefined>; context: Promise<PageContext> } | undefined;

/**
 * Starts the first read before React mounts (the side panel's entry calls it), so that read overlaps React's first
 * render; the next `usePageContext` to mount takes it over, after `prepare` (e.g. loading what the page will show)
 * has finished with the context.
 */
export function primePageContext(prepare?: (context: PageContext) => Promise<void>): Promise<PageContext> {
  const tabId = ownTabId();
  const context = readPageContext(tabId).then(async (page) => {
    await prepare?.(page).catch(() => {});
    return page;
  });
  primed = { tabId, context };
  return context;
}

/** The page the panel describes, kept live as the user navigates or switches tabs. */
export function usePageContext(): PageContext | undefined {
  const [context, setContext] = useState<PageContext>();
  useEffect(() => {
    const first = primed;
    primed = undefined;
    const tabId = first?.tabId ?? ownTabId();
    let alive = true;
    let seq = 0;
    let shown = '';
    // A panel in a tab tells the background, which then never makes that tab the context. Not urgent (the panel
    // works out its own context), so it waits until the first frames are done: the message wakes the worker and its
    // storage writes come back to this page as change events, all competing with the first paint.
    void tabId.then((id) => {
      if (id === undefined) return;
      whenIdle(() => {
        const message: PanelTabMessage = { type: 'fulcrum:panel-tab' };
        // Wrapped: a fake or failing runtime may throw or answer with something other than a promise.
        void Promise.resolve()
          .then(() => browser.runtime.sendMessage(message))
          .catch(() => {});
      });
    });
    const show = async (read: Promise<PageContext>) => {
      const mine = ++seq;
      const next = await read;
      if (!alive || mine !== seq) return;
      // Changes that leave the page the same (another tab's report) keep the current object: no re-render.
      const key = JSON.stringify(next);
      if (key === shown) return;
      shown = key;
      markPanel('context');
      setContext(next);
    };
    const unwatch = [activeContext, activation, tabContexts, panelTabs].map((item) =>
      item.watch(() => void show(readPageContext(tabId))),
    );
    // The primed read ran before these watchers existed: a change that landed in between (the Lever tab's report
    // arriving while React mounted) fired no watcher, so read once more after showing it.
    void show(first?.context ?? readPageContext(tabId)).then(() => show(readPageContext(tabId)));
    return () => {
      alive = false;
      for (const stop of unwatch) stop();
    };
  }, []);
  return context;
}
