import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { RediscoverResponse } from '../../utils/contracts/rediscovery.ts';
import type { PostingInput } from '../ai/types.ts';
import { optOutCheck } from '../compliance/opt-out.ts';
import type { Database } from '../store/schema.ts';
import { loadPeoplePostgres } from './index-store-postgres.ts';
import { type PersonFilter, planSearch, type RediscoverOptions, rankRetrieved, selectiveTerms } from './rediscover.ts';
import { loadStages } from './ref-store.ts';
import type { VectorSearch } from './vector-index.ts';

/**
 * Rediscovery on PostgreSQL: the same plan and ranking as rediscover.ts (planSearch, rankRetrieved), with the
 * retrieval done by PostgreSQL's own indexes.
 * - Keywords: rd_person.doc_tsv (to_tsvector('english', doc), GIN-indexed) @@ an OR tsquery of the posting's
 *   selective stems, ordered by ts_rank_cd with length normalisation (rank / (1 + log(length)), as bm25 damps long
 *   documents). The stems come from to_tsvector('english', words): Snowball's English stemmer, porter's successor.
 * - Selective terms: a stem's document frequency comes from rd_stem_df (migration 0012: the counterpart of
 *   fts5vocab, kept exact by statement triggers), one index probe per stem; counting from the GIN index visited
 *   every matching row.
 * - Skills: overlap count on rd_skill's (skill_id, rid) primary key, person filters applied to the winners.
 * - Vectors (hybrid ranking): the in-process exact search, as on SQLite (pgvector is not used).
 */

type Db = Kysely<Database>;

/** The person filters as SQL over `p` (rd_person). ILIKE: SQLite's LIKE is case-insensitive, PostgreSQL's is not. */
function whereOf(f: PersonFilter): RawBuilder<unknown>[] {
  const where: RawBuilder<unknown>[] = [];
  if (f.locationLike !== undefined) where.push(sql`p.location ILIKE ${f.locationLike} ESCAPE '\\'`);
  if (f.minStage !== undefined) where.push(sql`p.best_stage_index >= ${f.minStage}`);
  if (f.lastContactBefore !== undefined) {
    where.push(sql`(p.last_contact_at IS NULL OR p.last_contact_at < ${f.lastContactBefore})`);
  }
  if (f.contactedBefore !== undefined) {
    where.push(sql`(p.last_contact_at IS NULL OR p.last_contact_at < ${f.contactedBefore})`);
  }
  return where;
}

const and = (conds: RawBuilder<unknown>[]) => sql.join(conds, sql` AND `);

/** A tsquery literal matching any of these lexemes as they are (no second stemming). */
export function orQuery(lexemes: string[]): string {
  return lexemes.map((t) => `'${t.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`).join(' | ');
}

type Stem = { term: string; n: number };

/** The posting's stems worth searching for, fewest documents first, with their document frequencies. */
export async function selectiveStems(db: Db, words: string[], people: number): Promise<Stem[]> {
  if (words.length === 0) return [];
  const { rows } = await sql<Stem>`
    SELECT s.term, coalesce(d.n, 0)::integer AS n
    FROM unnest(tsvector_to_array(to_tsvector('english', ${words.join(' ')}))) AS s(term)
    LEFT JOIN rd_stem_df d ON d.term = s.term ORDER BY s.term`.execute(db);
  const n = new Map(rows.map((r) => [r.term, r.n]));
  return selectiveTerms(
    rows.map((r) => ({ id: r.term, n: r.n })),
    people,
  ).map((term) => ({ term, n: n.get(term) ?? 0 }));
}

async function selectiveSkills(db: Db, skills: string[], people: number): Promise<string[]> {
  if (skills.length === 0) return [];
  const { rows } = await sql<{ skill_id: string; n: number }>`
    SELECT skill_id, count(*)::integer AS n FROM rd_skill WHERE skill_id = ANY(${skills}::text[]) GROUP BY skill_id`.execute(
    db,
  );
  const n = new Map(rows.map((r) => [r.skill_id, r.n]));
  return selectiveTerms(
    skills.map((id) => ({ id, n: n.get(id) ?? 0 })),
    people,
  );
}

/** How many people the cheap first pass of keyword retrieval hands to ts_rank_cd, per person retrieved. */
const PRE_RANK_FACTOR = 5;

/**
 * The `limit` people best matching the stems, in two passes. ts_rank_cd reads each row's tsvector and costs ~30 µs a
 * row, and a posting's selective stems can match 10,000+ of 100,000 people; so first every stem's matches come from
 * the GIN index alone (no tsvector read), summed by the stem's idf, and only the best limit × PRE_RANK_FACTOR of
 * those are ranked by ts_rank_cd. The GIN index is forced (enable_seqscan off for this transaction): at ~12%
 * selectivity the planner picks a sequential scan that reads every tsvector, 2-3× slower than the index.
 */
