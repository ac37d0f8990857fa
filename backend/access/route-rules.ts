import type { Context, Hono, MiddlewareHandler } from 'hono';
import type { Env } from 'hono/types';
import type { AuthEnv, Principal } from '../http/auth.ts';
import { forbidden, HttpError, notFound } from '../http/errors.ts';
import { type LeverAccess, noLeverUser, type ProposalRef } from './lever-access.ts';
import { isLeverAdmin, type ProposalRights, type Viewer } from './policy.ts';

/**
 * Every route declares, where it is mounted, which access rule guards it: one of the middlewares made by
 * `createGuards`, placed in the route's handler chain (after its validators, before its handler). buildApp calls
 * `assertEveryRouteHasRule`, so an app with a route that declares none refuses to start.
 *
 * Object rules answer 404 for an object the caller may not see, with the same body as for a missing one; lists are
 * not refused but filtered by their handler (rule 'filtered'); a recruiter with no usable Lever user gets a 403 that
 * names that cause and nothing about the object.
 */

export type RouteRule =
  /** No token needed (liveness, readiness). */
  | { kind: 'public' }
  /** Any valid recruiter token; the answer holds no Lever data beyond the caller's own. */
  | { kind: 'signed-in' }
  /** A recruiter mapped to an active Lever user of any role; reference data only (stages, sync counts). */
  | { kind: 'lever-user' }
  /** Fulcrum's admin role; Fulcrum settings that hold no candidate data. */
  | { kind: 'fulcrum-admin' }
  /** Fulcrum admin and Lever (super) admin: reports across every candidate. */
  | { kind: 'fulcrum-admin+lever-admin' }
  | { kind: 'opportunity'; need: 'see' | 'act'; from: string }
  | { kind: 'posting'; need: 'see' | 'manage'; from: string }
  | { kind: 'proposal'; need: 'edit' | 'approve' | 'discard'; from: string }
  /** A list: the handler keeps only what the caller may see (policy.ts), it never refuses. */
  | { kind: 'filtered'; what: string }
  /** A route-specific check, described by `what`. */
  | { kind: 'custom'; what: string };

const RULE = Symbol.for('fulcrum.access-rule');

type Tagged = { [RULE]?: RouteRule };

function tag<T extends object>(mw: T, rule: RouteRule): T {
  (mw as Tagged)[RULE] = rule;
  return mw;
}

/** Where Hono keeps the original handler when `app.route()` wraps a sub-app's handler (hono/utils/constants). */
const COMPOSED_HANDLER = '__COMPOSED_HANDLER';

/** The rule a handler in a route table carries, looking through Hono's wrappers. */
export function ruleOf(handler: unknown): RouteRule | undefined {
  let h = handler as (Tagged & Record<string, unknown>) | undefined;
  for (let i = 0; h && i < 5; i++) {
    if (h[RULE]) return h[RULE];
    h = h[COMPOSED_HANDLER] as typeof h;
  }
  return undefined;
}

export type RouteEntry = { method: string; path: string; rules: RouteRule[] };

/** Every endpoint of the app (method + path; `use` middleware left out) with the rules in its handler chain. */
export function routeRules<E extends Env>(app: Hono<E>): RouteEntry[] {
  const byKey = new Map<string, RouteEntry>();
  for (const r of app.routes) {
    if (r.method === 'ALL') continue;
    const key = `${r.method} ${r.path}`;
    let e = byKey.get(key);
    if (!e) {
      e = { method: r.method, path: r.path, rules: [] };
      byKey.set(key, e);
    }
    const rule = ruleOf(r.handler);
    if (rule) e.rules.push(rule);
  }
  return [...byKey.values()];
}

/** Throws, naming them, when any endpoint declares no access rule (or more than one). */
export function assertEveryRouteHasRule<E extends Env>(app: Hono<E>): void {
  const bad = routeRules(app).filter((e) => e.rules.length !== 1);
  if (bad.length > 0) {
    const list = bad.map((e) => `${e.method} ${e.path} (${e.rules.length} rules)`).join(', ');
    throw new Error(`Every route must declare exactly one access rule (backend/access/route-rules.ts): ${list}`);
  }
}

export const proposalNotFoundMessage = (id: string) => `No proposal with id "${id}".`;

/** Reads the identifier a rule is about: `param:name`, `query:name` or `json:name` (after zodJson). */
function read(c: Context, from: string): string {
  const [where, name = ''] = from.split(':');
  let v: unknown;
  if (where === 'param') v = c.req.param(name);
  else if (where === 'query') v = c.req.query(name);
  else if (where === 'json') v = ((c.req.valid as (t: string) => unknown)('json') as Record<string, unknown>)[name];
  if (typeof v !== 'string' || !v) throw new HttpError(400, 'invalid_request', `Invalid request: ${name} is missing.`);
  return v;
}

