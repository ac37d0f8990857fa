import { describe, expect, it } from 'vitest';
import { maskPassword, openStore, openStoreFromConfig, StoreConfigError } from '../../backend/store/db.ts';
import { MIGRATION_NAMES } from '../../backend/store/migrations.ts';
import { ENSURE_TABLES } from './helpers/legacy-ensure-ddl.ts';
import { cleanupsAfterEach, makeTempDir } from './helpers/temp-store.ts';

const cleanups = cleanupsAfterEach();

describe('openStore', () => {
  it('creates every table and can be reopened without re-running migrations or losing data', async () => {
    const tmp = makeTempDir();
    cleanups.push(tmp.cleanup);
    const first = await openStore({ dataDir: tmp.dir });
    const tables = first.sqlite
      .prepare(
        `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'kysely%' AND name NOT LIKE 'sqlite%'`,
      )
      .all()
      .map((r) => (r as { name: string }).name)
      .sort();
    expect(tables).toEqual(
      [
        'ai_results',
        'audit_log',
        'calendar_tokens',
        'compliance_criterion_confirmations',
        'compliance_erasure_requests',
        'compliance_notice_templates',
        'compliance_opt_outs',
        'hris_handoffs',
        'interview_booking_sessions',
        'interview_bookings',
        'interviewer_calendars',
        'jobs',
        'lever_notes',
        'lever_oauth_connections',
        'lever_oauth_states',
        'lever_webhooks',
        'offer_chains',
        'offer_decisions',
        'offer_holidays',
        'offer_letter_versions',
        'offer_letters',
        'offer_overrides',
        'offer_templates',
        'proposals',
        'recruiter_tokens',
        'recruiters',
        'settings',
        'talent_pool',
        'webhook_events',
        'write_ledger',
        // 0009 and 0010: the tables the automations and rediscovery used to create themselves.
        ...ENSURE_TABLES,
      ].sort(),
    );
    await first.db.insertInto('settings').values({ key: 'k', value: '"v"', updated_at: 1, updated_by: null }).execute();
    await first.close();

    const second = await openStore({ dataDir: tmp.dir });
    cleanups.push(() => second.close());
    const row = await second.db.selectFrom('settings').selectAll().where('key', '=', 'k').executeTakeFirst();
    expect(row?.value).toBe('"v"');
    const applied = await second.db
      .selectFrom('kysely_migration' as never)
      .selectAll()
      .execute();
    expect(applied).toHaveLength(MIGRATION_NAMES.length);
  });

  it('runs with WAL, foreign keys and a busy timeout', async () => {
    const tmp = makeTempDir();
    cleanups.push(tmp.cleanup);
    const store = await openStore({ file: `${tmp.dir}/x.sqlite` });
    cleanups.push(() => store.close());
    expect(store.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.sqlite.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
    // foreign_keys=ON is observable: a token for a missing recruiter is refused.
    expect(() =>
      store.sqlite
        .prepare(
          `INSERT INTO recruiter_tokens (id, recruiter_id, token_hash, created_at) VALUES ('t', 'nobody', 'h', 1)`,
        )
        .run(),
    ).toThrow(/FOREIGN KEY/);
  });

  it('opens PostgreSQL for DATABASE_URL, never SQLite, and an unreachable one fails naming the URL without its password', async () => {
    const url = 'postgres://fulcrum:s3cret-pw@127.0.0.1:1/fulcrum';
    const opening = openStoreFromConfig({ dataDir: '/nonexistent', DATABASE_URL: url });
    await expect(opening).rejects.toThrow(StoreConfigError);
    const message = await opening.catch((e: Error) => e.message);
    expect(message).toContain('Cannot open the PostgreSQL store at postgres://fulcrum:***@127.0.0.1:1/fulcrum');
    expect(message).not.toContain('s3cret-pw');
  });

  it('masks a password given as a query parameter of DATABASE_URL too (password=, sslpassword=)', async () => {
    expect(maskPassword('postgres://fulcrum@127.0.0.1:1/fulcrum?password=s3cret-pw&sslmode=disable')).toBe(
      'postgres://fulcrum@127.0.0.1:1/fulcrum?password=***&sslmode=disable',
    );
    expect(maskPassword('postgresql://u:p1@h/db?sslpassword=p2&PASSWORD=p3')).not.toMatch(/p1|p2|p3/);
    const url = 'postgres://fulcrum@127.0.0.1:1/fulcrum?password=s3cret-pw';
    const message = await openStoreFromConfig({ dataDir: '/nonexistent', DATABASE_URL: url }).catch(
      (e: Error) => e.message,
    );
    expect(message).toContain('Cannot open the PostgreSQL store at');
    expect(message).not.toContain('s3cret-pw');
  });
});
