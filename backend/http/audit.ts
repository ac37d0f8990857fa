import type { Provenance } from '../../utils/contracts/ai.ts';
import { appendAudit } from '../audit/audit-log.ts';
import type { Store } from '../store/db.ts';

/** One auditable step: an AI generation, a proposal decision or a Lever write. */
export type AuditEvent = {
  actor: string;
  opportunityId: string | null;
  capability: string;
  action: string;
  provenance: Provenance | null;
  output: unknown;
  decision: string | null;
  leverIds: string[];
};

export type AuditFn = (e: AuditEvent) => Promise<void>;

export function createAudit(store: Store): AuditFn {
  return async (e) => {
    await appendAudit(store.db, {
      actor: e.actor,
      opportunityId: e.opportunityId,
      capability: e.capability,
      action: e.action,
      provider: e.provenance?.provider ?? null,
      model: e.provenance?.model ?? null,
      modelVersion: e.provenance?.version ?? null,
      promptVersion: e.provenance?.promptVersion ?? null,
      inputHash: e.provenance?.inputHash ?? null,
      output: e.output,
      decision: e.decision,
      leverIds: e.leverIds,
    });
  };
}
