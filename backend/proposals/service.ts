import type { Provenance } from '../../utils/contracts/ai.ts';
import type { Proposal, ProposalKind, ProposalPayload } from '../../utils/contracts/api.ts';
import type { AuditFn } from '../http/audit.ts';
import { conflict, forbidden, notFound } from '../http/errors.ts';
import { LeverApiError } from '../lever/index.ts';
import { type ProposalListFilter, type ProposalRecord, type ProposalRepo, toWire } from './repo.ts';
import type { Approver, WriteBack } from './write-back.ts';

/**
 * Proposal lifecycle: create / edit / approve / discard, with an audit entry for each step and for each Lever write.
 * Approval is a compare-and-set from pending|failed to approved, so a double click or two tabs produce one write:
 * the loser gets the proposal's current state. A claim left 'approved' by a crashed process can be retaken after
 * APPROVAL_LEASE_MS.
 */

export const APPROVAL_LEASE_MS = 2 * 60 * 1000;

/** What every new proposal states: whose, what kind, the change itself and why. */
type ProposalDraft = { opportunityId: string; kind: ProposalKind; payload: ProposalPayload; reason: string };

export type Actor = { id: string; email: string; name: string; leverUserId: string | null };

export type ProposalServiceOptions = {
  /**
   * Checks a payload before it is stored or written (a stage move must name one of Lever's stages); throws an
   * HttpError (400) to refuse it. Who may do what is decided before the service is called (backend/access).
   */
  checkPayload?: (payload: ProposalPayload) => Promise<void>;
};

export class ProposalService {
  constructor(
    private readonly repo: ProposalRepo,
    private readonly writeBack: WriteBack,
    private readonly audit: AuditFn,
    private readonly now: () => number,
    private readonly resolveLeverUser: (actor: Actor) => Promise<string | null>,
    private readonly options: ProposalServiceOptions = {},
  ) {}

  private async check(payload: ProposalPayload): Promise<void> {
    await this.options.checkPayload?.(payload);
  }

  wire(p: ProposalRecord, viewer: Actor): Proposal {
    return toWire(p, viewer.name);
  }

  async mustGet(id: string): Promise<ProposalRecord> {
    const p = await this.repo.get(id);
    if (!p) throw notFound(`No proposal with id "${id}".`);
    return p;
  }

  list(f: ProposalListFilter): Promise<ProposalRecord[]> {
    return this.repo.list(f);
  }

  async create(
    actor: Actor,
    input: ProposalDraft & { sourceCapability?: string; provenance?: Provenance | null },
  ): Promise<ProposalRecord> {
    await this.check(input.payload);
    const p = await this.repo.create({ ...input, createdBy: actor.email });
    await this.auditStep(
      actor,
      p,
      'proposal.create',
      { proposalId: p.id, kind: p.kind, payload: p.payload },
      'pending',
      { capability: input.sourceCapability ?? 'proposal' },
    );
    return p;
  }

  /**
   * Creates the pending proposal for an AI result, or refreshes the payload of the one already open for the same
   * opportunity and kind (a re-run of `match` replaces its draft instead of piling up drafts). `mayRefresh` says
   * whether this actor may change that open proposal (policy: its creator, the candidate's owner or followers, an
   * admin); when it says no, the actor gets a proposal of their own instead.
   */
  async upsertFromAi(
    actor: Actor,
    input: ProposalDraft & { capability: string; provenance: Provenance },
    mayRefresh: (open: ProposalRecord) => Promise<boolean> = async () => true,
  ): Promise<ProposalRecord> {
    const open = await this.repo.findOpen(input.opportunityId, input.kind);
    if (open && open.status === 'pending' && (await mayRefresh(open))) {
      const p =
        (await this.repo.editPayload(open.id, input.payload, { reason: input.reason, provenance: input.provenance })) ??
        (await this.mustGet(open.id));
      await this.auditStep(
        actor,
        p,
        'proposal.refresh',
        { proposalId: p.id, kind: p.kind, payload: p.payload, ...byOther(actor, open) },
        'pending',
        { capability: input.capability, provenance: input.provenance },
      );
      return p;
    }
    return this.create(actor, { ...input, sourceCapability: input.capability });
  }

  /**
   * Replaces the payload of a pending or failed proposal. An edit by anyone but the creator is audited as such
   * (decision 'edited-by-other', naming the creator), so the trail shows whose draft was changed by whom.
   */
  async edit(actor: Actor, id: string, payload: ProposalPayload): Promise<ProposalRecord> {
    const before = await this.mustGet(id);
    // A letter or a booking is edited where it is built (the Offer and Schedule views); replacing its payload here
    // would drop the letter or the booking and leave a proposal that cannot be approved.
    if (before.kind === 'offer-letter' || before.kind === 'interview-schedule') {
      throw conflict(
        before.kind === 'offer-letter'
          ? 'Offer letters are edited in the Offer view (a new version), not here.'
          : 'Interview bookings are changed in the Schedule view (reschedule or cancel), not here.',
      );
    }
    await this.check(payload);
    const p = await this.repo.editPayload(id, payload);
    if (!p) throw conflict(`This proposal is ${(await this.mustGet(id)).status} and can no longer be edited.`);
    await this.auditStep(
      actor,
      p,
      'proposal.edit',
      { proposalId: p.id, before: before.payload, after: p.payload, ...byOther(actor, before) },
      isCreator(actor, before) ? 'edited' : 'edited-by-other',
    );
    return p;
  }

