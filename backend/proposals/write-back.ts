import { createHash } from 'node:crypto';
import { hashInput } from '../ai/provenance.ts';
import { collect, descriptionToLeverHtml, type LeverClient, LeverNotFoundError } from '../lever/index.ts';
import { fileOfferLetter } from '../offers/file-letter.ts';
import { BookingWriter } from '../scheduling/booking.ts';
import type { Store } from '../store/db.ts';
import { formatNote, modelLabelOrNull, noteHasMarker } from './note-format.ts';
import type { ProposalRecord, StoredResult } from './repo.ts';

/**
 * Writes an approved proposal to Lever, exactly once per operation. Every operation goes through write_ledger,
 * keyed by (proposal id, operation, payload hash):
 * - 'done' rows are skipped, so a retry after a partial failure only does what is left;
 * - a 'started' row means an earlier attempt may have reached Lever (crash, timeout, 5xx): for a note we look for
 *   our marker in the opportunity's notes and adopt that note instead of posting a second one; tags and stage are
 *   set operations and are simply repeated.
 * Notes: one API-created note per opportunity per kind (lever_notes); later approvals PUT over it.
 */

export type Approver = { email: string; name: string; leverUserId: string };

export type WriteOutcome = { result: StoredResult; leverIds: string[] };

const noteLocks = new Map<string, Promise<unknown>>();

/** Runs `fn` after every earlier holder of `key` finished: one writer per opportunity note kind in this process. */
async function withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const prev = noteLocks.get(key) ?? Promise.resolve();
  const run = prev.then(fn, fn);
  const tail = run.catch(() => undefined);
  noteLocks.set(key, tail);
  try {
    return await run;
  } finally {
    if (noteLocks.get(key) === tail) noteLocks.delete(key);
  }
}

export function idempotencyKey(proposalId: string, operation: string, payload: unknown): string {
  return createHash('sha256')
    .update(`${proposalId}\n${operation}\n${hashInput(payload)}`)
    .digest('hex');
}

export class WriteBack {
  constructor(
    private readonly store: Store,
    private readonly lever: LeverClient,
    private readonly now: () => number,
  ) {}

  /** The exact note text approval would write (label included), or null when the proposal has no note. */
  noteText(p: ProposalRecord, approverName: string): string | null {
    if (!p.payload.note) return null;
    return formatNote(p.payload.note.text, {
      kind: p.kind,
      approvedBy: approverName,
      model: modelLabelOrNull(p.provenance),
      proposalId: p.id,
    });
  }

  /** Performs every write of the proposal. Throws LeverApiError on the first failure; finished writes stay done. */
  async execute(p: ProposalRecord, approver: Approver): Promise<WriteOutcome> {
    if (p.kind === 'posting-rewrite') return this.writePosting(p, approver);
    if (p.kind === 'interview-schedule')
      return new BookingWriter(this.store, this.lever, this.now).execute(p, approver);
    if (p.kind === 'offer-letter') return fileOfferLetter(this.store, this.lever, this.now, p, approver);
    const written: string[] = [];
    const leverIds: string[] = [p.opportunityId];
    const performAs = { performAs: approver.leverUserId };
    let noteId: string | undefined;
    const noteText = this.noteText(p, approver.name);

    if (noteText !== null) {
      noteId = await withLock(`${p.opportunityId}\n${p.kind}`, () => this.writeNote(p, noteText, approver));
      written.push('note');
      leverIds.push(noteId);
    }
    const { addTags, removeTags, stageId } = p.payload;
    if (addTags?.length) {
      await this.once(p, 'addTags', addTags, async () => {
        await this.lever.addTags(p.opportunityId, addTags, performAs);
        return null;
      });
      written.push('addTags');
    }
    if (removeTags?.length) {
      await this.once(p, 'removeTags', removeTags, async () => {
        await this.lever.removeTags(p.opportunityId, removeTags, performAs);
        return null;
      });
      written.push('removeTags');
    }
    if (stageId) {
      await this.once(p, 'stage', stageId, async () => {
        await this.lever.changeStage(p.opportunityId, stageId, performAs);
        return null;
      });
      written.push('stage');
    }
    const base = this.lever.baseUrl.replace(/\/v1$/, '');
    return {
      result: {
        ...(noteId ? { noteId } : {}),
        leverUrl: `${base}/candidates/${p.opportunityId}`,
        written,
        ...(noteText !== null ? { noteText } : {}),
      },
      leverIds,
    };
  }

  /**
   * A posting rewrite: one partial update of the posting's description (`POST /postings/:id` with perform_as). For
   * this kind the proposal's opportunityId is the posting id. The update is a set operation, so a retry repeats it.
   */
  private async writePosting(p: ProposalRecord, approver: Approver): Promise<WriteOutcome> {
    const description = p.payload.posting?.description;
    if (!description) throw new Error('posting-rewrite proposal has no posting description');
    await this.once(p, 'posting', description, async () => {
      // Lever's writable field is content.descriptionHtml (a plain content.description is not): sanitised HTML with
      // only the tags Lever allows, the recruiter's text escaped.
      await this.lever.updatePosting(
        p.opportunityId,
        { content: { descriptionHtml: descriptionToLeverHtml(description) } },
        { performAs: approver.leverUserId },
      );
      return p.opportunityId;
    });
    const base = this.lever.baseUrl.replace(/\/v1$/, '');
    return {
      result: { leverUrl: `${base}/jobs/postings/${p.opportunityId}`, written: ['posting'] },
      leverIds: [p.opportunityId],
    };
  }

