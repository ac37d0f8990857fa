import type { MiddlewareHandler } from 'hono';
import type { GovernedCapability } from '../../utils/contracts/governance.ts';
import type { AuthEnv } from '../http/auth.ts';
import { HttpError } from '../http/errors.ts';
import type { Store } from '../store/db.ts';
import { readGovernance } from './settings.ts';

const LABELS: Record<GovernedCapability, string> = {
  match: 'Candidate matching',
  outreach: 'Outreach drafting',
  questions: 'Interview questions',
  feedback: 'Feedback synthesis',
  rediscovery: 'Talent rediscovery',
};

/**
 * Refuses an AI route whose capability an admin switched off. `capabilityOf` maps the request to a capability, or
 * null for routes that are not AI generation (reading the candidate context stays allowed). Read per request, so a
 * change takes effect at once.
 */
export function requireCapability(
  store: Store,
  capabilityOf: (method: string, path: string) => GovernedCapability | null,
): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const capability = capabilityOf(c.req.method, c.req.path);
    if (capability) {
      const { governance } = await readGovernance(store.db);
      if (!governance.capabilities[capability]) {
        throw new HttpError(
          403,
          'capability_disabled',
          `${LABELS[capability]} is switched off for this Fulcrum install. An admin can turn it on in Settings → AI governance.`,
        );
      }
    }
    await next();
  };
}

/**
 * The AI routes, by capability: POST /api/candidates/:id/{match,outreach,questions,feedback}, and rediscovery's
 * POST /api/postings/:id/rediscover and /api/rediscovery/act. Everything else (reads, proposals, sync) is null.
 */
export function aiCapabilityOf(method: string, path: string): GovernedCapability | null {
  if (method !== 'POST') return null;
  const m = /^\/api\/candidates\/[^/]+\/(match|outreach|questions|feedback)\/?$/.exec(path);
  if (m) return m[1] as GovernedCapability;
  if (/^\/api\/postings\/[^/]+\/rediscover\/?$/.test(path) || /^\/api\/rediscovery\/act\/?$/.test(path)) {
    return 'rediscovery';
  }
  return null;
}
