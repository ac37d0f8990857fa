import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkJobDescription, postingToCheckInput, postingToText } from '../../backend/fairness/jd-check.ts';
import { createLeverClient } from '../../backend/lever/index.ts';
import { type EmulatorHandle, startEmulator } from '../../backend/lever-emulator/server.ts';
import { JdCheckResultSchema, type JdFindingCategory } from '../../utils/contracts/fairness.ts';

/** [category, exact text, start] for every finding, to compare with hand-marked spans. */
function spans(text: string, categories?: JdFindingCategory[]) {
  const result = checkJobDescription({ text });
  for (const f of result.findings) expect(f.text).toBe(text.slice(f.start, f.end));
  return result.findings
    .filter((f) => !categories || categories.includes(f.category))
    .map((f) => [f.category, f.text, f.start] as const);
}

/** The span of the n-th occurrence of `needle`, as the checker should report it. */
const at = (text: string, needle: string, from = 0) => {
  const start = text.indexOf(needle, from);
  if (start < 0) throw new Error(`test text lacks "${needle}"`);
  return start;
};

const SALES = `Sales Development Representative

Join our young and energetic sales team! We want aggressive, competitive closers who dominate their territory.
The ideal candidate is a recent graduate and a digital native. He should be a rockstar on the phones.

Salary: $55,000 - $70,000 plus commission. This is a hybrid role.
`;

const WAREHOUSE = `Warehouse Supervisor

We need a foreman to man the phones and keep the crazy peak season under control. Work hard, play hard.
Our guys are a tight crew and every chairman of the board started on the floor.

Remote work is not possible: this role is on-site in Reno. Pay: $28 - $34 per hour.
`;

const DATA = `Data Scientist

Requirements
- Bachelor's degree in Statistics required
- 7+ years of Python
- 5+ years of SQL
- Spark
- Airflow
- Kubernetes
- Terraform
- Tableau
- Looker
- dbt

Nice to have
- PhD in Machine Learning

We offer a competitive salary ($140,000 - $170,000) and fully remote work.
`;

const NURSE = `Nurse Coordinator

We are a warm, supportive and understanding team. You will nurture patient relationships and collaborate
with compassionate colleagues who value honest, polite communication. Ninja-level scheduling skills are a plus.

This is an on-site role at our clinic. Salary range: $62,000 to $75,000.
`;

const NEUTRAL = `Accountant

You will prepare monthly financial statements, reconcile accounts and help the team close the books each quarter.
You have experience with accounts payable, accounts receivable and payroll, and you write clear reports.

This is a hybrid role: two days a week in our Denver office. Salary: $65,000 - $80,000 per year.
`;

describe('checkJobDescription on written job ads', () => {
  it('finds age-coded phrases, masculine wording, a gendered pronoun and jargon in a sales ad', () => {
    expect(spans(SALES)).toEqual([
      ['age-coded', 'young and energetic', at(SALES, 'young and energetic')],
      ['masculine-coded', 'aggressive', at(SALES, 'aggressive')],
      ['masculine-coded', 'competitive', at(SALES, 'competitive')],
      ['masculine-coded', 'dominate', at(SALES, 'dominate')],
      ['age-coded', 'recent graduate', at(SALES, 'recent graduate')],
      ['age-coded', 'digital native', at(SALES, 'digital native')],
      ['exclusionary', 'He', at(SALES, 'He should')],
      ['jargon', 'rockstar', at(SALES, 'rockstar')],
    ]);
    const result = checkJobDescription({ text: SALES });
    expect(result.verdict).toBe('masculine-leaning');
    expect(result.findings.find((f) => f.text === 'He')?.suggestion).toContain('they');
  });

  it('finds gendered and ablist phrases from retext-equality, longest phrase first', () => {
    expect(spans(WAREHOUSE)).toEqual([
      ['exclusionary', 'foreman', at(WAREHOUSE, 'foreman')],
      ['exclusionary', 'man the phones', at(WAREHOUSE, 'man the phones')],
      ['exclusionary', 'crazy', at(WAREHOUSE, 'crazy')],
      ['jargon', 'Work hard, play hard', at(WAREHOUSE, 'Work hard, play hard')],
      ['exclusionary', 'guys', at(WAREHOUSE, 'guys')],
      ['exclusionary', 'chairman', at(WAREHOUSE, 'chairman')],
    ]);
    const foreman = checkJobDescription({ text: WAREHOUSE }).findings[0];
    expect(foreman?.source).toMatch(/retext-equality/);
    expect(foreman?.suggestion).toMatch(/supervisor/);
  });

  it('flags a long must-have list and a degree requirement, not the optional PhD or a competitive salary', () => {
    expect(spans(DATA)).toEqual([
      ['requirement-inflation', 'Requirements', at(DATA, 'Requirements')],
      ['requirement-inflation', "Bachelor's degree", at(DATA, "Bachelor's degree")],
    ]);
    const withEquivalent = DATA.replace('in Statistics required', 'in Statistics or equivalent experience');
    expect(spans(withEquivalent, ['requirement-inflation']).map((s) => s[1])).toEqual(['Requirements']);
  });

  it('counts feminine-coded words and gives a feminine-leaning verdict', () => {
    const result = checkJobDescription({ text: NURSE });
    expect(spans(NURSE, ['feminine-coded', 'jargon'])).toEqual([
      ['feminine-coded', 'warm', at(NURSE, 'warm')],
      ['feminine-coded', 'supportive', at(NURSE, 'supportive')],
      ['feminine-coded', 'understanding', at(NURSE, 'understanding')],
      ['feminine-coded', 'nurture', at(NURSE, 'nurture')],
      // gender-decoder's "collab" (not in the paper's list).
      ['feminine-coded', 'collaborate', at(NURSE, 'collaborate')],
      ['feminine-coded', 'compassionate', at(NURSE, 'compassionate')],
      ['feminine-coded', 'honest', at(NURSE, 'honest')],
      ['feminine-coded', 'polite', at(NURSE, 'polite')],
      ['jargon', 'Ninja', at(NURSE, 'Ninja')],
    ]);
    expect(result.verdict).toBe('feminine-leaning');
    expect(result.counts).toMatchObject({ masculine: 0, feminine: 8 });
  });

  it('reports nothing at all for a neutral ad with pay and workplace type', () => {
    const result = checkJobDescription({ text: NEUTRAL });
    expect(result.findings).toEqual([]);
    expect(result.verdict).toBe('neutral');
    expect(JdCheckResultSchema.parse(result)).toEqual(result);
  });

  it('reports missing salary and workplace type as empty spans, and accepts Lever fields instead of text', () => {
    const text = 'Accountant\n\nYou will prepare monthly financial statements.';
    const missing = checkJobDescription({ text }).findings;
    expect(missing.map((f) => [f.category, f.text, f.start, f.end])).toEqual([
      ['missing-info', '', 0, 0],
      ['missing-info', '', 0, 0],
    ]);
    expect(missing.map((f) => f.reason)).toEqual([
      expect.stringMatching(/salary/i),
      expect.stringMatching(/workplace/i),
    ]);
    const fromFields = checkJobDescription({
      text,
      salaryRange: { min: 60000, max: 80000, currency: 'USD', interval: 'per-year-salary' },
      workplaceType: 'hybrid',
    });
    expect(fromFields.findings).toEqual([]);
    expect(
      checkJobDescription({ text, salaryRange: { currency: 'USD' }, workplaceType: 'unspecified' }).findings,
    ).toHaveLength(2);
  });
});

