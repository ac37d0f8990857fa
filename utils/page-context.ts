import { storage } from 'wxt/utils/storage';
import type { PageContext } from './lever-url';

/**
 * What the side panel should describe: the Lever page in the active tab. All of it lives in session storage (not in
 * service-worker globals) so it survives Chrome stopping the background worker.
 */
export const activeContext = storage.defineItem<PageContext>('session:activeContext', {
  fallback: { kind: 'none' },
});

/** The last page each tab reported (content scripts report on load and on SPA navigation). */
export const tabContexts = storage.defineItem<Record<string, PageContext>>('session:tabContexts', { fallback: {} });

export type Activation = { current?: number; previous?: number; lastReported?: number };

/** The active tab and the one active before it, so a panel opened in a tab can describe the tab it came from. */
export const activation = storage.defineItem<Activation>('session:activation', {
  fallback: {},
});

/** Tabs that show our own side panel page (tests and users may open it as a tab); they never become the context. */
export const panelTabs = storage.defineItem<number[]>('session:panelTabs', { fallback: [] });

export type PageMessage = { type: 'fulcrum:page'; url: string };
export type PanelTabMessage = { type: 'fulcrum:panel-tab' };
export type RuntimeMessage = PageMessage | PanelTabMessage;

/**
 * Which tab a side panel opened as a tab (`panelTabId`) describes: the page tab that has the focus; else (the panel
 * itself or another panel tab has it) the tab active before, or, if none was seen active (headless, restored
 * sessions), the last tab that reported a page.
 */
export function sourceTabOfPanel(
  state: Activation,
  panelTabId: number,
  panelTabIds: readonly number[],
): number | undefined {
  // Another panel tab having the focus says nothing about which page to show (and `current` goes stale when headless
  // Chrome fires no activation for a new tab): only a page tab with the focus decides.
  const pageFocused =
    state.current !== undefined && state.current !== panelTabId && !panelTabIds.includes(state.current);
  if (pageFocused) return state.current;
  return state.previous ?? state.lastReported;
}

/**
 * What a side panel opened as a tab shows, computed from session storage alone, as the background would after the
 * panel announced itself, so the panel need not wait for the (possibly sleeping) worker. A tab that never reported
 * a page falls back to `activeContext`, which the background settles on shortly after.
 */
export function contextOfPanelTab(
  panelTabId: number,
  state: {
    activation: Activation;
    tabContexts: Record<string, PageContext>;
    activeContext: PageContext;
    panelTabs: readonly number[];
  },
): PageContext {
  const source = sourceTabOfPanel(state.activation, panelTabId, state.panelTabs);
  if (source === undefined) return { kind: 'none' };
  // The source tab's own report, not `activeContext`: the two are written one after the other, and a worker stopped
  // between the writes (Chrome stops idle workers) leaves them disagreeing.
  return state.tabContexts[String(source)] ?? state.activeContext;
}
