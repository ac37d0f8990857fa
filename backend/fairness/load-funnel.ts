import type { FunnelReport } from '../../utils/contracts/fairness.ts';
import {
  collect,
  type EeoPiiResponse,
  type EeoResponse,
  type LeverClient,
  LeverForbiddenError,
} from '../lever/index.ts';
import { computeFunnel } from './diversity-funnel.ts';

/**
 * The diversity funnel straight from Lever: pipeline stages (`GET /stages`) and EEO self-reports for a date window.
 *
 * Lever's ANONYMOUS responses (`GET /eeo/responses`) carry no opportunity, contact or posting, so they serve the
 * account-wide funnel only. A funnel for a posting or a team reads `GET /eeo/responses/pii`, which needs the key's
 * "EEO responses (PII)" permission (OAuth `eeo_responses_pii:read:admin`); without it the caller gets a
 * FunnelPermissionError saying so, never a silently empty funnel. The identifiers in those responses are used for
 * the posting join only and dropped right here: what reaches computeFunnel, and any report, has none. The responses
 * stay in this process: counted and dropped, never stored, never sent to an LLM. Admin-only access is the caller's job.
 */

export type FunnelQuery = {
  postingIds?: string[];
  /** Every posting whose `categories.team` equals this (case-insensitive). */
  team?: string;
  /** Window on Lever's side, ms epoch. Lever defaults to the last week, so the window is always sent explicitly. */
  fromDate: number;
  toDate: number;
  minCount?: number;
};

export class FunnelQueryError extends Error {
  override name = 'FunnelQueryError';
}

/** A posting or team funnel was asked for, and the Lever credential may not read EEO responses with identifiers. */
export class FunnelPermissionError extends Error {
  override name = 'FunnelPermissionError';
}

export const PII_PERMISSION_MESSAGE =
  "A funnel for one posting or team needs Lever's EEO responses WITH PII: Lever's anonymous EEO responses carry no " +
  'posting, so they cannot be split by posting or team. Ask a Lever Super Admin to give the API key the "EEO ' +
  'responses (PII)" permission (OAuth scope eeo_responses_pii:read:admin), or leave out the posting and team to get ' +
  'the account-wide funnel.';

/** The fields the funnel counts; the posting id survives only long enough for the filter in computeFunnel. */
type Countable = Omit<EeoResponse, 'currentStage'> & {
  currentStage?: string | { id: string } | null;
  posting?: string;
};

function anonymous(r: EeoResponse): Countable {
  return { ...r, currentStage: r.currentStage ?? null };
}

function withPostingOnly(r: EeoPiiResponse): Countable {
  const posting = typeof r.posting === 'string' ? r.posting : r.posting?.id;
  // Everything but the self-report, its stage and dates, and the posting id is left behind here.
  return {
    gender: r.gender,
    race: r.race,
    veteran: r.veteran,
    disability: r.disability,
    currentStage: r.currentStage ?? null,
    appliedAt: r.appliedAt,
    hiredDate: r.hiredDate,
    ...(posting ? { posting } : {}),
  };
}

export async function loadFunnel(lever: LeverClient, query: FunnelQuery): Promise<FunnelReport> {
  if (!(query.fromDate <= query.toDate)) throw new FunnelQueryError('the date window ends before it starts');
  let postingIds = query.postingIds;
  if (query.team !== undefined) {
    const team = query.team.trim().toLowerCase();
    const postings = await collect(lever.listPostings({ team: query.team }));
    // Filter again locally: Lever's team filter is an exact match, and the emulator may ignore it.
    const ids = postings.filter((p) => p.categories?.team?.trim().toLowerCase() === team).map((p) => p.id);
    if (ids.length === 0) throw new FunnelQueryError(`no posting belongs to team "${query.team}"`);
    postingIds = postingIds ? postingIds.filter((id) => ids.includes(id)) : ids;
  }
  const [stages, responses] = await Promise.all([lever.listStages(), readResponses(lever, query, postingIds)]);
  return computeFunnel({
    responses,
    stages: stages.map((s) => ({ id: s.id, text: s.text })),
    ...(query.minCount === undefined ? {} : { minCount: query.minCount }),
    ...(postingIds ? { filter: { postingIds } } : {}),
  });
}

async function readResponses(
  lever: LeverClient,
  query: FunnelQuery,
  postingIds: string[] | undefined,
): Promise<Countable[]> {
  if (!postingIds) {
    const all = await collect(lever.listEeoResponses({ fromDate: query.fromDate, toDate: query.toDate }));
    return all.map(anonymous);
  }
  try {
    const out: Countable[] = [];
    const wanted = new Set(postingIds);
    for await (const r of lever.listEeoResponsesWithPii({
      createdAtStart: query.fromDate,
      createdAtEnd: query.toDate,
    })) {
      const c = withPostingOnly(r);
      if (c.posting && wanted.has(c.posting)) out.push(c);
    }
    return out;
  } catch (e) {
    if (e instanceof LeverForbiddenError) throw new FunnelPermissionError(PII_PERMISSION_MESSAGE);
    throw e;
  }
}
