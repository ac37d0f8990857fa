import type { SyncedOpportunity } from '../../../backend/rediscovery/index-store.ts';

export const DAY = 86_400_000;
/** The fixed "now" of the rediscovery tests: fixtures are dated relative to it. */
export const NOW = new Date(Date.UTC(2026, 10, 1));

/** A past applicant's opportunity as the sync stores it: archived for timing 400 days ago, no feedback. */
export function pastOpportunity(id: string, contact: string, over: Partial<SyncedOpportunity> = {}): SyncedOpportunity {
  return {
    id,
    contactId: contact,
    name: `Person ${contact}`,
    headline: null,
    location: 'Dublin, Ireland',
    emails: [`${contact}@mail.example`],
    postingId: 'post-old',
    postingTitle: 'Backend Engineer',
    stageId: 'st1',
    stageText: 'New applicant',
    bestStageIndex: 1,
    bestStageText: 'New applicant',
    archived: {
      reasonId: 'timing',
      reasonText: 'Timing',
      reasonType: 'non-hired',
      archivedAt: NOW.getTime() - 400 * DAY,
    },
    tags: [],
    createdAt: NOW.getTime() - 420 * DAY,
    updatedAt: NOW.getTime() - 400 * DAY,
    lastInteractionAt: NOW.getTime() - 400 * DAY,
    contactAllowed: null,
    storeExpiresAt: null,
    confidential: false,
    feedback: null,
    notes: [],
    ...over,
  };
}
