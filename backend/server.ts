import fs from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { configureInputLimits } from './ai/bound-text.ts';
import { createAiEngine } from './ai/engine.ts';
import type { AiEngine } from './ai/types.ts';
import { createRequestListener, createServices } from './app.ts';
import { revokeDemoRecruiters } from './auth/recruiters.ts';
import { registerAutomations } from './automations/register.ts';
import type { WebhookJob } from './automations/webhook-job.ts';
import { parseJurisdictionList } from './compliance/settings.ts';
import type { Config } from './config.ts';
import { pgSingleRunner } from './coord/single-runner.ts';
import { DEMO_TOKEN_FILE } from './demo.ts';
import { scrubFiles, VacuumJob } from './governance/erase-person.ts';
import { startRetention } from './governance/retention.ts';
import { createLogger, type Logger } from './http/logger.ts';
import { PgBossQueue } from './jobs/pg-queue.ts';
import type { JobQueue } from './jobs/queue.ts';
import { SqliteQueue } from './jobs/sqlite-queue.ts';
import type { LeverClient } from './lever/index.ts';
import { PgRateBudget } from './lever/pg-rate-budget.ts';
import { leverFromConfig } from './lever-config.ts';
import {
  EMBED_DEBOUNCE_MS,
  handleRediscoveryWebhook,
  queueEmbedding,
  registerRediscoveryJobs,
  scheduleRediscovery,
  syncIfNeverSynced,
} from './rediscovery/jobs.ts';
import { type HybridRanking, hybridFromConfig } from './rediscovery/rediscover-hybrid.ts';
import { vectorSearchChoice } from './rediscovery/vector-index.ts';
import { closeSandbox, configureSandbox, warmSandbox } from './sandbox/sandbox.ts';
import { startCheckpointer } from './store/checkpointer.ts';
import { openStoreFromConfig, type Store } from './store/db.ts';
import { ignoreCheckedOutErrors } from './store/postgres.ts';

export type RunningBackend = {
  url: string;
  store: Store;
  lever: LeverClient;
  queue: JobQueue;
  logger: Logger;
  /** Demo recruiters revoked at this start because it runs on a real Lever key (their emails). */
  revokedDemoRecruiters: string[];
  /** Stops accepting, lets in-flight requests finish, stops the queue (finishing or releasing jobs), closes the DB. */
  close(): Promise<void>;
};

export type BackendOverrides = {
  lever?: LeverClient;
  ai?: AiEngine;
  logger?: Logger;
  drainTimeoutMs?: number;
  /** Replaces the embeddings configuration (null: none, whatever the config says). */
  hybrid?: HybridRanking | null;
  /** Where start-up notices an operator must see go (default: stdout). */
  announce?: (line: string) => void;
};

