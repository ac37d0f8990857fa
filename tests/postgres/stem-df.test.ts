import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectiveStems } from '../../backend/rediscovery/rediscover-postgres.ts';
import { migrateToLatest } from '../../backend/store/migrations.ts';
import { openPostgresKysely } from '../../backend/store/postgres.ts';
import type { Database } from '../../backend/store/schema.ts';
import { freshDatabase } from './db.ts';

/**
 * rd_stem_df (migration 0012) must always equal the document frequencies counted from rd_person itself, through
 * every kind of write the index makes: batch inserts, upserts that change or keep a doc, deletes and TRUNCATE.
 */

let pgdb: Awaited<ReturnType<typeof freshDatabase>>;
let db: Kysely<Database>;

beforeAll(async () => {
  pgdb = await freshDatabase();
  db = openPostgresKysely(pgdb.url);
  await migrateToLatest(db);
});
afterAll(async () => {
  await db?.destroy();
  await pgdb?.drop();
});

async function stored() {
  const { rows } = await sql<{
    term: string;
    n: number;
  }>`SELECT term, n FROM rd_stem_df WHERE n > 0 ORDER BY term`.execute(db);
  return rows;
}
async function counted() {
  const { rows } = await sql<{ term: string; n: number }>`
    SELECT t AS term, count(*)::integer AS n FROM rd_person, unnest(tsvector_to_array(doc_tsv)) AS t
    GROUP BY t ORDER BY t`.execute(db);
  return rows;
}
type Person = [contact: string, doc: string];
/** rd_person is written by the index (raw SQL: rediscovery's tables are not in the typed Database). */
const values = (people: Person[]) => sql.join(people.map(([c, d]) => sql`(${c}, ${d}, '{}', 1)`));
const insert = (people: Person[]) =>
  sql`INSERT INTO rd_person (contact_id, doc, summary, updated_at) VALUES ${values(people)}`.execute(db);

describe('the stem document frequencies on PostgreSQL', () => {
  it('stay equal to a full count through inserts, upserts, deletes and truncate', async () => {
    await insert([
      ['c1', 'Kafka streaming engineer, Kafka and Postgres'],
      ['c2', 'Postgres administrator'],
      ['c3', 'Designer who writes'],
    ]);
    expect(await stored()).toEqual(await counted());
    expect((await stored()).find((r) => r.term === 'kafka')).toEqual({ term: 'kafka', n: 1 });
    expect((await stored()).find((r) => r.term === 'postgr')).toEqual({ term: 'postgr', n: 2 });

    // The index's own write: an upsert that changes one doc and leaves another as it was.
    await sql`INSERT INTO rd_person (contact_id, doc, summary, updated_at)
      VALUES ${values([
        ['c2', 'Kafka operator'],
        ['c3', 'Designer who writes'],
        ['c4', 'Kafka'],
      ])}
      ON CONFLICT (contact_id) DO UPDATE SET doc = excluded.doc`.execute(db);
    expect(await stored()).toEqual(await counted());
    expect((await stored()).find((r) => r.term === 'kafka')?.n).toBe(3);

    await sql`DELETE FROM rd_person WHERE contact_id IN ('c1', 'c4')`.execute(db);
    expect(await stored()).toEqual(await counted());

    await sql`TRUNCATE rd_person RESTART IDENTITY`.execute(db);
    expect(await stored()).toEqual([]);
  });

  it('give selectiveStems exact counts, rarest first', async () => {
    await insert([
      ['a', 'kafka postgres rust'],
      ['b', 'kafka postgres'],
      ['c', 'kafka'],
      ['d', 'typescript'],
    ]);
    expect(await selectiveStems(db, ['Kafka', 'Postgres', 'Rust', 'Haskell'], 4)).toEqual([
      { term: 'rust', n: 1 },
      { term: 'postgr', n: 2 },
      { term: 'kafka', n: 3 },
    ]);
  });
});
