import { ConfigError, loadConfig } from './config.ts';
import { startBackend } from './server.ts';

/** Runs the backend alone (no extension build, no emulator): `tsx backend/main.ts`. SIGINT/SIGTERM drain and exit. */
async function main(): Promise<void> {
  const config = loadConfig();
  const backend = await startBackend(config);
  console.log(`Fulcrum backend on ${backend.url} (health: /healthz, ready: /readyz)`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await backend.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(
    error instanceof ConfigError ? error.message : `Fulcrum backend failed to start: ${(error as Error).message}`,
  );
  process.exit(1);
});
