import type BetterSqlite3 from 'better-sqlite3';
import type { MatchResult } from '../../utils/contracts/ai.ts';
import type {
  RankingInfo,
  RediscoverResponse,
  RediscoveryFilters,
  RediscoveryResult,
} from '../../utils/contracts/rediscovery.ts';
import { STOPWORDS, tokenize } from '../ai/local/text.ts';
import { createRanker } from '../ai/rank-candidates.ts';
import { scoreCompiled } from '../ai/score-candidate.ts';
import type { CandidateInput, PostingInput } from '../ai/types.ts';
import { hasOptOutTag } from '../compliance/opt-out.ts';
import { COMPLIANCE_KEY, complianceSettingsOf } from '../compliance/settings.ts';
import { type IndexedPerson, loadPeople, type PersonSummary } from './index-store.ts';
import { loadStagesSqlite } from './ref-store.ts';
import type { VectorSearch } from './vector-index.ts';

/**
 * Rediscovery for one posting: people from the talent pool whose resumes match it, best first, each with the
 * reasons it ranks where it does. Retrieval takes the top few hundred by FTS5 bm25 OR by skill overlap; the local
 * engine's ranker orders them (fast pass for all, full match score with evidence for a window); past signals from
 * Lever (stage reached, interview ratings, why they were archived) add or remove a few points, each reported.
 *
 * Hybrid ranking (when `semantic` is given, see rediscover-hybrid.ts): the vector index is a third retriever (the
 * people nearest the posting's embedding), and every person gets up to `weight` points for semantic similarity,
 * reported as its own component. The points are a normalised weighted sum rather than reciprocal rank fusion:
 *   points = weight × clamp((cos − median) / (best − median), 0, 1)
 * where median is the pool's median similarity to this posting (what an unrelated profile scores) and best the
 * highest similarity among the people considered. A convex combination of normalised scores keeps how much more
 * similar one person is than another, which RRF throws away, and it needs one parameter whose effect a recruiter
 * can read in points (Bruch, Gai & Ingber 2023, "An Analysis of Fusion Functions for Hybrid Retrieval", found it
 * better than RRF in and out of domain, and its one parameter cheap to tune; bench/rediscovery-quality prints the
 * effect of the weight). The median floor, not the minimum, keeps one odd profile from
 * compressing everyone else's points; the local ranker's scores are on the same 0–100 scale, so the sum is fair.
 */

export type RediscoverOptions = {
  limit?: number;
  filters?: RediscoveryFilters;
  /** People with a Lever interaction in the last N days are left alone. Default 90; 0 disables. */
  excludeContactedWithinDays?: number;
  now?: Date;
  /** People retrieved per index (keyword, skills, vectors) before ranking. */
  retrieve?: number;
  /** Hybrid ranking: similarity of the pool to the posting's embedding, and the most points it may add. */
  semantic?: { search: VectorSearch; model: string; weight: number };
};

export class RediscoveryError extends Error {
  override readonly name = 'RediscoveryError';
  constructor(
    readonly code: 'unknown_stage' | 'posting_not_found' | 'empty_posting',
    message: string,
  ) {
    super(message);
  }
}

const DAY = 86_400_000;
export const DEFAULT_RETRIEVE = 100;
/** Tags (case-insensitive) that mean "do not contact this person". */
const DO_NOT_CONTACT = /\b(do[\s_-]*not[\s_-]*contact|dnc|no[\s_-]*contact)\b/i;
/** Archive reasons that say nothing against the person's fit. */
const NEUTRAL_REASON = /\b(timing|position filled|filled|headcount|budget|on hold|withdrew|relocat)/i;
const NEGATIVE_REASON = /\b(underqualified|not qualified|skills?|culture|performance|failed)/i;

export const BOOSTS = {
  offer: 10,
  onsite: 6,
  positiveFeedback: 5,
  negativeFeedback: -5,
  neutralArchive: 4,
  negativeArchive: -8,
} as const;

