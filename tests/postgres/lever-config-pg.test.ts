import os from 'node:os';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { leverFromConfig } from '../../backend/lever-config.ts';
import { startEmulator } from '../../backend/lever-emulator/server.ts';
import { testConfig } from '../backend/helpers/test-config.ts';
import { freePort } from './cluster.ts';
import { freshStore } from './db.ts';

let h: Awaited<ReturnType<typeof freshStore>>;
beforeAll(async () => {
  h = await freshStore();
});
afterAll(async () => {
  await h?.close();
});

// A CLI command (`sync`, `lever contract`…) builds its Lever client with leverFromConfig(config) and no budget of
// its own: on DATABASE_URL it must draw on the same budget table as the backends, not an in-process bucket.
it('with DATABASE_URL, a client built without a budget takes its tokens from the shared lever_rate_budget', async () => {
  const emu = await startEmulator({ port: await freePort() });
  try {
    const config = testConfig(os.tmpdir(), { emulator: emu, env: { DATABASE_URL: h.url } });
    const lever = leverFromConfig(config);
    await lever.listStages();
    await lever.listStages();
    const { rows } = await sql<{ tokens: number }>`select tokens from lever_rate_budget`.execute(h.store.db);
    expect(rows).toHaveLength(1);
    // Tokens were taken from a bucket that starts full (LEVER_BURST) and refills at LEVER_RATE_PER_SECOND.
    expect(Number(rows[0]?.tokens)).toBeLessThan(config.LEVER_BURST);
  } finally {
    await emu.close();
  }
});
