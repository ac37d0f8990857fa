import { parseArgs } from 'node:util';
import { DEFAULT_EMULATOR_KEY, DEFAULT_EMULATOR_PORT, faultsFromEnv, startEmulator } from './server.ts';

/**
 * `npm run emulator [-- --port 8788 --opportunities 300 --seed N --host 127.0.0.1]`: the Lever emulator alone.
 * The API key comes from LEVER_EMULATOR_KEY (default: the documented demo key).
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      opportunities: { type: 'string' },
      seed: { type: 'string' },
    },
  });
  const int = (name: string, v: string | undefined, fallback?: number): number | undefined => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got "${v}"`);
    return n;
  };
  const port = int('port', values.port ?? process.env.LEVER_EMULATOR_PORT, DEFAULT_EMULATOR_PORT);
  const opportunities = int('opportunities', values.opportunities);
  const started = performance.now();
  const emu = await startEmulator({
    port,
    host: values.host,
    apiKey: process.env.LEVER_EMULATOR_KEY ?? DEFAULT_EMULATOR_KEY,
    seed: int('seed', values.seed),
    opportunities,
    faults: faultsFromEnv(),
  });
  const count = emu.context.store.opportunities.length;
  console.log(
    [
      `Lever emulator ready in ${Math.round(performance.now() - started)} ms with ${count} opportunities.`,
      `  API:      ${emu.apiBaseUrl}   (HTTP Basic: API key as user, empty password)`,
      `  API key:  ${emu.apiKey}`,
      `  Pages:    ${emu.url}/candidates`,
      `  Admin:    ${emu.url}/_admin/{reset,faults,stats,keys,applications,webhook-deliveries}`,
      `  Try:      curl -u ${emu.apiKey}: ${emu.apiBaseUrl}/opportunities?limit=1`,
    ].join('\n'),
  );
  const stop = async () => {
    await emu.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`Lever emulator failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
