/**
 * One "backend instance" sending Lever requests as fast as it can through the real LeverTransport for a while.
 * argv: apiBaseUrl apiKey durationMs pgUrl|-   (with "-" it uses the in-process bucket only, as before the shared
 * budget). Waits for "go" on stdin so both instances start together; prints one JSON line when done.
 */
import pg from 'pg';
import { LeverApiError } from '../../../backend/lever/errors.ts';
import { PgRateBudget } from '../../../backend/lever/pg-rate-budget.ts';
import { LeverTransport } from '../../../backend/lever/transport.ts';

const [baseUrl = '', apiKey = '', durationArg = '5000', pgUrl = '-'] = process.argv.slice(2);
const rate = 8;
const burst = 16;
const pool = pgUrl === '-' ? undefined : new pg.Pool({ connectionString: pgUrl, max: 4 });
const transport = new LeverTransport({
  baseUrl,
  auth: { kind: 'apiKey', apiKey },
  ratePerSecond: rate,
  burst,
  maxRetries: 0,
  ...(pool ? { bucket: PgRateBudget.forApiKey(pool, baseUrl, apiKey, rate, burst) } : {}),
});

process.stdout.write('ready\n');
process.stdin.once('data', async () => {
  const until = Date.now() + Number(durationArg);
  let ok = 0;
  let rateLimited = 0;
  const loop = async () => {
    while (Date.now() < until) {
      try {
        await transport.request({ method: 'GET', path: '/users', query: { limit: 1 } });
        ok++;
      } catch (e) {
        if (e instanceof LeverApiError && e.status === 429) rateLimited++;
        else throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, loop));
  await pool?.end();
  process.stdout.write(`${JSON.stringify({ ok, rateLimited })}\n`);
  process.exit(0);
});
