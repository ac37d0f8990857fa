import type { Config } from './config.ts';
import { createLeverClient, LEVER_BASE_URLS, type LeverClient } from './lever/index.ts';

/** Lever credentials from the config: a real key (LEVER_API_KEY + LEVER_BASE_URL) or the local emulator's. */
export function leverFromConfig(config: Config): LeverClient {
  const baseUrl =
    config.LEVER_BASE_URL ??
    (config.useEmulator ? `http://127.0.0.1:${config.LEVER_EMULATOR_PORT}/v1` : LEVER_BASE_URLS.production);
  return createLeverClient({
    baseUrl,
    auth: { kind: 'apiKey', apiKey: config.LEVER_API_KEY ?? config.LEVER_EMULATOR_KEY },
    ratePerSecond: config.LEVER_RATE_PER_SECOND,
    burst: config.LEVER_BURST,
  });
}
