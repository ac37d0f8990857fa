import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { handleActivated, handleRuntimeMessage } from '@/utils/background-context';

// Glue only: wire Chrome events to the context tracker in utils/.
export default defineBackground(() => {
  // Clicking the toolbar button opens the side panel (not available in WXT's fake browser).
  browser.sidePanel?.setPanelBehavior?.({ openPanelOnActionClick: true }).catch(() => {});
  browser.runtime.onMessage.addListener((message, sender) => {
    void handleRuntimeMessage(message, sender.tab);
  });
  browser.tabs.onActivated.addListener(({ tabId }) => {
    void handleActivated(tabId);
  });
});
