import { spawn } from 'node:child_process';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit, eraseAuditPayloads, verifyAuditChain } from '../../backend/audit/audit-log.ts';
import { addRecruiter } from '../../backend/auth/recruiters.ts';
import { claimJobs, enqueueSync } from '../../backend/jobs/sqlite-queue.ts';
import { ProposalRepo } from '../../backend/proposals/repo.ts';
import { indexOpportunities } from '../../backend/rediscovery/index-store.ts';
import { openPostgresStore, openStore, type Store } from '../../backend/store/db.ts';
import { until } from '../backend/helpers/queue-contract.ts';
import { pastOpportunity } from '../backend/helpers/rediscovery-fixtures.ts';
import { makeTempDir } from '../backend/helpers/temp-store.ts';
import { freshDatabase } from './db.ts';

/**
 * `npm run cli -- migrate-to-postgres URL`, run as a user runs it (a child process), copying a SQLite deployment
 * seeded through the real modules (audit entries with erased payloads, recruiters, proposals, rediscovery people,
 * the queue's jobs) into PostgreSQL: equal tables, the audit chain verified there, ids continuing after the copied
 * ones, pending jobs in pg-boss, a rerun that does nothing, a copy killed mid-table that resumes without duplicates,
 * and the refusals (another deployment, a database in use, a URL that is not PostgreSQL).
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const AUDIT_ROWS = 2_500;

type Run = { code: number | null; stdout: string; stderr: string };

function cli(dataDir: string, args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'backend/cli/index.ts', 'migrate-to-postgres', ...args], {
    cwd: ROOT,
    env: { ...process.env, FULCRUM_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    out.stdout += c;
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => {
    out.stderr += c;
  });
  const done = new Promise<Run>((resolve) => child.on('close', (code) => resolve({ code, ...out })));
  return { child, done };
}

const audit = (i: number) => ({
  actor: 'rec@example.com',
  opportunityId: `opp-${i % 40}`,
  capability: 'score',
  action: 'score.created',
  provider: 'local',
  model: 'heuristic',
  output: { score: i % 5, note: `entry ${i}` },
});

/** A deployment as the modules write it. `lastJobDeleted`: the newest job's id, deleted (SQLite never reuses it). */
async function seed(dir: string, opts: { people: number; audit: number }) {
  const store = await openStore({ dataDir: dir });
  try {
    await addRecruiter(store, { email: 'admin@example.com', role: 'admin', name: 'Ada' });
    await addRecruiter(store, { email: 'rec@example.com', role: 'recruiter' });
    for (let i = 0; i < opts.audit; i++) await appendAudit(store.db, audit(i));
    await eraseAuditPayloads(store.db, [3, 7, 11], { actor: 'admin@example.com', reason: 'forget' });
    const proposals = new ProposalRepo(store, Date.now);
    for (let i = 0; i < 12; i++) {
      await proposals.create({
        opportunityId: `opp-${i}`,
        kind: 'match-summary',
        payload: { note: { text: `Strong Go and Postgres background ${i}` } },
        reason: 'score',
        createdBy: 'rec@example.com',
      });
    }
    const items = Array.from({ length: opts.people }, (_, i) => ({
      opportunity: pastOpportunity(`o${i}`, `c${i}`, {
        headline: i % 2 ? 'Kubernetes platform engineer' : 'Data scientist, Python and statistics',
      }),
      resumeText: `Resume ${i}: ${i % 2 ? 'kubernetes terraform golang' : 'python pandas statistics'}`,
    }));
    indexOpportunities(store.sqlite, items);
    // A table without a primary key (copied in rowid order).
    await store.db
      .insertInto('interview_bookings')
      .values({
        id: 'b1',
        opportunity_id: 'opp-1',
        panel_id: null,
        ics_uid: 'uid-1',
        sequence: 0,
        status: 'booked',
        plan: '{}',
        created_by: 'rec@example.com',
        created_at: 1,
        updated_at: 1,
      })
      .execute();
    await store.db
      .insertInto('interview_booking_sessions')
      .values([
        { booking_id: 'b1', lever_user_id: 'u1', start_at: 10, end_at: 20 },
        { booking_id: 'b1', lever_user_id: 'u2', start_at: 10, end_at: 20 },
      ])
      .execute();
    // The queue: two queued (one keyed), one waiting to retry, one running, one done, one dead, and a deleted newest.
    const { sqlite } = store;
    enqueueSync(sqlite, { type: 'sync', payload: { n: 1 }, dedupeKey: 'sync:all' });
    enqueueSync(sqlite, { type: 'score', payload: { opp: 'opp-1' } });
    const retrying = enqueueSync(sqlite, { type: 'score', payload: { opp: 'opp-2' }, dedupeKey: 'score:opp-2' });
    sqlite.prepare(`UPDATE jobs SET attempts = 2, last_error = 'Error: 429' WHERE id = ?`).run(retrying.id);
    enqueueSync(sqlite, { type: 'write-note', payload: { p: 1 } });
    claimJobs(sqlite, { workerId: 'w', limit: 1, leaseMs: 60_000, types: ['write-note'] });
    const done = enqueueSync(sqlite, { type: 'sync', payload: { n: 0 } });
    sqlite.prepare(`UPDATE jobs SET status = 'done', dedupe_key = NULL WHERE id = ?`).run(done.id);
    const dead = enqueueSync(sqlite, { type: 'write-note', payload: { p: 2 } });
    sqlite.prepare(`UPDATE jobs SET status = 'dead', attempts = 5 WHERE id = ?`).run(dead.id);
    const gone = enqueueSync(sqlite, { type: 'sync', payload: { n: 9 } });
    sqlite.prepare('DELETE FROM jobs WHERE id = ?').run(gone.id);
    return { lastJobDeleted: gone.id };
  } finally {
    await store.close();
  }
}

