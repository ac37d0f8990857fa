import { Hono } from 'hono';
import { badRequest, type EmulatorContext, listPage, msParam, multi } from '../context.ts';
import { serializeEeoAnonymous, serializeEeoPii } from '../serialize.ts';
import { ui } from './shared.ts';

/** EEO self-reports: the anonymous list and the PII one. */
export function eeoRoutes(ctx: EmulatorContext): Hono {
  const app = new Hono();
  const { store } = ctx;

  app.get('/eeo/responses', (c) => {
    const to = msParam(c, 'toDate') ?? Date.now();
    const from = msParam(c, 'fromDate') ?? to - 7 * 86_400_000;
    if (Number.isNaN(from) || Number.isNaN(to)) return badRequest(c, 'fromDate and toDate must be epoch milliseconds');
    const items = eeoIn(from, to);
    // Anonymous: a plain `data: [...]` list with the answers and pipeline facts and NO opportunity, contact or
    // posting (docs/lever-api.md §4, corrected against recorded traffic).
    return listPage(
      c,
      ctx,
      items,
      (e) => e.eeo.opportunityId,
      (e) => serializeEeoAnonymous(e.eeo, e.stage),
    );
  });

  // With identifiers: its own permission (eeo_responses_pii:read; gate.ts), window on created_at_*, expandable.
  app.get('/eeo/responses/pii', (c) => {
    const to = msParam(c, 'created_at_end') ?? Date.now();
    const from = msParam(c, 'created_at_start') ?? to - 7 * 86_400_000;
    if (Number.isNaN(from) || Number.isNaN(to)) {
      return badRequest(c, 'created_at_start and created_at_end must be epoch milliseconds');
    }
    const expand = new Set(multi(c, 'expand'));
    return listPage(
      c,
      ctx,
      eeoIn(from, to),
      (e) => e.eeo.opportunityId,
      (e) => serializeEeoPii(e.eeo, e.stage, store, ui(c), expand),
    );
  });

  /** EEO self-reports of the opportunities created in [from, to], each with the opportunity's current stage. */
  function eeoIn(from: number, to: number) {
    return store.opportunities
      .filter((o) => o.deletedAt === undefined && o.createdAt >= from && o.createdAt <= to)
      .flatMap((o) => store.records(o).eeo.map((eeo) => ({ eeo, stage: o.stage })));
  }
  return app;
}
