import { useEffect, useState } from 'react';
import { browser } from 'wxt/browser';
import type { PageContext } from './lever-url';
import { activeContext, type PanelTabMessage } from './page-context';

/** The page the panel describes, kept live as the user navigates or switches tabs. */
export function usePageContext(): PageContext | undefined {
  const [context, setContext] = useState<PageContext>();
  useEffect(() => {
    let alive = true;
    // Opened as a normal tab (tests, or a user bookmarking it): tell the background to ignore this tab.
    // Wrapped in a promise: some environments (WXT's fake browser) return undefined instead of a promise.
    Promise.resolve()
      .then(() => browser.tabs?.getCurrent?.())
      .then((tab) => {
        if (tab?.id !== undefined) {
          const message: PanelTabMessage = { type: 'fulcrum:panel-tab' };
          return browser.runtime.sendMessage(message);
        }
      })
      .catch(() => {});
    activeContext.getValue().then((value) => alive && setContext(value));
    const unwatch = activeContext.watch((value) => setContext(value));
    return () => {
      alive = false;
      unwatch();
    };
  }, []);
  return context;
}
