import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeFunnel, type EeoResponseLike, NOT_STATED } from '../../backend/fairness/diversity-funnel.ts';
import { funnelToCsv } from '../../backend/fairness/funnel-csv.ts';
import { loadFunnel } from '../../backend/fairness/load-funnel.ts';
import { createLeverClient } from '../../backend/lever/index.ts';
import { type EmulatorHandle, startEmulator } from '../../backend/lever-emulator/server.ts';
import { type FunnelReport, FunnelReportSchema } from '../../utils/contracts/fairness.ts';

const STAGES = [
  { id: 'stage-new', text: 'New applicant' },
  { id: 'stage-screen', text: 'Phone screen' },
  { id: 'stage-onsite', text: 'On-site' },
  { id: 'stage-offer', text: 'Offer' },
];

type Who = Partial<Pick<EeoResponseLike, 'gender' | 'race' | 'veteran' | 'disability' | 'posting' | 'appliedAt'>>;

/** `n` anonymous responses that reached `stage` (or were hired). */
function people(n: number, who: Who, stage: string | 'hired'): EeoResponseLike[] {
  return Array.from({ length: n }, (_, i) => ({
    opportunityId: `${who.gender ?? 'x'}-${stage}-${i}`,
    currentStage: stage === 'hired' ? 'stage-offer' : stage,
    hiredDate: stage === 'hired' ? 1_700_000_000_000 : null,
    appliedAt: 1_690_000_000_000,
    ...who,
  }));
}

const dim = (report: FunnelReport, name: string) => report.dimensions.find((d) => d.dimension === name)!;
const group = (report: FunnelReport, d: string, g: string) => dim(report, d).groups.find((x) => x.group === g)!;

/** The fields of one CSV row (quoted fields may hold commas and doubled quotes). */
function csvFields(row: string): string[] {
  return [...row.matchAll(/(?:^|,)("(?:[^"]|"")*"|[^,]*)/g)].map((m) =>
    m[1]!.replace(/^"|"$/g, '').replace(/""/g, '"'),
  );
}

/** The privacy promises, checked over the whole report: what an attacker could read or derive. */
function assertNoSmallCellRecoverable(report: FunnelReport) {
  const { minCount } = report;
  const shown = (v: number | null) => v === null || v >= minCount;
  expect(shown(report.unknownStage.value)).toBe(true);
  for (const d of report.dimensions) {
    report.columns.forEach((_, k) => {
      const total = d.totals[k]!;
      expect(shown(total.value)).toBe(true);
      const cells = d.groups.map((g) => g.counts[k]!);
      for (const c of cells) expect(shown(c.value)).toBe(true);
      if (total.value !== null) {
        const hidden = cells.filter((c) => c.suppressed);
        const hiddenSum = total.value - cells.reduce((sum, c) => sum + (c.value ?? 0), 0);
        // A lone hidden cell would equal total minus the shown cells; a tiny hidden sum would bound them too tightly.
        if (hidden.length > 0) {
          expect(hidden.length).toBeGreaterThanOrEqual(2);
          expect(hiddenSum).toBeGreaterThanOrEqual(minCount);
        }
      }
    });
    for (const g of d.groups) {
      g.counts.forEach((c, k) => {
        if (!c.suppressed) return;
        // No rate may be computed from a hidden count.
        expect(g.reachRates[k]).toBeNull();
        if (k > 0) expect(g.passRates[k - 1]).toBeNull();
        if (k < g.passRates.length) expect(g.passRates[k]).toBeNull();
      });
    }
  }
}

