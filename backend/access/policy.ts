/**
 * Fulcrum's one access policy: what a signed-in recruiter may see and do, derived from their Lever user's `accessRole`
 * the way Lever itself scopes data (docs/lever-api.md §3 confidentiality, §4 User). Pure functions over facts read from
 * Lever (lever-access.ts reads and caches them); every route applies these through route-rules.ts.
 *
 * - super admin, admin: everything.
 * - team member: every non-confidential posting and opportunity; a confidential one only when they are on it
 *   (owner or follower of the opportunity, or owner, hiring manager or follower of its posting).
 * - limited team member: only the postings and opportunities they are on (the same relations), confidential or not.
 * - interviewer: only opportunities where they are an interviewer on an interview, or were asked for feedback
 *   (a feedback form names them); no postings.
 * - no Lever user (email not found, deactivated, unknown role): nothing. Default deny.
 *
 * Fulcrum's own role ('recruiter' | 'admin', backend/auth/recruiters.ts) only gates Fulcrum's settings (AI
 * governance, automation policy, webhooks, metrics). It never widens data: a Fulcrum admin who is a Lever team member
 * sees what a team member sees, and the reports that span every candidate (audit export, diversity funnel, bias
 * self-test) need both the Fulcrum admin role and a Lever admin role.
 *
 * Writes: acting on an opportunity (notes, tags, stage moves through an approved proposal) needs seeing it and a role
 * above interviewer; a posting rewrite needs the posting's owner, its hiring manager or a Lever admin.
 */

export const LEVER_ROLES = ['super admin', 'admin', 'team member', 'limited team member', 'interviewer'] as const;
export type LeverRole = (typeof LEVER_ROLES)[number];

/** Lever's accessRole, normalised ("Super Admin", "super_admin" → "super admin"); anything else is null (deny). */
export function parseLeverRole(raw: unknown): LeverRole | null {
  if (typeof raw !== 'string') return null;
  const s = raw.trim().toLowerCase().replace(/[_-]+/g, ' ').replace(/\s+/g, ' ');
  return (LEVER_ROLES as readonly string[]).includes(s) ? (s as LeverRole) : null;
}

/** The caller as the policy sees them. `leverRole` null means no usable Lever user: they see nothing. */
export type Viewer = {
  recruiterId: string;
  email: string;
  fulcrumRole: 'recruiter' | 'admin';
  leverUserId: string | null;
  leverRole: LeverRole | null;
};

export type PostingFacts = {
  id: string;
  confidential: boolean;
  ownerId: string | null;
  hiringManagerId: string | null;
  followerIds: string[];
};

export type OpportunityFacts = {
  id: string;
  /** Confidential itself, or applied to a confidential posting (Lever makes those confidential too). */
  confidential: boolean;
  ownerId: string | null;
  followerIds: string[];
  postingId: string | null;
  /** The posting's facts when it could be read (null when there is none or the key cannot see it). */
  posting: PostingFacts | null;
};

/** Who interviews or gives feedback on an opportunity; only read for viewers whose role depends on it. */
export type InterviewFacts = { interviewerIds: string[]; feedbackUserIds: string[] };

export const isLeverAdmin = (v: Viewer): boolean => v.leverRole === 'super admin' || v.leverRole === 'admin';

/** Whether the policy needs an opportunity's interviews and feedback to decide for this viewer. */
export const needsInterviewFacts = (v: Viewer): boolean => v.leverRole === 'interviewer';

/** Owner, hiring manager or follower of the posting. */
export function onPosting(v: Viewer, p: PostingFacts | null): boolean {
  const me = v.leverUserId;
  if (!me || !p) return false;
  return p.ownerId === me || p.hiringManagerId === me || p.followerIds.includes(me);
}

/** Owner or follower of the opportunity. */
export function onOpportunity(v: Viewer, o: OpportunityFacts): boolean {
  const me = v.leverUserId;
  if (!me) return false;
  return o.ownerId === me || o.followerIds.includes(me);
}

export function canSeePosting(v: Viewer, p: PostingFacts): boolean {
  switch (v.leverRole) {
    case 'super admin':
    case 'admin':
      return true;
    case 'team member':
      return !p.confidential || onPosting(v, p);
    case 'limited team member':
      return onPosting(v, p);
    default:
      return false;
  }
}

/** Rewriting a posting's description: its owner, its hiring manager, or a Lever admin. */
export function canManagePosting(v: Viewer, p: PostingFacts): boolean {
  if (isLeverAdmin(v)) return true;
  const me = v.leverUserId;
  if (!me || v.leverRole === null || v.leverRole === 'interviewer') return false;
  return p.ownerId === me || p.hiringManagerId === me;
}

export function canSeeOpportunity(v: Viewer, o: OpportunityFacts, interviews?: InterviewFacts | null): boolean {
  switch (v.leverRole) {
    case 'super admin':
    case 'admin':
      return true;
    case 'team member':
      return !o.confidential || onOpportunity(v, o) || onPosting(v, o.posting);
    case 'limited team member':
      return onOpportunity(v, o) || onPosting(v, o.posting);
    case 'interviewer': {
      const me = v.leverUserId;
      if (!me || !interviews) return false;
      return interviews.interviewerIds.includes(me) || interviews.feedbackUserIds.includes(me);
    }
    default:
      return false;
  }
}

/** Writing to the opportunity (through an approved proposal): seeing it, with a role above interviewer. */
export function canActOnOpportunity(v: Viewer, o: OpportunityFacts, interviews?: InterviewFacts | null): boolean {
  return v.leverRole !== 'interviewer' && canSeeOpportunity(v, o, interviews);
}

/** What a proposal is about: an opportunity, or (kind 'posting-rewrite') a posting. */
export type ProposalTarget =
  | { kind: 'opportunity'; facts: OpportunityFacts; interviews?: InterviewFacts | null }
  | { kind: 'posting'; facts: PostingFacts };

export type ProposalRights = { see: boolean; edit: boolean; approve: boolean; discard: boolean };

export const NO_RIGHTS: ProposalRights = { see: false, edit: false, approve: false, discard: false };

/**
 * A proposal is seen by Lever admins, its creator, and the people on its opportunity or posting (the inbox's
 * audience), and only while they may see the target. Editing is for the creator, the opportunity's owner or followers
 * and admins (a posting rewrite: the posting's owner, hiring manager or admins); approving for whoever may write to
 * the target; discarding for either.
 */
export function proposalRights(v: Viewer, p: { createdBy: string }, target: ProposalTarget): ProposalRights {
  const creator = p.createdBy.toLowerCase() === v.email.toLowerCase();
  if (target.kind === 'posting') {
    const visible = canSeePosting(v, target.facts);
    const see = visible && (isLeverAdmin(v) || creator || onPosting(v, target.facts));
    const manage = see && canManagePosting(v, target.facts);
    return { see, edit: manage, approve: manage, discard: manage || (see && creator) };
  }
  const o = target.facts;
  const visible = canSeeOpportunity(v, o, target.interviews);
  const see = visible && (isLeverAdmin(v) || creator || onOpportunity(v, o) || onPosting(v, o.posting));
  const act = see && canActOnOpportunity(v, o, target.interviews);
  const edit = act && (isLeverAdmin(v) || creator || onOpportunity(v, o));
  return { see, edit, approve: act, discard: edit || act };
}
