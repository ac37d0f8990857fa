import fs from 'node:fs';
import { type Kysely, sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { postingFromText } from '../../backend/ai/posting-from-text.ts';
import type { PostingInput } from '../../backend/ai/types.ts';
import { type IndexItem, indexOpportunities, type SyncedOpportunity } from '../../backend/rediscovery/index-store.ts';
import { indexOpportunitiesPostgres } from '../../backend/rediscovery/index-store-postgres.ts';
import { type RediscoverOptions, RediscoveryError, rediscover } from '../../backend/rediscovery/rediscover.ts';
import { rediscoverPostgres } from '../../backend/rediscovery/rediscover-postgres.ts';
import { saveRefData, saveStages } from '../../backend/rediscovery/ref-store.ts';
import type { Store } from '../../backend/store/db.ts';
import { migrateToLatest } from '../../backend/store/migrations.ts';
import { openPostgresKysely } from '../../backend/store/postgres.ts';
import type { Database } from '../../backend/store/schema.ts';
import { RJDB_DEV } from '../../bench/shared-data.ts';
import {
  DAY,
  NOW,
  pastOpportunity as opp,
  posting,
  REASONS,
  STAGES,
  STRONG,
  WEAK,
} from '../backend/helpers/rediscovery-fixtures.ts';
import { openTempStore } from '../backend/helpers/temp-store.ts';
import { freshDatabase } from './db.ts';

/**
 * Rediscovery on PostgreSQL (tsvector/GIN keyword retrieval, rd_skill overlap, the shared local-engine ranking)
 * against rediscovery on SQLite (FTS5 bm25): the fixtures of tests/backend/rediscovery-rediscover.test.ts, indexed
 * into both, give the same response (results, scores, explanations, exclusion counts; only tookMs differs); then
 * the RJDB quality gate of bench/rediscovery-quality.bench.ts computed on PostgreSQL.
 */

let pgdb: Awaited<ReturnType<typeof freshDatabase>>;
let db: Kysely<Database>;
let t: { store: Store; cleanup(): Promise<void> };

beforeAll(async () => {
  pgdb = await freshDatabase();
  db = openPostgresKysely(pgdb.url);
  await migrateToLatest(db);
});
afterAll(async () => {
  await db?.destroy();
  await pgdb?.drop();
});
beforeEach(async () => {
  await sql`TRUNCATE rd_opportunity, rd_person, rd_skill, rd_ref, compliance_opt_outs RESTART IDENTITY`.execute(db);
  await saveStages(db, STAGES);
  t = await openTempStore();
  await saveRefData(t.store.db, { stages: STAGES, archiveReasons: REASONS, postingTitles: new Map() });
});
afterEach(async () => t.cleanup());

async function indexBoth(items: IndexItem[]) {
  indexOpportunities(t.store.sqlite, items);
  await indexOpportunitiesPostgres(db, items);
}

/** Both dialects' answers to one search, tookMs left out. */
async function searchBoth(p: PostingInput, o: RediscoverOptions = {}) {
  const { tookMs: _l, ...lite } = rediscover(t.store, p, { now: NOW, ...o });
  const { tookMs: _p, ...pg } = await rediscoverPostgres(db, p, { now: NOW, ...o });
  return { lite, pg };
}

describe('rediscovery on PostgreSQL gives the answers SQLite gives', () => {
  it('ranks a matching past applicant first and quotes their resume as evidence', async () => {
    await indexBoth([
      { opportunity: opp('o1', 'weak'), resumeText: WEAK },
      { opportunity: opp('o2', 'strong'), resumeText: STRONG },
    ]);
    const { lite, pg } = await searchBoth(posting);
    expect(pg).toEqual(lite);
    const top = pg.results[0]!;
    expect(top.contactId).toBe('strong');
    expect(top.matched.length).toBeGreaterThan(0);
    for (const m of top.matched) for (const e of m.evidence) expect(STRONG).toContain(e.quote);
    expect(top.components[0]?.name).toBe('match');
  });

  it('is one result per person, and the same person row after a re-index (upsert)', async () => {
    const first: IndexItem = {
      opportunity: opp('o1', 'p', {
        createdAt: NOW.getTime() - 600 * DAY,
        bestStageIndex: 3,
        bestStageText: 'On-site interview',
      }),
      resumeText: STRONG,
    };
    await indexBoth([first]);
    await indexBoth([{ opportunity: opp('o2', 'p', { postingTitle: 'Platform Engineer' }), resumeText: STRONG }]);
    await indexOpportunitiesPostgres(db, [first]);
    const { lite, pg } = await searchBoth(posting);
    expect(pg).toEqual(lite);
    expect(pg.results).toHaveLength(1);
    expect(new Set(pg.results[0]!.opportunityIds)).toEqual(new Set(['o1', 'o2']));
    expect(pg.results[0]!.past.bestStage).toBe('On-site interview');
    const people = await sql<{ n: number }>`SELECT count(*)::integer AS n FROM rd_person`.execute(db);
    expect(people.rows[0]?.n).toBe(1);
  });

  it('moves an opportunity merged into another contact, deleting the person left with none', async () => {
    await indexBoth([{ opportunity: opp('o1', 'old'), resumeText: STRONG }]);
    await indexBoth([{ opportunity: opp('o1', 'new'), resumeText: STRONG }]);
    const { lite, pg } = await searchBoth(posting);
    expect(pg).toEqual(lite);
    expect(pg.results.map((r) => r.contactId)).toEqual(['new']);
    const rows = await sql<{ contact_id: string }>`SELECT contact_id FROM rd_person`.execute(db);
    expect(rows.rows.map((r) => r.contact_id)).toEqual(['new']);
  });

  it('leaves out the hired, do-not-contact, lapsed consent, opted out and recently contacted', async () => {
    await indexBoth([
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
      { opportunity: opp('o7', 'tagged', { tags: ['Fulcrum:No-Automated-Assessment'] }), resumeText: STRONG },
      { opportunity: opp('o8', 'local'), resumeText: STRONG },
    ]);
    const optOut = {
      opportunity_id: 'o8',
      contact_id: 'local',
      source: 'cli' as const,
      reason: null,
      created_at: 1,
      created_by: 't',
    };
    t.store.sqlite
      .prepare(
        `INSERT INTO compliance_opt_outs (opportunity_id, contact_id, source, reason, created_at, created_by)
         VALUES (@opportunity_id, @contact_id, @source, @reason, @created_at, @created_by)`,
      )
      .run(optOut);
    await db.insertInto('compliance_opt_outs').values(optOut).execute();
    const { lite, pg } = await searchBoth(posting);
    expect(pg).toEqual(lite);
    expect(pg.results.map((r) => r.contactId)).toEqual(['ok']);
    expect(pg.excluded).toEqual({ contactedRecently: 1, hired: 1, doNotContact: 2, consentExpired: 1, optedOut: 2 });
    const off = await searchBoth(posting, { excludeContactedWithinDays: 0 });
    expect(off.pg).toEqual(off.lite);
    expect(off.pg.results.map((r) => r.contactId).sort()).toEqual(['ok', 'recent']);
  });

  it('boosts an offer left for timing over an equal resume archived as underqualified, with the reasons', async () => {
    await indexBoth([
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
    const { lite, pg } = await searchBoth(posting);
    expect(pg).toEqual(lite);
    expect(pg.results.map((r) => r.contactId)).toEqual(['offer', 'under']);
    expect(pg.results[0]!.components.map((c) => c.name)).toEqual([
      'match',
      'reached offer',
      'positive feedback',
      'archived for timing',
    ]);
  });

  it('filters by location (case-insensitively, % and _ taken literally) and minimum stage; names an unknown stage', async () => {
    await indexBoth([
      {
        opportunity: opp('o1', 'dublin-screen', { bestStageIndex: 2, bestStageText: 'Phone screen' }),
        resumeText: STRONG,
      },
      { opportunity: opp('o2', 'dublin-new'), resumeText: STRONG },
      { opportunity: opp('o3', 'berlin-screen', { location: 'Berlin', bestStageIndex: 2 }), resumeText: STRONG },
      { opportunity: opp('o4', 'percent', { location: '100% remote', bestStageIndex: 2 }), resumeText: STRONG },
    ]);
    const cases: RediscoverOptions[] = [
      { filters: { location: 'dublin', minStage: 'Phone screen' } },
      { filters: { minStage: 2 } },
      { filters: { location: '0% r' } },
      { filters: { location: '_' } },
      { filters: { lastContactBefore: NOW.getTime() - 500 * DAY } },
    ];
    const got: string[][] = [];
    for (const o of cases) {
      const { lite, pg } = await searchBoth(posting, o);
      expect(pg).toEqual(lite);
      got.push(pg.results.map((r) => r.contactId).sort());
    }
    expect(got).toEqual([['dublin-screen'], ['berlin-screen', 'dublin-screen', 'percent'], ['percent'], [], []]);
    await expect(rediscoverPostgres(db, posting, { now: NOW, filters: { minStage: 'Final round' } })).rejects.toThrow(
      RediscoveryError,
    );
  });

  it('finds people by a skill alias even when the keyword does not appear', async () => {
    await indexBoth([
      {
        opportunity: opp('o1', 'k8s'),
        resumeText: 'Site reliability engineer. Operated k8s clusters and Postgres for 6 years.',
      },
      { opportunity: opp('o2', 'chef'), resumeText: WEAK },
    ]);
    const { lite, pg } = await searchBoth({ ...posting, title: 'SRE', requirements: ['Kubernetes'], niceToHave: [] });
    expect(pg).toEqual(lite);
    expect(pg.results[0]?.contactId).toBe('k8s');
  });
});

/** The RJDB dev split: the shared data folder beside the repository, or RJDB_FILE (a worktree elsewhere). */
const RJDB = process.env.RJDB_FILE ?? RJDB_DEV;

type Row = { 'Job-Description': string; 'Resume-matched': string; 'Resume-unmatched': string };

/** An RJDB resume as a talent-pool person (no past signals), as bench/rediscovery-quality.bench.ts builds it. */
function rjdbPerson(id: string): SyncedOpportunity {
  return {
    ...opp(id, id, { name: '', location: null, emails: [], postingId: null, postingTitle: null }),
    stageId: null,
    stageText: null,
    bestStageIndex: -1,
    bestStageText: null,
    archived: null,
    createdAt: 0,
    updatedAt: 0,
    lastInteractionAt: 0,
  };
}

describe('rediscovery quality on PostgreSQL (RJDB dev)', () => {
  it.runIf(fs.existsSync(RJDB))(
    "puts the row's matched resume in the top 10 for at least 97% of the jobs",
    async () => {
      const rows = fs
        .readFileSync(RJDB, 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as Row);
      await indexOpportunitiesPostgres(
        db,
        rows.flatMap((r, i) => [
          { opportunity: rjdbPerson(`m${i}`), resumeText: r['Resume-matched'] },
          { opportunity: rjdbPerson(`u${i}`), resumeText: r['Resume-unmatched'] },
        ]),
      );
      let top10 = 0;
      for (const [i, r] of rows.entries()) {
        const res = await rediscoverPostgres(db, postingFromText(`job${i}`, r['Job-Description']), {
          limit: 10,
          excludeContactedWithinDays: 0,
        });
        if (res.results.some((x) => x.contactId === `m${i}`)) top10++;
      }
      const share = top10 / rows.length;
      console.log(
        `RJDB on PostgreSQL: matched resume in top 10 for ${top10}/${rows.length} = ${(100 * share).toFixed(1)}%`,
      );
      expect(share).toBeGreaterThanOrEqual(0.97);
    },
    120_000,
  );
});
