import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** Builds the extension (production, as shipped) once per e2e run, so tests always drive the code under test. */
export default function setup(): void {
  if (!fs.existsSync('/usr/bin/chromium') && !process.env.CHROMIUM_PATH) {
    throw new Error(
      'Chromium not found at /usr/bin/chromium: install it with `apt-get install -y chromium` (CI does).',
    );
  }
  // NODE_ENV is 'test' inside vitest: passed on, Vite would bundle React's development build (twice the size, and
  // slower), and the tests would not drive what ships.
  execFileSync('npx', ['wxt', 'build'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
}
