import { parseArgs } from 'node:util';
import type { EmbeddingProgress, SyncProgress } from '../../utils/contracts/rediscovery.ts';
import { leverFromConfig } from '../lever-config.ts';
import { EmbedBusyError, embedPeople } from '../rediscovery/embed-people.ts';
import { embeddingLine, progressLine } from '../rediscovery/progress-line.ts';
import { hybridFromConfig } from '../rediscovery/rediscover-hybrid.ts';
import { runSync } from '../rediscovery/sync.ts';
import type { CliCommand } from './commands.ts';
import { withCliStore } from './open-store.ts';

const usage = 'Usage: sync [--full] [--max-details N] [--confidential] [--skip-embeddings]';

/** Non-TTY output (CI, logs): one line at most this often, so a long sync does not flood the log. */
const LOG_EVERY_MS = 5_000;

export const syncCommand: CliCommand = {
  summary:
    'Sync the talent pool from Lever for rediscovery, then embed it when EMBEDDINGS_MODEL is set (resumes after a crash; --full re-reads everything)',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        full: { type: 'boolean', default: false },
        'max-details': { type: 'string' },
        confidential: { type: 'boolean', default: false },
        'skip-embeddings': { type: 'boolean', default: false },
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
      const show = (p: SyncProgress | { embedding: EmbeddingProgress; since: number }, final = false) => {
        const line =
          'embedding' in p
            ? embeddingLine(p.embedding, performance.now() - p.since)
            : progressLine(p, performance.now() - started, lever.stats.requests);
        if (tty) process.stdout.write(`\r\x1b[2K${line}${final ? '\n' : ''}`);
        else if (final || performance.now() - lastLog >= LOG_EVERY_MS) {
          lastLog = performance.now();
          console.log(line);
        }
      };
      const ac = new AbortController();
      const onSignal = () =>
        ac.abort(new Error('Interrupted: stopped at the last checkpoint; run "sync" again to resume.'));
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
        const hybrid = values['skip-embeddings'] ? undefined : hybridFromConfig(config);
        if (hybrid) {
          const since = performance.now();
          let e: EmbeddingProgress;
          try {
            e = await embedPeople({
              store,
              embedder: hybrid.embedder,
              onProgress: (embedding) => show({ embedding, since }),
              signal: ac.signal,
            });
          } catch (err) {
            if (!(err instanceof EmbedBusyError)) throw err;
            console.log(
              'Vector index: another process (the backend) is embedding right now; it picks up these people.',
            );
            return 0;
          }
          show({ embedding: e, since }, true);
          console.log(
            `Vector index (${e.model}): ${e.embedded.toLocaleString('en-US')} people embedded, ${e.done.toLocaleString('en-US')} handled this run` +
              `${e.refused ? `, ${e.refused} refused by the PII check` : ''} in ${((performance.now() - since) / 1000).toFixed(1)} s.`,
          );
        }
        return 0;
      } finally {
        process.off('SIGINT', onSignal);
        if (tty) process.stdout.write('\n');
      }
    });
  },
};
