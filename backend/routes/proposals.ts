import { Hono } from 'hono';
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
import type { AppServices } from '../app.ts';
import type { AuthEnv } from '../http/auth.ts';
import { badRequest, notFound } from '../http/errors.ts';
import { zodJson, zodParam, zodQuery } from '../http/validate.ts';
import { LeverApiError } from '../lever/index.ts';

const IdParam = z.object({ id: z.string().uuid('proposal ids are UUIDs') });

/** Proposals: what Fulcrum would write to Lever, edited and approved (or discarded) by a recruiter. */
export function proposalRoutes(s: AppServices) {
  const p = s.proposals;
  return new Hono<AuthEnv>()
    .get(
      '/',
      zodQuery(z.object({ opportunityId: OpportunityIdSchema.optional(), status: ProposalStatusSchema.optional() })),
      async (c) => {
        const list = await p.list(c.req.valid('query'));
        const viewer = c.get('recruiter');
        return c.json(ProposalListSchema.parse({ proposals: list.map((x) => p.wire(x, viewer)) }));
      },
    )
    .post('/', zodJson(CreateProposalRequestSchema), async (c) => {
      const body = c.req.valid('json');
      if (!hasWrite(body.payload))
        throw badRequest('A proposal must contain a note, tags, a stage or a posting description to write.');
      // Offer letters are proposed only by the approval chain (backend/offers/service.ts), never through this route.
      if (body.payload.file || body.kind === 'offer-letter')
        throw badRequest('Offer letters are filed from the Offer view once every approver has approved them.');
      // Never trust the extension's id: what the proposal targets must exist in Lever before anything is proposed.
      await leverTargetExists(s, body.kind, body.opportunityId);
      const created = await p.create(c.get('recruiter'), body);
      return c.json(ProposalSchema.parse(p.wire(created, c.get('recruiter'))), 201);
    })
    .patch('/:id', zodParam(IdParam), zodJson(EditProposalRequestSchema), async (c) => {
      const { payload } = c.req.valid('json');
      if (!hasWrite(payload))
        throw badRequest('A proposal must contain a note, tags, a stage or a posting description to write.');
      if (payload.file) throw badRequest('Offer letters are filed from the Offer view once every approver has approved them.');
      const edited = await p.edit(c.get('recruiter'), c.req.valid('param').id, payload);
      return c.json(ProposalSchema.parse(p.wire(edited, c.get('recruiter'))));
    })
    .post('/:id/approve', zodParam(IdParam), zodJson(ApproveProposalRequestSchema), async (c) => {
      const { dryRun } = c.req.valid('json');
      const result = await p.approve(c.get('recruiter'), c.req.valid('param').id, dryRun);
      return c.json(ProposalSchema.parse(p.wire(result, c.get('recruiter'))));
    })
    .post('/:id/discard', zodParam(IdParam), async (c) => {
      const result = await p.discard(c.get('recruiter'), c.req.valid('param').id);
      return c.json(ProposalSchema.parse(p.wire(result, c.get('recruiter'))));
    });
}

async function leverTargetExists(s: AppServices, kind: string, id: string): Promise<void> {
  // A posting rewrite targets a posting (its opportunityId is the posting id); every other kind an opportunity.
  const what = kind === 'posting-rewrite' ? 'posting' : 'opportunity';
  // `include=id` makes Lever answer `{id}` only: the cheapest read that still says whether the target exists.
  const read =
    what === 'posting' ? s.lever.getPostingFields(id, ['id']) : s.lever.getOpportunity(id, { include: ['id'] });
  await read.catch((e: unknown) => {
    if (e instanceof LeverApiError && e.status === 404) {
      throw notFound(`Lever has no ${what} "${id}" (it may have been deleted, or the API key cannot see it).`);
    }
    throw e;
  });
}

function hasWrite(payload: z.infer<typeof EditProposalRequestSchema>['payload']): boolean {
  return !!(
    payload.note ||
    payload.addTags?.length ||
    payload.removeTags?.length ||
    payload.stageId ||
    payload.posting
  );
}
