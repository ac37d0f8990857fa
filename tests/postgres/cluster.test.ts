import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgTier } from './cluster.ts';
import { freshDatabase } from './db.ts';

describe('the postgres tier', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  beforeAll(async () => {
    db = await freshDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('runs on a throwaway PostgreSQL cluster on loopback, one database per test file', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const r = await client.query<{ v: string; db: string; addr: string }>(
        'SELECT current_setting($1) AS v, current_database() AS db, inet_server_addr()::text AS addr',
        ['server_version_num'],
      );
      expect(Number(r.rows[0]?.v)).toBeGreaterThanOrEqual(130000);
      expect(r.rows[0]?.db).toMatch(/^t_[0-9a-f]{12}$/);
      expect(r.rows[0]?.addr).toBe('127.0.0.1/32');
    } finally {
      await client.end();
    }
  });

  it('says how to enable the tier when PostgreSQL is missing, and fails under CI', () => {
    const none = { PATH: '/nonexistent', PG_BIN: '/nonexistent' };
    const dev = pgTier(none);
    expect(dev).toMatchObject({ run: false, fail: false });
    expect(!dev.run && dev.message).toContain('apt-get install -y postgresql');
    expect(pgTier({ ...none, CI: 'true' })).toMatchObject({ run: false, fail: true });
  });
});
