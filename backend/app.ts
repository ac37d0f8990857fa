import { Hono } from 'hono';
import type { Config } from './config.ts';

export type AppDeps = { config: Config };

/** The HTTP app. Routers for each resource are mounted here. */
export function createApp(_deps: AppDeps): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  return app;
}
