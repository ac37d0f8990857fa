import { create } from 'zustand';
import type { FeedbackSynthesis, InterviewQuestions, MatchResult } from '@/utils/contracts/ai.ts';
import type { AuditEntry, CandidateContext } from '@/utils/contracts/api.ts';
import { type ApiFailure, failureOf } from '@/utils/shared/messaging';
import type { CachedRead } from './prime';

/**
 * Side-panel UI state, one slice per opportunity. Every result is written into the slice of the opportunity it was
 * requested for and components read only the slice of the candidate on screen, so a late answer for a previous
 * candidate can never appear under the current one. A per-slot sequence number drops out-of-order answers too
 * (e.g. an older "re-run" landing after a newer one).
 */
export type Load<T> = {
  status: 'idle' | 'loading' | 'ready' | 'error';
  data?: T;
  error?: ApiFailure;
  /** `data` came from the local cache and a fresh answer has not arrived yet. */
  fromCache?: boolean;
  seq: number;
};

export type Slot = 'candidate' | 'match' | 'questions' | 'feedback' | 'audit';
type SlotData = {
  candidate: CandidateContext;
  match: MatchResult;
  questions: InterviewQuestions;
  feedback: FeedbackSynthesis;
  audit: AuditEntry[];
};
export type OpportunitySlice = { [K in Slot]: Load<SlotData[K]> };

export type TabId = 'offer' | 'match' | 'outreach' | 'interview' | 'feedback' | 'schedule' | 'similar' | 'history';

type PanelState = {
  byOpportunity: Record<string, OpportunitySlice>;
  tab: TabId;
  setTab(tab: TabId): void;
  /**
   * Loads one slot: shows `cached()` immediately when there is nothing yet, then replaces it with `fresh()`.
   * Answers that are no longer the latest request for that opportunity and slot are dropped.
   */
  load<K extends Slot>(
    opportunityId: string,
    slot: K,
    fresh: () => Promise<SlotData[K]>,
    cached?: () => Promise<unknown>,
  ): Promise<void>;
  /**
   * Puts a cached result into an opportunity's slot before anything asked for it (the panel reads the cache while it
   * starts up), unless the slot already has data; the next `load` of that slot keeps showing it until the fresh
   * answer replaces it.
   */
  showCached<K extends Slot>(opportunityId: string, slot: K, cached: unknown): void;
};

const idle = { status: 'idle', seq: 0 } as const;
export const emptySlice = (): OpportunitySlice => ({
  candidate: idle,
  match: idle,
  questions: idle,
  feedback: idle,
  audit: idle,
});

export const usePanelStore = create<PanelState>()((set, get) => {
  const slot = <K extends Slot>(opportunityId: string, key: K): Load<SlotData[K]> =>
    (get().byOpportunity[opportunityId] ?? emptySlice())[key];
  const patch = <K extends Slot>(opportunityId: string, key: K, value: Load<SlotData[K]>) =>
    set((state) => ({
      byOpportunity: {
        ...state.byOpportunity,
        [opportunityId]: { ...(state.byOpportunity[opportunityId] ?? emptySlice()), [key]: value },
      },
    }));

  return {
    byOpportunity: {},
    tab: 'match',
    setTab: (tab) => set({ tab }),
    async load(opportunityId, key, fresh, cached) {
      const seq = slot(opportunityId, key).seq + 1;
      patch(opportunityId, key, { ...slot(opportunityId, key), status: 'loading', error: undefined, seq });
      const current = () => slot(opportunityId, key).seq === seq;
      if (cached && slot(opportunityId, key).data === undefined) {
        const hit = await cached().catch(() => null);
        if (hit && current() && slot(opportunityId, key).status === 'loading') {
          patch(opportunityId, key, { status: 'loading', data: hit as SlotData[typeof key], fromCache: true, seq });
        }
      }
      try {
        const data = await fresh();
        if (current()) patch(opportunityId, key, { status: 'ready', data, seq });
      } catch (error) {
        if (current())
          patch(opportunityId, key, { ...slot(opportunityId, key), status: 'error', error: failureOf(error), seq });
      }
    },
    showCached(opportunityId, key, cached) {
      const current = slot(opportunityId, key);
      if (current.data !== undefined || !cached) return;
      patch(opportunityId, key, { ...current, data: cached as SlotData[typeof key], fromCache: true });
    },
  };
});

/**
 * Puts the cached results the panel read before the app loaded (panel/prime.ts) into the store, each as it lands:
 * those already read are in before React's first render (their callbacks run first), later ones show when they land.
 */
export function seedCachedReads(reads: Promise<Promise<CachedRead>[]>): void {
  void reads.then((started) => {
    for (const read of started)
      void read.then(({ opportunityId, slot, value }) =>
        usePanelStore.getState().showCached(opportunityId, slot, value),
      );
  });
}

export function useSlot<K extends Slot>(opportunityId: string, key: K): Load<SlotData[K]> {
  return usePanelStore((state) => (state.byOpportunity[opportunityId] ?? EMPTY)[key]);
}
const EMPTY = emptySlice();

/** Tests start from a clean store. */
export function resetPanelStore(): void {
  usePanelStore.setState({ byOpportunity: {}, tab: 'match' });
}
