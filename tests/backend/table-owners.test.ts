import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * One owner per table: every write to a table listed here (raw SQL or Kysely) lives in its owning module, so the
 * table's invariants (compare-and-set status changes, one pending proposal per kind, the audit entry of each step)
 * are kept in one place.
 */
const OWNERS: Record<string, string> = {
  proposals: 'backend/proposals/',
  ai_results: 'backend/candidates/ai-results.ts',
  automation_followups: 'backend/automations/follow-up.ts',
};

const root = path.resolve(import.meta.dirname, '../..');

function backendSources(): Array<{ file: string; text: string }> {
  return fs
    .readdirSync(path.join(root, 'backend'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => {
      const file = path.posix.join('backend', f.split(path.sep).join('/'));
      return { file, text: fs.readFileSync(path.join(root, file), 'utf8') };
    });
}

/** The places `text` writes `table`: INSERT/REPLACE/UPDATE/DELETE statements and Kysely's write builders. */
function writesTo(text: string, table: string): string[] {
  const sql = new RegExp(
    String.raw`\b(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+["\x60\[]?${table}\b`,
    'gi',
  );
  const kysely = new RegExp(
    String.raw`\.(?:insertInto|replaceInto|updateTable|deleteFrom|mergeInto)\(\s*['"\x60]${table}['"\x60]`,
    'g',
  );
  return [...text.matchAll(sql), ...text.matchAll(kysely)].map((m) => m[0]);
}

describe('table owners', () => {
  it('recognises every form of write it guards against', () => {
    expect(writesTo("sqlite.prepare('INSERT INTO proposals (id) VALUES (?)')", 'proposals')).toHaveLength(1);
    expect(writesTo('`UPDATE proposals SET status = ?`', 'proposals')).toHaveLength(1);
    expect(writesTo('DELETE FROM proposals WHERE id = ?', 'proposals')).toHaveLength(1);
    expect(writesTo('insert or replace into "proposals"', 'proposals')).toHaveLength(1);
    expect(writesTo(".updateTable('proposals').set({})", 'proposals')).toHaveLength(1);
    expect(writesTo("trx\n  .deleteFrom( 'proposals' )", 'proposals')).toHaveLength(1);
    expect(writesTo(".insertInto('proposals')", 'proposals')).toHaveLength(1);
    // Reads and other tables are not writes to it.
    expect(writesTo("SELECT * FROM proposals; .selectFrom('proposals')", 'proposals')).toEqual([]);
    expect(writesTo("DELETE FROM proposals_archive; .deleteFrom('proposal_notes')", 'proposals')).toEqual([]);
  });

  for (const [table, owner] of Object.entries(OWNERS)) {
    it(`only ${owner} writes the ${table} table`, () => {
      const sources = backendSources();
      const outside = sources
        .filter((s) => !s.file.startsWith(owner))
        .flatMap((s) => writesTo(s.text, table).map((w) => `${s.file}: ${w}`));
      expect(outside).toEqual([]);
      // The owner does write it: the scan looks where the writes are.
      expect(sources.filter((s) => s.file.startsWith(owner)).some((s) => writesTo(s.text, table).length > 0)).toBe(
        true,
      );
    });
  }
});
