import { defineConfig } from 'wxt';

// Hosts the extension may read candidate ids from and talk to. The Lever emulator and the local backend are
// listed so the extension works on the embedded defaults exactly as on hire.lever.co.
// Loopback without a port matches every port (Chrome match patterns ignore the port when none is given).
const leverHosts = ['https://*.lever.co/*', 'http://127.0.0.1/*', 'http://localhost/*'];

export default defineConfig({
  modules: ['@wxt-dev/module-react'],
  imports: false,
  // `npm run dev` does not launch a browser of its own: load .output/chrome-mv3-dev unpacked (see README).
  webExt: { disabled: true },
  // Chrome has <link rel="modulepreload"> natively: without Vite's polyfill the side panel's first script is smaller.
  vite: () => ({ build: { modulePreload: { polyfill: false } } }),
  manifest: {
    name: 'Fulcrum for Lever',
    description:
      'AI assistant for recruiters on Lever candidate pages: match, outreach, interview questions, feedback.',
    permissions: ['sidePanel', 'storage', 'alarms'],
    host_permissions: leverHosts,
    optional_host_permissions: ['https://*/*', 'http://*/*'],
    action: { default_title: 'Open Fulcrum' },
  },
});
