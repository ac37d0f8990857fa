import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { verifyAuditChain } from '../audit/audit-log.ts';
import { loadConfig } from '../config.ts';
import { movePendingJobs } from '../jobs/move-to-pg-boss.ts';
import { PgBossQueue } from '../jobs/pg-queue.ts';
import { copyStoreToPostgres } from '../store/copy-to-postgres.ts';
import { DB_FILE_NAME, maskPassword, openPostgresStore, openStore } from '../store/db.ts';
import type { CliCommand } from './commands.ts';

const usage = 'Usage: migrate-to-postgres DATABASE_URL [--batch-size N]   (DATABASE_URL: postgres://user:pass@host/db)';

/**
 * Copies the SQLite deployment in FULCRUM_DATA_DIR into a PostgreSQL database: migrations on the target, every table
 * in resumable batches (backend/store/copy-to-postgres.ts), identity sequences past the copied ids, the queue's
 * unfinished jobs into pg-boss, then the counts of both sides and the audit chain of the target checked.
 */
export const migrateToPostgresCommand: CliCommand = {
  summary: 'migrate-to-postgres DATABASE_URL: copy this SQLite deployment into PostgreSQL (resumable)',
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      options: { 'batch-size': { type: 'string' } },
      allowPositionals: true,
    });
    const [url, ...extra] = positionals;
    if (!url || extra.length > 0) throw new Error(usage);
    checkPostgresUrl(url);
    const batchSize = values['batch-size'] === undefined ? 1_000 : Number(values['batch-size']);
    if (!Number.isSafeInteger(batchSize) || batchSize < 1)
      throw new Error(`--batch-size must be a positive integer. ${usage}`);
    const config = loadConfig(process.env);
    const file = path.join(config.dataDir, DB_FILE_NAME);
    if (!fs.existsSync(file)) {
      throw new Error(`No SQLite store at ${file} (set FULCRUM_DATA_DIR to the deployment's data directory)`);
    }
    const masked = maskPassword(url);
    console.log(
      `Copying ${file} into ${masked}. Stop the backend first: rows it writes during the copy are not copied.`,
    );
    const source = await openStore({ dataDir: config.dataDir });
    try {
      const target = await openPostgresStore(url).catch((error: unknown) => {
        throw new Error(`Cannot open ${masked}: ${error instanceof Error ? error.message : String(error)}`);
      });
      try {
        const report = await copyStoreToPostgres(source, target, { batchSize, log: (line) => console.log(line) });
        const secs = report.ms / 1000;
        console.log(
          `Copied ${report.rowsCopied} rows in this run (${secs.toFixed(1)} s, ${Math.round(report.rowsCopied / Math.max(secs, 0.001))} rows/s).`,
        );
        for (const s of report.sequences) console.log(`  next ${s.column}: ${s.next}`);

        const jobs = await movePendingJobs(source.db, target.db, report.fingerprint, () =>
          PgBossQueue.open({ connectionString: url, logger: { warn() {}, error() {} } }),
        );
        console.log(
          `Queue: ${jobs.pending} unfinished jobs in the SQLite queue; ${jobs.enqueued} enqueued into pg-boss now` +
            (jobs.movedBefore ? `, ${jobs.movedBefore} by an earlier run` : '') +
            (jobs.alreadyQueued ? `, ${jobs.alreadyQueued} already queued there under their dedupe key` : '') +
            (jobs.lastAttemptLost
              ? `, ${jobs.lastAttemptLost} running on their last attempt not re-run (SQLite would dead-letter them)`
              : '') +
            '. Finished jobs (done, dead) stay in the copied jobs table as history; pg-boss runs none of them.',
        );

        let failed = false;
        const mismatched = report.tables.filter((t) => t.source !== t.target);
        if (mismatched.length) {
          failed = true;
          for (const t of mismatched) {
            console.error(`Row counts differ: ${t.table} has ${t.source} rows in SQLite, ${t.target} in PostgreSQL.`);
          }
          console.error('Was the backend writing during the copy? Empty the target database and copy again.');
        } else {
          console.log(`Row counts equal in all ${report.tables.length} tables.`);
        }
        const audit = await verifyAuditChain(target);
        if (audit.ok) {
          const erased = audit.erased ? ` (${audit.erased} of them erased, link kept)` : '';
          console.log(`Audit chain on PostgreSQL intact: ${audit.rows} entries verified${erased}.`);
        } else {
          failed = true;
          console.error(
            `Audit chain on PostgreSQL BROKEN at entry ${audit.firstBadId}: ${audit.problem ?? 'hash mismatch'}.`,
          );
        }
        if (failed) return 1;
        console.log(`Done. Start the backend with DATABASE_URL=${masked}.`);
        return 0;
      } finally {
        await target.close();
      }
    } finally {
      await source.close();
    }
  },
};

function checkPostgresUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`The target is not a connection string. ${usage}`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new Error(
      `The target must be a PostgreSQL URL (postgres:// or postgresql://), not ${maskPassword(url)}. ${usage}`,
    );
  }
}
