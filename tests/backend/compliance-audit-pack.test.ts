import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AssessedApplicant, auditPackToCsv, computeAuditPack } from '../../backend/compliance/audit-pack.ts';
import { AuditPackPermissionError, loadAuditPack } from '../../backend/compliance/load-audit-pack.ts';
import { collect, createLeverClient, TokenBucket } from '../../backend/lever/index.ts';
import { type AuditPack, AuditPackSchema, type PackTable } from '../../utils/contracts/compliance.ts';
import { type Harness, makeHarness } from './helpers/backend-harness.ts';

const opts = (over: Partial<Parameters<typeof computeAuditPack>[1]> = {}) => ({
  from: '2026-01-01',
  to: '2026-06-30',
  postingId: null,
  generatedAt: new Date('2026-07-01T00:00:00Z'),
  dataSource: 'test',
  withEeo: 1,
  ...over,
});

let n = 0;
/** `count` applicants with these answers; `above` of them score 80 (above the median of 50), the rest 20. */
function people(count: number, sex: string | null, race: string | null, above: number, selected: number) {
  return Array.from(
    { length: count },
    (_, i): AssessedApplicant => ({
      opportunityId: `o${n++}`,
      score: i < above ? 80 : 20,
      verdict: i < selected ? (i < above ? 'strong' : 'possible') : 'weak',
      sex,
      race,
    }),
  );
}
const table = (p: AuditPack, d: PackTable['dimension']) => p.tables.find((t) => t.dimension === d)!;
const row = (t: PackTable, c: string) => t.rows.find((r) => r.category === c)!;

