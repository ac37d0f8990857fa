import { Hono } from 'hono';
import type { EmulatorContext } from '../context.ts';
import { serializeOffer } from '../serialize.ts';
import { sub } from './shared.ts';

/** Offers on an opportunity (read-only, as in Lever). */
export function offersRoutes(ctx: EmulatorContext): Hono {
  const app = new Hono();
  const { store } = ctx;

  sub(
    app,
    ctx,
    'offers',
    (o) => store.records(o).offers,
    (x) => serializeOffer(x),
  );
  return app;
}
