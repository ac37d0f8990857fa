/** The IndexedDB database the worker's Dexie store writes (background/db.ts), read by panel/cache-reader.ts. */
export const CACHE_DB_NAME = 'fulcrum';
/** The localStorage key of the side panel's snapshots (panel/snapshot.ts); the tests and the bench read it too. */
export const SNAPSHOTS_KEY = 'fulcrum:panel-snapshots';
/**
 * The extension storage key (`browser.storage.local`) of the time the cached results were last dropped (sign-out, a
 * 401; local-data.ts): snapshots saved before it are never shown. Read directly by the panel's first script.
 */
export const PURGED_AT_KEY = 'cachePurgedAt';
/** How long cached results, drafts and snapshots are kept in the browser (local-data.ts). */
export const LOCAL_RETENTION_DAYS = 30;
