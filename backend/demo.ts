import fs from 'node:fs';
import path from 'node:path';
import { addRecruiter, authenticate, getRecruiterByEmail, revokeRecruiter } from './auth/recruiters.ts';
import type { EmulatorHandle } from './lever-emulator/server.ts';
import type { Store } from './store/db.ts';

/**
 * Demo set-up for `npm start` on the emulator: a recruiter token for one of the emulator's admin users (so approved
 * notes are attributed to a real Lever user through perform_as), kept in the data directory so restarting does not
 * invalidate the token pasted into the extension. Only ever used with the emulator, never with a real Lever account.
 */
export async function ensureDemoRecruiter(
  store: Store,
  emulator: EmulatorHandle,
  dataDir: string,
): Promise<{ email: string; token: string }> {
  const users = [...emulator.context.store.users.values()];
  const user = users.find((u) => u.accessRole === 'super admin') ?? users.find((u) => u.accessRole === 'admin');
  if (!user) throw new Error('The emulator has no admin user to sign the demo recruiter in as.');
  const tokenFile = path.join(dataDir, 'demo-recruiter-token');
  if (fs.existsSync(tokenFile)) {
    const token = fs.readFileSync(tokenFile, 'utf8').trim();
    const recruiter = await authenticate(store, token);
    if (recruiter && recruiter.email === user.email.toLowerCase()) return { email: recruiter.email, token };
  }
  if (await getRecruiterByEmail(store, user.email)) await revokeRecruiter(store, user.email).catch(() => {});
  const { recruiter, token } = await addRecruiter(store, { email: user.email, role: 'admin', name: user.name });
  fs.writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
  return { email: recruiter.email, token };
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
