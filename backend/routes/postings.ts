import { Hono } from 'hono';
import type { AppServices } from '../app.ts';
import type { AuthEnv } from '../http/auth.ts';
import { compliancePostingRoutes } from './compliance.ts';
import { fairnessPostingRoutes } from './fairness.ts';
import { rediscoveryPostingRoutes } from './rediscovery.ts';

/**
 * Everything under /api/postings, in one router: the job-description check and its rewrite (fairness), the candidate
 * notice and the criteria check (compliance), and rediscovery of past candidates. Each route keeps its access rule.
 */
export function postingRoutes(s: AppServices) {
  return new Hono<AuthEnv>()
    .route('/', fairnessPostingRoutes(s))
    .route('/', rediscoveryPostingRoutes(s))
    .route('/', compliancePostingRoutes(s));
}