describe('computeFunnel: four-fifths rule', () => {
  // Hand-computed: men 48 of 80 hired = 0.60; women 12 of 30 hired = 0.40; ratio 0.40 / 0.60 = 0.667 < 0.8.
  const responses = [
    ...people(48, { gender: 'Male' }, 'hired'),
    ...people(32, { gender: 'Male' }, 'stage-new'),
    ...people(12, { gender: 'Female' }, 'hired'),
    ...people(18, { gender: 'Female' }, 'stage-new'),
  ];
  const report = computeFunnel({ responses, stages: STAGES });

  it('computes selection rates and the adverse-impact ratio against the highest-rate group', () => {
    const men = group(report, 'gender', 'Male');
    const women = group(report, 'gender', 'Female');
    expect(men.selectionRate).toBeCloseTo(0.6, 10);
    expect(women.selectionRate).toBeCloseTo(0.4, 10);
    expect(women.impactRatio).toBeCloseTo(2 / 3, 10);
    expect(women.fourFifthsFlag).toBe(true);
    expect(men.impactRatio).toBe(1);
    expect(men.fourFifthsFlag).toBe(false);
    expect(dim(report, 'gender')).toMatchObject({ state: 'ok', referenceGroup: 'Male' });
    expect(men.counts.map((c) => c.value)).toEqual([80, 48, 48, 48, 48]);
    expect(men.passRates[0]).toBeCloseTo(0.6, 10);
    expect(FunnelReportSchema.parse(report)).toEqual(report);
  });

  it('does not flag a ratio at or above four fifths', () => {
    // 40/50 = 0.8 and 32/50 = 0.64: 0.64 / 0.8 = 0.8 exactly, which passes.
    const r = computeFunnel({
      responses: [
        ...people(40, { gender: 'Male' }, 'hired'),
        ...people(10, { gender: 'Male' }, 'stage-new'),
        ...people(32, { gender: 'Female' }, 'hired'),
        ...people(18, { gender: 'Female' }, 'stage-new'),
      ],
      stages: STAGES,
    });
    expect(group(r, 'gender', 'Female').impactRatio).toBeCloseTo(0.8, 10);
    expect(group(r, 'gender', 'Female').fourFifthsFlag).toBe(false);
  });

  it('says "insufficient data" when fewer than two self-identified groups can be compared', () => {
    const race = dim(report, 'race');
    expect(race.state).toBe('insufficient-data');
    expect(race.referenceGroup).toBeNull();
    expect(race.groups.map((g) => [g.group, g.impactRatio, g.fourFifthsFlag])).toEqual([[NOT_STATED, null, null]]);
  });
});

describe('computeFunnel: small-cell suppression', () => {
  it('never returns a count under the minimum, and suppresses a second cell so the total does not reveal it', () => {
    // Applied: Male 40, Female 20, Non-binary 3, not stated 12 (total 75). Non-binary alone would be 75-40-20-12.
    // Hired: Male 10, Female 6, Non-binary 1, not stated 0: the two small cells add up to 1, so Female is hidden too.
    const responses = [
      ...people(10, { gender: 'Male' }, 'hired'),
      ...people(30, { gender: 'Male' }, 'stage-screen'),
      ...people(6, { gender: 'Female' }, 'hired'),
      ...people(14, { gender: 'Female' }, 'stage-onsite'),
      ...people(1, { gender: 'Non-binary' }, 'hired'),
      ...people(2, { gender: 'Non-binary' }, 'stage-new'),
      ...people(12, { gender: 'Decline to self-identify' }, 'stage-screen'),
    ];
    const report = computeFunnel({ responses, stages: STAGES });
    assertNoSmallCellRecoverable(report);
    const applied = (g: string) => group(report, 'gender', g).counts[0];
    expect(applied('Male')).toEqual({ value: 40, suppressed: false });
    expect(applied('Female')).toEqual({ value: 20, suppressed: false });
    expect(applied('Non-binary')).toEqual({ value: null, suppressed: true });
    expect(applied(NOT_STATED)).toEqual({ value: null, suppressed: true });
    expect(dim(report, 'gender').totals[0]).toEqual({ value: 75, suppressed: false });
    const hired = (g: string) => group(report, 'gender', g).counts[4]?.value;
    expect([hired('Male'), hired('Female'), hired('Non-binary'), hired(NOT_STATED)]).toEqual([10, null, null, null]);
    // With Female's hired count hidden, only one group has a selection rate: no four-fifths verdict.
    expect(dim(report, 'gender').state).toBe('insufficient-data');
    expect(group(report, 'gender', 'Female').selectionRate).toBeNull();
  });

  it('hides both cells of a two-group column rather than letting the total give one away', () => {
    const report = computeFunnel({
      responses: [...people(40, { race: 'White' }, 'stage-new'), ...people(3, { race: 'Asian' }, 'stage-new')],
      stages: STAGES,
    });
    assertNoSmallCellRecoverable(report);
    const race = dim(report, 'race');
    expect(race.totals[0]).toEqual({ value: 43, suppressed: false });
    expect(race.groups.map((g) => g.counts[0]!.value)).toEqual([null, null]);
    // Later columns have totals of 0 (< 5): hidden, in every dimension alike.
    for (const d of report.dimensions) expect(d.totals[1]).toEqual({ value: null, suppressed: true });
  });

  it('uses the configured minimum', () => {
    const responses = [
      ...people(40, { veteran: 'I am not a veteran' }, 'stage-new'),
      ...people(3, { veteran: 'I am a veteran' }, 'stage-new'),
    ];
    const strict = computeFunnel({ responses, stages: STAGES, minCount: 5 });
    const loose = computeFunnel({ responses, stages: STAGES, minCount: 2 });
    expect(group(strict, 'veteran', 'I am a veteran').counts[0]!.value).toBeNull();
    expect(group(loose, 'veteran', 'I am a veteran').counts[0]!.value).toBe(3);
    assertNoSmallCellRecoverable(loose);
  });

  it('holds on a messy random pipeline', () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
    const responses = Array.from({ length: 140 }, () => ({
      gender: pick(['Male', 'Female', 'Female', 'Non-binary', '', null]),
      race: pick([
        'White',
        'Asian',
        'Black or African American',
        'Hispanic or Latino',
        'Two or More Races',
        'Decline to self-identify',
      ]),
      veteran: pick(['I am a veteran', 'I am not a veteran', 'I am not a veteran', "I don't wish to answer"]),
      disability: pick(['Yes', 'No', 'No', 'I do not want to answer']),
      currentStage: pick([...STAGES.map((s) => s.id), 'stage-unknown']),
      hiredDate: rand() < 0.1 ? 1 : null,
    }));
    for (const minCount of [3, 5, 10])
      assertNoSmallCellRecoverable(computeFunnel({ responses, stages: STAGES, minCount }));
  });
});

