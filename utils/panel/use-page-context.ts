import { useEffect, useState } from 'react';
import { browser } from 'wxt/browser';
import type { PageContext } from '@/utils/shared/lever-url';
import { activation, activeContext, type PanelTabMessage, panelTabs, tabContexts } from '@/utils/shared/page-context';
import { ownTabId, readPageContext, takePrimedContext } from '@/utils/shared/page-context-read';
import { whenIdle } from './after-paint';
import { markPanel } from './marks';

/** The page the panel describes, kept live as the user navigates or switches tabs. */
export function usePageContext(): PageContext | undefined {
  const [context, setContext] = useState<PageContext>();
  useEffect(() => {
    const first = takePrimedContext();
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