describe('stem matching rules', () => {
  it('fires only at word starts, on whole words for stems without a wildcard', () => {
    const text =
      'Psychoanalytic texts, overcompetitive bids, noncommittal replies, unsupportive tools. Kindergarten, kindness.';
    expect(spans(text, ['masculine-coded', 'feminine-coded'])).toEqual([]);
    expect(spans('Be kind.', ['feminine-coded'])).toEqual([['feminine-coded', 'kind', 3]]);
    expect(spans('Analytical, competitive, self-reliant.', ['masculine-coded']).map((s) => s[1])).toEqual([
      'Analytical',
      'competitive',
      'self-reliant',
    ]);
  });

  it('skips the known false positives but keeps the intended words', () => {
    const text = `Responsibilities: you will be responsible for our SharePoint intranet and respond to the committee.
Competent with Active Directory and Objective-C; an individual contributor role; manage dependencies; pay depending on experience; competitive salary.`;
    expect(spans(text, ['masculine-coded', 'feminine-coded'])).toEqual([]);
    expect(
      spans('A responsive, competitive, committed person.', ['masculine-coded', 'feminine-coded']).map((s) => s[1]),
    ).toEqual(['responsive', 'competitive', 'committed']);
  });

  it("catches gender-decoder's words that the paper's stems miss, and names that list as the source", () => {
    const masculine = 'A driven, fearless champion: stubborn, outspoken, self-sufficient, ready to fight any battle.';
    expect(spans(masculine, ['masculine-coded']).map((s) => s[1])).toEqual([
      'driven',
      'fearless',
      'champion',
      'stubborn',
      'outspoken',
      'self-sufficient',
      'fight',
      'battle',
    ]);
    const feminine = 'Enthusiastic, collaborative and inclusive people who enjoy sharing and are agreeable.';
    expect(spans(feminine, ['feminine-coded']).map((s) => s[1])).toEqual([
      'Enthusiastic',
      'collaborative',
      'inclusive',
      'sharing',
      'agreeable',
    ]);
    const f = checkJobDescription({ text: 'We want a fearless closer.' }).findings.find((x) => x.text === 'fearless');
    expect(f?.source).toMatch(/gender-decoder/);
    expect(f?.reason).toMatch(/fearless\*/);
    // A paper word keeps the paper's citation.
    const paper = checkJobDescription({ text: 'An aggressive closer.' }).findings.find((x) => x.text === 'aggressive');
    expect(paper?.source).toMatch(/Gaucher/);
  });

  it("keeps the paper's whole-word rule and the false positives for the added stems", () => {
    // gender-decoder matches "kind" and "active" as prefixes; the paper's whole-word rule wins.
    expect(spans('Kindergarten teachers, actively kindly.', ['masculine-coded', 'feminine-coded'])).toEqual([]);
    const text =
      'Shareholders sign service agreements; feel free to apply. Objectives and key results. Persistent storage, Microsoft Defender, SharePoint.';
    expect(spans(text, ['masculine-coded', 'feminine-coded'])).toEqual([]);
    expect(spans('We share knowledge and defend our objective view.', ['masculine-coded', 'feminine-coded'])).toEqual([
      ['feminine-coded', 'share', 3],
      ['masculine-coded', 'defend', 23],
      ['masculine-coded', 'objective', 34],
    ]);
  });

  it('drops retext rules that misfire on ordinary job-ad words', () => {
    const text =
      "A Master's degree is a plus. We host events; maternity leave is paid. Women and men are encouraged to apply. Simple tools, easy onboarding, invalid inputs handled.";
    expect(spans(text, ['exclusionary'])).toEqual([]);
    expect(spans("Don't miss out. She'll lead.", ['exclusionary']).map((s) => s[1])).toEqual(["She'll"]);
    expect(spans('Our shell scripts run the hell out of CI.', ['exclusionary'])).toEqual([]);
  });

  it('treats "recent graduate" as age-coded only when it is a requirement', () => {
    expect(spans('Recent graduates are welcome to apply.', ['age-coded'])).toEqual([]);
    expect(spans('You must be a recent graduate.', ['age-coded'])).toEqual([['age-coded', 'recent graduate', 14]]);
  });
});