describe('audit pack on hand-computed cases', () => {
  it('scoring and selection rates and impact ratios by sex, with the unknown count', () => {
    // 100 applicants, 50 score 80 and 50 score 20: median 50, "above" = 80.
    // Female 40: 15 above, 20 selected. Male 50: 30 above, 30 selected. Unknown 10: 5 above.
    const sample = [
      ...people(40, 'Female', 'White', 15, 20),
      ...people(50, 'Male', 'White', 30, 30),
      ...people(10, 'Decline to self-identify', 'White', 5, 5),
    ];
    const p = AuditPackSchema.parse(computeAuditPack(sample, opts({ withEeo: 100 })));
    expect(p.state).toBe('ok');
    expect(p.sample).toEqual({ assessed: 100, withEeo: 100, medianScore: 50 });
    const sex = table(p, 'sex');
    expect(sex.unknown).toEqual({ value: 10, suppressed: false });
    expect(row(sex, 'Female')).toMatchObject({
      applicants: { value: 40, suppressed: false },
      aboveMedian: { value: 15, suppressed: false },
      selected: { value: 20, suppressed: false },
      scoringRate: 0.375,
      selectionRate: 0.5,
      excludedFromRatios: false,
    });
    expect(row(sex, 'Female').scoringImpactRatio).toBeCloseTo(0.375 / 0.6, 10);
    expect(row(sex, 'Female').selectionImpactRatio).toBeCloseTo(0.5 / 0.6, 10);
    expect(row(sex, 'Male')).toMatchObject({ scoringRate: 0.6, scoringImpactRatio: 1, selectionImpactRatio: 1 });
    expect(sex.referenceScoring).toBe('Male');
    // One race only: nothing to compare.
    expect(table(p, 'race-ethnicity').state).toBe('insufficient-data');
    expect(p.summary).toMatch(
      /Female: 40 applicants; scoring rate 37\.5%, impact ratio 0\.63; selection rate 50\.0%, impact ratio 0\.83/,
    );
    expect(p.summary).toMatch(/Unknown category: 10 applicants/);
    expect(p.summary).toMatch(/Period of the data: 2026-01-01 to 2026-06-30/);
  });

  it('a category under 2% of the sample is reported but left out of the impact ratios', () => {
    // 300 applicants: Asian 5 (1.7%, shown: not a small cell at min 5) is excluded; White 150, Black 145.
    const sample = [
      ...people(150, 'Female', 'White', 90, 90),
      ...people(145, 'Male', 'Black or African American', 58, 58),
      ...people(5, 'Male', 'Asian', 5, 5),
    ];
    const p = computeAuditPack(sample, opts({ withEeo: 300 }));
    const race = table(p, 'race-ethnicity');
    const asian = row(race, 'Asian');
    expect(asian.applicants).toEqual({ value: 5, suppressed: false });
    expect(asian.excludedFromRatios).toBe(true);
    // Every Asian applicant was selected: the highest rate (1.0) is reported...
    expect(asian.selected).toEqual({ value: 5, suppressed: false });
    expect(asian.selectionRate).toBe(1);
    // ...but not compared, and not the reference either: White (90/150 = 0.6) is.
    expect(asian.selectionImpactRatio).toBeNull();
    expect(race.referenceSelection).toBe('White');
    expect(row(race, 'White').selectionImpactRatio).toBe(1);
    // Median of 300: 153 score 80 and 147 score 20 → median 80, so nobody is strictly above it: the zero counts are
    // small cells, hidden, and no scoring ratio can be computed.
    expect(p.sample.medianScore).toBe(80);
    expect(row(race, 'White').scoringRate).toBeNull();
    expect(race.referenceScoring).toBeNull();
    expect(row(race, 'Black or African American').selectionImpactRatio).toBeCloseTo(58 / 145 / (90 / 150), 10);
    expect(p.summary).toMatch(/Asian: 5 applicants;.*under 2% of the sample, excluded from the impact ratios/);
  });

  it('suppresses small cells and the cell that would reveal them by subtraction', () => {
    // Sex: Female 50, Male 47, Non-binary 3, unknown 0 (all 100 gave an answer).
    // Small cells: Non-binary 3 and unknown 0: two hidden, adding up to 3 < 5, so the smallest shown one (Male 47)
    // is hidden too; otherwise 100 - 50 - 47 - 0 would give Non-binary's 3.
    const sample = [
      ...people(50, 'Female', 'White', 25, 25),
      ...people(47, 'Male', 'White', 23, 23),
      ...people(3, 'Non-binary', 'White', 2, 2),
    ];
    const p = computeAuditPack(sample, opts({ withEeo: 100 }));
    const sex = table(p, 'sex');
    expect(row(sex, 'Female').applicants).toEqual({ value: 50, suppressed: false });
    expect(row(sex, 'Male').applicants).toEqual({ value: null, suppressed: true });
    expect(row(sex, 'Non-binary').applicants).toEqual({ value: null, suppressed: true });
    expect(sex.unknown).toEqual({ value: null, suppressed: true });
    expect(row(sex, 'Non-binary').scoringRate).toBeNull();
    expect(row(sex, 'Male').scoringImpactRatio).toBeNull();
    // Only Female has a rate left: nothing to compare it with.
    expect(sex.state).toBe('insufficient-data');
    expect(auditPackToCsv(p)).toMatch(/^sex,Non-binary,suppressed,suppressed,suppressed,,,,,false$/m);
    expect(auditPackToCsv(p)).not.toMatch(/,3,/);
  });

  it('two small cells that add up to the minimum are enough on their own', () => {
    const sample = [
      ...people(50, 'Female', 'White', 25, 25),
      ...people(45, 'Male', 'White', 23, 23),
      ...people(3, 'Non-binary', 'White', 1, 1),
      ...people(2, null, 'White', 1, 1),
    ];
    const sex = table(computeAuditPack(sample, opts()), 'sex');
    expect(row(sex, 'Male').applicants).toEqual({ value: 45, suppressed: false });
    expect(row(sex, 'Non-binary').applicants.suppressed).toBe(true);
    expect(sex.unknown.suppressed).toBe(true);
  });

  it('no suppressed count can be derived by subtraction, in any table or margin (300 random samples)', () => {
    let seed = 42;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const sexes = ['Female', 'Male', 'Non-binary', null];
    const races = ['White', 'Black', 'Asian', 'Hispanic or Latino', 'Two or more races', null];
    for (let run = 0; run < 300; run++) {
      const size = 20 + Math.floor(rand() * 200);
      const sample: AssessedApplicant[] = Array.from({ length: size }, (_, i) => ({
        opportunityId: `r${run}-${i}`,
        score: Math.round(rand() * 100),
        verdict: rand() < 0.4 ? 'strong' : rand() < 0.5 ? 'possible' : 'weak',
        // Skewed, so small categories are common.
        sex: sexes[Math.floor(rand() ** 2 * sexes.length)] ?? null,
        race: races[Math.floor(rand() ** 3 * races.length)] ?? null,
      }));
      const p = computeAuditPack(sample, opts({ minCell: 5 }));
      const sex = table(p, 'sex');
      const race = table(p, 'race-ethnicity');
      const both = table(p, 'intersectional');
      // Each table's applicants add up to the sample size, which is published.
      for (const t of [sex, race, both]) {
        const hidden = [...t.rows.map((r) => r.applicants), t.unknown].filter((c) => c.suppressed).length;
        expect(hidden === 0 || hidden >= 2, `${t.dimension} run ${run}`).toBe(true);
        for (const c of t.rows.map((r) => r.applicants)) {
          if (!c.suppressed) expect(c.value).toBeGreaterThanOrEqual(5);
        }
        // An unknown count of 0 is shown: it says nothing about anyone.
        if (!t.unknown.suppressed) expect(t.unknown.value === 0 || (t.unknown.value ?? 0) >= 5).toBe(true);
      }
      // A sex's intersections add up to its count in the sex table less those of unknown race, a count that is
      // never published: whatever is hidden in that row (suppressed cells plus that count) must add up to at least
      // the minimum, so subtracting the shown cells from the sex's count reveals nothing small. Same for each race.
      const trueCount = (category: string) => sample.filter((x) => `${x.sex} × ${x.race}` === category).length;
      const margins = [
        ...sex.rows.map((m) => ({
          m,
          prefix: `${m.category} × `,
          unknown: sample.filter((x) => x.sex === m.category && x.race === null).length,
          at: 'start' as const,
        })),
        ...race.rows.map((m) => ({
          m,
          prefix: ` × ${m.category}`,
          unknown: sample.filter((x) => x.race === m.category && x.sex === null).length,
          at: 'end' as const,
        })),
      ];
      for (const { m, prefix, unknown, at } of margins) {
        if (m.applicants.suppressed) continue;
        const inRow = both.rows.filter((r) =>
          at === 'start' ? r.category.startsWith(prefix) : r.category.endsWith(prefix),
        );
        const hidden = inRow.filter((r) => r.applicants.suppressed);
        // Nothing hidden but the unpublished count: subtraction gives that count, which is no category's.
        if (hidden.length === 0) continue;
        const hiddenSum = hidden.reduce((sum, r) => sum + trueCount(r.category), 0) + unknown;
        expect(hiddenSum, `${m.category} run ${run}`).toBeGreaterThanOrEqual(5);
      }
    }
  });

  it('says "insufficient data" when nothing was scored, and when no self-report joined', () => {
    const empty = computeAuditPack([], opts({ withEeo: 0 }));
    expect(empty.state).toBe('insufficient-data');
    expect(empty.reason).toMatch(/no scores/);
    expect(empty.summary).toMatch(/Insufficient data/);
    const noEeo = computeAuditPack(people(30, null, null, 10, 10), opts({ withEeo: 0 }));
    expect(noEeo.state).toBe('insufficient-data');
    expect(noEeo.reason).toMatch(/self-reported/);
    expect(table(noEeo, 'sex').unknown).toEqual({ value: 30, suppressed: false });
  });

  it('CSV cells that a spreadsheet would run as formulas are neutralised', () => {
    const p = computeAuditPack(
      [...people(10, '=HYPERLINK("x")', 'White', 5, 5), ...people(10, 'Male', 'White', 5, 5)],
      opts(),
    );
    expect(auditPackToCsv(p)).toContain(`"'=HYPERLINK(""x"")"`);
  });
});

