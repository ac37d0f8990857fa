/**
 * One "backend instance" competing for a named single-runner lease on PostgreSQL. argv: pgUrl name.
 * Every 100 ms it asks for the lease and prints "run <pid> <ms>" while it holds it, so the test sees who runs.
 * SIGTERM releases the lease and exits; kill -9 leaves it to the server to drop the session.
 */
import { pgSingleRunner } from '../../../backend/coord/single-runner.ts';

const [pgUrl = '', name = 'test-job'] = process.argv.slice(2);
const runner = pgSingleRunner(pgUrl, name);
const timer = setInterval(async () => {
  try {
    if (await runner.hold()) process.stdout.write(`run ${process.pid} ${Date.now()}\n`);
  } catch (e) {
    process.stdout.write(`error ${(e as Error).message}\n`);
  }
}, 100);
process.stdout.write('ready\n');
process.on('SIGTERM', async () => {
  clearInterval(timer);
  await runner.release();
  process.exit(0);
});