const REFUSALS = {
  edit: "Only the proposal's creator, the candidate's owner or followers, or a Lever admin can edit it.",
  approve: 'Your Lever role does not let you write this change to Lever.',
  discard: 'Only the people who may edit or approve this proposal can discard it.',
} as const;
const POSTING_REFUSAL = "Only the posting's owner, its hiring manager or a Lever admin can change a posting rewrite.";

export type Guards = ReturnType<typeof createGuards>;

/**
 * The access-rule middlewares, bound to one LeverAccess. `viewer(c)` gives a handler the caller's Viewer (read once
 * per request); `proposalRights(c)` what the proposal rule found.
 */
export function createGuards(
  access: LeverAccess,
  getProposal: (id: string) => Promise<(ProposalRef & { id: string }) | null>,
) {
  const viewers = new WeakMap<object, Promise<Viewer>>();
  const rights = new WeakMap<object, ProposalRights>();
  const viewer = (c: Context<AuthEnv>): Promise<Viewer> => {
    let v = viewers.get(c.req.raw);
    if (!v) {
      const principal: Principal | undefined = c.get('recruiter');
      if (!principal) throw new Error('viewer() needs a signed-in route');
      v = access.viewer(principal);
      viewers.set(c.req.raw, v);
    }
    return v;
  };
  const guard = (rule: RouteRule, check: (c: Context<AuthEnv>) => Promise<void>): MiddlewareHandler<AuthEnv> =>
    tag<MiddlewareHandler<AuthEnv>>(async (c, next) => {
      await check(c);
      await next();
    }, rule);
  const withRole = async (c: Context<AuthEnv>) => {
    const v = await viewer(c);
    if (v.leverRole === null) throw noLeverUser(v);
    return v;
  };

  return {
    viewer,
    /** The rights the 'proposal' rule established for this request's proposal. */
    proposalRights: (c: Context<AuthEnv>): ProposalRights | undefined => rights.get(c.req.raw),

    // biome-ignore lint/suspicious/noExplicitAny: health routes use a plain Hono env
    public: (): MiddlewareHandler<any> => tag<MiddlewareHandler>(async (_c, next) => next(), { kind: 'public' }),
    signedIn: () => guard({ kind: 'signed-in' }, async () => {}),
    leverUser: () =>
      guard({ kind: 'lever-user' }, async (c) => {
        await withRole(c);
      }),
    fulcrumAdmin: () =>
      guard({ kind: 'fulcrum-admin' }, async (c) => {
        if (c.get('recruiter').role !== 'admin') throw forbidden('Only Fulcrum admins can do this.');
      }),
    fulcrumAndLeverAdmin: () =>
      guard({ kind: 'fulcrum-admin+lever-admin' }, async (c) => {
        if (c.get('recruiter').role !== 'admin') throw forbidden('Only Fulcrum admins can do this.');
        const v = await withRole(c);
        if (!isLeverAdmin(v)) {
          throw forbidden(
            `This report covers every candidate, so it needs a Lever admin role as well (yours is ${v.leverRole}).`,
          );
        }
      }),
    opportunity: (need: 'see' | 'act', from = 'param:opportunityId') =>
      guard({ kind: 'opportunity', need, from }, async (c) => {
        await access.requireOpportunity(await viewer(c), read(c, from), need);
      }),
    posting: (need: 'see' | 'manage', from = 'param:postingId') =>
      guard({ kind: 'posting', need, from }, async (c) => {
        await access.requirePosting(await viewer(c), read(c, from), need);
      }),
    proposal: (need: 'edit' | 'approve' | 'discard', from = 'param:id') =>
      guard({ kind: 'proposal', need, from }, async (c) => {
        const v = await viewer(c);
        if (v.leverRole === null) throw noLeverUser(v);
        const id = read(c, from);
        const p = await getProposal(id);
        const r = p ? await access.proposalRights(v, p) : null;
        if (!p || !r?.see) throw notFound(proposalNotFoundMessage(id));
        if (!r[need]) throw forbidden(p.kind === 'posting-rewrite' ? POSTING_REFUSAL : REFUSALS[need]);
        rights.set(c.req.raw, r);
      }),
    filtered: (what: string) => guard({ kind: 'filtered', what }, async () => {}),
    custom: (what: string, check: (c: Context<AuthEnv>, v: Viewer) => Promise<void>) =>
      guard({ kind: 'custom', what }, async (c) => check(c, await withRole(c))),
  };
}
