import pino from 'pino';
import { createAiEngine } from '../../../backend/ai/engine.ts';
import { createApp } from '../../../backend/app.ts';
import { SqliteQueue } from '../../../backend/jobs/sqlite-queue.ts';
import { createLeverClient, TokenBucket } from '../../../backend/lever/index.ts';
import { openStore } from '../../../backend/store/db.ts';
import { testConfig } from './test-config.ts';

/**
 * Child process for the crash test: approves one proposal through a full app on the shared data dir, the way a
 * backend process would. The test kills it with SIGKILL while the note POST is in flight.
 * Args: dataDir, Lever base URL, Lever key, recruiter token, proposal id.
 */
const [dataDir, baseUrl, apiKey, token, proposalId] = process.argv.slice(2) as [string, string, string, string, string];
const store = await openStore({ dataDir });
const logger = pino({ level: 'silent' });
const lever = createLeverClient({
  baseUrl,
  auth: { kind: 'apiKey', apiKey },
  bucket: new TokenBucket(100, 100),
  timeoutMs: 30_000,
});
const app = createApp({
  config: testConfig(dataDir),
  store,
  lever,
  ai: createAiEngine(),
  queue: new SqliteQueue(store, { logger }),
  logger,
});
console.log('approving');
const res = await app.request(`/api/proposals/${proposalId}/approve`, {
  method: 'POST',
  headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  body: '{}',
});
console.log(res.status, await res.text());
await store.close();
