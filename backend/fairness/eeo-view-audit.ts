import type { FunnelQuery } from '../../utils/contracts/fairness.ts';
import { appendAudit } from '../audit/audit-log.ts';
import type { Store } from '../store/db.ts';

/**
 * Every view of self-reported EEO data (the diversity funnel, as JSON, CSV or in the CLI) is audited: who looked,
 * when (the row's time), and with which posting, team, window and minimum cell size. Nothing of the data itself is
 * written (no counts, groups or rates), so the audit log never becomes a second copy of the EEO answers.
 */
export const EEO_VIEW_ACTION = 'eeo.view';

/** The smallest minimum cell size a funnel may be asked for (HTTP minCount, CLI --min): smaller cells single people out. */
export const MIN_CELL_FLOOR = 5;

export type EeoView = {
  actor: string;
  view: 'funnel' | 'funnel.csv' | 'funnel.cli';
  filter: Partial<Pick<FunnelQuery, 'team' | 'from' | 'to' | 'minCount'>> & { postingIds?: string[] };
};

export async function auditEeoView(store: Pick<Store, 'db'>, v: EeoView, now = Date.now()): Promise<void> {
  const postingIds = v.filter.postingIds ?? [];
  await appendAudit(
    store.db,
    {
      actor: v.actor,
      capability: 'funnel',
      action: EEO_VIEW_ACTION,
      output: {
        view: v.view,
        postingIds,
        team: v.filter.team ?? null,
        from: v.filter.from ?? null,
        to: v.filter.to ?? null,
        minCount: v.filter.minCount ?? null,
      },
      decision: null,
      leverIds: postingIds,
    },
    now,
  );
}
