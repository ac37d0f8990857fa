import { browser } from 'wxt/browser';
import { type PageContext, pageContextOf } from './lever-url';
import { activation, activeContext, panelTabs, type RuntimeMessage, tabContexts } from './page-context';
import { sourceTabOfPanel } from './panel-state';

type TabLike = { id?: number; active?: boolean; url?: string };

async function contextOfTab(tabId: number | undefined): Promise<PageContext> {
  if (tabId === undefined) return { kind: 'none' };
  const known = (await tabContexts.getValue())[String(tabId)];
  if (known) return known;
  // Without the "tabs" permission, url is only visible for hosts we have permission for (Lever, loopback).
  const tab = await browser.tabs.get(tabId).catch(() => undefined);
  return pageContextOf(tab?.url);
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs event handlers one at a time, in the order the events arrived: each reads and rewrites the same session items,
 * and interleaved they lost each other's writes (a page report racing the activation of a panel tab left the panel
 * describing nothing).
 */
function oneAtATime(run: () => Promise<void>): Promise<void> {
  const next = queue.then(run, run);
  queue = next.catch(() => {});
  return next;
}

/** A content script reported its page, or a side panel opened in a tab announced itself. */
export function handleRuntimeMessage(message: unknown, tab: TabLike | undefined): Promise<void> {
  return oneAtATime(() => runtimeMessage(message, tab));
}

async function runtimeMessage(message: unknown, tab: TabLike | undefined): Promise<void> {
  if (!message || typeof message !== 'object' || tab?.id === undefined) return;
  const msg = message as RuntimeMessage;
  if (msg.type === 'fulcrum:panel-tab') {
    const tabs = await panelTabs.getValue();
    if (!tabs.includes(tab.id)) await panelTabs.setValue([...tabs, tab.id]);
    // The panel tab's own activation may have cleared the context before it announced itself: set it to the page the
    // panel describes (see sourceTabOfPanel: the focused page tab, else the one active before the panel, else the
    // last tab that reported a page).
    const source = sourceTabOfPanel(await activation.getValue(), tab.id, await panelTabs.getValue());
    await activeContext.setValue(await contextOfTab(source));
    return;
  }
  if (msg.type === 'fulcrum:page' && typeof msg.url === 'string') {
    const context = pageContextOf(msg.url);
    await tabContexts.setValue({ ...(await tabContexts.getValue()), [String(tab.id)]: context });
    await activation.setValue({ ...(await activation.getValue()), lastReported: tab.id });
    if (tab.active !== false) {
      // Headless and restored tabs may never fire onActivated: an active tab reporting is activation enough.
      await noteActive(tab.id);
      await activeContext.setValue(context);
    } else if (await isTabThePanelCameFrom(tab.id)) {
      // The panel was opened as a tab before this page finished loading (its report then comes from a tab that
      // is no longer active): it still describes this page.
      await activeContext.setValue(context);
    }
  }
}

/**
 * True when the focused tab is our own panel page (or no tab is known to be focused) and the reporting tab is the
 * one the panel was opened from, or we do not know which that was. Any other background tab never takes over.
 */
async function isTabThePanelCameFrom(tabId: number): Promise<boolean> {
  const { current, previous } = await activation.getValue();
  const panelFocused = current === undefined || (await panelTabs.getValue()).includes(current);
  if (!panelFocused || (previous !== undefined && previous !== tabId)) return false;
  await activation.setValue({ ...(await activation.getValue()), previous: tabId });
  return true;
}

/**
 * Records that `tabId` is now active. `previous` is the last active tab that still shows a page: never one of our
 * panel pages (announced or not yet) nor a closed tab, so a panel opened as a tab right after another one was closed
 * still describes the Lever page.
 */
async function noteActive(tabId: number): Promise<void> {
  const { current, previous } = await activation.getValue();
  if (current !== tabId) {
    const left = current !== undefined && (await showsPage(current)) ? current : previous;
    await activation.setValue({ ...(await activation.getValue()), current: tabId, previous: left });
  }
}

async function showsPage(tabId: number): Promise<boolean> {
  if ((await panelTabs.getValue()).includes(tabId)) return false;
  // Rejects for a closed tab. Our own pages' URLs are visible without the "tabs" permission.
  const tab = await browser.tabs.get(tabId).then(
    (found) => found ?? {},
    () => null,
  );
  return tab !== null && !isPanelUrl(tab.url);
}

const isPanelUrl = (url: string | undefined) => url?.startsWith(browser.runtime.getURL('/sidepanel.html')) === true;

/** One of our panel pages, announced or not yet (its announcement waits until the panel has painted). */
async function isPanelTab(tabId: number): Promise<boolean> {
  if ((await panelTabs.getValue()).includes(tabId)) return true;
  const tab = await browser.tabs.get(tabId).catch(() => undefined);
  return isPanelUrl(tab?.url);
}

/** The user switched tabs: show the new tab's candidate, or the "not a Lever page" state. */
export function handleActivated(tabId: number): Promise<void> {
  return oneAtATime(() => activated(tabId));
}

async function activated(tabId: number): Promise<void> {
  await noteActive(tabId);
  // A panel page never becomes what the panel describes: the page it came from stays the context.
  if (await isPanelTab(tabId)) return;
  await activeContext.setValue(await contextOfTab(tabId));
}

/** A tab closed: forget what it reported, so the session lists do not grow for as long as the browser runs. */
export function handleRemoved(tabId: number): Promise<void> {
  return oneAtATime(() => removed(tabId));
}

async function removed(tabId: number): Promise<void> {
  const contexts = await tabContexts.getValue();
  if (String(tabId) in contexts) {
    const { [String(tabId)]: _closed, ...rest } = contexts;
    await tabContexts.setValue(rest);
  }
  const tabs = await panelTabs.getValue();
  if (tabs.includes(tabId)) await panelTabs.setValue(tabs.filter((id) => id !== tabId));
  const state = await activation.getValue();
  const keys = (['current', 'previous', 'lastReported'] as const).filter((key) => state[key] === tabId);
  if (keys.length > 0) {
    const next = { ...state };
    for (const key of keys) delete next[key];
    await activation.setValue(next);
  }
}
