import type { Capability } from '@/utils/shared/api-types';
import { CACHE_DB_NAME } from '@/utils/shared/storage-keys';
import { markPanel } from './marks';

/** The table the background's Dexie store (utils/background/db.ts) keeps results in. */
const RESULTS_TABLE = 'results';

let connection: Promise<IDBDatabase | null> | undefined;

/**
 * Opens the cache read-only, without a version: whatever schema the background created. Never creates or upgrades
 * it (an open that would is aborted: the background owns the schema), and closes as soon as the background wants to
 * upgrade, so the panel can never block a schema change.
 */
function open(): Promise<IDBDatabase | null> {
  connection ??= new Promise<IDBDatabase | null>((resolve) => {
    let request: IDBOpenDBRequest;
    try {
      request = indexedDB.open(CACHE_DB_NAME);
    } catch {
      resolve(null);
      return;
    }
    request.onupgradeneeded = () => request.transaction?.abort(); // no database yet: nothing cached
    request.onerror = () => resolve(null);
    request.onblocked = () => resolve(null);
    request.onsuccess = () => {
      const db = request.result;
      db.onversionchange = () => {
        db.close();
        connection = undefined;
      };
      db.onclose = () => {
        connection = undefined;
      };
      resolve(db);
    };
  }).then((db) => {
    if (!db) connection = undefined;
    return db;
  });
  return connection;
}

/**
 * The last result the background stored for this opportunity and capability, read straight from IndexedDB (the
 * extension's pages share it with the worker), or null. Lets the side panel show cached content without waiting for
 * the background worker to wake up and answer a message. The value was validated by the background before it was
 * stored; a fresh answer from the backend replaces it moments later.
 */
export async function readCachedResult(opportunityId: string, capability: Capability): Promise<unknown | null> {
  const start = performance.now();
  const value = await read(opportunityId, capability);
  markPanel(`cache-read:${capability}`, start);
  return value;
}

/** Starts opening the cache ahead of the first read (the side panel does this before it knows the candidate). */
export function openCacheEarly(): void {
  void open();
}

async function read(opportunityId: string, capability: Capability): Promise<unknown | null> {
  const db = await open();
  if (!db?.objectStoreNames.contains(RESULTS_TABLE)) return null;
  return new Promise((resolve) => {
    try {
      const get = db.transaction(RESULTS_TABLE, 'readonly').objectStore(RESULTS_TABLE).get([opportunityId, capability]);
      get.onsuccess = () => {
        const record = get.result as { value?: unknown } | undefined;
        resolve(record?.value ?? null);
      };
      get.onerror = () => resolve(null);
    } catch {
      // The connection closed for an upgrade between open and read.
      resolve(null);
    }
  });
}