  async discard(actor: Actor, id: string): Promise<ProposalRecord> {
    const p = await this.repo.transition(id, ['pending', 'failed'], 'discarded', { decidedBy: actor.email });
    if (!p) {
      const current = await this.mustGet(id);
      if (current.status === 'discarded') return current;
      throw conflict(`This proposal is already ${current.status}; it can no longer be discarded.`);
    }
    await this.auditStep(actor, p, 'proposal.discard', { proposalId: p.id }, 'discarded');
    return p;
  }

  /**
   * Approves and writes. Returns the proposal after the write ('written'), or its current state when another
   * request already holds or finished it. Lever failures leave it 'failed' with the reason and are re-thrown so the
   * route answers with the matching status; approving again resumes without duplicating anything already written.
   */
  async approve(actor: Actor, id: string, dryRun: boolean): Promise<ProposalRecord> {
    const current = await this.mustGet(id);
    if (dryRun) return current;
    if (current.status === 'written' || current.status === 'discarded') return current;
    // Checked before the claim: a payload Lever would refuse (an unknown stage) leaves the proposal pending.
    await this.check(current.payload);

    const leverUserId = actor.leverUserId ?? (await this.resolveLeverUser(actor));
    if (!leverUserId) {
      throw forbidden(
        `Your Fulcrum email (${actor.email}) does not match a Lever user, so Fulcrum cannot write to Lever on your behalf. Ask an admin to use your Lever email.`,
      );
    }
    const claimed = await this.repo.transition(
      id,
      ['pending', 'failed'],
      'approved',
      { decidedBy: actor.email, error: null },
      this.now() - APPROVAL_LEASE_MS,
    );
    if (!claimed) return this.mustGet(id);

    await this.auditStep(
      actor,
      claimed,
      'proposal.approve',
      { proposalId: claimed.id, payload: claimed.payload },
      'approved',
    );

    const approver: Approver = { email: actor.email, name: actor.name, leverUserId };
    let written: ProposalRecord | null;
    try {
      const outcome = await this.writeBack.execute(claimed, approver);
      written = await this.repo.transition(id, ['approved'], 'written', { result: outcome.result, error: null });
      await this.auditStep(
        actor,
        claimed,
        'lever.write',
        { proposalId: claimed.id, written: outcome.result.written, noteText: outcome.result.noteText ?? null },
        'written',
        { leverIds: outcome.leverIds },
      );
    } catch (e) {
      const message = failureMessage(e);
      await this.repo.transition(id, ['approved'], 'failed', { error: message });
      await this.auditStep(actor, claimed, 'lever.write', { proposalId: claimed.id, error: message }, 'failed');
      throw e;
    }
    // Null only when this claim went stale and another request retook it: answer with its state.
    return written ?? this.mustGet(id);
  }

  /**
   * One audit entry about proposal `p`: by default under the proposal's own capability and provenance, naming only
   * its opportunity in Lever.
   */
  private auditStep(
    actor: Actor,
    p: ProposalRecord,
    action: string,
    output: unknown,
    decision: string,
    over: { capability?: string; provenance?: Provenance; leverIds?: string[] } = {},
  ): Promise<void> {
    return this.audit({
      actor: actor.email,
      opportunityId: p.opportunityId,
      capability: over.capability ?? p.sourceCapability ?? 'proposal',
      action,
      provenance: over.provenance ?? p.provenance,
      output,
      decision,
      leverIds: over.leverIds ?? [p.opportunityId],
    });
  }
}

function isCreator(actor: Actor, p: ProposalRecord): boolean {
  return actor.email.toLowerCase() === p.createdBy.toLowerCase();
}

/** Audit fields of a change made to someone else's proposal (none when the creator makes it). */
function byOther(actor: Actor, p: ProposalRecord): { createdBy?: string; editedByOther?: true } {
  return isCreator(actor, p) ? {} : { createdBy: p.createdBy, editedByOther: true };
}

/**
 * What the recruiter reads on a failed write. Lost answers (timeouts, unconfirmed POSTs) are safe to retry here,
 * unlike in general: the write ledger makes a retry look for the note in Lever before posting anything.
 */
function failureMessage(e: unknown): string {
  const retry = 'Approve again to retry; Fulcrum checks Lever first and never writes twice.';
  if (!(e instanceof LeverApiError)) return `Writing to Lever failed unexpectedly. ${retry}`;
  if (e.kind === 'outcome-unknown' || e.kind === 'timeout' || e.kind === 'network') {
    return `Lever did not confirm the write (${e.method} ${e.path}). ${retry}`;
  }
  return e.retryable ? `${e.message} ${retry}` : e.message;
}
