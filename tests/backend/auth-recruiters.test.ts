import { describe, expect, it, vi } from 'vitest';
import {
  addRecruiter,
  authenticate,
  listRecruiters,
  RecruiterExistsError,
  RecruiterNotFoundError,
  revokeRecruiter,
  setLeverUserId,
} from '../../backend/auth/recruiters.ts';
import { recruitersCommand } from '../../backend/cli/recruiters.ts';
import { cleanupsAfterEach, openTempStoreUntilCleanup } from './helpers/temp-store.ts';

const cleanups = cleanupsAfterEach();
const setup = () => openTempStoreUntilCleanup(cleanups);

describe('recruiter tokens', () => {
  it('a new recruiter authenticates with the token shown once, which is never stored', async () => {
    const { store } = await setup();
    const { recruiter, token } = await addRecruiter(store, { email: ' Ana@Example.com ', role: 'admin', name: 'Ana' });
    expect(token).toMatch(/^flk_[A-Za-z0-9_-]{43}$/);
    expect(recruiter).toMatchObject({ email: 'ana@example.com', role: 'admin', name: 'Ana', leverUserId: null });
    expect(await authenticate(store, token)).toEqual(recruiter);
    const dump = JSON.stringify(store.sqlite.prepare('SELECT * FROM recruiter_tokens').all());
    expect(dump).not.toContain(token.slice(4));
  });

  it('wrong, malformed and missing tokens are refused', async () => {
    const { store } = await setup();
    const { token } = await addRecruiter(store, { email: 'ana@example.com', role: 'recruiter' });
    const wrong = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    for (const t of [wrong, token.slice(4), 'flk_short', '', null, undefined]) {
      expect(await authenticate(store, t)).toBeNull();
    }
  });

  it('revoking a recruiter makes their token fail at once; adding them again issues a new one', async () => {
    const { store } = await setup();
    const { token } = await addRecruiter(store, { email: 'ana@example.com', role: 'recruiter' });
    await addRecruiter(store, { email: 'bob@example.com', role: 'recruiter' });
    await revokeRecruiter(store, 'ANA@example.com');
    expect(await authenticate(store, token)).toBeNull();

    const again = await addRecruiter(store, { email: 'ana@example.com', role: 'admin' });
    expect(await authenticate(store, token)).toBeNull(); // old token stays dead
    expect(await authenticate(store, again.token)).toMatchObject({ email: 'ana@example.com', role: 'admin' });
  });

  it('refuses a duplicate active email, an invalid email, and revoking an unknown one', async () => {
    const { store } = await setup();
    await addRecruiter(store, { email: 'ana@example.com', role: 'recruiter' });
    await expect(addRecruiter(store, { email: 'ANA@example.com', role: 'admin' })).rejects.toThrow(
      RecruiterExistsError,
    );
    await expect(addRecruiter(store, { email: 'not-an-email', role: 'admin' })).rejects.toThrow(/valid email/);
    await expect(revokeRecruiter(store, 'nobody@example.com')).rejects.toThrow(RecruiterNotFoundError);
  });

  it('records last use at most once a minute, and stores the Lever user id', async () => {
    const { store } = await setup();
    const { recruiter, token } = await addRecruiter(store, { email: 'ana@example.com', role: 'recruiter' });
    const t0 = 1_800_000_000_000;
    await authenticate(store, token, t0);
    await authenticate(store, token, t0 + 30_000);
    expect((await listRecruiters(store))[0]?.lastUsedAt).toBe(t0);
    await authenticate(store, token, t0 + 61_000);
    expect((await listRecruiters(store))[0]?.lastUsedAt).toBe(t0 + 61_000);

    await setLeverUserId(store, recruiter.id, 'lever-user-1');
    expect(await authenticate(store, token)).toMatchObject({ leverUserId: 'lever-user-1' });
    await expect(setLeverUserId(store, 'missing', 'x')).rejects.toThrow(RecruiterNotFoundError);
  });
});

describe('recruiters CLI', () => {
  it('add prints a working token once; list shows status; revoke disables it', async () => {
    const { store, dir } = await setup();
    vi.stubEnv('FULCRUM_DATA_DIR', dir);
    const out: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    cleanups.push(() => {
      log.mockRestore();
      vi.unstubAllEnvs();
    });

    expect(await recruitersCommand.run(['add', 'ana@example.com', '--role', 'admin', '--name', 'Ana B'])).toBe(0);
    const token = out.join('\n').match(/flk_[A-Za-z0-9_-]{43}/)?.[0];
    expect(token).toBeDefined();
    expect(out.join('\n')).toContain('cannot be shown again');
    expect(await authenticate(store, token)).toMatchObject({ email: 'ana@example.com', role: 'admin' });

    out.length = 0;
    await recruitersCommand.run(['list']);
    expect(out.join('\n')).toMatch(/ana@example\.com\s+admin\s+Ana B\s+active/);

    await recruitersCommand.run(['revoke', 'ana@example.com']);
    expect(await authenticate(store, token)).toBeNull();
    out.length = 0;
    await recruitersCommand.run(['list']);
    expect(out.join('\n')).toMatch(/ana@example\.com\s+admin\s+Ana B\s+revoked/);
    expect(out.join('\n')).not.toContain(token);

    await expect(recruitersCommand.run(['add', 'bob@example.com', '--role', 'boss'])).rejects.toThrow(/--role must be/);
    await expect(recruitersCommand.run(['add', 'ana2@example.com'])).rejects.toThrow(/--role must be/);
    await expect(recruitersCommand.run(['fire'])).rejects.toThrow(/Unknown recruiters subcommand/);
  });
});
