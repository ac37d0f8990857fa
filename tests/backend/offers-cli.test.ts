import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSeed } from '../../backend/lever-emulator/seed.ts';
import type { EmulatorHandle } from '../../backend/lever-emulator/server.ts';
import { testEmulator } from './lever-helpers.ts';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const scenarios = generateSeed({ opportunities: 300 }).offerScenarios;
const idOf = (scenario: string) => scenarios.find((s) => s.scenario === scenario)?.opportunityId as string;

let emu: EmulatorHandle;
beforeAll(async () => {
  emu = await testEmulator({ opportunities: 300 });
});
afterAll(async () => {
  await emu?.close();
});

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const port = new URL(emu.url).port;
  try {
    const r = await run('npx', ['tsx', 'backend/cli/index.ts', 'offer', ...args], {
      cwd: ROOT,
      env: {
        ...process.env,
        LEVER_API_KEY: '',
        LEVER_BASE_URL: '',
        LEVER_EMULATOR_PORT: port,
        LEVER_EMULATOR_KEY: emu.apiKey,
      },
      timeout: 60_000,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

describe('npm run cli -- offer draft', () => {
  it('prints the letter, the checks and the Lever fields as JSON, exit 0 even when a check fails', async () => {
    const r = await cli(['draft', '--opportunity', idOf('above-band'), '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      letter: string;
      checks: Array<{ name: string; ok: boolean; detail: string }>;
      fields: Record<string, string>;
    };
    expect(out.letter).toContain(out.fields.candidate_name);
    expect(out.letter).toContain(`${out.fields.currency} ${out.fields.salary}`);
    const band = out.checks.find((c) => c.name === 'salary_in_band');
    expect(band).toMatchObject({ ok: false });
    expect(band?.detail).toMatch(/above the requisition’s band/);
    expect(out.checks.every((c) => typeof c.ok === 'boolean' && c.detail.length > 0)).toBe(true);
  }, 90_000);

  it('takes a template file; an unknown field in it, a missing id or an unknown opportunity exit 2 with a message', async () => {
    const dir = tmpdir();
    const good = path.join(dir, `offer-tpl-${process.pid}.md`);
    await writeFile(
      good,
      '---\nname: Short\n---\nDear {{candidate_name}}, welcome as {{job_title}} from {{start_date}}.\n',
    );
    const ok = await cli(['draft', '--opportunity', idOf('consistent'), '--template', good, '--json']);
    expect(ok.code).toBe(0);
    expect((JSON.parse(ok.stdout) as { template: string }).template).toBe('Short');

    const bad = path.join(dir, `offer-tpl-bad-${process.pid}.md`);
    await writeFile(bad, 'Dear {{candidate_nme}}');
    const cases = [
      ['draft', '--opportunity', idOf('consistent'), '--template', bad],
      ['draft'],
      ['draft', '--opportunity', '00000000-0000-4000-8000-000000000000'],
      ['draft', '--bogus'],
    ];
    for (const args of cases) {
      const r = await cli(args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toMatch(/^Error: /);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  }, 180_000);
});
