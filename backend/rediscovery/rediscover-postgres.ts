import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { RediscoverResponse } from '../../utils/contracts/rediscovery.ts';
import type { PostingInput } from '../ai/types.ts';
import { optOutCheck } from '../compliance/opt-out.ts';
import { StageSchema } from '../lever/index.ts';
import type { Database } from '../store/schema.ts';
import { loadPeoplePostgres } from './index-store-postgres.ts';
import {
  commonCap,
  MIN_TERMS,
  type PersonFilter,
  planSearch,
  type RediscoverOptions,
  rankRetrieved,
  selectiveTerms,
} from './rediscover.ts';
import type { VectorSearch } from './vector-index.ts';

/**
 * Rediscovery on PostgreSQL: the same plan and ranking as rediscover.ts (planSearch, rankRetrieved), with the
 * retrieval done by PostgreSQL's own indexes.
 * - Keywords: rd_person.doc_tsv (to_tsvector('english', doc), GIN-indexed) @@ an OR tsquery of the posting's
 *   selective stems, ordered by ts_rank_cd with length normalisation (rank / (1 + log(length)), as bm25 damps long
 *   documents). The stems come from to_tsvector('english', words): Snowball's English stemmer, porter's successor.
 * - Selective terms: PostgreSQL has no fts5vocab, and ts_stat reads every tsvector. A term's document frequency
 *   is counted from the GIN index with a LIMIT of commonCap + 1 (a term above the cap is "common": how common
 *   does not matter unless fewer than MIN_TERMS are below it, and only then are the common ones counted in full).
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

/** The posting's stems worth searching for, fewest documents first (see the file comment). */
export async function selectiveStems(db: Db, words: string[], people: number): Promise<string[]> {
  if (words.length === 0) return [];
  const cap = Math.floor(commonCap(people));
  const count = (limit: number | null) => sql<{ term: string; n: number }>`
    SELECT s.term, (SELECT count(*) FROM (SELECT 1 FROM rd_person
      WHERE doc_tsv @@ quote_literal(s.term)::tsquery ${limit === null ? sql`` : sql`LIMIT ${limit}`}) x)::integer AS n
    FROM unnest(tsvector_to_array(to_tsvector('english', ${words.join(' ')}))) AS s(term) ORDER BY s.term`;
  let df = (await count(cap + 1).execute(db)).rows;
  if (df.filter((r) => r.n > 0 && r.n <= cap).length < MIN_TERMS && df.some((r) => r.n > cap)) {
    df = (await count(null).execute(db)).rows;
  }
  return selectiveTerms(
    df.map((r) => ({ id: r.term, n: r.n })),
    people,
  );
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

async function retrieveKeyword(db: Db, stems: string[], f: PersonFilter, limit: number): Promise<number[]> {
  if (stems.length === 0) return [];
  const query = orQuery(stems);
  const { rows } = await sql<{ rid: number }>`
    SELECT p.rid FROM rd_person p WHERE ${and([sql`p.doc_tsv @@ ${query}::tsquery`, ...whereOf(f)])}
    ORDER BY ts_rank_cd(p.doc_tsv, ${query}::tsquery, 1) DESC, p.rid LIMIT ${limit}`.execute(db);
  return rows.map((r) => r.rid);
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

async function loadStagesPostgres(db: Db): Promise<Array<{ id: string; text: string }>> {
  const { rows } = await sql<{ data: string }>`SELECT data FROM rd_ref WHERE kind = 'stage' ORDER BY id`.execute(db);
  return rows.map((r) => StageSchema.parse(JSON.parse(r.data)));
}

/** rediscover(...) on PostgreSQL: the same options and the same response. */
export async function rediscoverPostgres(
  db: Db,
  posting: PostingInput,
  opts: RediscoverOptions = {},
): Promise<RediscoverResponse> {
  const stages = await loadStagesPostgres(db);
  const plan = planSearch(posting, opts, () => stages);
  const { retrieve, semantic, recentCutoff, filter } = plan;
  const pool = await sql<{ n: number }>`SELECT count(*)::integer AS n FROM rd_person`.execute(db);
  const poolSize = pool.rows[0]?.n ?? 0;
  const [stems, skills] = await Promise.all([
    selectiveStems(db, plan.words, poolSize),
    selectiveSkills(db, plan.postingSkills, poolSize),
  ]);
  const found = await Promise.all([
    retrieveKeyword(db, stems, filter, retrieve),
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
