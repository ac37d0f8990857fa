import { storage } from 'wxt/utils/storage';
import type { PageContext } from './lever-url';
import { type Activation, SESSION_FALLBACKS } from './session-state';

/**
 * What the side panel should describe: the Lever page in the active tab. All of it lives in session storage (not in
 * service-worker globals) so it survives Chrome stopping the background worker.
 */
export const activeContext = storage.defineItem<PageContext>('session:activeContext', {
  fallback: SESSION_FALLBACKS.activeContext,
});

/** The last page each tab reported (content scripts report on load and on SPA navigation). */
export const tabContexts = storage.defineItem<Record<string, PageContext>>('session:tabContexts', {
  fallback: SESSION_FALLBACKS.tabContexts,
});

/** The active tab and the one active before it, so a panel opened in a tab can describe the tab it came from. */
export const activation = storage.defineItem<Activation>('session:activation', {
  fallback: SESSION_FALLBACKS.activation,
});

/** Tabs that show our own side panel page (tests and users may open it as a tab); they never become the context. */
export const panelTabs = storage.defineItem<number[]>('session:panelTabs', {
  fallback: SESSION_FALLBACKS.panelTabs,
});

export type PageMessage = { type: 'fulcrum:page'; url: string };
export type PanelTabMessage = { type: 'fulcrum:panel-tab' };
export type RuntimeMessage = PageMessage | PanelTabMessage;
