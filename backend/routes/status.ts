import { Hono } from 'hono';
import { type StatusResponse, StatusResponseSchema } from '../../utils/contracts/api.ts';
import type { AppServices } from '../app.ts';
import type { AuthEnv } from '../http/auth.ts';
import { LeverApiError } from '../lever/index.ts';

const BACKEND_VERSION = '0.1.0';
const PROBE_TTL_MS = 30_000;

/** `GET /api/status`: who you are, and whether Lever and the AI engine are usable. Lever is probed at most every 30 s. */
export function statusRoutes(s: AppServices) {
  let probe: { at: number; result: Promise<{ reachable: boolean; message: string | null }> } | null = null;
  const probeLever = () => {
    if (!probe || s.clock() - probe.at > PROBE_TTL_MS) {
      probe = {
        at: s.clock(),
        result: s.lever.listStages().then(
          () => ({ reachable: true, message: null }),
          (e: unknown) => ({
            reachable: false,
            message: e instanceof LeverApiError ? e.message : 'Lever could not be reached.',
          }),
        ),
      };
    }
    return probe.result;
  };
  return new Hono<AuthEnv>().get('/', s.guards.signedIn(), async (c) => {
    const r = c.get('recruiter');
    const [lever, viewer] = await Promise.all([
      probeLever(),
      // Who you are in Lever decides what you see; a Lever outage must not hide the rest of the status.
      s.guards.viewer(c).catch(() => null),
    ]);
    const info = s.ai.info();
    const body: StatusResponse = {
      backend: { version: BACKEND_VERSION },
      recruiter: {
        email: r.email,
        role: r.role,
        leverUserId: viewer?.leverUserId ?? r.leverUserId,
        leverAccessRole: viewer?.leverRole ?? null,
      },
      lever: { mode: s.config.useEmulator ? 'emulator' : 'lever', ...lever },
      ai: { provider: info.provider, model: info.model },
    };
    return c.json(StatusResponseSchema.parse(body));
  });
}
