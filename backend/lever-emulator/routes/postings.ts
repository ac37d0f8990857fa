import { Hono } from 'hono';
import { z } from 'zod';
import { badRequest, type EmulatorContext, listPage, msParam, multi, notFound } from '../context.ts';
import { DESCRIPTION_TAGS, disallowedTags, textOfHtml } from '../posting-html.ts';
import { postingLevel, serializePosting } from '../serialize.ts';
import { body, performAs, ui } from './shared.ts';

/** Postings: list (with its filters), one by id, and the update of one. */
export function postingsRoutes(ctx: EmulatorContext): Hono {
  const app = new Hono();
  const { store } = ctx;

  app.get('/postings', (c) => {
    const q = (k: string) => c.req.query(k);
    const tags = multi(c, 'tag');
    const conf = q('confidentiality') ?? 'non-confidential';
    const updStart = msParam(c, 'updated_at_start');
    const updEnd = msParam(c, 'updated_at_end');
    if (Number.isNaN(updStart) || Number.isNaN(updEnd)) return badRequest(c, 'Time filters must be epoch milliseconds');
    const attributes = ['state', 'distributionChannel', 'team', 'department', 'location', 'commitment', 'level', 'tag'];
    const mixed = attributes.filter((k) => q(k) !== undefined);
    if ((updStart !== undefined || updEnd !== undefined) && mixed.length > 0) {
      // Lever's docs: the updated_at_* window combines with confidentiality only.
      return badRequest(
        c,
        `updated_at_start/updated_at_end can only be combined with confidentiality, not ${mixed.join(', ')}`,
      );
    }
    const items = [...store.postings.values()].filter(
      (p) =>
        (!q('state') || p.state === q('state')) &&
        (!q('distributionChannel') || p.distributionChannels.includes(q('distributionChannel') as string)) &&
        (!q('team') || p.categories.team === q('team')) &&
        (!q('department') || p.categories.department === q('department')) &&
        (!q('location') || p.categories.location === q('location')) &&
        (!q('commitment') || p.categories.commitment === q('commitment')) &&
        (tags.length === 0 || p.tags.some((t) => tags.includes(t))) &&
        (!q('level') || postingLevel(p) === q('level')) &&
        (conf === 'all' || p.confidentiality === conf) &&
        (updStart === undefined || p.updatedAt >= updStart) &&
        (updEnd === undefined || p.updatedAt <= updEnd),
    );
    // `content` comes by default; include narrows to the named fields, expand expands users (docs/lever-api.md §3, §4).
    const shaping = { include: new Set(multi(c, 'include')), expand: new Set(multi(c, 'expand')) };
    return listPage(
      c,
      ctx,
      items,
      (p) => p.id,
      (p) => serializePosting(p, ui(c), store, shaping),
    );
  });

  app.get('/postings/:pid', (c) => {
    const p = store.postings.get(c.req.param('pid'));
    const shaping = { include: new Set(multi(c, 'include')), expand: new Set(multi(c, 'expand')) };
    return p ? c.json({ data: serializePosting(p, ui(c), store, shaping) }) : notFound(c, 'Posting');
  });

  const PostingPatch = z
    .object({
      text: z.string().min(1),
      state: z.enum(['published', 'internal', 'closed', 'draft', 'pending', 'rejected']),
      tags: z.array(z.string()),
      content: z.object({
        description: z.string().optional(),
        descriptionHtml: z.string().optional(),
        lists: z.array(z.object({ text: z.string(), content: z.string() })).optional(),
        closing: z.string().optional(),
        closingHtml: z.string().optional(),
      }),
      workplaceType: z.enum(['onsite', 'remote', 'hybrid', 'unspecified']),
      salaryRange: z.object({ min: z.number(), max: z.number(), currency: z.string(), interval: z.string() }),
      salaryDescription: z.string(),
    })
    .partial();

  app.post('/postings/:pid', async (c) => {
    const p = store.postings.get(c.req.param('pid'));
    if (!p) return notFound(c, 'Posting');
    const _user = performAs(c, store, true);
    const b = await body(c, PostingPatch);
    const { content, ...rest } = b;
    // The writable description is content.descriptionHtml; Lever derives the plain content.description from it, so a
    // `description` in the body changes nothing (as on Lever, where it is not a documented writable field).
    const { description: _ignored, ...writable } = content ?? {};
    for (const [field, html] of [
      ['descriptionHtml', writable.descriptionHtml],
      ['closingHtml', writable.closingHtml],
    ] as const) {
      const bad = html === undefined ? [] : disallowedTags(html);
      if (bad.length > 0) {
        return badRequest(
          c,
          `content.${field} may only use the tags ${[...DESCRIPTION_TAGS].join(', ')} (found ${bad.join(', ')})`,
        );
      }
    }
    Object.assign(p, rest);
    if (content) {
      p.content = { ...p.content, ...writable };
      if (writable.descriptionHtml !== undefined) p.content.description = textOfHtml(writable.descriptionHtml);
      if (writable.closingHtml !== undefined) p.content.closing = textOfHtml(writable.closingHtml);
    }
    p.updatedAt = Date.now();
    return c.json({ data: serializePosting(p, ui(c), store) });
  });
  return app;
}
