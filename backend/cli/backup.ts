import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { maskPassword } from '../store/db.ts';
import type { CliCommand } from './commands.ts';
import { withCliStore } from './open-store.ts';

const usage = 'Usage: backup FILE [--force]';

/**
 * An online, consistent copy of the database (better-sqlite3's backup API), safe while the server is running.
 * It is written next to the target and renamed into place, so FILE is never a half-written copy.
 *
 * SQLite only: with DATABASE_URL (PostgreSQL) it refuses, pointing at PostgreSQL's own tools, which copy a live
 * database consistently (pg_dump takes one snapshot) and are what a PostgreSQL operator restores from.
 */
export function postgresBackupHelp(url: string): string {
  return [
    `DATABASE_URL is set (${maskPassword(url)}): this command copies the embedded SQLite store only.`,
    'Back PostgreSQL up with its own tools, which take one consistent snapshot while the backends run:',
    '  pg_dump -Fc --dbname="$DATABASE_URL" --file=fulcrum.dump',
    'and restore into an empty database with:',
    '  pg_restore --no-owner --dbname="$DATABASE_URL" fulcrum.dump',
  ].join('\n');
}

export const backupCommand: CliCommand = {
  summary: 'backup FILE [--force]: consistent copy of the database while the server runs',
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      options: { force: { type: 'boolean', default: false } },
      allowPositionals: true,
    });
    const [target, ...extra] = positionals;
    if (!target || extra.length > 0) throw new Error(usage);
    const { DATABASE_URL } = loadConfig();
    if (DATABASE_URL) throw new Error(postgresBackupHelp(DATABASE_URL));
    const file = path.resolve(target);
    if (fs.existsSync(file) && !values.force) throw new Error(`${file} already exists; pass --force to overwrite it`);
    if (!fs.existsSync(path.dirname(file))) throw new Error(`Directory ${path.dirname(file)} does not exist`);
    const partial = `${file}.partial-${process.pid}`;
    const started = Date.now();
    await withCliStore(async (store) => {
      if (path.resolve(store.file) === file) throw new Error('Refusing to back the database up onto itself');
      try {
        // The copy holds the same applicant data as the database: private like it (0600), from the first byte.
        fs.closeSync(fs.openSync(partial, 'w', 0o600));
        await store.sqlite.backup(partial);
        fs.renameSync(partial, file);
      } finally {
        fs.rmSync(partial, { force: true });
      }
    });
    const mb = (fs.statSync(file).size / 1024 / 1024).toFixed(1);
    console.log(`Backed up to ${file} (${mb} MB in ${Date.now() - started} ms).`);
    return 0;
  },
};
