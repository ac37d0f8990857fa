import { Hono, type MiddlewareHandler } from 'hono';
import { z } from 'zod';
import {
  ApproveProposalRequestSchema,
  CreateProposalRequestSchema,
  EditProposalRequestSchema,
  OpportunityIdSchema,
  ProposalListSchema,
  ProposalSchema,
  ProposalStatusSchema,
} from '../../utils/contracts/api.ts';
import { isLeverAdmin } from '../access/policy.ts';
import type { AppServices } from '../app.ts';
import type { AuthEnv } from '../http/auth.ts';
import { badRequest } from '../http/errors.ts';
import { zodJson, zodParam, zodQuery } from '../http/validate.ts';
import { markSentRoutes } from './automations.ts';

const IdParam = z.object({ id: z.string().uuid('proposal ids are UUIDs') });

/**
 * Proposals: what Fulcrum would write to Lever, edited and approved (or discarded) by a recruiter. Who may list,
 * edit, approve and discard which proposal is backend/access/policy.ts `proposalRights`.
 */
export function proposalRoutes(s: AppServices) {
  const p = s.proposals;
  return (
    new Hono<AuthEnv>()
      .get(
        '/',
        zodQuery(z.object({ opportunityId: OpportunityIdSchema.optional(), status: ProposalStatusSchema.optional() })),
        s.guards.filtered('proposals the caller may see'),
        async (c) => {
          const q = c.req.valid('query');
          const v = await s.guards.viewer(c);
          // Lever admins see every proposal. Anyone else: theirs and those on candidates they own or follow (the
          // inbox's audience, narrowed in SQL first), then only the ones whose candidate or posting they may see.
          const rows = await p.list(
            isLeverAdmin(v) || q.opportunityId ? q : { ...q, scope: { email: v.email, leverUserId: v.leverUserId } },
          );
          const list = isLeverAdmin(v) ? rows : await s.access.filterProposals(v, rows);
          const viewer = c.get('recruiter');
          return c.json(ProposalListSchema.parse({ proposals: list.map((x) => p.wire(x, viewer)) }));
        },
      )
      .post(
        '/',
        zodJson(CreateProposalRequestSchema),
        payloadWrites,
        s.guards.custom('may write to the target (a posting rewrite: may manage the posting)', async (c, v) => {
          // Reads the target from Lever by id (the extension's word is never taken): missing and out of scope are one 404.
          const body = (c.req.valid as (t: 'json') => { kind: string; opportunityId: string })('json');
          if (body.kind === 'posting-rewrite') await s.access.requirePosting(v, body.opportunityId, 'manage');
          else await s.access.requireOpportunity(v, body.opportunityId, 'act');
        }),
        async (c) => {
          const body = c.req.valid('json');
          const created = await p.create(c.get('recruiter'), body);
          return c.json(ProposalSchema.parse(p.wire(created, c.get('recruiter'))), 201);
        },
      )
      .patch(
        '/:id',
        zodParam(IdParam),
        zodJson(EditProposalRequestSchema),
        payloadWrites,
        s.guards.proposal('edit'),
        async (c) => {
          const { payload } = c.req.valid('json');
          const edited = await p.edit(c.get('recruiter'), c.req.valid('param').id, payload);
          return c.json(ProposalSchema.parse(p.wire(edited, c.get('recruiter'))));
        },
      )
      .post(
        '/:id/approve',
        zodParam(IdParam),
        zodJson(ApproveProposalRequestSchema),
        s.guards.proposal('approve'),
        async (c) => {
          const { dryRun } = c.req.valid('json');
          const result = await p.approve(c.get('recruiter'), c.req.valid('param').id, dryRun);
          return c.json(ProposalSchema.parse(p.wire(result, c.get('recruiter'))));
        },
      )
      .post('/:id/discard', zodParam(IdParam), s.guards.proposal('discard'), async (c) => {
        const result = await p.discard(c.get('recruiter'), c.req.valid('param').id);
        return c.json(ProposalSchema.parse(p.wire(result, c.get('recruiter'))));
      })
      // Marking an outreach draft as sent (automations): routes/automations.ts.
      .route('/', markSentRoutes(s))
  );
}

/** After zodJson: a proposal that would write nothing is a 400, before anything is looked up. */
const payloadWrites: MiddlewareHandler<AuthEnv> = async (c, next) => {
  const body = (c.req.valid as (t: 'json') => { payload: z.infer<typeof EditProposalRequestSchema>['payload'] })(
    'json',
  );
  if (!hasWrite(body.payload))
    throw badRequest('A proposal must contain a note, tags, a stage or a posting description to write.');
  // Offer letters are proposed only by the approval chain (backend/offers/service.ts), never through this route.
  if (body.payload.file || (body as { kind?: string }).kind === 'offer-letter')
    throw badRequest('Offer letters are filed from the Offer view once every approver has approved them.');
  // Interview bookings are built by the scheduling routes (calendars, working hours and caps checked against the
  // chosen time, names read from Lever), never taken from a request body as a ready-made Lever panel.
  if (body.payload.schedule || (body as { kind?: string }).kind === 'interview-schedule')
    throw badRequest('Interviews are booked, moved and cancelled from the Schedule view (/api/scheduling).');
  await next();
};

function hasWrite(payload: z.infer<typeof EditProposalRequestSchema>['payload']): boolean {
  return !!(
    payload.note ||
    payload.addTags?.length ||
    payload.removeTags?.length ||
    payload.stageId ||
    payload.posting
  );
}
