import { browser } from 'wxt/browser';
import { defineContentScript } from 'wxt/utils/define-content-script';
import type { PageMessage } from '@/utils/shared/page-context';

// Glue only: report the page URL to the background on load and on every client-side navigation
// (Lever Hire is an SPA). Debounced, because the URL changes several times while a profile renders.
export default defineContentScript({
  matches: ['https://*.lever.co/*', 'http://127.0.0.1/*', 'http://localhost/*'],
  runAt: 'document_idle',
  main(ctx) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const report = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const message: PageMessage = { type: 'fulcrum:page', url: location.href };
        browser.runtime.sendMessage(message).catch(() => {
          // The background may be restarting; the next navigation or tab activation reports again.
        });
      }, 150);
    };
    report();
    ctx.addEventListener(window, 'wxt:locationchange', report);
  },
});
