import { browser } from 'wxt/browser';
import type { PageContext } from './lever-url';
import { contextOfPanelTab, SESSION_FALLBACKS, type SessionState } from './session-state';

// Reading which page the side panel describes, without React: the panel's first script runs this before the app's
// bundle is loaded (see panel/prime.ts); use-page-context.ts keeps it live once React has mounted.

/**
 * The panel page's own tab id when it was opened as a normal tab (tests, or a user bookmarking it), undefined in the
 * real side panel, which is not a tab. Wrapped in a promise: WXT's fake browser returns undefined, not a promise.
 */
export function ownTabId(): Promise<number | undefined> {
  return Promise.resolve()
    .then(() => browser.tabs?.getCurrent?.())
    .then((tab) => tab?.id)
    .catch(() => undefined);
}

/**
 * The session state in one read of session storage, straight from the extension API: the storage library the rest of
 * the extension uses (page-context.ts) would be one more file for the panel's first script to load. The background
 * reads it the same way, so each of its handlers starts from one consistent state (background-context.ts).
 */
export async function readSessionState(): Promise<SessionState> {
  const keys = Object.keys(SESSION_FALLBACKS) as (keyof SessionState)[];
  const stored = await browser.storage.session.get(keys);
  return Object.fromEntries(keys.map((key) => [key, stored[key] ?? SESSION_FALLBACKS[key]])) as SessionState;
}

/**
 * What the panel describes, from session storage alone (never by asking the background worker, which may be asleep):
 * the side panel shows the active tab's page; a panel opened as a tab is itself the active tab, so it shows the tab it
 * was opened from, worked out from the same session state the background keeps.
 */
export async function readPageContext(tabId: Promise<number | undefined>): Promise<PageContext> {
  const [id, state] = await Promise.all([tabId, readSessionState()]);
  return id === undefined ? state.activeContext : contextOfPanelTab(id, state);
}

let primed: { tabId: Promise<number | undefined>; context: Promise<PageContext> } | undefined;

/**
 * Starts the first read before the app's bundle is loaded (the side panel's first script calls it); the next
 * `usePageContext` to mount takes it over, after `prepare` (e.g. loading what the page will show) has finished with
 * the context.
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

/** The primed read, once: the first `usePageContext` to mount takes it over. */
export function takePrimedContext(): typeof primed {
  const first = primed;
  primed = undefined;
  return first;
}
