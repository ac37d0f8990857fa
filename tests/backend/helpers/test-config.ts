import { type Config, loadConfig } from '../../../backend/config.ts';

/**
 * Backend configuration for tests: a temp data dir, an ephemeral port, silent logs, and no scheduled talent-pool sync
 * (it would share the emulator's rate limit with what the test measures). Point it at an emulator with `emulator`.
 */
export function testConfig(
  dataDir: string,
  opts: { emulator?: { apiBaseUrl: string; apiKey: string }; env?: Record<string, string> } = {},
): Config {
  return loadConfig({
    FULCRUM_DATA_DIR: dataDir,
    PORT: '0',
    LOG_LEVEL: 'silent',
    REDISCOVERY_SYNC_MINUTES: '0',
    ...(opts.emulator ? { LEVER_BASE_URL: opts.emulator.apiBaseUrl, LEVER_EMULATOR_KEY: opts.emulator.apiKey } : {}),
    ...opts.env,
  });
}