describe('postingToText', () => {
  const posting = {
    id: '5f2c6a8e-1b7d-4c1e-9a3f-0e4d2b6c8a10',
    text: 'Backend Engineer',
    content: {
      description: 'We want a competitive engineer &amp; a kind colleague.',
      lists: [{ text: 'Requirements', content: '<li>Go &amp; SQL</li><li>Empathy</li>' }],
      closing: '<p>Remote within the EU.</p>',
    },
    salaryRange: { min: 70000, max: 90000, currency: 'EUR', interval: 'per-year-salary' },
    workplaceType: 'remote',
  };

  it('builds plain text from title, description, lists and closing, with offsets into that text', () => {
    const text = postingToText(posting);
    expect(text).toBe(
      'Backend Engineer\n\nWe want a competitive engineer & a kind colleague.\n\nRequirements\n- Go & SQL\n- Empathy\n\nRemote within the EU.',
    );
    const result = checkJobDescription(postingToCheckInput(posting));
    expect(result.findings.map((f) => [f.text, text.slice(f.start, f.end)])).toEqual([
      ['competitive', 'competitive'],
      ['kind', 'kind'],
      ['Empathy', 'Empathy'],
    ]);
  });
});

describe('npm run cli -- jd-check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jd-check-'));
  const run = (...args: string[]) =>
    execFileSync(process.execPath, ['--import', 'tsx', 'backend/cli/index.ts', 'jd-check', ...args], {
      encoding: 'utf8',
      stdio: 'pipe',
    });

  it('prints the JSON contract for a file', { timeout: 90_000 }, () => {
    const file = join(dir, 'ad.md');
    writeFileSync(file, SALES);
    const out = JSON.parse(run(file, '--json'));
    expect(out.verdict).toBe('masculine-leaning');
    expect(out.findings[0]).toEqual({
      text: 'young and energetic',
      start: at(SALES, 'young and energetic'),
      end: at(SALES, 'young and energetic') + 'young and energetic'.length,
      category: 'age-coded',
      reason: expect.any(String),
      source: expect.stringContaining('EEOC'),
      suggestion: expect.any(String),
    });
  });

  it('prints findings with line:column and the verdict for people, and fails clearly on a missing file', {
    timeout: 90_000,
  }, () => {
    const file = join(dir, 'ad.txt');
    writeFileSync(file, SALES);
    const out = run(file);
    expect(out).toContain('3:10 "young and energetic"');
    expect(out).toMatch(/Verdict: masculine-leaning/);
    expect(() => run(join(dir, 'missing.txt'))).toThrow(/File not found/);
  });
});

describe('npm run cli -- jd-check POSTING_ID (against the Lever emulator)', () => {
  let emu: EmulatorHandle;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, opportunities: 5 });
  });
  afterAll(async () => {
    await emu?.close();
  });

  it('reads the posting from Lever and checks its plain text', { timeout: 90_000 }, async () => {
    const id = [...emu.context.store.postings.keys()][0]!;
    const { LEVER_API_KEY: _realKey, ...env } = process.env;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'backend/cli/index.ts', 'jd-check', id, '--json'],
      { env: { ...env, LEVER_BASE_URL: emu.apiBaseUrl, LEVER_EMULATOR_KEY: emu.apiKey } },
    );
    const posting = await createLeverClient({
      baseUrl: emu.apiBaseUrl,
      auth: { kind: 'apiKey', apiKey: emu.apiKey },
    }).getPosting(id);
    const input = postingToCheckInput(posting);
    expect(input.text).toContain(posting.text);
    expect(JSON.parse(stdout)).toEqual(checkJobDescription(input));
  });
});
