import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { isLoopbackHost, loadConfig } from '../config.ts';
import { currentAccessToken, LEVER_BASE_URLS } from '../lever/index.ts';
import { leverFromConfig } from '../lever-config.ts';
import {
  type CallbackParams,
  ConnectError,
  completeConnect,
  type OAuthSettings,
  oauthSettings,
  requireSecretKey,
  startConnect,
} from '../lever-oauth/connect.ts';
import { DbOAuthTokenStore } from '../lever-oauth/token-store.ts';
import { openStoreFromConfig } from '../store/db.ts';
import type { CliCommand } from './commands.ts';

const USAGE = `Usage:
  npm run cli -- lever connect [--no-listen] [--timeout SECONDS]   connect Fulcrum to Lever with OAuth (a Lever partner app)
  npm run cli -- lever status                                     how Fulcrum reaches Lever (never prints a token)
  npm run cli -- lever contract [--opportunity ID] [--perform-as USER_ID]
                                                                  check this Lever account answers as Fulcrum expects`;

function notConfigured(): never {
  throw new Error(
    'Lever OAuth is not configured: set LEVER_OAUTH_CLIENT_ID, LEVER_OAUTH_CLIENT_SECRET and FULCRUM_SECRET_KEY ' +
      '(and LEVER_BASE_URL for a sandbox or EU account). See README, "A real Lever account".',
  );
}

/** The code (and state, error) from what an admin pasted: the whole callback address, or only the code. */
export function parsePasted(line: string, ownState: string): CallbackParams | null {
  const t = line.trim();
  if (!t) return null;
  if (/^https?:\/\//i.test(t) || t.startsWith('/') || t.startsWith('?')) {
    const u = new URL(t, 'http://pasted.invalid');
    const get = (k: string) => u.searchParams.get(k) ?? undefined;
    return {
      state: get('state') ?? ownState,
      code: get('code'),
      error: get('error'),
      errorDescription: get('error_description'),
    };
  }
  return /^[\w.~+/=-]{4,2000}$/.test(t) ? { state: ownState, code: t } : null;
}

async function listenForCallback(
  settings: OAuthSettings,
  onParams: (p: CallbackParams) => Promise<{ ok: boolean; message: string }>,
): Promise<{ close(): void } | null> {
  const target = new URL(settings.redirectUri);
  if (target.protocol !== 'http:' || !isLoopbackHost(target.hostname)) return null;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', settings.redirectUri);
    if (url.pathname !== target.pathname) {
      res.writeHead(404).end();
      return;
    }
    const get = (k: string) => url.searchParams.get(k) ?? undefined;
    void onParams({
      state: get('state'),
      code: get('code'),
      error: get('error'),
      errorDescription: get('error_description'),
    }).then((r) => {
      const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
      res
        .writeHead(r.ok ? 200 : 400, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
        .end(
          `<!doctype html><meta charset="utf-8"><h1>${r.ok ? 'Fulcrum is connected to Lever' : 'Not connected'}</h1><p>${esc(r.message)}</p>`,
        );
    });
  });
  const port = Number(target.port || 80);
  const ok = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false)); // the port is taken: the backend is running and takes the callback
    server.listen(port, target.hostname === 'localhost' ? '127.0.0.1' : target.hostname.replace(/^\[|\]$/g, ''), () =>
      resolve(true),
    );
  });
  return ok ? { close: () => server.close() } : null;
}

