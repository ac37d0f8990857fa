import { defineConfig } from 'vitest/config';
import type { Reporter } from 'vitest/node';
import { WxtVitest } from 'wxt/testing/vitest-plugin';
import { browserTier } from './tests/e2e/chromium.ts';
import { pgTier } from './tests/postgres/cluster.ts';

// Three tiers: extension code in happy-dom with WXT's fake browser, backend code in plain Node, and end-to-end
// tests that drive Debian's Chromium with the built extension (tests/e2e, run after `wxt build` by globalSetup).
// Without Chromium the browser tier is left out and the run says so at its end; under CI its global setup fails.
const browser = browserTier();
const skipBrowserTier = !browser.run && !browser.fail;
// The same for the PostgreSQL tier (tests/postgres): a throwaway cluster from Debian's postgresql binaries.
const pg = pgTier();
const skipPgTier = !pg.run && !pg.fail;

/** Says a tier was skipped, after the summary (where a developer reads whether the run passed). */
let e2eSelected = true;
let pgSelected = true;
const skippedTierNotice: Reporter = {
  // `--project unit` (npm run test:unit) did not ask for the browser or postgres tier: nothing to say then.
  onInit(vitest) {
    e2eSelected = vitest.projects.some((project) => project.name === 'e2e');
    pgSelected = vitest.projects.some((project) => project.name === 'postgres');
  },
  onTestRunEnd() {
    if (!browser.run && e2eSelected) console.warn(`\n${browser.message}\n`);
    if (!pg.run && pgSelected) console.warn(`\n${pg.message}\n`);
  },
};

export default defineConfig({
  test: {
    reporters: skipBrowserTier || skipPgTier ? ['default', skippedTierNotice] : ['default'],
    projects: [
      {
        plugins: [WxtVitest()],
        test: {
          name: 'unit',
          environment: 'happy-dom',
          include: ['tests/unit/**/*.test.{ts,tsx}'],
          setupFiles: ['tests/unit/setup.ts'],
        },
      },
      {
        test: {
          name: 'backend',
          environment: 'node',
          include: ['tests/backend/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          environment: 'node',
          include: skipBrowserTier ? [] : ['tests/e2e/**/*.test.ts'],
          globalSetup: skipBrowserTier ? [] : ['tests/e2e/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'postgres',
          environment: 'node',
          include: skipPgTier ? [] : ['tests/postgres/**/*.test.ts'],
          globalSetup: skipPgTier ? [] : ['tests/postgres/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
