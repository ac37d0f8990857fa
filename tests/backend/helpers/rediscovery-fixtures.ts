import type { PostingInput } from '../../../backend/ai/types.ts';
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

/** The pipeline of the rediscovery tests, in order. */
export const STAGES = ['New lead', 'New applicant', 'Phone screen', 'On-site interview', 'Offer'].map((text, i) => ({
  id: `st${i}`,
  text,
}));
export const REASONS = [
  { id: 'hired', text: 'Hired', type: 'hired' },
  { id: 'under', text: 'Underqualified', type: 'non-hired' },
  { id: 'timing', text: 'Timing', type: 'non-hired' },
];

/** The new posting the rediscovery tests search for. */
export const posting: PostingInput = {
  id: 'post-new',
  title: 'Senior Backend Engineer',
  team: 'Platform',
  location: 'Dublin',
  text: 'We build payment APIs.',
  requirements: [
    '5+ years of experience with Go or Rust',
    'Hands-on experience with PostgreSQL',
    'Experience with Kubernetes',
  ],
  niceToHave: ['Exposure to Kafka'],
};

/** A resume that matches `posting` well. */
export const STRONG =
  'Backend engineer with 8 years of experience building payment services in Go and Rust.\n' +
  'Ran PostgreSQL clusters and deployed everything on Kubernetes; streamed events with Kafka.\n' +
  'Senior Backend Engineer, Paystream (2018 – present).';
/** A resume that does not. */
export const WEAK =
  'Pastry chef with 6 years in busy restaurant kitchens. Baking, plating, menu design and food safety.';