/** Every copied table's rows on both sides, in one order, for an exact comparison. */
async function tablesOf(dir: string, url: string) {
  const lite = await openStore({ dataDir: dir });
  const target = await openPostgresStore(url);
  try {
    const names = (
      await sql<{ name: string }>`SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table'
        AND name NOT LIKE 'sqlite%' AND name NOT LIKE 'kysely%' ORDER BY name`.execute(lite.db)
    ).rows.map((r) => r.name);
    const both: Record<string, { sqlite: unknown[]; postgres: unknown[] }> = {};
    for (const name of names) {
      const cols = (await sql<{ name: string }>`SELECT name FROM pragma_table_info(${name})`.execute(lite.db)).rows.map(
        (c) => c.name,
      );
      const list = sql.join(cols.map((c) => sql.ref(c)));
      // Ordered by every column as text, byte-wise on both sides (SQLite's BINARY is PostgreSQL's "C").
      const a = await sql`SELECT ${list} FROM ${sql.table(name)}
        ORDER BY ${sql.join(cols.map((c) => sql`CAST(${sql.ref(c)} AS TEXT)`))}`.execute(lite.db);
      const b = await sql`SELECT ${list} FROM ${sql.table(name)}
        ORDER BY ${sql.join(cols.map((c) => sql`${sql.ref(c)}::text COLLATE "C"`))}`.execute(target.db);
      both[name] = { sqlite: a.rows, postgres: b.rows };
    }
    return both;
  } finally {
    await lite.close();
    await target.close();
  }
}

