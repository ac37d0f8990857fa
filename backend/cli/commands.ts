export type CliCommand = {
  summary: string;
  /** Returns the exit code (0 when omitted). Throws Error with a user-facing message on failure. */
  run(args: string[]): Promise<number | undefined> | number | undefined;
};

/**
 * Every CLI command, by name, loaded on demand: running one command does not load the code of all the others
 * (the AI engine, the emulator, ...). Add a command by adding its loader here.
 */
export const commands: Record<string, () => Promise<CliCommand>> = {
  'jd-check': async () => (await import('./jd-check.ts')).jdCheckCommand,
  'bias-test': async () => (await import('./bias-test.ts')).biasTestCommand,
  funnel: async () => (await import('./funnel.ts')).funnelCommand,
  webhooks: async () => (await import('./webhooks.ts')).webhooksCommand,
  audit: async () => (await import('./audit.ts')).auditCommand,
  recruiters: async () => (await import('./recruiters.ts')).recruitersCommand,
  forget: async () => (await import('./forget.ts')).forgetCommand,
  backup: async () => (await import('./backup.ts')).backupCommand,
  jobs: async () => (await import('./jobs.ts')).jobsCommand,
  rank: async () => (await import('./rank.ts')).rankCommand,
  score: async () => (await import('./score.ts')).scoreCommand,
  sync: async () => (await import('./sync.ts')).syncCommand,
  rediscover: async () => (await import('./rediscover.ts')).rediscoverCommand,
  policy: async () => (await import('./policy.ts')).policyCommand,
  lever: async () => (await import('./lever.ts')).leverCommand,
  'opt-out': async () => (await import('./opt-out.ts')).optOutCommand,
  'audit-pack': async () => (await import('./audit-pack.ts')).auditPackCommand,
  retention: async () => (await import('./retention.ts')).retentionCommand,
  offer: async () => (await import('./offer.ts')).offerCommand,
  slots: async () => (await import('./slots.ts')).slotsCommand,
  calendars: async () => (await import('./calendars.ts')).calendarsCommand,
  'migrate-to-postgres': async () => (await import('./migrate-to-postgres.ts')).migrateToPostgresCommand,
};
