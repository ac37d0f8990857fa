import { Hono } from 'hono';
import { type EmulatorContext, leverError } from './context.ts';
import { apiGate } from './gate.ts';
import { contactsRoutes } from './routes/contacts.ts';
import { eeoRoutes } from './routes/eeo.ts';
import { feedbackRoutes } from './routes/feedback.ts';
import { filesRoutes } from './routes/files.ts';
import { notesRoutes } from './routes/notes.ts';
import { offersRoutes } from './routes/offers.ts';
import { opportunitiesRoutes } from './routes/opportunities.ts';
import { panelsRoutes } from './routes/panels.ts';
import { postingsRoutes } from './routes/postings.ts';
import { requisitionsRoutes } from './routes/requisitions.ts';
import { stagesRoutes } from './routes/stages.ts';
import { tagsRoutes } from './routes/tags.ts';
import { usersRoutes } from './routes/users.ts';
import { webhooksRoutes } from './routes/webhooks.ts';

/**
 * The emulated subset of Lever's Data API v1, mounted at /v1, one router per resource (routes/). Shapes and status
 * codes follow docs/lever-api.md. Every request passes the gate first (credentials, rate limit, permissions, faults).
 */
export function apiRouter(ctx: EmulatorContext): Hono {
  const app = new Hono();
  app.use('*', apiGate(ctx));
  for (const routes of [
    opportunitiesRoutes,
    notesRoutes,
    feedbackRoutes,
    offersRoutes,
    filesRoutes,
    panelsRoutes,
    contactsRoutes,
    stagesRoutes,
    usersRoutes,
    tagsRoutes,
    requisitionsRoutes,
    postingsRoutes,
    eeoRoutes,
    webhooksRoutes,
  ]) {
    app.route('/', routes(ctx));
  }
  app.notFound((c) => leverError(c, 404, 'ResourceNotFound', `No route ${c.req.method} ${c.req.path}`));
  return app;
}
