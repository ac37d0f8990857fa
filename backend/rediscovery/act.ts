import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { ProposalStatus } from '../../utils/contracts/api.ts';
import {
  type ActResponse,
  type OutreachList,
  type OutreachRecord,
  OutreachRecordSchema,
} from '../../utils/contracts/rediscovery.ts';
import type { AiEngine, CandidateInput, PostingInput } from '../ai/types.ts';
import { isOptedOutPerson } from '../compliance/opt-out.ts';
import type { Actor, ProposalService } from '../proposals/service.ts';
import type { Store } from '../store/db.ts';
import { isPostgres } from '../store/dialect.ts';
import type { Database } from '../store/schema.ts';
import type { IndexedPerson } from './index-store.ts';
import { candidateOf, exclusionOf } from './rediscover.ts';
import { talentIndexFor } from './talent-index.ts';

/**
 * The act step for the people a recruiter picked: a re-engagement email that mentions the earlier application,
 * and a proposal (tag `rediscovered: <posting>` + a note with the draft) that writes to Lever only once approved.
 * When the recruiter says the email went out, a stage-move proposal follows. Nothing here writes to Lever.
 */

export type ActDeps = {
  store: Pick<Store, 'db' | 'sqlite'>;
  ai: AiEngine;
  proposals: Pick<ProposalService, 'create' | 'mustGet' | 'discard'>;
  now?: () => number;
};

export class ActError extends Error {
  override readonly name = 'ActError';
  constructor(
    readonly code: 'not_found' | 'conflict',
    message: string,
  ) {
    super(message);
  }
}

/** Why a picked contact got no draft when they are not in the pool (also said of people the caller may not see). */
export const NOT_IN_POOL = 'not in the talent pool (not synced, or deleted in Lever)';

/** Lever caps nothing documented, but our proposal schema caps tags at 200 characters. */
export function rediscoveredTag(postingTitle: string): string {
  return `rediscovered: ${postingTitle}`.slice(0, 200);
}

function withHistory(p: IndexedPerson): CandidateInput {
  return {
    ...candidateOf(p),
    previousApplications: p.summary.opportunities.map((o) => ({
      postingTitle: o.postingTitle ?? 'an earlier role',
      stageReached: o.bestStageText,
      archiveReason: o.archiveReason,
      date: new Date(o.createdAt ?? 0).toISOString().slice(0, 10),
    })),
  };
}

function rowToRecord(r: Record<string, unknown>): OutreachRecord {
  return OutreachRecordSchema.parse({
    id: r.id,
    contactId: r.contact_id,
    opportunityId: r.opportunity_id,
    postingId: r.posting_id,
    subject: r.subject,
    body: r.body,
    tagProposalId: r.tag_proposal_id,
    stageProposalId: r.stage_proposal_id ?? null,
    sentAt: r.sent_at == null ? null : Number(r.sent_at),
  });
}

export async function draftReengagement(
  deps: ActDeps,
  actor: Actor,
  posting: PostingInput,
  contactIds: string[],
  tone: 'warm' | 'concise' | 'formal',
): Promise<ActResponse> {
  const { db } = deps.store;
  const index = talentIndexFor(deps.store);
  const now = (deps.now ?? Date.now)();
  const outreach: OutreachRecord[] = [];
  const skipped: ActResponse['skipped'] = [];
  for (const contactId of [...new Set(contactIds)]) {
    const person = await index.personByContact(contactId);
    if (!person) {
      skipped.push({ contactId, reason: NOT_IN_POOL });
      continue;
    }
    // Re-checked here: the person may have been hired or asked not to be contacted since the list was made.
    const why = (await isOptedOutPerson(deps.store.db, person.summary))
      ? 'optedOut'
      : exclusionOf(person.summary, posting.id, now);
    if (why) {
      skipped.push({ contactId, reason: why });
      continue;
    }
    const candidate = withHistory(person);
    const match = await deps.ai.scoreCandidate(posting, candidate);
    const draft = await deps.ai.draftOutreach(
      posting,
      candidate,
      match,
      { tone, variant: 're-engagement', maxWords: 160 },
      { name: actor.name, email: actor.email },
    );
    const past = person.summary.opportunities[0];
    const noteText = [
      `Rediscovered for ${posting.title} (match ${match.score}/100, ${match.verdict}).`,
      past
        ? `Earlier: ${past.postingTitle ?? 'an earlier role'}, reached ${past.bestStageText ?? 'unknown stage'}${past.archiveReason ? `, archived: ${past.archiveReason}` : ''}.`
        : '',
      '',
      `Re-engagement email (draft): ${draft.subject}`,
      '',
      draft.body,
    ]
      .filter((l, i) => l !== '' || i > 1)
      .join('\n');
    const proposal = await deps.proposals.create(actor, {
      opportunityId: person.summary.latestOpportunityId,
      kind: 'rediscovery',
      payload: { addTags: [rediscoveredTag(posting.title)], note: { text: noteText } },
      reason: `Past candidate rediscovered for ${posting.title}: ${match.summary}`,
      sourceCapability: 'rediscovery',
      provenance: draft.provenance,
    });
    const id = randomUUID();
    await sql`INSERT INTO rd_outreach
        (id, contact_id, opportunity_id, posting_id, subject, body, tag_proposal_id, created_by, created_at)
      VALUES (${id}, ${contactId}, ${person.summary.latestOpportunityId}, ${posting.id}, ${draft.subject},
        ${draft.body}, ${proposal.id}, ${actor.email}, ${now})`.execute(db);
    outreach.push((await getOutreach(db, id)) as OutreachRecord);
  }
  return { outreach, skipped };
}

