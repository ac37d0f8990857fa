import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSeed } from '../../backend/lever-emulator/seed.ts';
import { compensationOf, readOfferData } from '../../backend/offers/lever-data.ts';
import type { OfferHolidayList, OfferView } from '../../utils/contracts/offers.ts';
import { type Harness, makeHarness } from './helpers/backend-harness.ts';

/**
 * Offer holidays configured by an admin (PUT /api/offers/holidays, `offer holidays` on the CLI) next to OFFER_HOLIDAYS:
 * a start date on an admin's day fails the start-date check of the next draft; bad dates are a 400 / exit 2.
 */
const SEED = 7;
const OPPS = 120;
const consistent = generateSeed({ seed: SEED, opportunities: OPPS }).offerScenarios.filter(
  (s) => s.scenario === 'consistent',
);
const ENV_DAY = '2027-12-25';

let h: Harness;
beforeAll(async () => {
  h = await makeHarness({ emulator: { seed: SEED, opportunities: OPPS }, env: { OFFER_HOLIDAYS: ENV_DAY } });
}, 60_000);
afterAll(() => h?.close());

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe('offer holidays over HTTP', () => {
  it('an admin day blocks a start date on it; the list shows both sources; bad dates are a 400', async () => {
    const opp = consistent[0]?.opportunityId as string;
    const start = compensationOf(await readOfferData(h.inspect, opp)).startDate as number;
    const before = (await (
      await h.call('POST', '/api/offers/draft', { token: h.adminToken, body: { opportunityId: opp } })
    ).json()) as OfferView;
    expect(before.checks.find((c) => c.name === 'start_date')).toMatchObject({ ok: true });

    const put = await h.call('PUT', '/api/offers/holidays', {
      token: h.adminToken,
      body: { holidays: [{ date: isoDay(start), label: 'Company day' }, { date: '2027-07-05' }] },
    });
    expect(put.status).toBe(200);
    const list = (await put.json()) as OfferHolidayList;
    expect(list.holidays).toEqual(
      [
        { date: isoDay(start), label: 'Company day', source: 'admin' },
        { date: '2027-07-05', label: null, source: 'admin' },
        { date: ENV_DAY, label: null, source: 'environment' },
      ].sort((a, b) => a.date.localeCompare(b.date)),
    );
    const got = (await (
      await h.call('GET', '/api/offers/holidays', { token: h.recruiterToken })
    ).json()) as OfferHolidayList;
    expect(got).toEqual(list);

    const after = (await (
      await h.call('POST', '/api/offers/draft', { token: h.adminToken, body: { opportunityId: opp } })
    ).json()) as OfferView;
    const check = after.checks.find((c) => c.name === 'start_date');
    expect(check).toMatchObject({ ok: false });
    expect(check?.detail).toMatch(/configured holiday/);
    expect(after.blocked).toBe(true);

    // Replacing the list with another day frees the start date again.
    await h.call('PUT', '/api/offers/holidays', { token: h.adminToken, body: { holidays: [{ date: '2027-07-05' }] } });
    const freed = (await (
      await h.call('POST', '/api/offers/draft', { token: h.adminToken, body: { opportunityId: opp } })
    ).json()) as OfferView;
    expect(freed.checks.find((c) => c.name === 'start_date')).toMatchObject({ ok: true });

    for (const date of ['2027-02-30', '27-01-01']) {
      const bad = await h.call('PUT', '/api/offers/holidays', { token: h.adminToken, body: { holidays: [{ date }] } });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/date/);
    }
    // Not an admin: refused, and nothing changed.
    const refused = await h.call('PUT', '/api/offers/holidays', { token: h.recruiterToken, body: { holidays: [] } });
    expect(refused.status).toBe(403);
    const audit = h.store.sqlite
      .prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'offer.holidays.set'")
      .get() as { n: number };
    expect(audit.n).toBe(2);
  }, 60_000);
});

describe('npm run cli -- offer holidays', () => {
  const run = promisify(execFile);
  const ROOT = path.resolve(__dirname, '../..');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulcrum-holidays-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  async function cli(args: string[]) {
    try {
      const r = await run('npx', ['tsx', 'backend/cli/index.ts', 'offer', 'holidays', ...args], {
        cwd: ROOT,
        env: { ...process.env, FULCRUM_DATA_DIR: dataDir, OFFER_HOLIDAYS: ENV_DAY },
        timeout: 60_000,
      });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      const x = e as { code: number; stdout: string; stderr: string };
      return { code: x.code, stdout: x.stdout, stderr: x.stderr };
    }
  }

  it('adds, lists and removes days; bad input exits 2 with a message', async () => {
    const added = await cli(['--add', '2027-01-01,2027-05-01', '--label', 'Public holiday', '--json']);
    expect(added.code).toBe(0);
    expect((JSON.parse(added.stdout) as OfferHolidayList).holidays).toEqual([
      { date: '2027-01-01', label: 'Public holiday', source: 'admin' },
      { date: '2027-05-01', label: 'Public holiday', source: 'admin' },
      { date: ENV_DAY, label: null, source: 'environment' },
    ]);
    const removed = await cli(['--remove', '2027-01-01']);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain('2027-05-01  admin  Public holiday');
    expect(removed.stdout).not.toContain('2027-01-01');

    for (const [args, message] of [
      [['--add', '2027-02-30'], /not a calendar date/],
      [['--remove', ENV_DAY], /OFFER_HOLIDAYS/],
      [['--label', 'x'], /--label goes with --add/],
      [['--bogus'], /Unknown option/],
    ] as const) {
      const r = await cli([...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
    }
  }, 120_000);
});
