import type { FunnelReport } from '../../utils/contracts/fairness.ts';
import { collect, type LeverClient } from '../lever/index.ts';
import { computeFunnel } from './diversity-funnel.ts';

/**
 * The diversity funnel straight from Lever: pipeline stages (`GET /stages`) and anonymous EEO self-reports
 * (`GET /eeo/responses`) for a date window, narrowed to a posting or a team. The responses stay in this process:
 * they are counted and dropped, never stored, never sent to an LLM. Admin-only access is the caller's job.
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
  const [stages, responses] = await Promise.all([
    lever.listStages(),
    collect(lever.listEeoResponses({ fromDate: query.fromDate, toDate: query.toDate })),
  ]);
  return computeFunnel({
    responses,
    stages: stages.map((s) => ({ id: s.id, text: s.text })),
    ...(query.minCount === undefined ? {} : { minCount: query.minCount }),
    ...(postingIds ? { filter: { postingIds } } : {}),
  });
}
