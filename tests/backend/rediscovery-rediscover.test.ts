import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PostingInput } from '../../backend/ai/types.ts';
import { indexOpportunities } from '../../backend/rediscovery/index-store.ts';
import { RediscoveryError, rediscover } from '../../backend/rediscovery/rediscover.ts';
import { saveRefData } from '../../backend/rediscovery/ref-store.ts';
import type { Store } from '../../backend/store/db.ts';
import { DAY, NOW, pastOpportunity, posting, REASONS, STAGES, STRONG, WEAK } from './helpers/rediscovery-fixtures.ts';
import { openTempStore } from './helpers/temp-store.ts';

const opp = pastOpportunity;

let t: { store: Store; cleanup(): Promise<void> };
beforeEach(async () => {
  t = await openTempStore();
  await saveRefData(t.store.db, { stages: STAGES, archiveReasons: REASONS, postingTitles: new Map() });
});
afterEach(async () => t.cleanup());

const ids = (posting_: PostingInput, o: Parameters<typeof rediscover>[2] = {}) =>
  rediscover(t.store, posting_, { now: NOW, ...o }).results.map((r) => r.contactId);

describe('rediscover', () => {
  it('ranks a matching past applicant first and quotes their resume as evidence', () => {
    indexOpportunities(t.store.sqlite, [
      { opportunity: opp('o1', 'weak'), resumeText: WEAK },
      { opportunity: opp('o2', 'strong'), resumeText: STRONG },
    ]);
    const res = rediscover(t.store, posting, { now: NOW });
    expect(res.results[0]?.contactId).toBe('strong');
    const top = res.results[0]!;
    expect(top.matched.length).toBeGreaterThan(0);
    for (const m of top.matched) for (const e of m.evidence) expect(STRONG).toContain(e.quote);
    expect(top.components[0]?.name).toBe('match');
    expect(top.past.applications[0]?.postingTitle).toBe('Backend Engineer');
  });

  it('is one result per person, listing every application of someone who applied twice', () => {
    indexOpportunities(t.store.sqlite, [
      {
        opportunity: opp('o1', 'p', {
          createdAt: NOW.getTime() - 600 * DAY,
          bestStageIndex: 3,
          bestStageText: 'On-site interview',
        }),
        resumeText: STRONG,
      },
      { opportunity: opp('o2', 'p', { postingTitle: 'Platform Engineer' }), resumeText: STRONG },
    ]);
    const res = rediscover(t.store, posting, { now: NOW });
    expect(res.results).toHaveLength(1);
    const r = res.results[0]!;
    expect(new Set(r.opportunityIds)).toEqual(new Set(['o1', 'o2']));
    expect(r.past.bestStage).toBe('On-site interview');
    expect(r.latestOpportunityId).toBe('o2');
  });

  it('leaves out people who were hired, asked not to be contacted, lost consent, or were contacted recently', () => {
    indexOpportunities(t.store.sqlite, [
      { opportunity: opp('o1', 'ok'), resumeText: STRONG },
      {
        opportunity: opp('o2', 'hired', {
          archived: { reasonId: 'hired', reasonText: 'Hired', reasonType: 'hired', archivedAt: 1 },
        }),
        resumeText: STRONG,
      },
      { opportunity: opp('o3', 'dnc-tag', { tags: ['Do-Not-Contact'] }), resumeText: STRONG },
      { opportunity: opp('o4', 'dnc-gdpr', { contactAllowed: false }), resumeText: STRONG },
      { opportunity: opp('o5', 'expired', { storeExpiresAt: NOW.getTime() - DAY }), resumeText: STRONG },
      { opportunity: opp('o6', 'recent', { lastInteractionAt: NOW.getTime() - 10 * DAY }), resumeText: STRONG },
    ]);
    const res = rediscover(t.store, posting, { now: NOW });
    expect(res.results.map((r) => r.contactId)).toEqual(['ok']);
    expect(res.excluded).toMatchObject({ hired: 1, doNotContact: 2, consentExpired: 1, contactedRecently: 1 });
    // The recency window is the recruiter's choice.
    expect(ids(posting, { excludeContactedWithinDays: 0 }).sort()).toEqual(['ok', 'recent']);
  });

  it('boosts someone who reached an offer and left for timing over an equal resume archived as underqualified', () => {
    indexOpportunities(t.store.sqlite, [
      {
        opportunity: opp('o1', 'under', {
          archived: { reasonId: 'under', reasonText: 'Underqualified', reasonType: 'non-hired', archivedAt: 1 },
        }),
        resumeText: STRONG,
      },
      {
        opportunity: opp('o2', 'offer', {
          bestStageIndex: 4,
          bestStageText: 'Offer',
          feedback: { count: 3, average: 3.5, positive: 3, negative: 0 },
        }),
        resumeText: STRONG,
      },
    ]);
    const res = rediscover(t.store, posting, { now: NOW });
    expect(res.results.map((r) => r.contactId)).toEqual(['offer', 'under']);
    const [offer, under] = res.results;
    expect(offer!.components.map((c) => c.name)).toEqual([
      'match',
      'reached offer',
      'positive feedback',
      'archived for timing',
    ]);
    expect(under!.components.map((c) => c.name)).toContain('archived as a poor fit');
    expect(offer!.score - under!.score).toBeCloseTo(10 + 5 + 4 + 8, 5);
  });

  it('filters by location and minimum stage, and names an unknown stage', () => {
    indexOpportunities(t.store.sqlite, [
      {
        opportunity: opp('o1', 'dublin-screen', { bestStageIndex: 2, bestStageText: 'Phone screen' }),
        resumeText: STRONG,
      },
      { opportunity: opp('o2', 'dublin-new'), resumeText: STRONG },
      { opportunity: opp('o3', 'berlin-screen', { location: 'Berlin', bestStageIndex: 2 }), resumeText: STRONG },
    ]);
    expect(ids(posting, { filters: { location: 'dublin', minStage: 'Phone screen' } })).toEqual(['dublin-screen']);
    expect(ids(posting, { filters: { minStage: 2 } }).sort()).toEqual(['berlin-screen', 'dublin-screen']);
    expect(() => rediscover(t.store, posting, { now: NOW, filters: { minStage: 'Final round' } })).toThrow(
      RediscoveryError,
    );
  });

  it('finds people by a skill alias even when the keyword does not appear', () => {
    indexOpportunities(t.store.sqlite, [
      {
        opportunity: opp('o1', 'k8s'),
        resumeText: 'Site reliability engineer. Operated k8s clusters and Postgres for 6 years.',
      },
      { opportunity: opp('o2', 'chef'), resumeText: WEAK },
    ]);
    expect(ids({ ...posting, title: 'SRE', requirements: ['Kubernetes'], niceToHave: [] })[0]).toBe('k8s');
  });
});
