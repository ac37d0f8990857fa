import { Hono } from 'hono';
import type { EmulatorContext } from '../context.ts';
import { serializeFeedback } from '../serialize.ts';
import { sub } from './shared.ts';

/** Feedback forms on an opportunity (read-only, as in Lever). */
export function feedbackRoutes(ctx: EmulatorContext): Hono {
  const app = new Hono();
  const { store } = ctx;

  sub(
    app,
    ctx,
    'feedback',
    (o) => store.records(o).feedback,
    (f) => serializeFeedback(f),
  );
  return app;
}
