import { loadConfig } from '../../../backend/config.ts';
import { startBackend } from '../../../backend/server.ts';

/**
 * One backend instance as a process of its own, configured by the environment like `npm start` (DATABASE_URL,
 * LEVER_*, PORT, QUEUE_LEASE_SECONDS…), without the emulator and extension build `npm start` adds. Prints one line
 * `{"ready":true,"url":…}` once it serves; SIGTERM stops it cleanly, SIGKILL is what the burst test sends.
 */
const backend = await startBackend(loadConfig(), { announce: () => {} });
process.stdout.write(`${JSON.stringify({ ready: true, url: backend.url, pid: process.pid })}\n`);
process.on('SIGTERM', () => {
  void backend.close().then(() => process.exit(0));
});
