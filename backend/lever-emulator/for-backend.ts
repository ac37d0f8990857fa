import type { Config } from '../config.ts';
import { type EmulatorHandle, faultsFromEnv, startEmulator } from './server.ts';

/**
 * For `npm start`: when no LEVER_API_KEY (and no LEVER_BASE_URL) is configured, start the emulator on
 * LEVER_EMULATOR_PORT with LEVER_EMULATOR_KEY so the backend's Lever client (lever-config.ts) finds it there.
 * Returns null when a real Lever account is configured. `banner` is the line to print at start-up.
 */
export async function startEmulatorForBackend(
  config: Config,
): Promise<{ emulator: EmulatorHandle; banner: string } | null> {
  if (!config.useEmulator || config.LEVER_BASE_URL) return null;
  const emulator = await startEmulator({
    host: '127.0.0.1',
    port: config.LEVER_EMULATOR_PORT,
    apiKey: config.LEVER_EMULATOR_KEY,
    faults: faultsFromEnv(),
  });
  const count = emulator.context.store.opportunities.length;
  const banner = `  Lever:     emulator at ${emulator.url} (${count} candidates; API key ${emulator.apiKey}; pages ${emulator.url}/candidates)`;
  return { emulator, banner };
}
