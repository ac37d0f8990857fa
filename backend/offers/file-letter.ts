import { collect, type LeverClient } from '../lever/index.ts';
import type { ProposalRecord } from '../proposals/repo.ts';
import { type Approver, idempotencyKey, type WriteOutcome } from '../proposals/write-back.ts';
import type { Store } from '../store/db.ts';
import { renderLetterPdf } from './pdf.ts';
import './schema.ts';

/**
 * Writes an approved 'offer-letter' proposal: renders the approved version to PDF and uploads it to the opportunity
 * (`POST /opportunities/:id/files?perform_as=`, multipart), once. A file upload is not idempotent in Lever, so the
 * write ledger records the attempt first; a retry after an unknown outcome looks for a file of the same name on the
 * opportunity and adopts it instead of uploading a second copy.
 */
export async function fileOfferLetter(
  store: Store,
  lever: LeverClient,
  now: () => number,
  p: ProposalRecord,
  approver: Approver,
): Promise<WriteOutcome> {
  const file = p.payload.file;
  if (!file) throw new Error('offer-letter proposal has no file');
  const letter = await store.db
    .selectFrom('offer_letters')
    .selectAll()
    .where('id', '=', file.offerLetterId)
    .executeTakeFirst();
  if (!letter || letter.opportunity_id !== p.opportunityId)
    throw new Error('offer-letter proposal names no letter of this opportunity');
  if (letter.current_version !== file.version || (letter.status !== 'approved' && letter.status !== 'filed')) {
    throw new Error(`offer letter version ${file.version} is no longer the approved version`);
  }
  const version = await store.db
    .selectFrom('offer_letter_versions')
    .selectAll()
    .where('letter_id', '=', letter.id)
    .where('version', '=', file.version)
    .executeTakeFirstOrThrow();

  const key = idempotencyKey(p.id, 'file', { letter: letter.id, version: file.version });
  const row = await store.db
    .selectFrom('write_ledger')
    .selectAll()
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
  let fileId = row?.status === 'done' ? row.lever_object_id : null;
  if (!fileId) {
    if (row) {
      const existing = (await collect(lever.listFiles(p.opportunityId))).find((f) => f.name === file.name);
      fileId = existing?.id ?? null;
    } else {
      await store.db
        .insertInto('write_ledger')
        .values({
          idempotency_key: key,
          proposal_id: p.id,
          opportunity_id: p.opportunityId,
          operation: 'file',
          status: 'started',
          lever_object_id: null,
          request: JSON.stringify({ operation: 'file', name: file.name, version: file.version }),
          created_at: now(),
          completed_at: null,
        })
        .onConflict((oc) => oc.column('idempotency_key').doNothing())
        .execute();
    }
    if (!fileId) {
      const pdf = await renderLetterPdf(version.text, {
        title: file.name.replace(/\.pdf$/, ''),
        createdAt: new Date(version.created_at),
      });
      const uploaded = await lever.uploadFile(
        p.opportunityId,
        { name: file.name, content: Buffer.from(pdf), contentType: 'application/pdf' },
        { performAs: approver.leverUserId },
      );
      fileId = uploaded.id;
    }
    await store.db
      .updateTable('write_ledger')
      .set({ status: 'done', lever_object_id: fileId, completed_at: now() })
      .where('idempotency_key', '=', key)
      .execute();
  }
  await store.db
    .updateTable('offer_letters')
    .set({ status: 'filed', updated_at: now() })
    .where('id', '=', letter.id)
    .execute();
  const base = lever.baseUrl.replace(/\/v1$/, '');
  return {
    result: { leverUrl: `${base}/candidates/${p.opportunityId}`, written: ['file'] },
    leverIds: [p.opportunityId, fileId],
  };
}