async function connect(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { 'no-listen': { type: 'boolean' }, timeout: { type: 'string' } } });
  const timeoutS = values.timeout === undefined ? 600 : Number(values.timeout);
  if (!Number.isInteger(timeoutS) || timeoutS < 1)
    throw new Error(`--timeout must be a whole number of seconds, got "${values.timeout}"`);
  const config = loadConfig();
  if (config.LEVER_API_KEY) {
    throw new Error(
      'LEVER_API_KEY is set, so Fulcrum uses that key and would ignore an OAuth connection. Unset it first.',
    );
  }
  const settings = oauthSettings(config) ?? notConfigured();
  const key = requireSecretKey(config);
  const store = await openStoreFromConfig(config);
  try {
    const startedBy = `cli:${os.userInfo().username}`;
    const startedAt = Date.now();
    const started = await startConnect(store.db, settings, startedBy, startedAt);
    const stateHash = createHash('sha256').update(started.state).digest('hex');

    let settle!: (code: number) => void;
    const done = new Promise<number>((resolve) => {
      settle = resolve;
    });
    let finished = false;
    const finish = async (p: CallbackParams): Promise<{ ok: boolean; message: string }> => {
      if (finished) return { ok: false, message: 'This connection attempt is already finished.' };
      try {
        const r = await completeConnect(store.db, settings, key, p);
        finished = true;
        console.log(`\nConnected. Lever granted: ${r.scope ?? '(scopes not reported)'}`);
        settle(0);
        return { ok: true, message: 'You can close this tab and go back to the terminal.' };
      } catch (e) {
        if (!(e instanceof ConnectError)) throw e;
        console.error(`\n${e.message}`);
        if (e.kind !== 'state') {
          finished = true;
          settle(1);
        }
        return { ok: false, message: e.message };
      }
    };

    const listener = values['no-listen'] ? null : await listenForCallback(settings, finish);
    console.log(
      [
        'Connect Fulcrum to Lever',
        '',
        '1. Open this address as a Lever Super Admin and allow Fulcrum access to the account:',
        '',
        `   ${started.authorizeUrl}`,
        '',
        `2. Lever then sends the browser to ${settings.redirectUri}`,
        listener
          ? '   This command is listening there and finishes by itself.'
          : '   If the Fulcrum backend serves that address, it records the connection and this command notices.',
        '   Otherwise paste the whole address from the browser (or only the code) here and press Enter.',
        '',
        `The link works once and expires at ${new Date(started.expiresAt).toLocaleTimeString()}. Waiting…`,
      ].join('\n'),
    );

    // The backend's own callback route may complete the flow: watch for the state being used.
    let polling = false;
    const watch = async () => {
      const row = await store.db
        .selectFrom('lever_oauth_states')
        .select('used_at')
        .where('state_hash', '=', stateHash)
        .executeTakeFirst();
      if (finished || !row?.used_at) return;
      const info = await new DbOAuthTokenStore(() => store.db, key).info();
      if (finished) return;
      finished = true;
      if (info.connected && (info.connectedAt ?? 0) >= startedAt) {
        console.log(`\nConnected (the backend received Lever's answer). Lever granted: ${info.scope ?? '?'}`);
        settle(0);
      } else {
        console.error(
          "\nThe backend received Lever's answer but stored no connection (access denied, or the exchange failed): see the browser.",
        );
        settle(1);
      }
    };
    const poll = setInterval(() => {
      if (polling || finished) return;
      polling = true;
      watch()
        .catch((e: unknown) => console.error(`\nCould not read the connection state: ${(e as Error).message}`))
        .finally(() => {
          polling = false;
        });
    }, 500);
    const rl = process.stdin.isTTY || !process.stdin.readableEnded ? createInterface({ input: process.stdin }) : null;
    rl?.on('line', (line) => {
      const p = parsePasted(line, started.state);
      if (!p)
        console.error('That is neither the callback address nor a code; paste the whole address from the browser.');
      else void finish(p);
    });
    const timer = setTimeout(() => {
      if (finished) return;
      console.error(`\nNo answer from Lever within ${timeoutS} s. Run the command again for a new link.`);
      finished = true;
      settle(1);
    }, timeoutS * 1000);

    const code = await done;
    clearInterval(poll);
    clearTimeout(timer);
    rl?.close();
    listener?.close();
    if (code === 0) {
      // Proof that the stored tokens work: one cheap read with them.
      const stages = await leverFromConfig(config, { db: () => store.db }).listStages();
      console.log(
        `Lever answered with the tokens: ${stages.length} pipeline stages. Fulcrum can use this account now.`,
      );
    }
    return code;
  } finally {
    await store.close();
  }
}

