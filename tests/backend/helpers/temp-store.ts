import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { openStore, type Store } from '../../../backend/store/db.ts';

/** A fresh directory under the OS temp dir; removed by the returned cleanup. */
export function makeTempDir(prefix = 'fulcrum-test-'): { dir: string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A migrated store on a real SQLite file in a temp dir; `cleanup` closes it and deletes the directory. */
export async function openTempStore(): Promise<{ store: Store; dir: string; cleanup(): Promise<void> }> {
  const tmp = makeTempDir();
  const store = await openStore({ dataDir: tmp.dir });
  return {
    store,
    dir: tmp.dir,
    async cleanup() {
      await store.close();
      tmp.cleanup();
    },
  };
}

export type Cleanups = Array<() => void | Promise<void>>;

/**
 * A list the tests of one file push cleanups to; after each test they run, newest first. Call once at the top
 * level of a test file.
 */
export function cleanupsAfterEach(): Cleanups {
  const cleanups: Cleanups = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  return cleanups;
}

/** openTempStore, with its cleanup pushed to `cleanups`. */
export async function openTempStoreUntilCleanup(
  cleanups: Cleanups,
): Promise<{ store: Store; dir: string; cleanup(): Promise<void> }> {
  const t = await openTempStore();
  cleanups.push(t.cleanup);
  return t;
}
