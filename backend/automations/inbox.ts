import { type Kysely, sql } from 'kysely';
import type { ProposalPayload } from '../../utils/contracts/api.ts';
import { type InboxItem, InboxItemSchema } from '../../utils/contracts/automations.ts';
import { fromRow } from '../proposals/repo.ts';
import type { Store } from '../store/db.ts';
import { isPostgres } from '../store/dialect.ts';
import type { Database } from '../store/schema.ts';

const INBOX_LIMIT = 200;

/** `value` is one of the strings of the JSON array in `w.user_ids` (TEXT on both engines). */
const watchedBy = (db: Kysely<Database>, value: string) =>
  isPostgres(db)
    ? sql<boolean>`${value} IN (SELECT jsonb_array_elements_text(w.user_ids::jsonb))`
    : sql<boolean>`EXISTS (SELECT 1 FROM json_each(w.user_ids) j WHERE j.value = ${value})`;

/**
 * Pending proposals, newest first. A recruiter sees those for opportunities they (by Lever user id) own or follow,
 * directly or through the posting (owner, hiring manager, followers, as recorded when the automation last re-read
 * Lever), plus the ones they created themselves; admins see everything.
 */
export async function listInbox(
  store: Pick<Store, 'db'>,
  viewer: { email: string; role: 'recruiter' | 'admin'; leverUserId: string | null },
): Promise<InboxItem[]> {
  const { db } = store;
  let q = db
    .selectFrom('proposals as p')
    .leftJoin('automation_watchers as w', 'w.opportunity_id', 'p.opportunity_id')
    .selectAll('p')
    .select(['w.candidate_name as w_name', 'w.posting_title as w_title', 'w.lever_url as w_url'])
    .where('p.status', '=', 'pending');
  if (viewer.role !== 'admin') {
    const leverUserId = viewer.leverUserId;
    q = q.where((eb) =>
      eb.or([
        eb('p.created_by', '=', viewer.email),
        ...(leverUserId ? [eb.and([eb('w.user_ids', 'is not', null), watchedBy(db, leverUserId)])] : []),
      ]),
    );
  }
  const rows = await q.orderBy('p.created_at', 'desc').orderBy('p.id').limit(INBOX_LIMIT).execute();
  return rows.map((r) => {
    const p = fromRow(r);
    return InboxItemSchema.parse({
      proposalId: p.id,
      opportunityId: p.opportunityId,
      candidateName: r.w_name ?? '(candidate)',
      postingTitle: r.w_title,
      kind: p.kind,
      summary: summarize(p.payload),
      reason: p.reason,
      payload: p.payload,
      createdBy: p.createdBy,
      createdAt: new Date(p.createdAt).toISOString(),
      leverUrl: r.w_url,
    });
  });
}

function summarize(payload: ProposalPayload): string {
  const parts: string[] = [];
  if (payload.note) parts.push(`Note: ${payload.note.text.split('\n')[0]?.slice(0, 120) ?? ''}`);
  if (payload.addTags?.length) parts.push(`Add tags: ${payload.addTags.join(', ')}`);
  if (payload.removeTags?.length) parts.push(`Remove tags: ${payload.removeTags.join(', ')}`);
  if (payload.stageId) parts.push('Change stage');
  const sch = payload.schedule;
  if (sch) {
    const first = sch.sessions[0]?.start ?? '';
    const more = sch.options && sch.options.length > 1 ? ` (${sch.options.length} options)` : '';
    parts.push(
      sch.action === 'cancel'
        ? 'Cancel interview'
        : `${sch.action === 'book' ? 'Book' : 'Move'} interview: ${first}${more}`,
    );
  }
  return parts.join(' · ');
}
