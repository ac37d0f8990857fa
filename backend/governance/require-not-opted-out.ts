import type { MiddlewareHandler } from 'hono';
import { OPTED_OUT_CODE, OPTED_OUT_MESSAGE } from '../../utils/contracts/compliance.ts';
import type { GovernedCapability } from '../../utils/contracts/governance.ts';
import type { LeverAccess } from '../access/lever-access.ts';
import type { Guards } from '../access/route-rules.ts';
import { contactsInScope } from '../access/talent-pool.ts';
import { optOutCheck, optOutStatusOf } from '../compliance/opt-out.ts';
import type { AuthEnv } from '../http/auth.ts';
import { HttpError } from '../http/errors.ts';
import { LeverBadRequestError, type LeverClient, LeverForbiddenError, LeverNotFoundError } from '../lever/index.ts';
import { talentIndexFor } from '../rediscovery/talent-index.ts';
import type { Store } from '../store/db.ts';

/**
 * Refuses an AI route for a candidate who opted out of automated assessment (compliance/opt-out.ts): 409
 * `{error: {code: 'opted_out', message: 'candidate opted out of automated assessment'}}`, before anything is generated,
 * cached, proposed or written. Sits next to requireCapability and maps the same routes (`capabilityOf`):
 * - POST /api/candidates/:id/{match,outreach,questions,feedback}: the opportunity's tags are re-read from Lever
 *   (cached for TAG_TTL_MS) and the local opt-out table is read on every request, so a CLI or admin opt-out takes
 *   effect at once and a new Lever tag within seconds;
 * - POST /api/rediscovery/act: any selected person who opted out (tag in the synced index, or a local opt-out);
 * - POST /api/postings/:id/rediscover is about a posting, not a person: its results leave opted-out people out
 *   (rediscovery/rediscover.ts), so it passes here.
 * The caller's access is checked first (the same policy as the route's own rules: the opportunity; for act the
 * posting and each person), so the 409 never tells someone who may not see a candidate anything about them.
 */

export const TAG_TTL_MS = 15_000;

type PersonSummaryLike = Parameters<Awaited<ReturnType<typeof optOutCheck>>>[0];
const CACHE_MAX = 1_000;

export function requireNotOptedOut(
  deps: {
    store: Store;
    lever: LeverClient;
    clock: () => number;
    access?: Pick<LeverAccess, 'requireOpportunity' | 'requirePosting' | 'visibleOpportunities'>;
    guards?: Pick<Guards, 'viewer'>;
  },
  capabilityOf: (method: string, path: string) => GovernedCapability | null,
): MiddlewareHandler<AuthEnv> {
  const tags = new Map<string, { at: number; tags: readonly unknown[]; contact: unknown }>();
  const readTags = async (id: string) => {
    const hit = tags.get(id);
    if (hit && deps.clock() - hit.at < TAG_TTL_MS) return hit;
    const opp = await deps.lever.getOpportunity(id);
    const entry = { at: deps.clock(), tags: opp.tags ?? [], contact: opp.contact };
    if (tags.size >= CACHE_MAX) tags.delete(tags.keys().next().value as string);
    tags.set(id, entry);
    return entry;
  };
  const refuse = (): never => {
    throw new HttpError(409, OPTED_OUT_CODE, OPTED_OUT_MESSAGE);
  };

  return async (c, next) => {
    if (!capabilityOf(c.req.method, c.req.path)) return next();
    const candidate = /^\/api\/candidates\/([^/]+)\//.exec(c.req.path)?.[1];
    if (candidate) {
      let id: string;
      try {
        id = decodeURIComponent(candidate);
      } catch {
        return next(); // Malformed %-escapes: the route's own validation answers 400.
      }
      if (deps.access && deps.guards) await deps.access.requireOpportunity(await deps.guards.viewer(c), id, 'see');
      let read: Awaited<ReturnType<typeof readTags>>;
      try {
        read = await readTags(id);
      } catch (e) {
        // Unknown or unreadable opportunity: the route itself answers that (404 and friends).
        if (e instanceof LeverNotFoundError || e instanceof LeverForbiddenError || e instanceof LeverBadRequestError)
          return next();
        throw e;
      }
      if (
        (await optOutStatusOf(deps.store.db, { id, tags: read.tags, contact: read.contact }, deps.clock())).optedOut
      ) {
        refuse();
      }
      return next();
    }
    if (/^\/api\/rediscovery\/act\/?$/.test(c.req.path)) {
      const body = (await c.req.json().catch(() => null)) as { contactIds?: unknown; postingId?: unknown } | null;
      let ids = Array.isArray(body?.contactIds) ? body.contactIds.filter((x) => typeof x === 'string') : [];
      const index = talentIndexFor(deps.store);
      if (deps.access && deps.guards) {
        // The route's own rules first (the posting, then the people the caller may see): a 409 for someone hidden
        // from the caller would say that they exist and opted out. Hidden people are reported by the route instead.
        const viewer = await deps.guards.viewer(c);
        if (typeof body?.postingId === 'string' && body.postingId)
          await deps.access.requirePosting(viewer, body.postingId, 'see');
        ids = (await contactsInScope(deps.access, viewer, index, ids.slice(0, 200) as string[])).allowed;
      }
      const people: PersonSummaryLike[] = [];
      for (const contactId of ids.slice(0, 200) as string[]) {
        const person = await index.personByContact(contactId);
        // Someone missing from the pool gets no draft and is reported as missing, whoever they are.
        if (!person && deps.access) continue;
        people.push(person?.summary ?? { contactId, tags: [], opportunities: [] });
      }
      // One read of the local opt-out records for the whole selection (compliance/opt-out.ts).
      const optedOut = await optOutCheck(deps.store.db, people);
      if (people.some(optedOut)) refuse();
    }
    return next();
  };
}