describe('computeFunnel: stages, groups and filters', () => {
  it('counts a candidate for every stage up to the current one, and unknown stages as applied only', () => {
    const responses = [
      ...people(6, { gender: 'Female' }, 'stage-onsite'),
      ...people(5, { gender: 'Female' }, 'stage-new'),
      ...Array.from({ length: 5 }, () => ({ gender: 'Female', currentStage: 'stage-deleted' })),
    ];
    const report = computeFunnel({ responses, stages: STAGES });
    expect(group(report, 'gender', 'Female').counts.map((c) => c.value)).toEqual([16, 6, 6, null, null]);
    expect(report.unknownStage).toEqual({ value: 5, suppressed: false });
    expect(report.columns.at(-1)).toEqual({ id: 'hired', text: 'Hired' });
  });

  it('groups blank and declined answers as "Declined / not stated" and keeps them out of the comparison', () => {
    const report = computeFunnel({
      responses: [
        ...people(10, { disability: 'Yes, I have a disability' }, 'hired'),
        ...people(10, { disability: 'No, I do not have a disability' }, 'hired'),
        ...people(5, { disability: "I don't wish to answer" }, 'hired'),
        ...people(5, {}, 'hired'),
      ],
      stages: STAGES,
    });
    const declined = group(report, 'disability', NOT_STATED);
    expect(declined.counts[0]!.value).toBe(10);
    expect(declined.notStated).toBe(true);
    expect(declined.selectionRate).toBe(1);
    expect(declined.impactRatio).toBeNull();
    expect(dim(report, 'disability').state).toBe('ok');
  });

  it('filters by posting and application date', () => {
    const responses = [
      ...people(6, { gender: 'Female', posting: 'p1', appliedAt: 100 }, 'stage-new'),
      ...people(7, { gender: 'Female', posting: { id: 'p2' }, appliedAt: 100 }, 'stage-new'),
      ...people(8, { gender: 'Female', posting: 'p1', appliedAt: 500 }, 'stage-new'),
    ];
    const only = (filter: Parameters<typeof computeFunnel>[0]['filter']) =>
      group(computeFunnel({ responses, stages: STAGES, filter }), 'gender', 'Female').counts[0]!.value;
    expect(only({ postingIds: ['p1'] })).toBe(14);
    expect(only({ postingIds: ['p2'] })).toBe(7);
    expect(only({ appliedFrom: 200 })).toBe(8);
    expect(only({ postingIds: ['p1'], appliedTo: 200 })).toBe(6);
  });

  it('rejects malformed responses instead of guessing', () => {
    expect(() => computeFunnel({ responses: [{ gender: 42 }], stages: STAGES })).toThrow();
    expect(() => computeFunnel({ responses: [], stages: [] })).toThrow(/stage/);
  });
});

