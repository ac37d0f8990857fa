import { defineConfig } from 'wxt';

// Hosts the extension may read candidate ids from and talk to. The Lever emulator and the local backend are
// listed so the extension works on the embedded defaults exactly as on hire.lever.co.
const leverHosts = ['https://*.lever.co/*', 'http://127.0.0.1:8788/*', 'http://localhost:8788/*'];
const backendHosts = ['http://127.0.0.1:8787/*', 'http://localhost:8787/*'];

export default defineConfig({
  modules: ['@wxt-dev/module-react'],
  imports: false,
  manifest: {
    name: 'Fulcrum for Lever',
    description: 'AI assistant for recruiters on Lever candidate pages: match, outreach, interview questions, feedback.',
    permissions: ['sidePanel', 'storage'],
    host_permissions: [...leverHosts, ...backendHosts],
    optional_host_permissions: ['https://*/*', 'http://*/*'],
    action: { default_title: 'Open Fulcrum' },
  },
});
