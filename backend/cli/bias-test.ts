import { parseArgs } from 'node:util';
import type { BiasTestReport } from '../../utils/contracts/fairness.ts';
import { aiEngineOptionsFromEnv, createAiEngine } from '../ai/engine.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { loadCandidate, toPostingInput } from '../candidates/load-candidate.ts';
import { loadConfig } from '../config.ts';
import { type BiasTestResume, runBiasTest } from '../fairness/bias-test.ts';
import { engineScorer } from '../fairness/engine-scorer.ts';
import { LeverNotFoundError } from '../lever/index.ts';
import { leverFromConfig } from '../lever-config.ts';
import { openStoreFromConfig } from '../store/db.ts';
import type { CliCommand } from './commands.ts';

const USAGE = 'Usage: npm run cli -- bias-test --posting ID [--resumes N] [--threshold T] [--shortlist K] [--json]';

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive whole number, got "${value}"`);
  return n;
}

export function formatBiasReport(r: BiasTestReport): string {
  const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
  const lines = [
    `Bias self-test for posting ${r.postingId} with ${r.provider.name}${r.provider.model ? ` (${r.provider.model})` : ''}`,
    `${r.resumes} resumes, ${r.copiesScored} counterfactual copies; threshold ${r.threshold} (${r.thresholdSource}); shortlist top ${r.shortlistSize}`,
    '',
    `  ${'group'.padEnd(16)} ${'mean'.padStart(7)} ${'vs orig'.padStart(8)} ${'selected'.padStart(9)}  shortlist in/out`,
  ];
  for (const g of r.groups) {
    const diff = `${g.meanDifference >= 0 ? '+' : ''}${g.meanDifference.toFixed(2)}`;
    lines.push(
      `  ${g.group.padEnd(16)} ${g.meanScore.toFixed(2).padStart(7)} ${diff.padStart(8)} ${pct(g.selectionRate).padStart(9)}  ${g.shortlist.entered}/${g.shortlist.left}`,
    );
  }
  lines.push('');
  const d = r.largestDifference;
  lines.push(
    d
      ? `Largest difference: ${d.difference.toFixed(2)} points on resume ${d.resumeId} (${d.high.name}, ${d.high.group}: ${d.high.score} vs ${d.low.name}, ${d.low.group}: ${d.low.score})`
      : 'Largest difference: none (every copy of every resume scored the same)',
  );
  const s = r.selection;
  lines.push(
    s.impactRatio === null
      ? 'Selection impact ratio: not computable (no copy reached the threshold)'
      : s.impactRatio === 1
        ? 'Selection impact ratio: 1.000 (every group selected at the same rate)'
        : `Selection impact ratio: ${s.impactRatio.toFixed(3)} (${s.lowestGroup} vs ${s.highestGroup})${s.fourFifthsFlag ? ': below four fifths' : ''}`,
  );
  lines.push(r.zeroDifference ? 'Result: zero difference.' : 'Result: scores change with name and pronouns.');
  return lines.join('\n');
}

export const biasTestCommand: CliCommand = {
  summary: 'Score counterfactual copies of real resumes (names, pronouns swapped) and report score differences',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        posting: { type: 'string' },
        resumes: { type: 'string' },
        threshold: { type: 'string' },
        shortlist: { type: 'string' },
        json: { type: 'boolean' },
      },
    });
    if (!values.posting) throw new Error(USAGE);
    const wanted = positiveInt('resumes', values.resumes, 10);
    const shortlistSize = positiveInt('shortlist', values.shortlist, 5);
    const threshold = values.threshold === undefined ? undefined : Number(values.threshold);
    if (threshold !== undefined && !Number.isFinite(threshold)) throw new Error('--threshold must be a number');

    const config = loadConfig();
    const lever = leverFromConfig(config);
    const posting = await lever.getPosting(values.posting).catch((error: unknown) => {
      if (error instanceof LeverNotFoundError) throw new Error(`Lever has no posting ${values.posting}`);
      throw error;
    });
    const postingInput = toPostingInput(posting);
    const resumes: BiasTestResume[] = [];
    for await (const opp of lever.listOpportunities({ postingId: posting.id, limit: 100 })) {
      if (resumes.length >= wanted) break;
      const { candidate } = await loadCandidate(lever, opp.id);
      if (candidate.resumeText.trim().length === 0) continue;
      resumes.push({ id: opp.id, text: candidate.resumeText, ...(candidate.name ? { name: candidate.name } : {}) });
    }
    if (resumes.length === 0) throw new Error(`No candidate with a resume applied to posting ${posting.id}`);

    const engine = createAiEngine(aiEngineOptionsFromEnv());
    const info = engine.info();
    const report = await runBiasTest({
      posting: { id: posting.id, title: postingInput.title, text: postingInput.text },
      resumes,
      score: engineScorer(engine, postingInput),
      provider: { name: info.provider, model: info.model },
      shortlistSize,
      ...(threshold === undefined ? {} : { threshold }),
    });

    const store = await openStoreFromConfig(config);
    try {
      await appendAudit(store.db, {
        actor: 'cli',
        capability: 'bias-test',
        action: 'fairness.bias-test',
        provider: info.provider,
        model: info.model,
        output: report,
        leverIds: [posting.id, ...resumes.map((r) => r.id)],
      });
    } finally {
      await store.close();
    }
    console.log(values.json ? JSON.stringify(report, null, 2) : formatBiasReport(report));
    return 0;
  },
};
