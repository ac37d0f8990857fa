import fs from 'node:fs';
import path from 'node:path';
import { addRecruiter, checkToken, getRecruiterByEmail, revokeRecruiter } from './auth/recruiters.ts';
import type { EmulatorHandle } from './lever-emulator/server.ts';
import type { Store } from './store/db.ts';

/** The demo recruiter's token, in the data directory (mode 0600); `npm start` prints this path, never the token. */
export const DEMO_TOKEN_FILE = 'demo-recruiter-token';

/**
 * Demo set-up for `npm start` on the emulator: a recruiter token for one of the emulator's admin users (so approved
 * notes are attributed to a real Lever user through perform_as), kept in the data directory so restarting does not
 * invalidate the token pasted into the extension. The recruiter is marked as a demo one: starting the same data
 * directory on a real Lever key revokes it (server.ts). An expired demo token is replaced by a new one.
 */
export async function ensureDemoRecruiter(
  store: Store,
  emulator: EmulatorHandle,
  dataDir: string,
  opts: { tokenTtlDays?: number } = {},
): Promise<{ email: string; tokenFile: string; expiresAt: number | null; renewed: boolean }> {
  const users = [...emulator.context.store.users.values()];
  const user = users.find((u) => u.accessRole === 'super admin') ?? users.find((u) => u.accessRole === 'admin');
  if (!user) throw new Error('The emulator has no admin user to sign the demo recruiter in as.');
  const tokenFile = path.join(dataDir, DEMO_TOKEN_FILE);
  if (fs.existsSync(tokenFile)) {
    fs.chmodSync(tokenFile, 0o600);
    const check = await checkToken(store, fs.readFileSync(tokenFile, 'utf8').trim());
    if (check.status === 'ok' && check.recruiter.demo && check.recruiter.email === user.email.toLowerCase()) {
      const listed = await store.db
        .selectFrom('recruiter_tokens')
        .select((eb) => eb.fn.max('expires_at').as('expires_at'))
        .where('recruiter_id', '=', check.recruiter.id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return { email: check.recruiter.email, tokenFile, expiresAt: listed?.expires_at ?? null, renewed: false };
    }
  }
  if (await getRecruiterByEmail(store, user.email)) await revokeRecruiter(store, user.email).catch(() => {});
  const { recruiter, token, expiresAt } = await addRecruiter(store, {
    email: user.email,
    role: 'admin',
    name: user.name,
    demo: true,
    ...(opts.tokenTtlDays ? { tokenTtlDays: opts.tokenTtlDays } : {}),
  });
  // Written beside the target and renamed, so the token is never in a file with looser permissions.
  const partial = `${tokenFile}.${process.pid}`;
  fs.writeFileSync(partial, `${token}\n`, { mode: 0o600 });
  fs.renameSync(partial, tokenFile);
  return { email: recruiter.email, tokenFile, expiresAt, renewed: true };
}

/** A candidate worth opening first: active, in an interview stage, with a posting (so every panel has content). */
export function demoCandidateUrl(emulator: EmulatorHandle): string {
  const store = emulator.context.store;
  const stageText = new Map(store.seed.stages.map((s) => [s.id, s.text]));
  const active = store.opportunities.filter((o) => !o.archived && !o.deletedAt);
  const pick =
    active.find((o) => /on-?site/i.test(stageText.get(o.stage) ?? '')) ??
    active.find((o) => /screen/i.test(stageText.get(o.stage) ?? '')) ??
    active[0];
  return pick ? `${emulator.url}/candidates/${pick.id}` : `${emulator.url}/candidates`;
}
