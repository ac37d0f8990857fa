import { parseArgs } from 'node:util';
import {
  addRecruiter,
  listRecruiters,
  RecruiterRoleSchema,
  revokeRecruiter,
  rotateRecruiterToken,
} from '../auth/recruiters.ts';
import type { CliCommand } from './commands.ts';
import { withCliStore } from './open-store.ts';

const usage =
  'Usage: recruiters add EMAIL --role recruiter|admin [--name NAME] | recruiters list | recruiters rotate EMAIL | recruiters revoke EMAIL';

export const recruitersCommand: CliCommand = {
  summary: 'recruiters add EMAIL --role recruiter|admin [--name NAME] | list | rotate EMAIL | revoke EMAIL',
  async run(args) {
    const [sub, ...rest] = args;
    if (sub === 'add') return add(rest);
    if (sub === 'list') return list(rest);
    if (sub === 'rotate') return rotate(rest);
    if (sub === 'revoke') return revoke(rest);
    throw new Error(sub ? `Unknown recruiters subcommand "${sub}". ${usage}` : usage);
  },
};

async function add(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { role: { type: 'string' }, name: { type: 'string' } },
    allowPositionals: true,
  });
  const [email, ...extra] = positionals;
  if (!email || extra.length > 0) throw new Error(usage);
  const role = RecruiterRoleSchema.safeParse(values.role);
  if (!role.success) throw new Error(`--role must be recruiter or admin. ${usage}`);
  const { recruiter, token, expiresAt } = await withCliStore((store, config) =>
    addRecruiter(store, {
      email,
      role: role.data,
      tokenTtlDays: config.TOKEN_TTL_DAYS,
      ...(values.name ? { name: values.name } : {}),
    }),
  );
  console.log(`Added ${recruiter.role} ${recruiter.email}${recruiter.name ? ` (${recruiter.name})` : ''}.`);
  console.log('');
  console.log(`  Token: ${token}`);
  console.log(`  Expires: ${minute(expiresAt)} UTC`);
  console.log('');
  console.log('Give this token to the recruiter for the extension options page. It cannot be shown again;');
  console.log(`if it is lost or expires, run "recruiters rotate ${recruiter.email}" for a new one.`);
  return 0;
}

const minute = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString().slice(0, 16).replace('T', ' '));

async function rotate(args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, options: {}, allowPositionals: true });
  const [email, ...extra] = positionals;
  if (!email || extra.length > 0) throw new Error(usage);
  const { recruiter, token, expiresAt, revokedTokens } = await withCliStore((store, config) =>
    rotateRecruiterToken(store, email, { tokenTtlDays: config.TOKEN_TTL_DAYS }),
  );
  console.log(
    `New token for ${recruiter.email}; ${revokedTokens === 1 ? 'the old token' : `${revokedTokens} old tokens`} stopped working.`,
  );
  console.log('');
  console.log(`  Token: ${token}`);
  console.log(`  Expires: ${minute(expiresAt)} UTC`);
  console.log('');
  console.log('Give it to the recruiter for the extension options page. It cannot be shown again.');
  return 0;
}

async function list(args: string[]): Promise<number> {
  parseArgs({ args, options: {}, allowPositionals: false });
  const recruiters = await withCliStore((store) => listRecruiters(store));
  if (recruiters.length === 0) {
    console.log('No recruiters yet. Add one with: recruiters add EMAIL --role recruiter|admin');
    return 0;
  }
  const now = Date.now();
  const rows = recruiters.map((r) => [
    r.email,
    r.role,
    r.name ?? '-',
    r.revokedAt !== null
      ? `revoked ${minute(r.revokedAt)}`
      : r.tokenExpiresAt !== null && r.tokenExpiresAt <= now
        ? 'expired'
        : r.demo
          ? 'active (demo)'
          : 'active',
    r.revokedAt === null ? minute(r.tokenExpiresAt) : '-',
    minute(r.lastUsedAt),
    r.leverUserId ?? '-',
  ]);
  const header = ['EMAIL', 'ROLE', 'NAME', 'STATUS', 'TOKEN EXPIRES (UTC)', 'LAST USED (UTC)', 'LEVER USER'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  for (const row of [header, ...rows]) console.log(row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  '));
  return 0;
}

async function revoke(args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, options: {}, allowPositionals: true });
  const [email, ...extra] = positionals;
  if (!email || extra.length > 0) throw new Error(usage);
  const recruiter = await withCliStore((store) => revokeRecruiter(store, email));
  console.log(`Revoked ${recruiter.email}: their tokens stop working immediately.`);
  return 0;
}
