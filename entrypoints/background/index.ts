import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { handleApiRequest } from '@/utils/background/api-handler';
import { handleActivated, handleRemoved, handleRuntimeMessage } from '@/utils/background/background-context';
import { createDexieStore } from '@/utils/background/db';
import { INBOX_ALARM, INBOX_POLL_MINUTES, refreshInboxBadge } from '@/utils/background/inbox-badge';
import { applyLocalRetention, purgedAtItem, RETENTION_ALARM } from '@/utils/background/local-data';
import { isApiMessage } from '@/utils/shared/messaging';
import { loadSettings } from '@/utils/shared/settings';

// Glue only: wire Chrome events to the context tracker and the backend request handler in utils/. Nothing is kept in
// globals that matters across restarts: settings live in storage, results and drafts in IndexedDB.
export default defineBackground(() => {
  const store = createDexieStore();
  // A 401 from the backend drops the cached results and drafts, and the panel's snapshots with them (local-data.ts).
  const deps = { store, settings: loadSettings, onSignedOut: () => purgedAtItem.setValue(Date.now()) };
  // Cached candidate data lives LOCAL_RETENTION_DAYS at most: checked now and daily.
  void applyLocalRetention(store).catch(() => {});
  browser.alarms?.create(RETENTION_ALARM, { periodInMinutes: 24 * 60 });
  // Clicking the toolbar button opens the side panel (not available in WXT's fake browser).
  browser.sidePanel?.setPanelBehavior?.({ openPanelOnActionClick: true }).catch(() => {});
  browser.runtime.onMessage.addListener((message, sender, sendResponse) => {
    if (isApiMessage(message)) {
      // Only our own extension pages may use the backend through us (content scripts run in Lever's pages).
      if (sender.id !== browser.runtime.id || sender.tab?.url?.startsWith('http')) return false;
      void handleApiRequest(message.request, deps).then(sendResponse);
      return true;
    }
    void handleRuntimeMessage(message, sender.tab);
    return false;
  });
  browser.tabs.onActivated.addListener(({ tabId }) => {
    void handleActivated(tabId);
  });
  browser.tabs.onRemoved.addListener((tabId) => {
    void handleRemoved(tabId);
  });
  // Toolbar badge = proposals waiting in the inbox, refreshed every minute (alarms survive worker restarts).
  const badge = () =>
    refreshInboxBadge(async () => {
      const r = await handleApiRequest({ op: 'inbox' }, deps);
      if (!r.ok) throw new Error(r.error.message);
      // Already validated against InboxResponseSchema by the handler; only the count is needed here.
      const count = r.data && typeof r.data === 'object' && 'count' in r.data ? r.data.count : null;
      return { count: typeof count === 'number' ? count : 0 };
    }, browser.action);
  browser.alarms?.create(INBOX_ALARM, { periodInMinutes: INBOX_POLL_MINUTES });
  browser.alarms?.onAlarm.addListener((alarm) => {
    if (alarm.name === INBOX_ALARM) void badge();
    if (alarm.name === RETENTION_ALARM) void applyLocalRetention(store).catch(() => {});
  });
  void badge();
});
