import { browser } from 'wxt/browser';
import { type PageContext, pageContextOf } from '@/utils/shared/lever-url';
import type { RuntimeMessage } from '@/utils/shared/page-context';
import { readSessionState } from '@/utils/shared/page-context-read';
import { type SessionState, sourceTabOfPanel } from '@/utils/shared/session-state';

type TabLike = { id?: number; active?: boolean; url?: string };

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs event handlers one at a time, in the order the events arrived: each reads and rewrites the same session items,
 * and interleaved they lost each other's writes (a page report racing the activation of a panel tab left the panel
 * describing nothing). Each handler works on one read of the session state and its changes are written with one
 * storage call, so a worker that Chrome stops in the middle of a handler leaves the state as it was before the event
 * or after it, never half-updated (the side panel reads these items together).
 */
function oneAtATime(run: (state: SessionState) => Promise<void>): Promise<void> {
  const transaction = async () => {
    const state = await readSessionState();
    const keys = Object.keys(state) as (keyof SessionState)[];
    const before = keys.map((key) => JSON.stringify(state[key]));
    await run(state);
    const changed = keys.filter((key, i) => JSON.stringify(state[key]) !== before[i]);
    if (changed.length > 0) await browser.storage.session.set(Object.fromEntries(changed.map((k) => [k, state[k]])));
  };
  const next = queue.then(transaction, transaction);
  queue = next.catch(() => {});
  return next;
}

async function contextOfTab(state: SessionState, tabId: number | undefined): Promise<PageContext> {
  if (tabId === undefined) return { kind: 'none' };
  const known = state.tabContexts[String(tabId)];
  if (known) return known;
  // Without the "tabs" permission, url is only visible for hosts we have permission for (Lever, loopback).
  const tab = await browser.tabs.get(tabId).catch(() => undefined);
  return pageContextOf(tab?.url);
}

/** A content script reported its page, or a side panel opened in a tab announced itself. */
export function handleRuntimeMessage(message: unknown, tab: TabLike | undefined): Promise<void> {
  return oneAtATime((state) => runtimeMessage(state, message, tab));
}

async function runtimeMessage(state: SessionState, message: unknown, tab: TabLike | undefined): Promise<void> {
  if (!message || typeof message !== 'object' || tab?.id === undefined) return;
  const msg = message as RuntimeMessage;
  if (msg.type === 'fulcrum:panel-tab') {
    if (!state.panelTabs.includes(tab.id)) state.panelTabs = [...state.panelTabs, tab.id];
    // The panel tab's own activation may have cleared the context before it announced itself: set it to the page the
    // panel describes (see sourceTabOfPanel: the focused page tab, else the one active before the panel, else the
    // last tab that reported a page).
    state.activeContext = await contextOfTab(state, sourceTabOfPanel(state.activation, tab.id, state.panelTabs));
    return;
  }
  if (msg.type === 'fulcrum:page' && typeof msg.url === 'string') {
    const context = pageContextOf(msg.url);
    state.tabContexts = { ...state.tabContexts, [String(tab.id)]: context };
    state.activation = { ...state.activation, lastReported: tab.id };
    if (tab.active !== false) {
      // Headless and restored tabs may never fire onActivated: an active tab reporting is activation enough.
      await noteActive(state, tab.id);
      state.activeContext = context;
    } else if (isTabThePanelCameFrom(state, tab.id)) {
      // The panel was opened as a tab before this page finished loading (its report then comes from a tab that
      // is no longer active): it still describes this page.
      state.activeContext = context;
    }
  }
}

/**
 * True when the focused tab is our own panel page (or no tab is known to be focused) and the reporting tab is the
 * one the panel was opened from, or we do not know which that was. Any other background tab never takes over.
 */
function isTabThePanelCameFrom(state: SessionState, tabId: number): boolean {
  const { current, previous } = state.activation;
  const panelFocused = current === undefined || state.panelTabs.includes(current);
  if (!panelFocused || (previous !== undefined && previous !== tabId)) return false;
  state.activation = { ...state.activation, previous: tabId };
  return true;
}

/**
 * Records that `tabId` is now active. `previous` is the last active tab that still shows a page: never one of our
 * panel pages (announced or not yet) nor a closed tab, so a panel opened as a tab right after another one was closed
 * still describes the Lever page.
 */
async function noteActive(state: SessionState, tabId: number): Promise<void> {
  const { current, previous } = state.activation;
  if (current !== tabId) {
    const left = current !== undefined && (await showsPage(state, current)) ? current : previous;
    state.activation = { ...state.activation, current: tabId, previous: left };
  }
}

async function showsPage(state: SessionState, tabId: number): Promise<boolean> {
  if (state.panelTabs.includes(tabId)) return false;
  // Rejects for a closed tab. Our own pages' URLs are visible without the "tabs" permission.
  const tab = await browser.tabs.get(tabId).then(
    (found) => found ?? {},
    () => null,
  );
  return tab !== null && !isPanelUrl(tab.url);
}

const isPanelUrl = (url: string | undefined) => url?.startsWith(browser.runtime.getURL('/sidepanel.html')) === true;

/** One of our panel pages, announced or not yet (its announcement waits until the panel has painted). */
async function isPanelTab(state: SessionState, tabId: number): Promise<boolean> {
  if (state.panelTabs.includes(tabId)) return true;
  const tab = await browser.tabs.get(tabId).catch(() => undefined);
  return isPanelUrl(tab?.url);
}

/** The user switched tabs: show the new tab's candidate, or the "not a Lever page" state. */
export function handleActivated(tabId: number): Promise<void> {
  return oneAtATime((state) => activated(state, tabId));
}

async function activated(state: SessionState, tabId: number): Promise<void> {
  await noteActive(state, tabId);
  // A panel page never becomes what the panel describes: the page it came from stays the context.
  if (await isPanelTab(state, tabId)) return;
  state.activeContext = await contextOfTab(state, tabId);
}

/** A tab closed: forget what it reported, so the session lists do not grow for as long as the browser runs. */
export function handleRemoved(tabId: number): Promise<void> {
  return oneAtATime(async (state) => removed(state, tabId));
}

function removed(state: SessionState, tabId: number): void {
  if (String(tabId) in state.tabContexts) {
    const { [String(tabId)]: _closed, ...rest } = state.tabContexts;
    state.tabContexts = rest;
  }
  if (state.panelTabs.includes(tabId)) state.panelTabs = state.panelTabs.filter((id) => id !== tabId);
  const keys = (['current', 'previous', 'lastReported'] as const).filter((key) => state.activation[key] === tabId);
  if (keys.length > 0) {
    const next = { ...state.activation };
    for (const key of keys) delete next[key];
    state.activation = next;
  }
}
