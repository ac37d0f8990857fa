import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import {
  type AuditInput,
  appendAudit,
  exportAudit,
  listAudit,
  verifyAuditChain,
} from '../../backend/audit/audit-log.ts';
import { auditCommand } from '../../backend/cli/audit.ts';
import { openStore } from '../../backend/store/db.ts';
import { AuditEntrySchema } from '../../utils/contracts/api.ts';
import { cleanupsAfterEach, openTempStoreUntilCleanup } from './helpers/temp-store.ts';

const run = promisify(execFile);
const cleanups = cleanupsAfterEach();
const setup = () => openTempStoreUntilCleanup(cleanups);

const OPP = '7f1c2a4e-0000-4000-8000-000000000001';
const score: AuditInput = {
  actor: 'ana@example.com',
  opportunityId: OPP,
  capability: 'score-candidate',
  action: 'generated',
  provider: 'local',
  model: 'local-rules',
  modelVersion: 'fulcrum-local-1',
  promptVersion: 'score-v1',
  inputHash: 'abc123',
  output: { score: 72, evidence: ['5 years TypeScript'] },
};

async function collect(it: AsyncIterable<string>): Promise<string> {
  let s = '';
  for await (const line of it) s += line;
  return s;
}

describe('audit log', () => {
  it('appends entries that read back in the API shape, newest first per opportunity', async () => {
    const { store } = await setup();
    const first = await appendAudit(store.db, score);
    await appendAudit(store.db, { actor: 'bob@example.com', opportunityId: 'other', capability: 'x', action: 'y' });
    await appendAudit(store.db, {
      actor: 'ana@example.com',
      opportunityId: OPP,
      capability: 'match-summary',
      action: 'written-to-lever',
      decision: 'approved',
      leverIds: ['note-1'],
    });
    expect(AuditEntrySchema.parse(first)).toEqual(first);
    const entries = await listAudit(store, { opportunityId: OPP });
    expect(entries.map((e) => [e.action, e.leverIds])).toEqual([
      ['written-to-lever', ['note-1']],
      ['generated', []],
    ]);
    expect(entries[1]).toMatchObject({
      actor: 'ana@example.com',
      provider: 'local',
      model: 'local-rules',
      promptVersion: 'score-v1',
      inputHash: 'abc123',
      output: { score: 72, evidence: ['5 years TypeScript'] },
      decision: null,
    });
    expect(Number.isNaN(Date.parse(entries[0]!.at))).toBe(false);
  });

  it('rejects an entry without an actor', async () => {
    const { store } = await setup();
    await expect(appendAudit(store.db, { ...score, actor: '' })).rejects.toThrow(/Invalid audit entry/);
  });

  it('an intact chain verifies', async () => {
    const { store } = await setup();
    expect(await verifyAuditChain(store)).toEqual({ ok: true, rows: 0 });
    // More than one verification page (1,000 rows), appended in one transaction to keep the test fast.
    await store.db.transaction().execute(async (trx) => {
      for (let i = 0; i < 1_205; i++) await appendAudit(trx, { ...score, output: { i } });
    });
    expect(await verifyAuditChain(store)).toEqual({ ok: true, rows: 1_205 });
  });

  it('reports the id of a row edited with raw SQL', async () => {
    const { store } = await setup();
    for (let i = 0; i < 5; i++) await appendAudit(store.db, { ...score, output: { i } });
    store.sqlite.prepare(`UPDATE audit_log SET decision = 'approved' WHERE id = 3`).run();
    const result = await verifyAuditChain(store);
    expect(result).toMatchObject({ ok: false, firstBadId: 3 });
  });

  it('reports a deleted row at the entry that follows it', async () => {
    const { store } = await setup();
    for (let i = 0; i < 5; i++) await appendAudit(store.db, { ...score, output: { i } });
    store.sqlite.prepare('DELETE FROM audit_log WHERE id = 2').run();
    expect(await verifyAuditChain(store)).toMatchObject({ ok: false, firstBadId: 3 });
  });

  it('a rewritten row with a recomputed own hash still breaks the link to the next row', async () => {
    const { store } = await setup();
    for (let i = 0; i < 3; i++) await appendAudit(store.db, { ...score, output: { i } });
    store.sqlite.prepare(`UPDATE audit_log SET hash = 'forged' WHERE id = 2`).run();
    expect(await verifyAuditChain(store)).toMatchObject({ ok: false, firstBadId: 2 });
  });

  it('an entry appended inside a rolled-back transaction leaves no trace and the chain stays valid', async () => {
    const { store } = await setup();
    await appendAudit(store.db, score);
    await expect(
      store.db.transaction().execute(async (trx) => {
        await appendAudit(trx, { ...score, action: 'written-to-lever' });
        throw new Error('write failed');
      }),
    ).rejects.toThrow('write failed');
    await appendAudit(store.db, score);
    expect(await verifyAuditChain(store)).toEqual({ ok: true, rows: 2 });
  });

  it('two connections appending alternately never fork the chain', async () => {
    const { store, dir } = await setup();
    const other = await openStore({ dataDir: dir });
    cleanups.push(() => other.close());
    for (let i = 0; i < 50; i++) {
      await appendAudit((i % 2 ? store : other).db, { ...score, output: { i } });
    }
    expect(await verifyAuditChain(store)).toEqual({ ok: true, rows: 50 });
  });

  it('exports JSONL with hashes, and CSV safe for spreadsheets', async () => {
    const { store } = await setup();
    await appendAudit(store.db, { ...score, output: { note: 'says "hi", then\nnewline' } });
    await appendAudit(store.db, { ...score, actor: '=HYPERLINK("http://evil")', leverIds: ['n1', 'n2'] });

    const jsonl = (await collect(exportAudit(store, { format: 'jsonl' }))).trimEnd().split('\n');
    expect(jsonl).toHaveLength(2);
    const rows = jsonl.map((l) => JSON.parse(l));
    expect(rows[0].output).toEqual({ note: 'says "hi", then\nnewline' });
    expect(rows[1].prevHash).toBe(rows[0].hash);
    expect(rows[1].leverIds).toEqual(['n1', 'n2']);

    const csv = await collect(exportAudit(store, { format: 'csv' }));
    expect(csv.startsWith('id,at,actor,opportunity_id,')).toBe(true);
    expect(csv).toContain(`"{""note"":""says \\""hi\\"", then\\nnewline""}"`);
    expect(csv).toContain(`"'=HYPERLINK(""http://evil"")"`);

    const future = new Date(Date.now() + 60_000);
    expect(await collect(exportAudit(store, { format: 'jsonl', since: future }))).toBe('');
  });
});

