import type { Capability, DraftRecord } from '@/utils/shared/api-types';

/**
 * What the background persists between service-worker lifetimes: the last result per opportunity and capability,
 * and outreach drafts. `db.ts` implements it with Dexie; tests use `createMemoryStore`.
 */
export type CacheStore = {
  getResult(opportunityId: string, capability: Capability): Promise<unknown | null>;
  putResult(opportunityId: string, capability: Capability, value: unknown): Promise<void>;
  getDraft(opportunityId: string): Promise<DraftRecord | null>;
  putDraft(draft: DraftRecord): Promise<void>;
  deleteDraft(opportunityId: string): Promise<void>;
  /**
   * Drops cached results and drafts: everything (sign-out, a 401), or what was stored or last edited before
   * `olderThan` (epoch ms; the retention period, local-data.ts).
   */
  purge(olderThan?: number): Promise<void>;
};

export function createMemoryStore(now: () => number = Date.now): CacheStore {
  const results = new Map<string, { value: unknown; storedAt: number }>();
  const drafts = new Map<string, DraftRecord>();
  return {
    async getResult(opportunityId, capability) {
      return results.get(`${opportunityId}|${capability}`)?.value ?? null;
    },
    async putResult(opportunityId, capability, value) {
      results.set(`${opportunityId}|${capability}`, { value, storedAt: now() });
    },
    async getDraft(opportunityId) {
      return drafts.get(opportunityId) ?? null;
    },
    async putDraft(draft) {
      drafts.set(draft.opportunityId, draft);
    },
    async deleteDraft(opportunityId) {
      drafts.delete(opportunityId);
    },
    async purge(olderThan) {
      if (olderThan === undefined) {
        results.clear();
        drafts.clear();
        return;
      }
      for (const [k, r] of results) if (r.storedAt < olderThan) results.delete(k);
      for (const [k, d] of drafts) if (Date.parse(d.updatedAt) < olderThan) drafts.delete(k);
    },
  };
}