describe('funnelToCsv', () => {
  it('exports exactly what the report shows, with suppressed cells empty', () => {
    const report = computeFunnel({
      responses: [
        ...people(48, { gender: 'Male' }, 'hired'),
        ...people(32, { gender: 'Male' }, 'stage-new'),
        ...people(12, { gender: 'Female' }, 'hired'),
        ...people(18, { gender: 'Female' }, 'stage-new'),
        ...people(10, { gender: '=HYPERLINK("x")' }, 'hired'),
        ...people(3, { gender: 'Another' }, 'stage-new'),
      ],
      stages: STAGES,
    });
    const csv = funnelToCsv(report);
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      '"dimension","group","stage","count","suppressed","reach_rate","pass_rate_from_previous","impact_ratio","four_fifths_flag"',
    );
    expect(lines).toContain('"gender","Female","Hired",12,"no",0.4,1,0.6667,"yes"');
    // The 3-person group is hidden, and so is the next-smallest group (10) that the total would otherwise expose;
    // its label, which starts like a spreadsheet formula, is defused.
    expect(lines).toContain('"gender","\'=HYPERLINK(""x"")","Hired",,"yes",,,,');
    expect(lines).toContain('"gender","Another","New applicant",,"yes",,,,');
    // No row carries a count under the minimum.
    for (const line of lines.slice(1)) {
      const count = csvFields(line)[3];
      if (count) expect(Number(count)).toBeGreaterThanOrEqual(5);
    }
  });
});

describe('npm run cli -- funnel (against the Lever emulator)', () => {
  let emu: EmulatorHandle;
  // The CLI records each EEO view in the audit log: its own data directory, never the repository's ./data.
  let dataDir: string;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, opportunities: 300 });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulcrum-funnel-cli-'));
  });
  afterAll(async () => {
    await emu?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const run = (...args: string[]) => {
    const { LEVER_API_KEY: _k, ...env } = process.env;
    return promisify(execFile)(process.execPath, ['--import', 'tsx', 'backend/cli/index.ts', 'funnel', ...args], {
      env: { ...env, LEVER_BASE_URL: emu.apiBaseUrl, LEVER_EMULATOR_KEY: emu.apiKey, FULCRUM_DATA_DIR: dataDir },
    });
  };

  it('reads stages and EEO responses from Lever and exports a CSV with no small count in it', {
    timeout: 90_000,
  }, async () => {
    const lever = createLeverClient({ baseUrl: emu.apiBaseUrl, auth: { kind: 'apiKey', apiKey: emu.apiKey } });
    const window = { fromDate: Date.parse('2000-01-01T00:00:00Z'), toDate: Date.now() + 86_400_000 };
    const report = await loadFunnel(lever, window);
    expect(report.dimensions.map((d) => d.dimension)).toEqual(['gender', 'race', 'veteran', 'disability']);
    expect(report.dimensions[0]!.totals[0]!.value).toBeGreaterThan(20);
    assertNoSmallCellRecoverable(report);

    const { stdout: csv } = await run('--from', '2000-01-01', '--csv');
    expect(csv).toBe(funnelToCsv(report));
    const rows = csv.trimEnd().split('\r\n');
    expect(rows.length).toBe(
      1 + report.dimensions.reduce((n, d) => n + (d.groups.length + 1) * report.columns.length, 0),
    );
    for (const row of rows.slice(1)) {
      expect(csvFields(row)).toHaveLength(9);
      const count = csvFields(row)[3];
      if (count) expect(Number(count)).toBeGreaterThanOrEqual(5);
    }

    const postingId = [...emu.context.store.postings.keys()][0]!;
    const one = await loadFunnel(lever, { ...window, postingIds: [postingId] });
    expect(one.dimensions[0]!.totals[0]!.value ?? 0).toBeLessThan(report.dimensions[0]!.totals[0]!.value!);
    assertNoSmallCellRecoverable(one);
  });
});
