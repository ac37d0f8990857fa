import { once } from 'node:events';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { type AuditExportFormat, exportAudit, verifyAuditChain } from '../audit/audit-log.ts';
import type { CliCommand } from './commands.ts';
import { withCliStore } from './open-store.ts';

const usage = 'Usage: audit verify | audit export --format jsonl|csv [--since DATE] [--out FILE]';

export const auditCommand: CliCommand = {
  summary: 'Verify the audit hash chain, or export the audit log (jsonl|csv)',
  async run(args) {
    const [sub, ...rest] = args;
    if (sub === 'verify') return verify(rest);
    if (sub === 'export') return exportLog(rest);
    throw new Error(sub ? `Unknown audit subcommand "${sub}". ${usage}` : usage);
  },
};

async function verify(args: string[]): Promise<number> {
  parseArgs({ args, options: {}, allowPositionals: false });
  const result = await withCliStore((store) => verifyAuditChain(store));
  if (result.ok) {
    const erased = result.erased
      ? ` (${result.erased} of them erased: payload replaced by a tombstone, link kept)`
      : '';
    console.log(`Audit chain intact: ${result.rows} entries verified${erased}.`);
    return 0;
  }
  console.error(`Audit chain BROKEN at entry ${result.firstBadId}: ${result.problem ?? 'hash mismatch'}.`);
  console.error('Entries from that id on cannot be trusted; compare with an earlier export to see what changed.');
  return 1;
}

async function exportLog(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { format: { type: 'string' }, since: { type: 'string' }, out: { type: 'string' } },
    allowPositionals: false,
  });
  const format = values.format;
  if (format !== 'jsonl' && format !== 'csv') throw new Error(`--format must be jsonl or csv. ${usage}`);
  let since: Date | undefined;
  if (values.since !== undefined) {
    since = new Date(values.since);
    if (Number.isNaN(since.getTime())) throw new Error(`--since "${values.since}" is not a date (use e.g. 2026-01-31)`);
  }
  const outFile = values.out;
  if (outFile && fs.existsSync(outFile)) throw new Error(`${outFile} already exists; choose another --out file`);
  const out = outFile ? fs.createWriteStream(outFile, { flags: 'wx' }) : process.stdout;
  let lines = 0;
  await withCliStore(async (store) => {
    for await (const line of exportAudit(store, { format: format satisfies AuditExportFormat, since })) {
      lines++;
      if (!out.write(line)) await once(out, 'drain');
    }
  });
  if (outFile) {
    const file = out as fs.WriteStream;
    await new Promise<void>((resolve, reject) => file.end((err?: Error | null) => (err ? reject(err) : resolve())));
    const entries = format === 'csv' ? lines - 1 : lines;
    console.error(`Exported ${entries} audit entries to ${outFile}.`);
  }
  return 0;
}
