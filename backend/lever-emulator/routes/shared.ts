import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { badRequest, type EmulatorContext, fail, listPage, notFound } from '../context.ts';
import type { EmuOpportunity } from '../model.ts';
import { publicRecord, serializeOpportunity } from '../serialize.ts';
import type { EmulatorStore } from '../store.ts';

/** What the emulator's per-resource routers share. A helper that cannot go on throws Lever's error answer (fail). */

/** The origin of the emulated Lever UI, for the links in serialized records. */
export const ui = (c: Context) => new URL(c.req.url).origin;

export async function body<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  const raw: unknown = await c.req.json().catch(() => undefined);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) fail(badRequest(c, `Invalid body: ${z.prettifyError(parsed.error).replace(/\n/g, ' ')}`));
  return parsed.data;
}

/** The `perform_as` user: a known user id, or null when it is optional and absent. */
export function performAs(c: Context, store: EmulatorStore, required: boolean): string | null {
  const id = c.req.query('perform_as');
  if (!id) return required ? fail(badRequest(c, 'perform_as is required for this endpoint')) : null;
  return store.users.has(id) ? id : fail(badRequest(c, `perform_as user ${id} does not exist`));
}

/** The opportunity named by the `:id` path parameter. */
export function withOpp(c: Context, store: EmulatorStore): EmuOpportunity {
  return store.opportunity(c.req.param('id') ?? '') ?? fail(notFound(c, 'Opportunity'));
}

export function touch(o: EmuOpportunity): void {
  o.updatedAt = Date.now();
  o.lastInteractionAt = o.updatedAt;
}

export const oppJson = (c: Context, store: EmulatorStore, o: EmuOpportunity, status: 200 | 201 = 200) =>
  c.json({ data: serializeOpportunity(o, store, ui(c), new Set(), new Set()) }, status);

/** The two reads of a list under an opportunity: `/opportunities/:id/<name>` (paged) and `…/<name>/:subId`. */
export function sub<T extends { id: string; opportunityId: string }>(
  app: Hono,
  ctx: EmulatorContext,
  name: string,
  pick: (o: EmuOpportunity) => T[],
  render: (x: T, c: Context) => unknown = (x) => publicRecord(x),
): void {
  app.get(`/opportunities/:id/${name}`, (c) => {
    const o = withOpp(c, ctx.store);
    return listPage(
      c,
      ctx,
      pick(o),
      (x) => x.id,
      (x) => render(x, c),
    );
  });
  app.get(`/opportunities/:id/${name}/:subId`, (c) => {
    const o = withOpp(c, ctx.store);
    const x = pick(o).find((y) => y.id === c.req.param('subId'));
    return x ? c.json({ data: render(x, c) }) : notFound(c, name);
  });
}
