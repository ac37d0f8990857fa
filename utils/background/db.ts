import Dexie, { type Table } from 'dexie';
import type { Capability, DraftRecord } from '@/utils/shared/api-types';
import { CACHE_DB_NAME } from '@/utils/shared/storage-keys';
import type { CacheStore } from './cache-store';

type ResultRecord = { opportunityId: string; capability: Capability; value: unknown; storedAt: string };

/**
 * IndexedDB, written by the background worker only (keeps Dexie out of the side-panel bundle; the panel reads cached
 * results directly with `utils/panel/cache-reader.ts`, which relies on the `results` table and its
 * `[opportunityId+capability]` key). Schema changes add a new `version(n)` with an upgrade; never edit an existing
 * version.
 */
export class FulcrumDb extends Dexie {
  drafts!: Table<DraftRecord, string>;
  results!: Table<ResultRecord, [string, Capability]>;

  constructor(name = CACHE_DB_NAME) {
    super(name);
    this.version(1).stores({
      drafts: 'opportunityId, updatedAt',
      results: '[opportunityId+capability], opportunityId, storedAt',
    });
  }
}

/** Results older than this are dropped when a new one is stored, so the cache cannot grow without bound. */
const MAX_RESULTS = 500;

export function createDexieStore(db: FulcrumDb = new FulcrumDb()): CacheStore {
  return {
    async getResult(opportunityId, capability) {
      return (await db.results.get([opportunityId, capability]))?.value ?? null;
    },
    async putResult(opportunityId, capability, value) {
      await db.results.put({ opportunityId, capability, value, storedAt: new Date().toISOString() });
      const count = await db.results.count();
      if (count > MAX_RESULTS) {
        const oldest = await db.results
          .orderBy('storedAt')
          .limit(count - MAX_RESULTS)
          .primaryKeys();
        await db.results.bulkDelete(oldest);
      }
    },
    async getDraft(opportunityId) {
      return (await db.drafts.get(opportunityId)) ?? null;
    },
    async putDraft(draft) {
      await db.drafts.put(draft);
    },
    async deleteDraft(opportunityId) {
      await db.drafts.delete(opportunityId);
    },
    async purge(olderThan) {
      await db.transaction('rw', db.results, db.drafts, async () => {
        if (olderThan === undefined) {
          await db.results.clear();
          await db.drafts.clear();
          return;
        }
        // Both timestamps are ISO-8601 in UTC, so their string order is their time order (and both are indexed).
        const cutoff = new Date(olderThan).toISOString();
        await db.results.where('storedAt').below(cutoff).delete();
        await db.drafts.where('updatedAt').below(cutoff).delete();
      });
    },
  };
}
