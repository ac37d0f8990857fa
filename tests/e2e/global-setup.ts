import { execFileSync } from 'node:child_process';
import { browserTier } from './chromium.ts';

/** Builds the extension (production, as shipped) once per e2e run, so tests always drive the code under test. */
export default function setup(): void {
  // vitest.config.ts leaves the tier out when the browser is missing, except under CI, where the run fails here.
  const browser = browserTier();
  if (!browser.run) throw new Error(browser.message);
  // NODE_ENV is 'test' inside vitest: passed on, Vite would bundle React's development build (twice the size, and
  // slower), and the tests would not drive what ships.
  execFileSync('npx', ['wxt', 'build'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
}