  /** Runs a repeatable write once per ledger key; returns the Lever object id it recorded. */
  private async once(
    p: ProposalRecord,
    operation: string,
    payload: unknown,
    write: (previouslyStarted: boolean) => Promise<string | null>,
  ): Promise<string | null> {
    const key = idempotencyKey(p.id, operation, payload);
    const row = await this.store.db
      .selectFrom('write_ledger')
      .selectAll()
      .where('idempotency_key', '=', key)
      .executeTakeFirst();
    if (row?.status === 'done') return row.lever_object_id;
    if (!row) {
      await this.store.db
        .insertInto('write_ledger')
        .values({
          idempotency_key: key,
          proposal_id: p.id,
          opportunity_id: p.opportunityId,
          operation,
          status: 'started',
          lever_object_id: null,
          request: JSON.stringify({ operation, payloadHash: hashInput(payload) }),
          created_at: this.now(),
          completed_at: null,
        })
        .onConflict((oc) => oc.column('idempotency_key').doNothing())
        .execute();
    }
    const objectId = await write(row !== undefined);
    await this.store.db
      .updateTable('write_ledger')
      .set({ status: 'done', lever_object_id: objectId, completed_at: this.now() })
      .where('idempotency_key', '=', key)
      .execute();
    return objectId;
  }

  private async writeNote(p: ProposalRecord, text: string, approver: Approver): Promise<string> {
    const performAs = { performAs: approver.leverUserId };
    const id = await this.once(p, 'note', text, async () => {
      const existing = await this.store.db
        .selectFrom('lever_notes')
        .select('note_id')
        .where('opportunity_id', '=', p.opportunityId)
        .where('kind', '=', p.kind)
        .executeTakeFirst();
      if (existing) {
        try {
          await this.lever.updateNote(p.opportunityId, existing.note_id, { value: text }, performAs);
          await this.rememberNote(p, existing.note_id);
          return existing.note_id;
        } catch (e) {
          // Someone deleted our note in Lever: fall through and create a fresh one.
          if (!(e instanceof LeverNotFoundError)) throw e;
        }
      }
      // Any earlier attempt of this proposal whose outcome is unknown may have created the note already.
      if (await this.hadUnfinishedNoteWrite(p.id)) {
        const adopted = await this.findMarkedNote(p);
        if (adopted) {
          await this.lever.updateNote(p.opportunityId, adopted, { value: text }, performAs);
          await this.rememberNote(p, adopted);
          return adopted;
        }
      }
      await this.markNoteAttempt(p);
      const created = await this.lever.createNote(p.opportunityId, { value: text }, performAs);
      await this.rememberNote(p, created.noteId);
      return created.noteId;
    });
    if (!id) throw new Error('note write recorded no note id');
    return id;
  }

  /** A ledger row, independent of the payload hash, saying a note POST for this proposal may have gone out. */
  private async markNoteAttempt(p: ProposalRecord): Promise<void> {
    await this.store.db
      .insertInto('write_ledger')
      .values({
        idempotency_key: idempotencyKey(p.id, 'note-create', p.id),
        proposal_id: p.id,
        opportunity_id: p.opportunityId,
        operation: 'note-create',
        status: 'started',
        lever_object_id: null,
        request: null,
        created_at: this.now(),
        completed_at: null,
      })
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .execute();
  }

  private async hadUnfinishedNoteWrite(proposalId: string): Promise<boolean> {
    const row = await this.store.db
      .selectFrom('write_ledger')
      .select('status')
      .where('idempotency_key', '=', idempotencyKey(proposalId, 'note-create', proposalId))
      .executeTakeFirst();
    return row?.status === 'started';
  }

  private async findMarkedNote(p: ProposalRecord): Promise<string | null> {
    const notes = await collect(this.lever.listNotes(p.opportunityId));
    for (const n of notes) {
      if (n.deletedAt) continue;
      const texts = [n.text, ...(n.fields ?? []).flatMap((f) => [f.value, f.text])];
      if (noteHasMarker(texts, p.id)) return n.id;
    }
    return null;
  }

  private async rememberNote(p: ProposalRecord, noteId: string): Promise<void> {
    const t = this.now();
    await this.store.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('lever_notes')
        .values({ opportunity_id: p.opportunityId, kind: p.kind, note_id: noteId, created_at: t, updated_at: t })
        .onConflict((oc) => oc.columns(['opportunity_id', 'kind']).doUpdateSet({ note_id: noteId, updated_at: t }))
        .execute();
      await trx
        .updateTable('write_ledger')
        .set({ status: 'done', lever_object_id: noteId, completed_at: t })
        .where('idempotency_key', '=', idempotencyKey(p.id, 'note-create', p.id))
        .execute();
    });
  }
}