async function status(): Promise<number> {
  const config = loadConfig();
  const base = config.LEVER_BASE_URL ?? (config.useEmulator ? 'the local emulator' : LEVER_BASE_URLS.production);
  if (config.LEVER_API_KEY) {
    console.log(`Lever: API key (HTTP Basic) at ${base}.`);
    return 0;
  }
  if (!config.LEVER_OAUTH_CLIENT_ID) {
    console.log(`Lever: ${base} (no LEVER_API_KEY and no OAuth app configured).`);
    return 0;
  }
  const key = requireSecretKey(config);
  const store = await openStoreFromConfig(config);
  try {
    const info = await new DbOAuthTokenStore(() => store.db, key).info();
    if (!info.connected) {
      console.log(
        `Lever: OAuth app ${config.LEVER_OAUTH_CLIENT_ID} at ${base}, NOT connected: run npm run cli -- lever connect.`,
      );
      return 1;
    }
    const at = (ms: number | null) => (ms === null ? '?' : new Date(ms).toISOString());
    console.log(
      [
        `Lever: OAuth at ${base}, connected by ${info.connectedBy ?? '?'} on ${at(info.connectedAt)}.`,
        `  Scopes: ${info.scope ?? '?'}`,
        `  Access token valid until ${at(info.accessTokenExpiresAt)} (refreshed automatically; tokens are stored encrypted).`,
      ].join('\n'),
    );
    return 0;
  } finally {
    await store.close();
  }
}

/** Runs the contract suite (tests/backend/lever-contract.test.ts) against this install's Lever account. */
async function contract(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { opportunity: { type: 'string' }, 'perform-as': { type: 'string' } },
  });
  const config = loadConfig();
  const env: Record<string, string> = {};
  let store: Awaited<ReturnType<typeof openStoreFromConfig>> | undefined;
  try {
    if (config.LEVER_API_KEY) {
      env.LEVER_CONTRACT_KEY = config.LEVER_API_KEY;
      env.LEVER_CONTRACT_BASE_URL = config.LEVER_BASE_URL ?? LEVER_BASE_URLS.production;
    } else if (config.LEVER_OAUTH_CLIENT_ID) {
      const settings = oauthSettings(config) ?? notConfigured();
      const opened = await openStoreFromConfig(config);
      store = opened;
      const tokens = new DbOAuthTokenStore(() => opened.db, requireSecretKey(config));
      env.LEVER_CONTRACT_TOKEN = await currentAccessToken({
        kind: 'oauth',
        tokens,
        clientId: settings.clientId,
        clientSecret: settings.clientSecret,
        tokenUrl: settings.endpoints.tokenUrl,
      });
      env.LEVER_CONTRACT_BASE_URL = settings.apiBaseUrl;
    } else {
      console.log(
        'No Lever account is configured (LEVER_API_KEY or LEVER_OAUTH_CLIENT_ID): checking the emulator only.',
      );
    }
  } finally {
    await store?.close();
  }
  if (values.opportunity) env.LEVER_CONTRACT_OPPORTUNITY = values.opportunity;
  if (values['perform-as']) env.LEVER_CONTRACT_PERFORM_AS = values['perform-as'];
  if (env.LEVER_CONTRACT_BASE_URL) {
    console.log(
      `Checking ${env.LEVER_CONTRACT_BASE_URL} against Lever's documented shapes (read-only${values.opportunity ? `; writes only on ${values.opportunity}` : ''})…`,
    );
  }
  const root = path.resolve(import.meta.dirname, '../..');
  const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');
  return new Promise<number>((resolve) => {
    const child = spawn(
      process.execPath,
      [vitest, 'run', '--project', 'backend', 'tests/backend/lever-contract.test.ts'],
      { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } },
    );
    child.on('error', () => {
      console.error('Could not start vitest: run npm install (with dev dependencies) in the Fulcrum checkout first.');
      resolve(1);
    });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

export const leverCommand: CliCommand = {
  summary: 'Lever account: connect with OAuth, show how Fulcrum reaches Lever, run the contract check',
  async run(args) {
    const [sub, ...rest] = args;
    if (sub === 'connect') return connect(rest);
    if (sub === 'status') return status();
    if (sub === 'contract') return contract(rest);
    console.error(USAGE);
    return 2;
  },
};