async function retrieveKeyword(
  db: Db,
  stems: Stem[],
  people: number,
  f: PersonFilter,
  limit: number,
): Promise<number[]> {
  if (stems.length === 0) return [];
  const query = orQuery(stems.map((s) => s.term));
  const where = whereOf(f);
  const perStem = stems.map(
    (s) =>
      sql`SELECT p.rid, ${Math.log((people + 1) / (s.n + 0.5))}::float8 AS w FROM rd_person p
        WHERE ${and([sql`p.doc_tsv @@ ${orQuery([s.term])}::tsquery`, ...where])}`,
  );
  const run = async (trx: Db) => {
    if (trx.isTransaction && !db.isTransaction) await sql`SET LOCAL enable_seqscan = off`.execute(trx);
    const { rows } = await sql<{ rid: number }>`
      SELECT p.rid FROM rd_person p WHERE p.rid = ANY(ARRAY(
        SELECT rid FROM (${sql.join(perStem, sql` UNION ALL `)}) m
        GROUP BY rid ORDER BY sum(w) DESC, rid LIMIT ${limit * PRE_RANK_FACTOR}))
      ORDER BY ts_rank_cd(p.doc_tsv, ${query}::tsquery, 1) DESC, p.rid LIMIT ${limit}`.execute(trx);
    return rows.map((r) => r.rid);
  };
  return db.isTransaction ? run(db) : db.transaction().execute(run);
}

async function retrieveSkills(db: Db, skills: string[], f: PersonFilter, limit: number): Promise<number[]> {
  if (skills.length === 0) return [];
  const { rows } = await sql<{ rid: number }>`
    SELECT rid FROM rd_skill WHERE skill_id = ANY(${skills}::text[])
    GROUP BY rid ORDER BY count(*) DESC, rid LIMIT ${limit * 3}`.execute(db);
  return filtered(
    db,
    rows.map((r) => r.rid),
    f,
    limit,
  );
}

/** The first `limit` of `ranked` (best first) that pass the person filters. */
async function filtered(db: Db, ranked: number[], f: PersonFilter, limit: number): Promise<number[]> {
  const where = whereOf(f);
  if (where.length === 0 || ranked.length === 0) return ranked.slice(0, limit);
  const { rows } = await sql<{ rid: number }>`
    SELECT p.rid FROM rd_person p WHERE ${and([sql`p.rid = ANY(${ranked}::bigint[])`, ...where])}`.execute(db);
  const allowed = new Set(rows.map((r) => r.rid));
  return ranked.filter((rid) => allowed.has(rid)).slice(0, limit);
}

/** The people most similar by embedding (the in-process index), filtered as for skills. */
async function retrieveVector(db: Db, search: VectorSearch, f: PersonFilter, limit: number): Promise<number[]> {
  const ranked = search.top(whereOf(f).length ? limit * 3 : limit).map((x) => x.rid);
  return filtered(db, ranked, f, limit);
}

/** rediscover(...) on PostgreSQL: the same options and the same response. */
export async function rediscoverPostgres(
  db: Db,
  posting: PostingInput,
  opts: RediscoverOptions = {},
): Promise<RediscoverResponse> {
  const stages = await loadStages(db);
  const plan = planSearch(posting, opts, () => stages);
  const { retrieve, semantic, recentCutoff, filter } = plan;
  const pool = await sql<{ n: number }>`SELECT count(*)::integer AS n FROM rd_person`.execute(db);
  const poolSize = pool.rows[0]?.n ?? 0;
  const [stems, skills] = await Promise.all([
    selectiveStems(db, plan.words, poolSize),
    selectiveSkills(db, plan.postingSkills, poolSize),
  ]);
  const found = await Promise.all([
    retrieveKeyword(db, stems, poolSize, filter, retrieve),
    retrieveSkills(db, skills, filter, retrieve),
    semantic ? retrieveVector(db, semantic.search, filter, Math.ceil(retrieve / 2)) : [],
  ]);
  const rids = new Set(found.flat());
  const people = await loadPeoplePostgres(db, [...rids]);
  const recent =
    recentCutoff === null
      ? null
      : ((
          await sql<{
            n: number;
          }>`SELECT count(*)::integer AS n FROM rd_person WHERE last_contact_at >= ${recentCutoff}`.execute(db)
        ).rows[0]?.n ?? 0);
  return rankRetrieved(plan, {
    poolSize,
    candidates: rids.size,
    people,
    contactedRecently: recent,
    optedOut: await optOutCheck(
      db,
      people.map((p) => p.summary),
    ),
    stages,
  });
}
