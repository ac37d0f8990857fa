import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { backupCommand } from '../../backend/cli/backup.ts';
import { openStore } from '../../backend/store/db.ts';
import { cleanupsAfterEach, openTempStoreUntilCleanup } from './helpers/temp-store.ts';

const cleanups = cleanupsAfterEach();

describe('backup CLI', () => {
  it('copies the live database to a file that opens with the same data, and never overwrites by accident', async () => {
    const t = await openTempStoreUntilCleanup(cleanups);
    vi.stubEnv('FULCRUM_DATA_DIR', t.dir);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    cleanups.push(() => {
      log.mockRestore();
      vi.unstubAllEnvs();
    });
    const put = (key: string, value: string) =>
      t.store.db
        .insertInto('settings')
        .values({ key, value, updated_at: Date.now(), updated_by: null })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
        .execute();
    await put('first', '1');

    const file = path.join(t.dir, 'backups', 'b.sqlite');
    await expect(backupCommand.run([file])).rejects.toThrow(/does not exist/);
    fs.mkdirSync(path.dirname(file));
    expect(await backupCommand.run([file])).toBe(0);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['b.sqlite']); // no partial file left behind

    await put('second', '2');
    await expect(backupCommand.run([file])).rejects.toThrow(/already exists; pass --force/);
    const copy1 = await openStore({ file });
    const keys1 = (await copy1.db.selectFrom('settings').select('key').execute()).map((r) => r.key);
    await copy1.close();
    expect(keys1).toEqual(['first']);

    expect(await backupCommand.run([file, '--force'])).toBe(0);
    const copy2 = await openStore({ file });
    cleanups.push(() => copy2.close());
    const keys2 = (await copy2.db.selectFrom('settings').select('key').orderBy('key').execute()).map((r) => r.key);
    expect(keys2).toEqual(['first', 'second']);
    await expect(backupCommand.run([])).rejects.toThrow(/Usage: backup FILE/);
  });

  it('refuses on a PostgreSQL DATABASE_URL, naming pg_dump -Fc and pg_restore, with a non-zero exit', {
    timeout: 60_000,
  }, async () => {
    const t = await openTempStoreUntilCleanup(cleanups);
    const target = path.join(t.dir, 'b.sqlite');
    const env = {
      ...process.env,
      FULCRUM_DATA_DIR: t.dir,
      DATABASE_URL: 'postgresql://fulcrum:s3cret@127.0.0.1:1/fulcrum',
    };
    const cli = await promisify(execFile)('npx', ['tsx', 'backend/cli/index.ts', 'backup', target], {
      cwd: path.resolve(__dirname, '../..'),
      env,
      timeout: 60_000,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/pg_dump -Fc/);
    expect(cli.stderr).toMatch(/pg_restore/);
    expect(cli.stderr).not.toContain('s3cret'); // the password is masked
    expect(cli.stderr).not.toMatch(/at .*\.ts:\d+/); // a message, not a stack trace
    expect(fs.existsSync(target)).toBe(false);
  });
});
