import { randomUUID } from 'node:crypto';
import { loadConfig } from '../config.ts';
import type { LeverClient, WebhookEvent } from '../lever/index.ts';
import { leverFromConfig } from '../lever-config.ts';
import { openStoreFromConfig, type Store } from '../store/db.ts';
import type { CliCommand } from './commands.ts';

/**
 * `webhooks register URL` and `webhooks list`.
 *
 * Scheme: Lever only tells us a webhook's id after it is created, and updating its URL afterwards is a bulk PUT that
 * only works for API-created webhooks. So each webhook is registered at `URL/webhooks/lever/<path token>`, a random
 * UUID minted here, and the row stored in lever_webhooks (Lever's id, event, full URL, signature token) maps the path
 * token back to the signature token at intake. No second call to Lever, and it works the same on the emulator.
 */

export const REGISTERED_EVENTS: readonly WebhookEvent[] = [
  'applicationCreated',
  'candidateStageChange',
  'candidateArchiveChange',
  'candidateHired',
  'candidateDeleted',
];

export const webhooksCommand: CliCommand = {
  summary: 'webhooks register <public base URL> | webhooks list: manage Lever webhooks',
  async run(args) {
    const [sub, base] = args;
    if (sub === 'register') {
      if (!base || !/^https?:\/\//.test(base)) {
        throw new Error('Usage: webhooks register <public base URL>, e.g. https://fulcrum.example.com');
      }
      return register(base.replace(/\/+$/, ''));
    }
    if (sub === 'list') return list();
    throw new Error('Usage: webhooks register <public base URL> | webhooks list');
  },
};

async function register(base: string): Promise<number> {
  const config = loadConfig();
  const store = await openStoreFromConfig(config);
  try {
    await registerWebhooks(store, leverFromConfig(config), base, (line) => console.log(line));
    console.log(
      '\nA Lever Super Admin must switch each event group on (Settings → Integrations and API → Webhooks) before Lever delivers.',
    );
    return 0;
  } finally {
    await store.close();
  }
}

/**
 * Registers every event Fulcrum needs at `base/webhooks/lever/<path token>` and stores the signature tokens. An event
 * counts as registered only when our row exists AND Lever still has that webhook (a reset emulator or a webhook
 * deleted in Lever is registered again). `npm start` calls this against the emulator.
 */
export async function registerWebhooks(
  store: Store,
  lever: LeverClient,
  base: string,
  log: (line: string) => void = () => {},
): Promise<void> {
  const prefix = `${base.replace(/\/+$/, '')}/webhooks/lever/`;
  const inLever = new Set((await lever.listWebhooks()).map((w) => w.id));
  const existing = await store.db.selectFrom('lever_webhooks').select(['id', 'event', 'url']).execute();
  for (const event of REGISTERED_EVENTS) {
    if (existing.some((w) => w.event === event && w.url.startsWith(prefix) && inLever.has(w.id))) {
      log(`  ${event.padEnd(24)} already registered`);
      continue;
    }
    const url = `${prefix}${randomUUID()}`;
    const created = await lever.createWebhook({ url, event });
    const signatureToken = created.configuration?.signatureToken;
    if (!signatureToken) {
      throw new Error(
        `Lever created webhook ${created.id} for ${event} without a signature token; delete it in Lever and retry.`,
      );
    }
    await store.db
      .insertInto('lever_webhooks')
      .values({ id: created.id, event, url, signature_token: signatureToken, created_at: Date.now() })
      .execute();
    log(`  ${event.padEnd(24)} registered (Lever id ${created.id})`);
  }
}

async function list(): Promise<number> {
  const config = loadConfig();
  const store = await openStoreFromConfig(config);
  try {
    const rows = await store.db
      .selectFrom('lever_webhooks')
      .select(['id', 'event', 'url', 'created_at'])
      .orderBy('created_at')
      .execute();
    let inLever: Set<string> | null = null;
    try {
      inLever = new Set((await leverFromConfig(config).listWebhooks()).map((w) => w.id));
    } catch (e) {
      console.log(`(Could not check Lever: ${(e as Error).message})`);
    }
    if (rows.length === 0)
      console.log('No webhooks registered. Run: npm run cli -- webhooks register <public base URL>');
    for (const r of rows) {
      const state = inLever === null ? '' : inLever.has(r.id) ? '  [in Lever]' : '  [MISSING in Lever]';
      console.log(`${r.event.padEnd(24)} ${r.id}  ${r.url}${state}`);
    }
    return 0;
  } finally {
    await store.close();
  }
}