type Store = { sqlite: BetterSqlite3.Database };

/** The words of a posting worth searching for, most stressed first: title, then requirements, then extras. */
export function postingWords(posting: PostingInput, maxTerms = 24): string[] {
  const weights = new Map<string, number>();
  const add = (text: string, w: number) => {
    for (const t of tokenize(text)) {
      const word = t.norm;
      if (word.length < 2 || STOPWORDS.has(word) || /^\d+$/.test(word) || !/^[\p{L}\p{N}]+$/u.test(word)) continue;
      weights.set(word, (weights.get(word) ?? 0) + w);
    }
  };
  add(posting.title, 3);
  for (const r of posting.requirements) add(r, 2);
  for (const r of posting.niceToHave) add(r, 1);
  if (weights.size < 5) add(posting.text, 1);
  return [...weights.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, maxTerms)
    .map(([w]) => w);
}

/** Terms in more than this share of people do not discriminate, yet dominate the cost of a bm25 OR query. */
export const COMMON_SHARE = 0.1;
export const MIN_TERMS = 3;
/** bm25 is computed for every document any OR term matches: a few selective terms keep that set small. */
const MAX_TERMS = 4;

/**
 * The FTS5 query for a posting: its words stemmed by the index's own tokenizer (a TEMP fts5 table, so nothing is
 * written to the database file), minus terms too common to help; the rarest few are kept whatever their share.
 */
export function keywordQuery(sqlite: BetterSqlite3.Database, words: string[], people: number): string | null {
  if (words.length === 0) return null;
  sqlite.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS temp.rd_stem USING fts5(t, tokenize='porter unicode61');
    CREATE VIRTUAL TABLE IF NOT EXISTS temp.rd_stem_v USING fts5vocab(temp, rd_stem, 'row');
    CREATE VIRTUAL TABLE IF NOT EXISTS temp.rd_fts_v USING fts5vocab(main, rd_fts, 'row');`);
  sqlite.prepare('DELETE FROM temp.rd_stem').run();
  sqlite.prepare('INSERT INTO temp.rd_stem (t) VALUES (?)').run(words.join(' '));
  const stems = (sqlite.prepare('SELECT term FROM temp.rd_stem_v').all() as Array<{ term: string }>).map((r) => r.term);
  const df = new Map(
    (
      sqlite
        .prepare('SELECT term, doc FROM temp.rd_fts_v WHERE term IN (SELECT value FROM json_each(?))')
        .all(JSON.stringify(stems)) as Array<{
        term: string;
        doc: number;
      }>
    ).map((r) => [r.term, r.doc]),
  );
  const chosen = selectiveTerms(
    stems.map((t) => ({ id: t, n: df.get(t) ?? 0 })),
    people,
  );
  if (chosen.length === 0) return null;
  // Stems are matched as whole index terms; quoting keeps FTS5 syntax characters out of the query.
  return chosen.map((t) => `"${t.replace(/"/g, '""')}"`).join(' OR ');
}

/** Skills too common in the pool are dropped for the same reason as common words (the rarest few stay). */
function discriminatingSkills(sqlite: BetterSqlite3.Database, skills: string[], people: number): string[] {
  const count = sqlite.prepare('SELECT count(*) AS n FROM rd_skill WHERE skill_id = ?');
  return selectiveTerms(
    skills.map((id) => ({ id, n: (count.get(id) as { n: number }).n })),
    people,
  );
}

/** Highest document frequency a term may have and still be chosen after the rarest MIN_TERMS. */
export const commonCap = (people: number) => Math.max(1, people * COMMON_SHARE);

/**
 * The search terms (or skills) worth querying given their document frequencies `n`: present ones, rarest first
 * (ties keep the given order), the rarest MIN_TERMS whatever their share, then those at most `commonCap`.
 */
