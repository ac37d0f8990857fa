import { parseArgs } from 'node:util';
import { toPostingInput } from '../candidates/load-candidate.ts';
import { leverFromConfig } from '../lever-config.ts';
import { storedPosting } from '../rediscovery/poll-postings.ts';
import { hybridFromConfig, rediscoverRanked } from '../rediscovery/rediscover-hybrid.ts';
import type { CliCommand } from './commands.ts';
import { withCliStore } from './open-store.ts';

const usage = 'Usage: rediscover --posting ID [--limit N] [--within-days D] [--json]';

export const rediscoverCommand: CliCommand = {
  summary: 'Past candidates in the synced talent pool who fit a posting, with the reasons',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        posting: { type: 'string' },
        limit: { type: 'string', default: '20' },
        'within-days': { type: 'string', default: '90' },
        json: { type: 'boolean', default: false },
      },
      allowPositionals: false,
    });
    if (!values.posting) throw new Error(usage);
    const limit = Number(values.limit);
    const days = Number(values['within-days']);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new Error(`--limit must be 1–100. ${usage}`);
    if (!Number.isInteger(days) || days < 0) throw new Error(`--within-days must be a whole number of days. ${usage}`);
    return withCliStore(async (store, config) => {
      const posting =
        (await storedPosting(store.db, values.posting as string)) ??
        (await leverFromConfig(config).getPosting(values.posting as string));
      const res = await rediscoverRanked(
        store,
        toPostingInput(posting),
        { limit, excludeContactedWithinDays: days },
        hybridFromConfig(config),
      );
      if (values.json) {
        console.log(JSON.stringify(res, null, 2));
        return 0;
      }
      console.log(
        `${posting.text}: ${res.results.length} people (from ${res.candidatesConsidered} retrieved, ${res.tookMs} ms)`,
      );
      const rk = res.ranking;
      if (rk?.mode === 'hybrid')
        console.log(
          `ranking: hybrid (keyword + skills + up to ${rk.semanticWeight} points of semantic similarity, ${rk.embeddingsModel}; ` +
            `${rk.vectorCoverage?.embedded} of ${rk.vectorCoverage?.people} people embedded)`,
        );
      if (rk?.fallback) console.log(`ranking: keyword + skills only; embeddings unavailable (${rk.fallback.reason})`);
      const ex = Object.entries(res.excluded).filter(([, n]) => n > 0);
      if (ex.length) console.log(`excluded: ${ex.map(([k, n]) => `${k} ${n}`).join(', ')}`);
      for (const r of res.results) {
        const parts = r.components
          .map((c) => `${c.name} ${c.points > 0 && c.name !== 'match' ? '+' : ''}${c.points}`)
          .join(', ');
        console.log(`\n${String(r.rank).padStart(2)}. ${r.name} — ${r.score} (${parts})`);
        console.log(
          `    past: ${r.past.applications.map((a) => `${a.postingTitle ?? '?'} → ${a.stage ?? '?'}${a.archiveReason ? ` (${a.archiveReason})` : ''}`).join('; ')}`,
        );
        for (const m of r.matched.slice(0, 3)) console.log(`    ✓ ${m.criterion}: "${m.evidence[0]?.quote ?? ''}"`);
        if (r.gaps.length) console.log(`    ✗ ${r.gaps.slice(0, 3).join('; ')}`);
      }
      return 0;
    });
  },
};
