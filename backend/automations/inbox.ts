import type { ProposalPayload } from '../../utils/contracts/api.ts';
import { type InboxItem, InboxItemSchema } from '../../utils/contracts/automations.ts';
import { fromRow } from '../proposals/repo.ts';
import type { Store } from '../store/db.ts';
import type { ProposalRow } from '../store/schema.ts';

const INBOX_LIMIT = 200;

type Row = ProposalRow & {
  w_name: string | null;
  w_title: string | null;
  w_url: string | null;
};

/**
 * Pending proposals, newest first. A recruiter sees those for opportunities they (by Lever user id) own or follow,
 * directly or through the posting (owner, hiring manager, followers, as recorded when the automation last re-read
 * Lever), plus the ones they created themselves; admins see everything.
 */
export function listInbox(
  store: Store,
  viewer: { email: string; role: 'recruiter' | 'admin'; leverUserId: string | null },
): InboxItem[] {
  const { sqlite } = store;
  const base = `SELECT p.*, w.candidate_name AS w_name, w.posting_title AS w_title, w.lever_url AS w_url
     FROM proposals p LEFT JOIN automation_watchers w ON w.opportunity_id = p.opportunity_id
     WHERE p.status = 'pending'`;
  const order = ` ORDER BY p.created_at DESC, p.id LIMIT ${INBOX_LIMIT}`;
  const rows = (
    viewer.role === 'admin'
      ? sqlite.prepare(base + order).all()
      : sqlite
          .prepare(
            `${base} AND (p.created_by = ? OR EXISTS (SELECT 1 FROM json_each(w.user_ids) j WHERE j.value = ?))${order}`,
          )
          .all(viewer.email, viewer.leverUserId ?? '\u0000')
  ) as Row[];
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
