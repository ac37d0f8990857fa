import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { classifyStage, DEFAULT_POLICY, getPolicy, setPolicy } from '../../backend/automations/policy.ts';
import { policyCommand } from '../../backend/cli/policy.ts';
import { openStore, type Store } from '../../backend/store/db.ts';

let dir: string;
let store: Store;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulcrum-policy-'));
  store = await openStore({ dataDir: dir });
});
afterAll(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('automation policy', () => {
  it('defaults write nothing without a click and use threshold 70', async () => {
    const p = await getPolicy(store, { postingId: 'nobody-set-this' });
    expect(p.effective).toEqual(DEFAULT_POLICY);
    expect(p.effective.autoWriteMatchSummary).toBe(false);
    expect(p.effective.threshold).toBe(70);
  });

  it('posting overrides team overrides global, field by field', async () => {
    await setPolicy(store, { level: 'global' }, { threshold: 60, followUps: false }, 'admin@x');
    await setPolicy(store, { level: 'team', team: 'Engineering' }, { threshold: 65 }, 'admin@x');
    await setPolicy(store, { level: 'posting', postingId: 'p-1' }, { threshold: 80 }, 'admin@x');
    expect((await getPolicy(store, { postingId: 'p-1', team: 'Engineering' })).effective).toMatchObject({
      threshold: 80,
      followUps: false,
    });
    expect((await getPolicy(store, { postingId: 'p-2', team: 'Engineering' })).effective.threshold).toBe(65);
    expect((await getPolicy(store, { postingId: 'p-2', team: 'Sales' })).effective.threshold).toBe(60);
    await expect(setPolicy(store, { level: 'global' }, { threshold: 101 }, 'admin@x')).rejects.toThrow();
  });

  it('classifies stages by the default patterns, or only by the configured lists', () => {
    const d = DEFAULT_POLICY;
    expect(classifyStage(d, { id: 's1', text: 'Phone screen' })).toBe('interview');
    expect(classifyStage(d, { id: 's2', text: 'On-site interview' })).toBe('interview');
    expect(classifyStage(d, { id: 's3', text: 'Onsite' })).toBe('interview');
    expect(classifyStage(d, { id: 's4', text: 'Reference check' })).toBe('debrief');
    expect(classifyStage(d, { id: 's5', text: 'Offer' })).toBe('debrief');
    expect(classifyStage(d, { id: 's6', text: 'New applicant' })).toBeNull();
    const custom = { ...d, interviewStages: ['tech-chat'], debriefStages: ['Hiring committee'] };
    expect(classifyStage(custom, { id: 'tech-chat', text: 'Tech chat' })).toBe('interview');
    expect(classifyStage(custom, { id: 'x', text: 'hiring committee' })).toBe('debrief');
    expect(classifyStage(custom, { id: 's1', text: 'Phone screen' })).toBeNull();
  });

  it('the CLI sets and shows a posting policy in the same store', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const env = { ...process.env };
    process.env.FULCRUM_DATA_DIR = dir;
    try {
      await policyCommand.run(['set', '--posting', 'p-cli', '--threshold', '75', '--auto-write-match-summary', 'true']);
      expect((await getPolicy(store, { postingId: 'p-cli' })).effective).toMatchObject({
        threshold: 75,
        autoWriteMatchSummary: true,
      });
      await expect(policyCommand.run(['set', '--posting', 'p-cli', '--threshold', '150'])).rejects.toThrow(/threshold/);
      await expect(policyCommand.run(['set', '--auto-write-match-summary', 'yes'])).rejects.toThrow(/true or false/);
      log.mockClear();
      await policyCommand.run(['get', '--posting', 'p-cli']);
      expect(log.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(/threshold\s+75/);
    } finally {
      process.env = env;
      log.mockRestore();
    }
  });
});