describe('migrate-to-postgres', () => {
  const tmp = makeTempDir('fulcrum-migrate-');
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let lastJobDeleted: number;
  let pool: pg.Pool;

  beforeAll(async () => {
    db = await freshDatabase();
    pool = new pg.Pool({ connectionString: db.url });
    ({ lastJobDeleted } = await seed(tmp.dir, { people: 300, audit: AUDIT_ROWS }));
  }, 120_000);
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
    tmp.cleanup();
  });

  it('killed mid-copy (SIGKILL), then run again: the target equals the source, row for row', async () => {
    const killed = cli(tmp.dir, [db.url, '--batch-size', '10']);
    // Wait for a table caught between batches: some rows committed, not finished.
    let partial: { step: string; copied: string } | undefined;
    await until(async () => {
      if (killed.child.exitCode !== null) return true;
      const r = await pool
        .query<{ step: string; copied: string }>(
          'SELECT step, copied FROM store_copy_progress WHERE done = 0 AND copied > 0 LIMIT 1',
        )
        .catch(() => ({ rows: [] }));
      partial = r.rows[0];
      return partial !== undefined;
    }, 60_000);
    killed.child.kill('SIGKILL');
    const first = await killed.done;
    expect(first.code).toBeNull();
    expect(partial).toBeDefined();
    const { rows: progress } = await pool.query('SELECT step FROM store_copy_progress WHERE done = 0');
    expect(progress.length).toBeGreaterThan(0);

    const resumed = await cli(tmp.dir, [db.url]).done;
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/\(resumed after \d+\)/);
    expect(resumed.stdout).toMatch(new RegExp(`audit_log +${AUDIT_ROWS + 1} / ${AUDIT_ROWS + 1} rows`));
    expect(resumed.stdout).toContain(
      `Audit chain on PostgreSQL intact: ${AUDIT_ROWS + 1} entries verified (3 of them erased`,
    );
    expect(resumed.stdout).toMatch(/Row counts equal in all \d+ tables/);
    expect(resumed.stdout).not.toContain(new URL(db.url).password || '\u0000');

    const tables = await tablesOf(tmp.dir, db.url);
    expect(Object.keys(tables)).toEqual(expect.arrayContaining(['audit_log', 'proposals', 'rd_person', 'jobs']));
    expect(Object.keys(tables)).not.toContain('rd_fts');
    for (const [name, t] of Object.entries(tables)) {
      expect.soft(t.postgres, name).toEqual(t.sqlite);
    }
    expect(tables.rd_person?.sqlite).toHaveLength(300);
    expect(tables.interview_booking_sessions?.postgres).toHaveLength(2);
  }, 240_000);

  it('the copy on PostgreSQL: audit verify passes, keyword search works, new rows get fresh ids, pending jobs are in pg-boss', async () => {
    const target: Store = await openPostgresStore(db.url);
    try {
      expect(await verifyAuditChain(target)).toEqual({ ok: true, rows: AUDIT_ROWS + 1, erased: 3 });
      // doc_tsv is generated by PostgreSQL from the copied doc.
      const tsv = await sql<{ missing: number; hits: number }>`
        SELECT count(*) FILTER (WHERE doc_tsv IS NULL)::int AS missing,
               count(*) FILTER (WHERE doc_tsv @@ to_tsquery('english', 'kubernetes'))::int AS hits
        FROM rd_person`.execute(target.db);
      expect(tsv.rows[0]).toEqual({ missing: 0, hits: 150 });

      const entry = await appendAudit(target.db, audit(99_999));
      expect(entry.id).toBe(AUDIT_ROWS + 2);
      expect(await verifyAuditChain(target)).toMatchObject({ ok: true, rows: AUDIT_ROWS + 2 });
      const job = await target.db
        .insertInto('jobs')
        .values({
          type: 't',
          payload: '{}',
          status: 'done',
          attempts: 0,
          max_attempts: 1,
          run_at: 0,
          created_at: 0,
          updated_at: 0,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      expect(job.id).toBe(lastJobDeleted + 1);
      const person = await sql<{ rid: number }>`
        INSERT INTO rd_person (contact_id, doc, summary, updated_at) VALUES ('new', 'x', '{}', 0) RETURNING rid`.execute(
        target.db,
      );
      expect(person.rows[0]?.rid).toBe(301);
    } finally {
      await target.close();
    }
    // Queued, retrying and running jobs are in pg-boss with their dedupe keys and remaining attempts.
    const { rows } = await pool.query<{ name: string; data: unknown; retry_limit: number; key: string | null }>(
      `SELECT j.name, j.data, j.retry_limit, d.key FROM pgboss.job j LEFT JOIN pgboss.fulcrum_dedupe d ON d.job_id = j.id
       ORDER BY j.name, d.key NULLS LAST`,
    );
    expect(rows).toEqual([
      { name: 'score', data: { payload: { opp: 'opp-2' } }, retry_limit: 2, key: 'score:opp-2' },
      { name: 'score', data: { payload: { opp: 'opp-1' } }, retry_limit: 4, key: null },
      { name: 'sync', data: { payload: { n: 1 } }, retry_limit: 4, key: 'sync:all' },
      { name: 'write-note', data: { payload: { p: 1 } }, retry_limit: 3, key: null },
    ]);
  }, 120_000);

  it('a second run changes nothing; a tampered target makes it exit 1', async () => {
    const before = await pool.query('SELECT count(*)::int AS n FROM pgboss.job');
    const again = await cli(tmp.dir, [db.url]).done;
    // The rows the previous test added on PostgreSQL make two tables differ from SQLite, which the run reports.
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/audit_log +\d+ \/ \d+ rows \(copied by an earlier run\)/);
    expect(again.stdout).toContain('Copied 0 rows in this run');
    expect(again.stdout).toContain('0 enqueued into pg-boss now, 4 by an earlier run');
    expect(again.stderr).toContain(
      `Row counts differ: audit_log has ${AUDIT_ROWS + 1} rows in SQLite, ${AUDIT_ROWS + 2} in PostgreSQL.`,
    );
    expect(again.stderr).toContain('Row counts differ: jobs');
    expect((await pool.query('SELECT count(*)::int AS n FROM pgboss.job')).rows).toEqual(before.rows);

    await pool.query(`DELETE FROM audit_log WHERE id = ${AUDIT_ROWS + 2}`);
    await pool.query(`DELETE FROM jobs WHERE id = ${lastJobDeleted + 1}`);
    await pool.query(`DELETE FROM rd_person WHERE contact_id = 'new'`);
    const clean = await cli(tmp.dir, [db.url]).done;
    expect(clean.code).toBe(0);
    await pool.query(`UPDATE audit_log SET actor = 'mallory' WHERE id = 5`);
    const tampered = await cli(tmp.dir, [db.url]).done;
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toContain('Audit chain on PostgreSQL BROKEN at entry 5');
  }, 120_000);

  it('refuses a target holding another deployment, or data no copy wrote', async () => {
    const other = makeTempDir('fulcrum-migrate-other-');
    try {
      await seed(other.dir, { people: 3, audit: 2 });
      const refused = await cli(other.dir, [db.url]).done;
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('The target already holds a copy of another deployment');

      const inUse = await freshDatabase();
      try {
        const store = await openPostgresStore(inUse.url);
        await appendAudit(store.db, audit(1));
        await store.close();
        const r = await cli(other.dir, [inUse.url]).done;
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(
          'The target already holds data (1 rows in audit_log) that no copy from this SQLite store wrote',
        );
      } finally {
        await inUse.drop();
      }
    } finally {
      other.cleanup();
    }
  }, 120_000);

  it('refuses a URL that is not PostgreSQL, and never prints the password', async () => {
    const mysql = await cli(tmp.dir, ['mysql://admin:hunter2@db.example/fulcrum']).done;
    expect(mysql.code).toBe(1);
    expect(mysql.stderr).toContain('The target must be a PostgreSQL URL (postgres:// or postgresql://)');
    const notUrl = await cli(tmp.dir, ['fulcrum.sqlite']).done;
    expect(notUrl.code).toBe(1);
    expect(notUrl.stderr).toContain('The target is not a connection string');
    const unreachable = await cli(tmp.dir, ['postgres://admin:hunter2@127.0.0.1:1/fulcrum']).done;
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain('Cannot open postgres://admin:***@127.0.0.1:1/fulcrum');
    for (const r of [mysql, notUrl, unreachable]) {
      expect(r.stdout + r.stderr).not.toContain('hunter2');
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const missing = makeTempDir('fulcrum-migrate-none-');
    try {
      const none = await cli(missing.dir, [db.url]).done;
      expect(none.code).toBe(1);
      expect(none.stderr).toContain('No SQLite store at');
    } finally {
      missing.cleanup();
    }
  }, 60_000);
});