export async function getOutreach(db: Kysely<Database>, id: string): Promise<OutreachRecord | null> {
  const row = (await sql<Record<string, unknown>>`SELECT * FROM rd_outreach WHERE id = ${id}`.execute(db)).rows[0];
  return row ? rowToRecord(row) : null;
}

/** A posting's re-engagement drafts, newest first, with their proposals' statuses (null when retention removed one). */
export async function listOutreach(
  db: Kysely<Database>,
  postingId: string,
  limit = 200,
): Promise<OutreachList['outreach']> {
  const { rows } = await sql<Record<string, unknown>>`
    SELECT o.*, t.status AS tag_status, s.status AS stage_status
    FROM rd_outreach o
    LEFT JOIN proposals t ON t.id = o.tag_proposal_id
    LEFT JOIN proposals s ON s.id = o.stage_proposal_id
    WHERE o.posting_id = ${postingId} ORDER BY o.created_at DESC LIMIT ${limit}`.execute(db);
  return rows.map((r) => ({
    ...rowToRecord(r),
    tagProposalStatus: (r.tag_status as ProposalStatus | null) ?? null,
    stageProposalStatus: (r.stage_status as ProposalStatus | null) ?? null,
  }));
}

/**
 * The recruiter sent the email (from their own mailbox: Lever has no send endpoint): propose moving the
 * opportunity to the chosen stage. Repeating it returns the same proposal, unless the recruiter discarded that one
 * (a wrong stage): then the new stage is proposed instead.
 */
export async function markOutreachSent(
  deps: ActDeps,
  actor: Actor,
  outreachId: string,
  stageId: string,
  stageName?: string,
): Promise<OutreachRecord> {
  const { db } = deps.store;
  const current = await getOutreach(db, outreachId);
  if (!current) throw new ActError('not_found', `No re-engagement draft with id "${outreachId}".`);
  if (current.stageProposalId) {
    const previous = await deps.proposals.mustGet(current.stageProposalId);
    if (previous.status !== 'discarded') return current;
  }
  const now = (deps.now ?? Date.now)();
  const proposal = await deps.proposals.create(actor, {
    opportunityId: current.opportunityId,
    kind: 'stage',
    payload: { stageId },
    reason: `Re-engagement email "${current.subject}" sent; move to ${stageName ?? 'the chosen stage'}.`,
    sourceCapability: 'rediscovery',
  });
  // Guarded by the proposal it replaces, so of two concurrent requests (a double click) one links its proposal; the
  // other discards its own, so the inbox holds one stage move, and answers with the winner's.
  const same = isPostgres(db)
    ? sql`stage_proposal_id IS NOT DISTINCT FROM ${current.stageProposalId}`
    : sql`stage_proposal_id IS ${current.stageProposalId}`;
  const linked =
    await sql`UPDATE rd_outreach SET sent_at = COALESCE(sent_at, ${now}), stage_proposal_id = ${proposal.id}
    WHERE id = ${outreachId} AND ${same}`.execute(db);
  if (Number(linked.numAffectedRows ?? 0) === 0) await deps.proposals.discard(actor, proposal.id);
  return (await getOutreach(db, outreachId)) as OutreachRecord;
}