describe('audit pack from the records, over HTTP and with Lever', () => {
  let h: Harness;
  let leverAdmin: string;
  beforeAll(async () => {
    h = await makeHarness({ emulator: { opportunities: 60 } });
    const admin = (await collect(h.inspect.listUsers())).find(
      (u) =>
        (u.accessRole === 'super admin' || u.accessRole === 'admin') &&
        u.email &&
        !h.store.sqlite.prepare('SELECT 1 FROM recruiters WHERE email = ?').get(u.email),
    );
    leverAdmin = (await h.addRecruiter({ email: admin!.email!, name: 'Lever Admin', role: 'admin' })).token;
    for (const id of await h.opportunityIds(40)) await h.call('POST', `/api/candidates/${id}/match`, { body: {} });
  }, 120_000);
  afterAll(async () => h.close());

  it('joins the recorded scores to the EEO self-reports with identifiers, admin only, audited', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const url = `/api/admin/compliance/audit-pack?from=2000-01-01&to=${today}`;
    expect((await h.call('GET', url)).status).toBe(403);
    const res = await h.call('GET', url, { token: leverAdmin });
    expect(res.status).toBe(200);
    const p = AuditPackSchema.parse(await res.json());
    const scored = (
      h.store.sqlite
        .prepare("SELECT count(DISTINCT opportunity_id) AS n FROM ai_results WHERE capability = 'match'")
        .get() as { n: number }
    ).n;
    expect(p.sample.assessed).toBe(scored);
    const eeo = await collect(h.inspect.listEeoResponsesWithPii({ createdAtStart: 0, createdAtEnd: Date.now() }));
    const ids = new Set(eeo.map((e) => e.opportunityId));
    const joined = [
      ...(h.store.sqlite
        .prepare("SELECT DISTINCT opportunity_id AS id FROM ai_results WHERE capability = 'match'")
        .all() as Array<{ id: string }>),
    ].filter((r) => ids.has(r.id)).length;
    expect(p.sample.withEeo).toBe(joined);
    expect(table(p, 'sex').rows.length + 1).toBeGreaterThan(1);
    const csv = await h.call('GET', `${url}&format=csv`, { token: leverAdmin });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect((await csv.text()).split('\n')[0]).toMatch(/^dimension,category,applicants/);
    const audited = h.store.sqlite
      .prepare("SELECT output FROM audit_log WHERE action = 'compliance.audit-pack'")
      .all() as Array<{ output: string }>;
    expect(audited).toHaveLength(2);
    // The audit row records what was produced, not anyone's answers.
    expect(audited[0]!.output).not.toMatch(/Female|Male|White/);
    expect(
      (await h.call('GET', '/api/admin/compliance/audit-pack?from=2026-02-01&to=2026-01-01', { token: leverAdmin }))
        .status,
    ).toBe(400);
  });

  it('without the EEO PII permission it says which permission is missing, and guesses nothing', async () => {
    h.emulator.context.keys.set('no-pii-key-000', new Set(['eeo_responses:read', 'opportunities:read']));
    const lever = createLeverClient({
      baseUrl: h.emulator.apiBaseUrl,
      auth: { kind: 'apiKey', apiKey: 'no-pii-key-000' },
      bucket: new TokenBucket(100, 100),
      maxRetries: 0,
    });
    await expect(
      loadAuditPack({ store: h.store, lever, now: new Date() }, { from: '2000-01-01', to: '2100-01-01' }),
    ).rejects.toBeInstanceOf(AuditPackPermissionError);
  });
});
