import type { Principal } from '../http/auth.ts';
import { forbidden, HttpError, notFound } from '../http/errors.ts';
import type { Logger } from '../http/logger.ts';
import {
  collect,
  type LeverClient,
  LeverForbiddenError,
  LeverNotFoundError,
  type Opportunity,
  type Posting,
} from '../lever/index.ts';
import {
  canActOnOpportunity,
  canManagePosting,
  canSeeOpportunity,
  canSeePosting,
  type InterviewFacts,
  isLeverAdmin,
  type LeverRole,
  NO_RIGHTS,
  needsInterviewFacts,
  type OpportunityFacts,
  type PostingFacts,
  type ProposalRights,
  parseLeverRole,
  proposalRights,
  type Viewer,
} from './policy.ts';

/**
 * Reads from Lever what policy.ts decides on, and caches it briefly: the signed-in recruiter's Lever user and
 * accessRole, and per opportunity and posting who owns, manages, follows or interviews. Entries live `ttlMs` (60 s by
 * default); a 403 from Lever during a request drops the caller's entry and every cached fact, so the next request
 * re-reads them (see `forget`). Nothing here is persisted and nothing is logged but ids.
 */

/** The one answer for an opportunity that does not exist and for one the caller may not see. */
export const opportunityNotFoundMessage = (id: string) =>
  `Lever has no opportunity "${id}" (it may have been deleted, or the API key cannot see it).`;
/** The one answer for a posting that does not exist and for one the caller may not see. */
export const postingNotFoundMessage = (id: string) =>
  `Lever has no posting "${id}" (it may have been deleted, or the API key cannot see it).`;

export const opportunityNotFound = (id: string) => notFound(opportunityNotFoundMessage(id));
export const postingNotFound = (id: string) => notFound(postingNotFoundMessage(id));

/** Refusal for a recruiter without a usable Lever user: names the cause, says nothing about the object asked for. */
export function noLeverUser(v: Pick<Viewer, 'email'>): HttpError {
  return new HttpError(
    403,
    'no_lever_access',
    `Your Fulcrum email (${v.email}) does not match an active Lever user, so Fulcrum shows you no Lever data. Ask an admin to add you with the email of your Lever account.`,
  );
}

export type AccessOptions = {
  /** How long a user's role and an object's access facts are trusted (default 60 s). */
  ttlMs?: number;
  /** Most cached entries per kind (default 5000); the oldest go first. */
  maxEntries?: number;
  /** Lever reads at once while filtering a list (default 4). */
  concurrency?: number;
  /** Most objects one list filter reads from Lever (default 200); the rest are left out (default deny). */
  maxLookups?: number;
};

type UserRecord = { role: LeverRole | null; email: string | null; active: boolean };

/** Insertion-ordered map with a time-to-live and a size bound. */
class TtlCache<V> {
  private readonly map = new Map<string, { at: number; value: V }>();
  constructor(
    private readonly ttlMs: number,
    private readonly max: number,
  ) {}
  get(key: string, now: number): V | undefined {
    const hit = this.map.get(key);
    if (!hit) return undefined;
    if (now - hit.at >= this.ttlMs) {
      this.map.delete(key);
      return undefined;
    }
    return hit.value;
  }
  set(key: string, value: V, now: number): void {
    this.map.delete(key);
    if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value as string);
    this.map.set(key, { at: now, value });
  }
  delete(key: string): void {
    this.map.delete(key);
  }
  clear(): void {
    this.map.clear();
  }
}

const userIdOf = (u: unknown): string | null =>
  typeof u === 'string' ? u : u && typeof u === 'object' && 'id' in u && typeof u.id === 'string' ? u.id : null;
const userIds = (list: readonly unknown[] | null | undefined): string[] =>
  [...new Set((list ?? []).map(userIdOf))].filter((x): x is string => !!x);