describe('audit CLI', () => {
  function captureOutput() {
    const out: string[] = [];
    const err: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
    cleanups.push(() => {
      log.mockRestore();
      error.mockRestore();
    });
    return { out, err };
  }

  it('verify reports an intact chain; export writes a file and refuses to overwrite it', async () => {
    const { store, dir } = await setup();
    vi.stubEnv('FULCRUM_DATA_DIR', dir);
    cleanups.push(() => {
      vi.unstubAllEnvs();
    });
    for (let i = 0; i < 3; i++) await appendAudit(store.db, { ...score, output: { i } });
    const { out, err } = captureOutput();

    expect(await auditCommand.run(['verify'])).toBe(0);
    expect(out.join('\n')).toContain('3 entries verified');

    const file = path.join(dir, 'audit.csv');
    expect(await auditCommand.run(['export', '--format', 'csv', '--out', file])).toBe(0);
    expect(fs.readFileSync(file, 'utf8').trimEnd().split('\n')).toHaveLength(4);
    expect(err.join('\n')).toContain('Exported 3 audit entries');
    await expect(auditCommand.run(['export', '--format', 'csv', '--out', file])).rejects.toThrow(/already exists/);
    await expect(auditCommand.run(['export', '--format', 'xml'])).rejects.toThrow(/--format must be jsonl or csv/);
    await expect(auditCommand.run(['export', '--format', 'csv', '--since', 'soon'])).rejects.toThrow(/not a date/);
  });

  it('`npm run cli -- audit verify` exits 1 naming the tampered entry', { timeout: 120_000 }, async () => {
    const { store, dir } = await setup();
    for (let i = 0; i < 3; i++) await appendAudit(store.db, { ...score, output: { i } });
    store.sqlite.prepare(`UPDATE audit_log SET output = '{"i":99}' WHERE id = 2`).run();
    const result = await run(process.execPath, ['--import', 'tsx', 'backend/cli/index.ts', 'audit', 'verify'], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      env: { ...process.env, FULCRUM_DATA_DIR: dir },
    }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('BROKEN at entry 2');
  });
});
