import type { Capability, DraftRecord } from './messaging';

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
};

export function createMemoryStore(): CacheStore {
  const results = new Map<string, unknown>();
  const drafts = new Map<string, DraftRecord>();
  return {
    async getResult(opportunityId, capability) {
      return results.get(`${opportunityId}|${capability}`) ?? null;
    },
    async putResult(opportunityId, capability, value) {
      results.set(`${opportunityId}|${capability}`, value);
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
  };
}
