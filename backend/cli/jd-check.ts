import { readFile, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { JdCheckResult, JdFindingCategory } from '../../utils/contracts/fairness.ts';
import { JdFindingCategorySchema } from '../../utils/contracts/fairness.ts';
import { loadConfig } from '../config.ts';
import { checkJobDescription, type JdCheckInput, postingToCheckInput } from '../fairness/jd-check.ts';
import { lineColumn } from '../fairness/text-match.ts';
import { LeverNotFoundError } from '../lever/index.ts';
import { leverFromConfig } from '../lever-config.ts';
import type { CliCommand } from './commands.ts';

const USAGE = 'Usage: npm run cli -- jd-check FILE|POSTING_ID [--json]';
/** Lever ids are UUIDs; anything id-shaped (no slash, no file extension) that is not a file is tried as one. */
const POSTING_ID = /^[A-Za-z0-9_-]{6,}$/;

const TITLES: Record<JdFindingCategory, string> = {
  'masculine-coded': 'Masculine-coded words',
  'feminine-coded': 'Feminine-coded words',
  exclusionary: 'Exclusionary or non-inclusive phrases',
  'age-coded': 'Age-coded phrases',
  jargon: 'Jargon',
  'requirement-inflation': 'Requirement inflation',
  'missing-info': 'Missing information',
};

async function loadInput(target: string): Promise<JdCheckInput> {
  const info = await stat(target).catch(() => null);
  if (info?.isFile()) return { text: (await readFile(target, 'utf8')).replace(/\r\n/g, '\n') };
  if (info) throw new Error(`${target} is not a file`);
  if (!POSTING_ID.test(target)) throw new Error(`File not found: ${target}`);
  // Lever (or the emulator when LEVER_API_KEY is unset), configured like every other command.
  const lever = leverFromConfig(loadConfig());
  const posting = await lever.getPosting(target).catch((error: unknown) => {
    if (error instanceof LeverNotFoundError) {
      throw new Error(`No file or Lever posting named ${target}`);
    }
    throw error;
  });
  return postingToCheckInput(posting);
}

export function formatReport(text: string, result: JdCheckResult): string {
  const lines: string[] = [];
  for (const category of JdFindingCategorySchema.options) {
    const findings = result.findings.filter((f) => f.category === category);
    if (findings.length === 0) continue;
    lines.push(`${TITLES[category]} (${findings.length})`);
    for (const f of findings) {
      const where =
        category === 'missing-info' ? '' : (({ line, column }) => `${line}:${column} `)(lineColumn(text, f.start));
      lines.push(`  ${where}${f.text ? `"${f.text}": ` : ''}${f.reason}`);
      lines.push(`      suggestion: ${f.suggestion}`);
      lines.push(`      source: ${f.source}`);
    }
    lines.push('');
  }
  if (result.findings.length === 0) lines.push('No findings.', '');
  lines.push(
    `Verdict: ${result.verdict} (${result.counts.masculine} masculine-coded, ${result.counts.feminine} feminine-coded)`,
  );
  return lines.join('\n');
}

export const jdCheckCommand: CliCommand = {
  summary: 'Check a job description for gender-coded, exclusionary and age-coded wording, jargon and gaps',
  async run(args) {
    const { values, positionals } = parseArgs({ args, options: { json: { type: 'boolean' } }, allowPositionals: true });
    const target = positionals[0];
    if (!target || positionals.length > 1) throw new Error(USAGE);
    const input = await loadInput(target);
    const result = checkJobDescription(input);
    console.log(values.json ? JSON.stringify(result, null, 2) : formatReport(input.text, result));
    return 0;
  },
};
