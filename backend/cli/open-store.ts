import { type Config, loadConfig } from '../config.ts';
import { openStoreFromConfig, type Store } from '../store/db.ts';

/**
 * Opens the store at the configured data dir (FULCRUM_DATA_DIR) for one CLI command, runs `fn`, and always closes
 * it. Migrations run on open, so a CLI command against a fresh data dir works.
 */
export async function withCliStore<T>(
  fn: (store: Store, config: Config) => Promise<T>,
  env: Record<string, string | undefined> = process.env,
): Promise<T> {
  const config = loadConfig(env);
  const store = await openStoreFromConfig(config);
  try {
    return await fn(store, config);
  } finally {
    await store.close();
  }
}
