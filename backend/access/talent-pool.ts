import type { RediscoverResponse } from '../../utils/contracts/rediscovery.ts';
import type { TalentIndex } from '../rediscovery/talent-index.ts';
import type { LeverAccess } from './lever-access.ts';
import type { Viewer } from './policy.ts';

/**
 * The access policy over the talent pool (rediscovery). A person is shown only when the caller may see every one of
 * their opportunities: their score, past stages and archive reasons are built from all of them, so a person with a
 * confidential application the caller is not on is left out entirely, not shown with that application cut out.
 */

/**
 * What the last sync recorded about these opportunities, read in one go: lets the policy skip a Lever read for a
 * plain team member.
 */
async function syncedOpportunityHint(
  index: TalentIndex,
  ids: string[],
): Promise<(id: string) => { confidential: boolean; postingId: string | null } | null> {
  const hints = await index.hints(ids);
  return (id) => hints.get(id) ?? null;
}

/** The results the caller may see, re-ranked 1..n and cut to `limit`. */
export async function visibleResults(
  access: LeverAccess,
  viewer: Viewer,
  index: TalentIndex,
  res: RediscoverResponse,
  limit: number,
): Promise<RediscoverResponse> {
  const ids = res.results.flatMap((r) => [...r.opportunityIds, r.latestOpportunityId]);
  const visible = await access.visibleOpportunities(viewer, ids, await syncedOpportunityHint(index, ids));
  const results = res.results
    .filter((r) => visible.has(r.latestOpportunityId) && r.opportunityIds.every((id) => visible.has(id)))
    .slice(0, limit)
    .map((r, i) => ({ ...r, rank: i + 1 }));
  return { ...res, results };
}

/**
 * Splits the contacts a recruiter picked into those they may draft for (every opportunity visible, and a role that
 * may write) and those they may not. Contacts missing from the pool stay in `allowed`: the act step reports them
 * as missing, with the same words the hidden ones get.
 */
export async function contactsInScope(
  access: Pick<LeverAccess, 'visibleOpportunities'>,
  viewer: Viewer,
  index: TalentIndex,
  contactIds: readonly string[],
): Promise<{ allowed: string[]; hidden: string[] }> {
  const people = await Promise.all(
    [...new Set(contactIds)].map(async (id) => ({ id, person: await index.personByContact(id) })),
  );
  const ids = people.flatMap((p) => p.person?.summary.opportunities.map((o) => o.id) ?? []);
  const visible = await access.visibleOpportunities(viewer, ids, await syncedOpportunityHint(index, ids));
  const allowed: string[] = [];
  const hidden: string[] = [];
  for (const { id, person } of people) {
    const s = person?.summary;
    const ok =
      !s ||
      (viewer.leverRole !== null &&
        viewer.leverRole !== 'interviewer' &&
        visible.has(s.latestOpportunityId) &&
        s.opportunities.every((o) => visible.has(o.id)));
    (ok ? allowed : hidden).push(id);
  }
  return { allowed, hidden };
}