/** Opens the store, builds Lever client, AI engine and queue (started), and serves the HTTP app. */
export async function startBackend(config: Config, overrides: BackendOverrides = {}): Promise<RunningBackend> {
  const logger = overrides.logger ?? createLogger(config.LOG_LEVEL);
  const announce = overrides.announce ?? ((line: string) => console.log(line));
  const store = await openStoreFromConfig(config);
  if (store.tightened) {
    logger.warn({ files: store.tightened }, 'tightened permissions of the data directory and database (0700 / 0600)');
  }
  // A demo credential must never reach a real Lever account: revoked before the first request is served.
  const revokedDemoRecruiters = config.useEmulator ? [] : await revokeDemoRecruiters(store);
  if (revokedDemoRecruiters.length > 0) {
    // The file holds a token that no longer works; keeping it would only invite pasting it somewhere.
    fs.rmSync(path.join(config.dataDir, DEMO_TOKEN_FILE), { force: true });
    logger.warn({ count: revokedDemoRecruiters.length }, 'revoked demo recruiters: started on a real Lever key');
    announce(
      `Revoked the demo recruiter token${revokedDemoRecruiters.length > 1 ? 's' : ''} of ${revokedDemoRecruiters.join(', ')}: this data directory now runs on a real Lever key (LEVER_API_KEY). Create real recruiters with: npm run cli -- recruiters add EMAIL --role recruiter`,
    );
  }
  const scale = await scaleOut(store, config, logger);
  // With OAuth, the tokens live in this store (encrypted) and refresh under its row lease.
  const lever = overrides.lever ?? leverFromConfig(config, { db: () => store.db, budget: scale.budget });
  // Bounds on candidate text and the sandbox that parses and scores it, before anything can read a résumé.
  configureInputLimits({ maxChars: config.RESUME_MAX_CHARS });
  configureSandbox({
    size: config.SANDBOX_WORKERS,
    timeoutMs: config.SANDBOX_TIMEOUT_MS,
    memoryMb: config.SANDBOX_MEMORY_MB,
  });
  warmSandbox();
  const ai = overrides.ai ?? createAiEngine(aiOptions(config));
  const queue = scale.queue;
  const hybrid = overrides.hybrid === undefined ? hybridFromConfig(config) : (overrides.hybrid ?? undefined);
  // Automations (issue 9) own the webhook job types; archive/hire/delete also update the rediscovery index.
  // A refreshed person is embedded by a separate, debounced job: webhook handling never waits on an embeddings API.
  const talentPool = async (job: WebhookJob) => {
    const outcome = await handleRediscoveryWebhook({ store, lever }, job);
    if (hybrid && outcome === 'indexed') await queueEmbedding(queue, EMBED_DEBOUNCE_MS);
    return outcome;
  };
  const hris =
    config.HRIS_WEBHOOK_URL && config.HRIS_WEBHOOK_SECRET
      ? { url: config.HRIS_WEBHOOK_URL, secret: config.HRIS_WEBHOOK_SECRET }
      : undefined;
  let ready = false;
  // The composition root: one set of services for the HTTP routes and the automation handlers.
  const services = createServices({
    config,
    store,
    lever,
    ai,
    queue,
    logger,
    isReady: () => ready,
    talentPool,
    // The rediscovery routes rank with the same vector index the jobs below fill.
    ...(hybrid ? { hybrid } : {}),
    ...(hris ? { hris } : {}),
  });
  registerAutomations(queue, services.automations);
  // Talent-pool sync, new-posting polling and embedding; the webhook job types above belong to the automations.
  registerRediscoveryJobs(queue, { store, lever, hybrid }, { webhookEvents: false });
  const vectors = await vectorSearchChoice(store.db);
  logger.info({ vectors: vectors.mode, pgvector: vectors.pgvectorAvailable }, vectors.line);
  // Catches up people a previous run did not reach, or every one after EMBEDDINGS_MODEL changed.
  if (hybrid) await queueEmbedding(queue);
  if (config.REDISCOVERY_SYNC_MINUTES > 0) {
    await scheduleRediscovery(queue, {
      syncEveryMs: config.REDISCOVERY_SYNC_MINUTES * 60_000,
      pollEveryMs: config.REDISCOVERY_SYNC_MINUTES * 60_000,
    });
    await syncIfNeverSynced(store, queue);
  }
  // The debounced VACUUM after an erasure (candidateDeleted), so an erased person's older copies leave the file too.
  queue.register(VacuumJob, async () => {
    const r = await scrubFiles(store.db, { vacuum: true });
    if (r.problems.length) logger.warn({ problems: r.problems }, 'post-erasure vacuum incomplete');
  });
  queue.start();
  // Deletes cached AI results and decided proposals past the admin's retention period: now, then daily.
  // With several instances on PostgreSQL, one of them at a time holds the retention lease and runs it.
  const retention = startRetention(store, logger, {
    jurisdictions: parseJurisdictionList(config.COMPLIANCE_JURISDICTIONS),
    ...(scale.runner ? { runner: scale.runner('fulcrum.retention') } : {}),
  });

  const server = createServer(createRequestListener(services));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Lever retries slow webhook replies; keep-alive keeps the intake path cheap for bursts.
  server.keepAliveTimeout = 5_000;
  const address = server.address() as AddressInfo;
  const url = `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${address.port}`;
  ready = true;
  logger.info(
    {
      url,
      lever: config.useEmulator ? 'emulator' : 'lever',
      store: store.dialect,
      queue: store.dialect === 'postgres' ? 'pg-boss' : 'sqlite',
      ai: ai.info().provider,
      embeddings: hybrid?.embedder.key ?? null,
    },
    'backend listening',
  );

  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= (async () => {
      ready = false;
      const drainMs = overrides.drainTimeoutMs ?? 10_000;
      await new Promise<void>((resolve) => {
        // Keep-alive sockets go idle once their request is answered; close them as they do, busy ones finish first.
        const reaper = setInterval(() => server.closeIdleConnections(), 50);
        const timer = setTimeout(() => {
          server.closeAllConnections();
        }, drainMs);
        server.close(() => {
          clearInterval(reaper);
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      });
      retention.stop();
      await retention.done;
      await queue.stop({ timeoutMs: drainMs });
      // The queue has finished or released its jobs: nothing waits on a sandbox worker any more.
      await closeSandbox();
      await scale.close();
      await store.close();
      logger.info({}, 'backend stopped');
    })();
    return closing;
  };
  return { url, store, lever, queue, logger, revokedDemoRecruiters, close };
}

/**
 * What differs between one process on SQLite and several instances on one PostgreSQL (issue 17): the queue (the
 * store's own jobs table, or pg-boss), the Lever rate budget (in-process, or one row per credential shared by every
 * instance), the lease that lets one instance at a time run a periodic job, and the WAL checkpointer (SQLite only).
 */
async function scaleOut(store: Store, config: Config, logger: Logger) {
  const leaseMs = config.QUEUE_LEASE_SECONDS * 1000;
  const concurrency = config.QUEUE_CONCURRENCY;
  if (store.dialect === 'sqlite' || !config.DATABASE_URL) {
    const checkpointer = startCheckpointer(store, logger);
    return {
      queue: new SqliteQueue(store, { concurrency, leaseMs, logger }) as JobQueue,
      budget: undefined,
      runner: undefined,
      close: () => checkpointer.stop(),
    };
  }
  const url = config.DATABASE_URL;
  const queue = await PgBossQueue.open({ connectionString: url, concurrency, leaseMs, logger });
  // A small pool of its own: a budget reservation is one short statement, and must not wait behind the store's.
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  ignoreCheckedOutErrors(pool);
  pool.on('error', (err) => logger.error({ err }, 'idle PostgreSQL connection (rate budget) failed'));
  const { ratePerSecond, burst } = { ratePerSecond: config.LEVER_RATE_PER_SECOND, burst: config.LEVER_BURST };
  return {
    queue: queue as JobQueue,
    budget: (credential: string) => new PgRateBudget(pool, credential, ratePerSecond, burst),
    runner: (name: string) => pgSingleRunner(url, name),
    async close() {
      await queue.close();
      await pool.end();
    },
  };
}

function aiOptions(config: Config) {
  return {
    baseUrl: config.AI_BASE_URL,
    apiKey: config.AI_API_KEY,
    model: config.AI_MODEL,
    timeoutMs: config.AI_TIMEOUT_MS,
  };
}