/** A 404 or 403 from Lever on a read: the object is not there for this key. */
const unreadable = (e: unknown) => e instanceof LeverNotFoundError || e instanceof LeverForbiddenError;

function postingFactsOf(p: Posting): PostingFacts {
  return {
    id: p.id,
    confidential: p.confidentiality === 'confidential',
    ownerId: userIdOf(p.owner),
    hiringManagerId: userIdOf(p.hiringManager),
    followerIds: userIds(p.followers),
  };
}

function postingIdOfOpportunity(o: Opportunity): string | null {
  for (const a of o.applications ?? []) {
    if (typeof a !== 'object') continue;
    if (typeof a.posting === 'string') return a.posting;
    if (a.posting && typeof a.posting === 'object') return a.posting.id;
  }
  return null;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export type OpportunityDecision = {
  facts: OpportunityFacts;
  interviews: InterviewFacts | null;
  see: boolean;
  act: boolean;
};

/** What a proposal-like record needs for a decision. */
export type ProposalRef = { kind: string; opportunityId: string; createdBy: string };

export class LeverAccess {
  private readonly ttlMs: number;
  private readonly concurrency: number;
  private readonly maxLookups: number;
  private readonly users: TtlCache<UserRecord>;
  private readonly opportunities: TtlCache<OpportunityFacts | null>;
  private readonly postings: TtlCache<PostingFacts | null>;
  private readonly interviews: TtlCache<InterviewFacts>;
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(
    private readonly deps: {
      lever: LeverClient;
      resolveLeverUser: (p: Principal) => Promise<string | null>;
      now: () => number;
      logger?: Logger;
    },
    opts: AccessOptions = {},
  ) {
    this.ttlMs = opts.ttlMs ?? 60_000;
    const max = opts.maxEntries ?? 5000;
    this.concurrency = opts.concurrency ?? 4;
    this.maxLookups = opts.maxLookups ?? 200;
    this.users = new TtlCache(this.ttlMs, max);
    this.opportunities = new TtlCache(this.ttlMs, max);
    this.postings = new TtlCache(this.ttlMs, max);
    this.interviews = new TtlCache(this.ttlMs, max);
  }

  /** One Lever read per key at a time; concurrent callers share it. */
  private once<T>(key: string, read: () => Promise<T>): Promise<T> {
    const pending = this.inFlight.get(key) as Promise<T> | undefined;
    if (pending) return pending;
    const p = read().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }

  /** The caller's Lever user and role; a recruiter whose email matches no active Lever user gets role null. */
  async viewer(p: Principal): Promise<Viewer> {
    const base = { recruiterId: p.id, email: p.email, fulcrumRole: p.role };
    const leverUserId = p.leverUserId ?? (await this.deps.resolveLeverUser(p));
    if (!leverUserId) return { ...base, leverUserId: null, leverRole: null };
    const user = await this.user(leverUserId);
    // The stored id must still be this recruiter's Lever account: deactivated or re-assigned users see nothing.
    const ok = user.active && (user.email === null || user.email.toLowerCase() === p.email.toLowerCase());
    return { ...base, leverUserId, leverRole: ok ? user.role : null };
  }

  private async user(id: string): Promise<UserRecord> {
    const now = this.deps.now();
    const hit = this.users.get(id, now);
    if (hit) return hit;
    return this.once(`user:${id}`, async () => {
      let rec: UserRecord;
      try {
        const u = await this.deps.lever.getUser(id);
        rec = { role: parseLeverRole(u.accessRole), email: u.email ?? null, active: !u.deactivatedAt };
      } catch (e) {
        if (!(e instanceof LeverNotFoundError)) throw e;
        rec = { role: null, email: null, active: false };
      }
      this.users.set(id, rec, this.deps.now());
      return rec;
    });
  }

  /**
   * Lever answered 403 while serving this caller: their role or an object's access may have changed. Drops the
   * caller's cached role and every cached fact, so the next request reads them again.
   */
  forget(p: { leverUserId: string | null }): void {
    if (p.leverUserId) this.users.delete(p.leverUserId);
    this.opportunities.clear();
    this.postings.clear();
    this.interviews.clear();
  }

  async postingFacts(id: string): Promise<PostingFacts | null> {
    const hit = this.postings.get(id, this.deps.now());
    if (hit !== undefined) return hit;
    return this.once(`posting:${id}`, async () => {
      let facts: PostingFacts | null;
      try {
        facts = postingFactsOf(await this.deps.lever.getPosting(id));
      } catch (e) {
        if (!unreadable(e)) throw e;
        facts = null;
      }
      this.postings.set(id, facts, this.deps.now());
      return facts;
    });
  }

  async opportunityFacts(id: string): Promise<OpportunityFacts | null> {
    const hit = this.opportunities.get(id, this.deps.now());
    if (hit !== undefined) return hit;
    return this.once(`opportunity:${id}`, async () => {
      let facts: OpportunityFacts | null;
      try {
        const o = await this.deps.lever.getOpportunity(id, { expand: ['applications'] });
        const postingId = postingIdOfOpportunity(o);
        const posting = postingId ? await this.postingFacts(postingId) : null;
        facts = o.deletedAt
          ? null
          : {
              id: o.id,
              confidential: o.confidentiality === 'confidential' || posting?.confidential === true,
              ownerId: userIdOf(o.owner),
              followerIds: userIds(o.followers),
              postingId,
              posting,
            };
      } catch (e) {
        if (!unreadable(e)) throw e;
        facts = null;
      }
      this.opportunities.set(id, facts, this.deps.now());
      return facts;
    });
  }

  /** Interviewers of the opportunity's (not cancelled) interviews and the authors asked for feedback. */
  async interviewFacts(id: string): Promise<InterviewFacts> {
    const hit = this.interviews.get(id, this.deps.now());
    if (hit) return hit;
    return this.once(`interviews:${id}`, async () => {
      let facts: InterviewFacts;
      try {
        const [interviews, feedback] = await Promise.all([
          collect(this.deps.lever.listInterviews(id)),
          collect(this.deps.lever.listFeedback(id)),
        ]);
        facts = {
          interviewerIds: [
            ...new Set(interviews.filter((i) => !i.canceledAt).flatMap((i) => (i.interviewers ?? []).map((x) => x.id))),
          ],
          feedbackUserIds: userIds(feedback.filter((f) => !f.deletedAt).map((f) => f.user)),
        };
      } catch (e) {
        if (!unreadable(e)) throw e;
        facts = { interviewerIds: [], feedbackUserIds: [] };
      }
      this.interviews.set(id, facts, this.deps.now());
      return facts;
    });
  }

  /** The decision for one opportunity, or null when Lever has none the key can read (or the caller has no role). */
  async opportunity(v: Viewer, id: string): Promise<OpportunityDecision | null> {
    if (v.leverRole === null) return null;
    const facts = await this.opportunityFacts(id);
    if (!facts) return null;
    const interviews = needsInterviewFacts(v) ? await this.interviewFacts(id) : null;
    return {
      facts,
      interviews,
      see: canSeeOpportunity(v, facts, interviews),
      act: canActOnOpportunity(v, facts, interviews),
    };
  }

  /**
   * Throws unless the caller may see (or act on) the opportunity: 404 with the same body as a missing one when they
   * may not see it, 403 when they see it but their Lever role cannot change it.
   */
  async requireOpportunity(v: Viewer, id: string, need: 'see' | 'act'): Promise<OpportunityDecision> {
    if (v.leverRole === null) throw noLeverUser(v);
    const d = await this.opportunity(v, id);
    if (!d?.see) throw opportunityNotFound(id);
    if (need === 'act' && !d.act) {
      throw forbidden(
        `Your Lever role (${v.leverRole}) lets you read this candidate but not change them in Lever. Ask the candidate's owner or a Lever admin.`,
      );
    }
    return d;
  }

  async requirePosting(v: Viewer, id: string, need: 'see' | 'manage'): Promise<PostingFacts> {
    if (v.leverRole === null) throw noLeverUser(v);
    const facts = await this.postingFacts(id);
    if (!facts || !canSeePosting(v, facts)) throw postingNotFound(id);
    if (need === 'manage' && !canManagePosting(v, facts)) {
      throw forbidden(
        "Only the posting's owner, its hiring manager or a Lever admin can rewrite this posting's description.",
      );
    }
    return facts;
  }

  async proposalRights(v: Viewer, p: ProposalRef): Promise<ProposalRights> {
    if (v.leverRole === null) return NO_RIGHTS;
    if (p.kind === 'posting-rewrite') {
      const facts = await this.postingFacts(p.opportunityId);
      return facts ? proposalRights(v, p, { kind: 'posting', facts }) : NO_RIGHTS;
    }
    const d = await this.opportunity(v, p.opportunityId);
    return d ? proposalRights(v, p, { kind: 'opportunity', facts: d.facts, interviews: d.interviews }) : NO_RIGHTS;
  }

  /**
   * The items the caller may see, in order (all of them for a Lever admin, without a read). Targets are read from
   * Lever (cached) at most `maxLookups` per call and a few at a time; whatever is left unread is left out.
   */
  async filterProposals<T extends ProposalRef>(v: Viewer, items: readonly T[]): Promise<T[]> {
    if (v.leverRole === null) return [];
    if (isLeverAdmin(v)) return [...items];
    const targets = [...new Set(items.map((p) => `${p.kind === 'posting-rewrite' ? 'p' : 'o'}:${p.opportunityId}`))];
    const read = targets.slice(0, this.maxLookups);
    const decided = new Map<string, Awaited<ReturnType<LeverAccess['targetOf']>>>();
    await mapLimit(read, this.concurrency, async (key) => {
      decided.set(key, await this.targetOf(v, key));
    });
    return items.filter((p) => {
      const target = decided.get(`${p.kind === 'posting-rewrite' ? 'p' : 'o'}:${p.opportunityId}`);
      return target ? proposalRights(v, p, target).see : false;
    });
  }

  private async targetOf(v: Viewer, key: string) {
    const id = key.slice(2);
    if (key.startsWith('p:')) {
      const facts = await this.postingFacts(id);
      return facts ? { kind: 'posting' as const, facts } : null;
    }
    const d = await this.opportunity(v, id);
    return d ? { kind: 'opportunity' as const, facts: d.facts, interviews: d.interviews } : null;
  }

  /**
   * Which of these opportunities the caller may see. Lever admins see all without a read. For a team member,
   * `hint` (Fulcrum's synced copy: confidential or not, and the posting) spares the read of a non-confidential
   * opportunity; everything else is read from Lever (cached), at most `maxLookups` per call.
   */
  async visibleOpportunities(
    v: Viewer,
    ids: readonly string[],
    hint?: (id: string) => { confidential: boolean; postingId: string | null } | null,
  ): Promise<Set<string>> {
    const unique = [...new Set(ids)];
    if (v.leverRole === null) return new Set();
    if (isLeverAdmin(v)) return new Set(unique);
    const visible = new Set<string>();
    const toRead: string[] = [];
    for (const id of unique) {
      const h = v.leverRole === 'team member' ? hint?.(id) : null;
      if (h && !h.confidential) {
        const posting = h.postingId ? await this.postingFacts(h.postingId) : null;
        if (!posting?.confidential) {
          visible.add(id);
          continue;
        }
      }
      toRead.push(id);
    }
    await mapLimit(toRead.slice(0, this.maxLookups), this.concurrency, async (id) => {
      if ((await this.opportunity(v, id))?.see) visible.add(id);
    });
    return visible;
  }
}
