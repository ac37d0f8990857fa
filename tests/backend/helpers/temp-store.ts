import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
