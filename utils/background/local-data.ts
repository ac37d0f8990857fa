import { storage } from 'wxt/utils/storage';
import { LOCAL_RETENTION_DAYS, PURGED_AT_KEY } from '@/utils/shared/storage-keys';
import type { CacheStore } from './cache-store';

/**
 * What the extension keeps about candidates in the browser (cached results and drafts in IndexedDB, the side panel's
 * snapshots in localStorage) lives no longer than it is needed:
 * - sign-out (Options → Sign out, or saving another token) and any 401 from the backend (token revoked, expired or
 *   rotated) drop all of it: a browser whose token no longer works keeps no candidate data;
 * - otherwise each item is kept for LOCAL_RETENTION_DAYS (30) from when it was stored or last edited.
 * The background worker has no localStorage, so it records when it dropped the cache (`purgedAtItem`); the panel's
 * first script then never shows, and deletes, snapshots older than that (panel/boot.ts), and extension pages clear
 * them themselves when they see a 401 (utils/panel/api-client.ts).
 */
export { LOCAL_RETENTION_DAYS };
export const LOCAL_RETENTION_MS = LOCAL_RETENTION_DAYS * 24 * 60 * 60 * 1000;

/** Epoch ms of the last drop (0: never). */
export const purgedAtItem = storage.defineItem<number>(`local:${PURGED_AT_KEY}`, { fallback: 0 });

/** Drops every cached result and draft and records when, so snapshots from before are not shown either. */
export async function dropLocalData(store: CacheStore, now = Date.now()): Promise<void> {
  await purgedAtItem.setValue(now);
  await store.purge();
}

/** Drops what is past the retention period (the background runs it at start and daily). */
export function applyLocalRetention(store: CacheStore, now = Date.now()): Promise<void> {
  return store.purge(now - LOCAL_RETENTION_MS);
}

/** Alarm name of the daily retention run. */
export const RETENTION_ALARM = 'fulcrum:local-retention';
