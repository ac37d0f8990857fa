import { Hono } from 'hono';
import { type EmulatorContext, listPage, notFound } from '../context.ts';
import { serializeUser } from '../serialize.ts';

/** Lever users (the accounts perform_as names). */
export function usersRoutes(ctx: EmulatorContext): Hono {
  const app = new Hono();
  const { store } = ctx;

  app.get('/users', (c) => {
    const email = c.req.query('email')?.toLowerCase();
    const role = c.req.query('accessRole');
    const items = [...store.users.values()].filter(
      (u) => (!email || u.email === email) && (!role || u.accessRole === role),
    );
    return listPage(c, ctx, items, (u) => u.id, serializeUser);
  });
  app.get('/users/:uid', (c) => {
    const u = store.users.get(c.req.param('uid'));
    return u ? c.json({ data: serializeUser(u) }) : notFound(c, 'User');
  });
  return app;
}
