import { parseArgs } from 'node:util';
import type { SyncProgress } from '../../utils/contracts/rediscovery.ts';
import { leverFromConfig } from '../lever-config.ts';
import { progressLine } from '../rediscovery/progress-line.ts';
import { runSync } from '../rediscovery/sync.ts';
import type { CliCommand } from './commands.ts';
import { withCliStore } from './open-store.ts';

const usage = 'Usage: sync [--full] [--max-details N] [--confidential]';

/** Non-TTY output (CI, logs): one line at most this often, so a long sync does not flood the log. */
const LOG_EVERY_MS = 5_000;

export const syncCommand: CliCommand = {
  summary: 'Sync the talent pool from Lever for rediscovery (resumes after a crash; --full re-reads everything)',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        full: { type: 'boolean', default: false },
        'max-details': { type: 'string' },
        confidential: { type: 'boolean', default: false },
      },
      allowPositionals: false,
    });
    const maxDetails = values['max-details'] === undefined ? undefined : Number(values['max-details']);
    if (maxDetails !== undefined && !(Number.isInteger(maxDetails) && maxDetails >= 0))
      throw new Error(`--max-details must be a whole number. ${usage}`);
    return withCliStore(async (store, config) => {
      const lever = leverFromConfig(config);
      const started = performance.now();
      const tty = process.stdout.isTTY === true;
      let lastLog = 0;
      const show = (p: SyncProgress, final = false) => {
        const line = progressLine(p, performance.now() - started, lever.stats.requests);
        if (tty) process.stdout.write(`\r\x1b[2K${line}${final ? '\n' : ''}`);
        else if (final || performance.now() - lastLog >= LOG_EVERY_MS) {
          lastLog = performance.now();
          console.log(line);
        }
      };
      const ac = new AbortController();
      const onSignal = () =>
        ac.abort(new Error('Interrupted: the sync stopped at its last checkpoint; run "sync" again to resume.'));
      process.once('SIGINT', onSignal);
      try {
        const result = await runSync(
          {
            store,
            lever,
            onProgress: (p) => show(p),
            signal: ac.signal,
            confidentialityAll: values.confidential,
            ...(maxDetails !== undefined ? { maxDetails } : {}),
          },
          { full: values.full },
        );
        show(result, true);
        const secs = (performance.now() - started) / 1000;
        console.log(
          `Synced ${result.opportunities.toLocaleString('en-US')} opportunities → ${result.people.toLocaleString('en-US')} people in ${secs.toFixed(1)} s; ` +
            `${lever.stats.requests} requests, ${lever.stats.rateLimited} answered 429, ${lever.stats.retries} retries.`,
        );
        return 0;
      } finally {
        process.off('SIGINT', onSignal);
        if (tty) process.stdout.write('\n');
      }
    });
  },
};