export function selectiveTerms(terms: Array<{ id: string; n: number }>, people: number): string[] {
  const cap = commonCap(people);
  return terms
    .filter((x) => x.n > 0)
    .sort((a, b) => a.n - b.n)
    .filter((x, i) => i < MIN_TERMS || x.n <= cap)
    .slice(0, MAX_TERMS)
    .map((x) => x.id);
}

/** A search's person filters, whatever the dialect: each index renders them as its own SQL. */
export type PersonFilter = {
  /** LIKE pattern (backslash escapes) the location must match, case-insensitively. */
  locationLike?: string;
  minStage?: number;
  lastContactBefore?: number;
  /** Leave out people contacted at or after this time (the exclude-contacted window). */
  contactedBefore?: number;
};

export function personFilter(
  f: RediscoveryFilters,
  recentCutoff: number | null,
  stages: () => Array<{ text: string }>,
): PersonFilter {
  const out: PersonFilter = {};
  if (f.location) out.locationLike = `%${f.location.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  if (f.minStage !== undefined) {
    out.minStage = typeof f.minStage === 'number' ? f.minStage : stageIndexByName(stages(), f.minStage);
  }
  if (f.lastContactBefore !== undefined) out.lastContactBefore = f.lastContactBefore;
  if (recentCutoff !== null) out.contactedBefore = recentCutoff;
  return out;
}

type SqlFilter = { where: string[]; params: Record<string, unknown> };

/** SQLite's LIKE is case-insensitive for ASCII already. */
function sqlFilters(f: PersonFilter): SqlFilter {
  const where: string[] = [];
  const params: Record<string, unknown> = {};
  if (f.locationLike !== undefined) {
    where.push(`p.location LIKE @location ESCAPE '\\'`);
    params.location = f.locationLike;
  }
  if (f.minStage !== undefined) {
    where.push('p.best_stage_index >= @minStage');
    params.minStage = f.minStage;
  }
  if (f.lastContactBefore !== undefined) {
    where.push('(p.last_contact_at IS NULL OR p.last_contact_at < @lastBefore)');
    params.lastBefore = f.lastContactBefore;
  }
  if (f.contactedBefore !== undefined) {
    where.push('(p.last_contact_at IS NULL OR p.last_contact_at < @recent)');
    params.recent = f.contactedBefore;
  }
  return { where, params };
}

function stageIndexByName(stages: Array<{ text: string }>, name: string): number {
  const i = stages.findIndex((s) => s.text.toLowerCase() === name.trim().toLowerCase());
  if (i < 0) {
    const known = stages.map((s) => s.text).join(', ') || 'none synced yet';
    throw new RediscoveryError('unknown_stage', `No pipeline stage is called "${name}". Known stages: ${known}.`);
  }
  return i;
}

function retrieveKeyword(sqlite: BetterSqlite3.Database, match: string, f: SqlFilter, limit: number): number[] {
  const where = ['rd_fts MATCH @match', ...f.where].join(' AND ');
  const rows = sqlite
    .prepare(
      `SELECT p.rid AS rid FROM rd_fts JOIN rd_person p ON p.rid = rd_fts.rowid WHERE ${where} ORDER BY bm25(rd_fts) LIMIT ${limit}`,
    )
    .all({ ...f.params, match }) as Array<{ rid: number }>;
  return rows.map((r) => r.rid);
}

/**
 * People sharing the most (discriminating) skills with the posting. The overlap count runs on rd_skill's covering
 * index alone; the person filters are applied afterwards to the few hundred winners, because joining every
 * matching row to rd_person cost ~0.3 s at 100,000 people.
 */
function retrieveSkills(sqlite: BetterSqlite3.Database, skills: string[], f: SqlFilter, limit: number): number[] {
  if (skills.length === 0) return [];
  const ranked = (
    sqlite
      .prepare(
        `SELECT rid, count(*) AS n FROM rd_skill WHERE skill_id IN (SELECT value FROM json_each(@skills))
         GROUP BY rid ORDER BY n DESC, rid LIMIT ${limit * 3}`,
      )
      .all({ skills: JSON.stringify(skills) }) as Array<{ rid: number }>
  ).map((r) => r.rid);
  return filtered(sqlite, ranked, f, limit);
}

/** The first `limit` of `ranked` (best first) that pass the person filters. */
function filtered(sqlite: BetterSqlite3.Database, ranked: number[], f: SqlFilter, limit: number): number[] {
  if (f.where.length === 0 || ranked.length === 0) return ranked.slice(0, limit);
  const allowed = new Set(
    (
      sqlite
        .prepare(
          `SELECT p.rid AS rid FROM rd_person p WHERE p.rid IN (SELECT value FROM json_each(@rids)) AND ${f.where.join(' AND ')}`,
        )
        .all({ ...f.params, rids: JSON.stringify(ranked) }) as Array<{ rid: number }>
    ).map((r) => r.rid),
  );
  return ranked.filter((rid) => allowed.has(rid)).slice(0, limit);
}

/** The people most similar to the posting by embedding, with the person filters applied as for skills. */
function retrieveVector(sqlite: BetterSqlite3.Database, search: VectorSearch, f: SqlFilter, limit: number): number[] {
  const ranked = search.top(f.where.length ? limit * 3 : limit).map((x) => x.rid);
  return filtered(sqlite, ranked, f, limit);
}

/** Semantic-similarity points per person (see the file comment), each with the reason a recruiter reads. */
function semanticComponents(
  people: IndexedPerson[],
  semantic: NonNullable<RediscoverOptions['semantic']>,
): Map<number, Component> {
  const { search, weight, model } = semantic;
  let best = Number.NEGATIVE_INFINITY;
  for (const p of people) best = Math.max(best, search.similarity(p.rid) ?? Number.NEGATIVE_INFINITY);
  const floor = search.median;
  const span = best - floor;
  const out = new Map<number, Component>();
  const f2 = (n: number) => n.toFixed(2);
  for (const p of people) {
    const cos = search.similarity(p.rid);
    if (cos === null) {
      out.set(p.rid, {
        name: 'semantic similarity',
        points: 0,
        reason: 'Not embedded yet (the embedding job has not reached this person), so no semantic points.',
      });
      continue;
    }
    const share = span > 0 ? Math.min(1, Math.max(0, (cos - floor) / span)) : 0;
    out.set(p.rid, {
      name: 'semantic similarity',
      points: Math.round(weight * share * 10) / 10,
      reason:
        `Similar in meaning to the posting: cosine ${f2(cos)} (best in this search ${f2(best)}, typical profile ` +
        `${f2(floor)}), by ${model}; worth up to ${weight} points.`,
    });
  }
  return out;
}

type Exclusion = 'hired' | 'doNotContact' | 'consentExpired' | 'inThisPipeline';

/** Why this person must not be proposed, or null. */
export function exclusionOf(p: PersonSummary, postingId: string, now: number): Exclusion | null {
  if (p.hired) return 'hired';
  if (p.contactAllowed === false || p.tags.some((t) => DO_NOT_CONTACT.test(t))) return 'doNotContact';
  if (p.storeExpiresAt !== null && p.storeExpiresAt < now) return 'consentExpired';
  if (p.opportunities.some((o) => o.active && o.postingId === postingId)) return 'inThisPipeline';
  return null;
}

type Component = { name: string; points: number; reason: string };

/** Past-signal boosts and penalties, each with the reason a recruiter reads. */
export function pastSignals(p: PersonSummary, stages: Array<{ text: string }>): Component[] {
  const out: Component[] = [];
  const indexOf = (re: RegExp) => stages.findIndex((s) => re.test(s.text));
  const offerAt = indexOf(/offer/i);
  const onsiteAt = indexOf(/on-?site|final|panel/i);
  const best = p.bestStageText ? ` (${p.bestStageText})` : '';
  if (offerAt >= 0 && p.bestStageIndex >= offerAt) {
    out.push({ name: 'reached offer', points: BOOSTS.offer, reason: `Reached the offer stage before${best}.` });
  } else if (onsiteAt >= 0 && p.bestStageIndex >= onsiteAt) {
    out.push({
      name: 'reached on-site',
      points: BOOSTS.onsite,
      reason: `Reached the on-site interviews before${best}.`,
    });
  }
  const fb = p.feedback;
  if (fb.count > 0 && fb.average !== null) {
    if (fb.average >= 3) {
      out.push({
        name: 'positive feedback',
        points: BOOSTS.positiveFeedback,
        reason: `Interviewers rated them ${fb.average} of 4 on average (${fb.positive} positive of ${fb.count}).`,
      });
    } else if (fb.average <= 2) {
      out.push({
        name: 'negative feedback',
        points: BOOSTS.negativeFeedback,
        reason: `Interviewers rated them ${fb.average} of 4 on average (${fb.negative} negative of ${fb.count}).`,
      });
    }
  }
  const lastArchived = p.opportunities.find((o) => !o.active && o.archiveReason);
  if (lastArchived?.archiveReason) {
    const r = lastArchived.archiveReason;
    if (NEUTRAL_REASON.test(r)) {
      out.push({
        name: 'archived for timing',
        points: BOOSTS.neutralArchive,
        reason: `Last archived as "${r}": not a judgement on fit.`,
      });
    } else if (NEGATIVE_REASON.test(r)) {
      out.push({ name: 'archived as a poor fit', points: BOOSTS.negativeArchive, reason: `Last archived as "${r}".` });
    }
  }
  return out;
}

export function candidateOf(p: IndexedPerson): CandidateInput {
  return {
    opportunityId: p.summary.latestOpportunityId,
    name: p.summary.name,
    emails: p.summary.emails,
    phones: p.summary.phones ?? [],
    links: p.summary.links ?? [],
    location: p.summary.location,
    headline: p.summary.headline,
    resumeText: p.doc,
  };
}

function explain(
  p: IndexedPerson,
  match: MatchResult,
  components: Component[],
  score: number,
  rank: number,
): RediscoveryResult {
  const s = p.summary;
  return {
    contactId: s.contactId,
    name: s.name,
    location: s.location,
    headline: s.headline,
    opportunityIds: s.opportunities.map((o) => o.id),
    latestOpportunityId: s.latestOpportunityId,
    score: Math.round(score * 10) / 10,
    rank,
    components,
    matched: match.criteria
      .filter((c) => (c.status === 'met' || c.status === 'partly') && c.evidence.length > 0)
      .map((c) => ({
        criterion: c.criterion.text,
        status: c.status as 'met' | 'partly',
        evidence: c.evidence.slice(0, 2),
      })),
    gaps: match.criteria.filter((c) => c.status === 'not-met').map((c) => c.criterion.text),
    past: {
      bestStage: s.bestStageText,
      applications: s.opportunities.map((o) => ({
        opportunityId: o.id,
        postingTitle: o.postingTitle,
        stage: o.bestStageText ?? o.stageText,
        archiveReason: o.archiveReason,
        appliedAt: o.createdAt,
      })),
      feedback: { count: s.feedback.count, average: s.feedback.average, positive: s.feedback.positive },
      lastContactAt: s.lastContactAt,
    },
  };
}

/** What a search needs before it asks an index: its options resolved, the ranker, the words and skills. */
export type SearchPlan = {
  t0: number;
  posting: PostingInput;
  limit: number;
  now: number;
  recentCutoff: number | null;
  retrieve: number;
  filter: PersonFilter;
  ranker: ReturnType<typeof createRanker>;
  words: string[];
  postingSkills: string[];
  semantic: RediscoverOptions['semantic'];
};

/**
 * Step 1 of a search, shared by both dialects: `stages` (the pipeline, for a stage filter given by name) is read
 * only when needed. Throws the RediscoveryErrors a caller shows (unknown stage, empty posting).
 */
export function planSearch(
  posting: PostingInput,
  opts: RediscoverOptions,
  stages: () => Array<{ text: string }>,
): SearchPlan {
  const t0 = performance.now();
  const now = (opts.now ?? new Date()).getTime();
  const days = opts.excludeContactedWithinDays ?? 90;
  const recentCutoff = days > 0 ? now - days * DAY : null;
  const filter = personFilter(opts.filters ?? {}, recentCutoff, stages);
  const ranker = createRanker(posting, { now: new Date(now) });
  const words = postingWords(posting);
  const postingSkills = [...ranker.compiled.query.keys()].filter((k) => k.startsWith('§')).map((k) => k.slice(1));
  if (words.length === 0 && postingSkills.length === 0) {
    throw new RediscoveryError('empty_posting', 'The posting has no title or requirements to search for.');
  }
  return {
    t0,
    posting,
    limit: opts.limit ?? 20,
    now,
    recentCutoff,
    retrieve: opts.retrieve ?? DEFAULT_RETRIEVE,
    filter,
    ranker,
    words,
    postingSkills,
    semantic: opts.semantic && opts.semantic.search.size > 0 ? opts.semantic : undefined,
  };
}

/** What a dialect's index found for a plan: step 2 of a search. */
export type Retrieved = {
  poolSize: number;
  /** Distinct people retrieved (keyword, skills, vectors), before exclusions. */
  candidates: number;
  people: IndexedPerson[];
  /** People the exclude-contacted window left out (null when it is off). */
  contactedRecently: number | null;
  optedOut: (p: PersonSummary) => boolean;
  stages: Array<{ text: string }>;
};

/**
 * Step 3, shared by both dialects: exclusions, past signals and semantic points, the local engine's fast pass
 * for all, the full match score for a window, the explained results.
 */
export function rankRetrieved(plan: SearchPlan, found: Retrieved): RediscoverResponse {
  const { posting, ranker, limit, now, semantic } = plan;
  const excluded: Record<string, number> = {};
  if (found.contactedRecently !== null) excluded.contactedRecently = found.contactedRecently;
  const people: IndexedPerson[] = [];
  for (const p of found.people) {
    // People who opted out of automated assessment are never ranked (compliance kit).
    const why = found.optedOut(p.summary) ? 'optedOut' : exclusionOf(p.summary, posting.id, now);
    if (why) excluded[why] = (excluded[why] ?? 0) + 1;
    else people.push(p);
  }

  const similar = semantic ? semanticComponents(people, semantic) : new Map<number, Component>();
  const signals = new Map(
    people.map((p) => {
      const sem = similar.get(p.rid);
      return [p.rid, [...(sem ? [sem] : []), ...pastSignals(p.summary, found.stages)]];
    }),
  );
  const boostOf = (rid: number) => (signals.get(rid) ?? []).reduce((n, c) => n + c.points, 0);
  const byId = new Map(people.map((p) => [String(p.rid), p]));
  // Fast pass for everyone (rerank 0), then the full match score for a window chosen with the boosts applied.
  const fast = ranker.rank(
    people.map((p) => ({ id: String(p.rid), text: p.doc })),
    people.length,
    0,
  );
  // The full scorer (criteria with evidence quotes) costs ~5-10 ms a person: only the top `limit` by the fast
  // pass plus boosts get it, and their full score then decides the final order.
  const window = fast
    .map((r) => ({ p: byId.get(r.candidateId) as IndexedPerson, s: r.score + boostOf(Number(r.candidateId)) }))
    .sort((a, b) => b.s - a.s)
    .slice(0, limit);
  const scored = window.map(({ p }) => {
    const m = scoreCompiled(ranker.compiled, candidateOf(p), new Date(now));
    const components: Component[] = [
      { name: 'match', points: m.score, reason: `Match score from the ${m.provenance.model} engine: ${m.summary}` },
      ...(signals.get(p.rid) ?? []),
    ];
    return { p, m, components, score: components.reduce((n, c) => n + c.points, 0) };
  });
  scored.sort((a, b) => b.score - a.score || (a.p.summary.contactId < b.p.summary.contactId ? -1 : 1));
  const results = scored.slice(0, limit).map((x, i) => explain(x.p, x.m, x.components, x.score, i + 1));
  const ranking: RankingInfo = semantic
    ? {
        mode: 'hybrid',
        embeddingsModel: semantic.model,
        semanticWeight: semantic.weight,
        vectorCoverage: { embedded: semantic.search.size, people: found.poolSize },
        fallback: null,
      }
    : { mode: 'keyword+skills', embeddingsModel: null, semanticWeight: null, vectorCoverage: null, fallback: null };
  return {
    postingId: posting.id,
    results,
    ranking,
    excluded,
    candidatesConsidered: found.candidates,
    tookMs: Math.round((performance.now() - plan.t0) * 10) / 10,
  };
}

export function rediscover(store: Store, posting: PostingInput, opts: RediscoverOptions = {}): RediscoverResponse {
  const sqlite = store.sqlite;
  const plan = planSearch(posting, opts, () => loadStagesSqlite(sqlite));
  const { retrieve, semantic, recentCutoff } = plan;
  const filter = sqlFilters(plan.filter);
  const poolSize = (sqlite.prepare('SELECT count(*) AS n FROM rd_person').get() as { n: number }).n;
  const match = keywordQuery(sqlite, plan.words, poolSize);
  const skills = discriminatingSkills(sqlite, plan.postingSkills, poolSize);
  const rids = new Set<number>([
    ...(match ? retrieveKeyword(sqlite, match, filter, retrieve) : []),
    ...retrieveSkills(sqlite, skills, filter, retrieve),
    // Half as many from the vector index: most of its nearest are found by keyword or skill too, and each extra
    // candidate costs the fast ranker ~0.2 ms; the keyword-retrieved ones get their semantic points all the same.
    ...(semantic ? retrieveVector(sqlite, semantic.search, filter, Math.ceil(retrieve / 2)) : []),
  ]);
  return rankRetrieved(plan, {
    poolSize,
    candidates: rids.size,
    people: loadPeople(sqlite, [...rids]),
    contactedRecently:
      recentCutoff === null
        ? null
        : (
            sqlite.prepare('SELECT count(*) AS n FROM rd_person WHERE last_contact_at >= ?').get(recentCutoff) as {
              n: number;
            }
          ).n,
    optedOut: optOutCheckSqlite(sqlite),
    stages: loadStagesSqlite(sqlite),
  });
}

/**
 * compliance/opt-out.ts's optOutCheck for this synchronous SQLite search: the configured tag on any of the person's
 * synced opportunities, or a local opt-out recorded for their contact or any of their opportunities.
 */
function optOutCheckSqlite(sqlite: BetterSqlite3.Database): (p: PersonSummary) => boolean {
  const setting = sqlite.prepare('SELECT value FROM settings WHERE key = ?').get(COMPLIANCE_KEY) as
    | { value: string }
    | undefined;
  const tag = complianceSettingsOf(setting?.value).optOutTag;
  const byContact = sqlite.prepare('SELECT 1 FROM compliance_opt_outs WHERE contact_id = ? LIMIT 1');
  const byOpp = sqlite.prepare('SELECT 1 FROM compliance_opt_outs WHERE opportunity_id = ? LIMIT 1');
  return (p) =>
    hasOptOutTag(p.tags, tag) ||
    byContact.get(p.contactId) !== undefined ||
    p.opportunities.some((o) => byOpp.get(o.id) !== undefined);
}
