import { Hono } from 'hono';
import { type EmulatorContext, listPage } from '../context.ts';
import type { EmuOpportunity } from '../model.ts';

/** Tags and sources, counted over the opportunities that carry them. */
export function tagsRoutes(ctx: EmulatorContext): Hono {
  const app = new Hono();
  const { store } = ctx;

  const counts = (pick: (o: EmuOpportunity) => string[]) => {
    const m = new Map<string, number>();
    for (const o of store.opportunities) {
      if (o.deletedAt !== undefined) continue;
      for (const t of pick(o)) m.set(t, (m.get(t) ?? 0) + 1);
    }
    return [...m].sort((a, b) => a[0].localeCompare(b[0])).map(([text, count]) => ({ text, count }));
  };
  app.get('/tags', (c) =>
    listPage(
      c,
      ctx,
      counts((o) => o.tags),
      (t) => t.text,
      (t) => t,
    ),
  );
  app.get('/sources', (c) =>
    listPage(
      c,
      ctx,
      counts((o) => o.sources),
      (t) => t.text,
      (t) => t,
    ),
  );
  return app;
}
