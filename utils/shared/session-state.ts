import type { PageContext } from './lever-url';

// The session state the background keeps about tabs and pages (page-context.ts defines the storage items), and how a
// panel works out its page from it. No imports beyond types, so the side panel's first script can use it without
// loading the storage library (page-context-read.ts reads these keys directly).

export type Activation = { current?: number; previous?: number; lastReported?: number };

export type SessionState = {
  /** What the side panel should describe: the Lever page in the active tab. */
  activeContext: PageContext;
  /** The active tab and the one active before it. */
  activation: Activation;
  /** The last page each tab reported. */
  tabContexts: Record<string, PageContext>;
  /** Tabs that show our own side panel page. */
  panelTabs: number[];
};

/** Each session-storage key's value when nothing was stored yet. */
export const SESSION_FALLBACKS: SessionState = {
  activeContext: { kind: 'none' },
  activation: {},
  tabContexts: {},
  panelTabs: [],
};

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
export function contextOfPanelTab(panelTabId: number, state: SessionState): PageContext {
  const source = sourceTabOfPanel(state.activation, panelTabId, state.panelTabs);
  if (source === undefined) return { kind: 'none' };
  // The source tab's own report, not `activeContext`, which describes the focused tab (the panel's own, when the
  // panel's announcement has not reached the background yet).
  return state.tabContexts[String(source)] ?? state.activeContext;
}
