import fs from 'node:fs';

/** Debian's `chromium` package puts the browser here; `CHROMIUM_PATH` points at another one. */
export const DEBIAN_CHROMIUM = '/usr/bin/chromium';

export type BrowserTier =
  | { run: true; executablePath: string }
  /** `fail`: under CI a missing browser fails the run; on a developer's machine the tier is skipped. */
  | { run: false; fail: boolean; message: string };

/**
 * Whether the browser tier (tests/e2e) can run, and what to say when it cannot. Read by vitest.config.ts (which
 * leaves the tier out and says so), by the tier's global setup (which fails under CI) and by the harness (which
 * launches the browser found here). The tests never download a browser.
 */
export function browserTier(
  env: Record<string, string | undefined> = process.env,
  exists: (file: string) => boolean = fs.existsSync,
): BrowserTier {
  const executablePath = env.CHROMIUM_PATH || DEBIAN_CHROMIUM;
  if (exists(executablePath)) return { run: true, executablePath };
  const missing = env.CHROMIUM_PATH
    ? `CHROMIUM_PATH=${env.CHROMIUM_PATH} does not exist`
    : `Chromium not found at ${DEBIAN_CHROMIUM}`;
  const enable = "install Debian's Chromium (`apt-get install -y chromium`) or set CHROMIUM_PATH to a Chromium binary";
  if (isCI(env)) {
    return {
      run: false,
      fail: true,
      message: `${missing}: ${enable}. CI is set, so the browser tier cannot be skipped.`,
    };
  }
  return {
    run: false,
    fail: false,
    message: `Browser tier (tests/e2e) SKIPPED: ${missing}. To run it, ${enable}. With CI=true a missing browser fails the run.`,
  };
}

/** CI services set CI (`true`, `1`, a name); `CI=false` or `CI=0` or empty means a developer's machine. */
function isCI(env: Record<string, string | undefined>): boolean {
  const ci = env.CI?.trim().toLowerCase();
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}
