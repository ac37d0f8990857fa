import path from 'node:path';
import { z } from 'zod';

/**
 * Every setting Fulcrum reads from the environment, parsed once at start-up. A bad value stops the process with a
 * message naming the variable (see loadConfig). Defaults are the embedded ones: SQLite under ./data, the local AI
 * engine, and the Lever emulator when no LEVER_API_KEY is set.
 */
const port = z.coerce.number().int().min(0).max(65535);

/**
 * The Lever emulator's documented demo key (docs/lever.md; lever-emulator/server.ts has the same value). Anyone can
 * read it, so it is accepted only for an emulator on this machine.
 */
export const EMULATOR_DEFAULT_KEY = 'demo-emulator-key-0000';

/** A Host-header name: letters, digits, dots and dashes (IPv6 literals in brackets), with an optional port. */
const hostName = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/i;
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** The jurisdictions COMPLIANCE_JURISDICTIONS may name (utils/contracts/compliance.ts JurisdictionIdSchema). */
const COMPLIANCE_JURISDICTIONS = ['nyc-ll144', 'illinois-hb3773', 'colorado-ai-act', 'california-ads', 'eu-ai-act'];

export const ConfigSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(8787),
  FULCRUM_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.string().url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LEVER_API_KEY: z.string().min(1).optional(),
  LEVER_BASE_URL: z.string().url().optional(),
  LEVER_EMULATOR_PORT: port.default(8788),
  LEVER_EMULATOR_KEY: z.string().min(8).default(EMULATOR_DEFAULT_KEY),
  LEVER_RATE_PER_SECOND: z.coerce.number().positive().default(8),
  LEVER_BURST: z.coerce.number().int().positive().default(16),
  /**
   * Lever OAuth, for a Lever partner app (docs/lever-api.md §2.2): the app's client id and secret. With these and no
   * LEVER_API_KEY, Fulcrum calls Lever with the tokens a Lever Super Admin granted (`npm run cli -- lever connect`).
   */
  LEVER_OAUTH_CLIENT_ID: z.string().min(1).optional(),
  LEVER_OAUTH_CLIENT_SECRET: z.string().min(1).optional(),
  /** The callback URL registered with the Lever app; default http://127.0.0.1:PORT/oauth/lever/callback. */
  LEVER_OAUTH_REDIRECT_URI: z.string().url().optional(),
  /** Space-separated scopes; default lever/oauth.ts DEFAULT_LEVER_SCOPES (offline_access is always added). */
  LEVER_OAUTH_SCOPES: z.string().min(1).optional(),
  /** Authorization and token endpoints, when not the ones LEVER_BASE_URL implies (lever/oauth.ts leverOAuthEndpoints). */
  LEVER_OAUTH_AUTHORIZE_URL: z.string().url().optional(),
  LEVER_OAUTH_TOKEN_URL: z.string().url().optional(),
  /** 32 bytes (64 hex characters or base64) encrypting stored OAuth tokens (AES-256-GCM); required for OAuth. */
  FULCRUM_SECRET_KEY: z
    .string()
    .refine(
      (v) => /^[0-9a-f]{64}$/i.test(v.trim()) || Buffer.from(v.trim(), 'base64').length === 32,
      'must be 32 bytes: 64 hex characters or base64',
    )
    .optional(),
  AI_BASE_URL: z.string().url().optional(),
  AI_API_KEY: z.string().min(1).optional(),
  AI_MODEL: z.string().min(1).optional(),
  AI_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  /**
   * Embeddings for rediscovery's vector index and hybrid ranking (unset = keyword + skills only). The endpoint and
   * key default to AI_BASE_URL / AI_API_KEY; the key is only borrowed when the URL is too, so a key meant for one
   * provider is never sent to another.
   */
  EMBEDDINGS_MODEL: z.string().min(1).optional(),
  EMBEDDINGS_BASE_URL: z.string().url().optional(),
  EMBEDDINGS_API_KEY: z.string().min(1).optional(),
  /** Output size for models that can shorten their vectors (OpenAI text-embedding-3-*); unset = the model's own. */
  EMBEDDINGS_DIMENSIONS: z.coerce.number().int().min(8).max(8192).optional(),
  /** Texts per /embeddings request (OpenAI accepts up to 2048). */
  EMBEDDINGS_BATCH_SIZE: z.coerce.number().int().min(1).max(2048).default(128),
  EMBEDDINGS_TIMEOUT_MS: z.coerce.number().int().positive().default(20_000),
  /** Most points the semantic similarity adds to a rediscovery score (the match score is 0–100); 0 = no hybrid. */
  REDISCOVERY_SEMANTIC_WEIGHT: z.coerce.number().min(0).max(100).default(20),
  CORS_ORIGINS: z.string().default(''),
  API_RATE_PER_SECOND: z.coerce.number().positive().default(20),
  API_RATE_BURST: z.coerce.number().int().positive().default(40),
  /** Days a recruiter token lives from its issue (add, rotate); then it answers 401 until rotated. */
  TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  /**
   * The public URL of this backend when it is reached through a proxy or a DNS name (https://fulcrum.example.com):
   * its host joins the names the Host check accepts (http/host-check.ts).
   */
  PUBLIC_URL: z.string().url().optional(),
  /** More host names the Host check accepts, comma-separated (e.g. an internal name next to PUBLIC_URL's). */
  ALLOWED_HOSTS: z
    .string()
    .default('')
    .refine(
      (v) =>
        v
          .split(',')
          .map((h) => h.trim())
          .filter(Boolean)
          .every((h) => hostName.test(h)),
      'must be comma-separated host names (optionally with :port), without a scheme or path',
    ),
  WEBHOOK_REPLAY_WINDOW_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(10 * 60 * 1000),
  /** Talent-pool sync and new-posting poll interval; 0 turns the schedule off (`npm run cli -- sync` still works). */
  REDISCOVERY_SYNC_MINUTES: z.coerce.number().int().min(0).default(15),
  QUEUE_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /**
   * How long a running job is leased before another worker (or instance) may take it over. The SQLite queue renews
   * the lease while the handler runs; pg-boss does not, so on PostgreSQL it must exceed the longest job.
   */
  QUEUE_LEASE_SECONDS: z.coerce.number().int().min(5).max(86_400).default(900),
  /**
   * Hostile input (issue 15). Candidate text longer than RESUME_MAX_CHARS is cut there (and flagged on the match),
   * before redaction, scoring or embedding. PDF/DOCX parsing and local scoring run in SANDBOX_WORKERS worker threads,
   * each task within SANDBOX_TIMEOUT_MS and each worker within SANDBOX_MEMORY_MB of heap.
   */
  RESUME_MAX_CHARS: z.coerce.number().int().min(1_000).max(10_000_000).default(200_000),
  SANDBOX_WORKERS: z.coerce.number().int().min(1).max(32).default(2),
  SANDBOX_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  SANDBOX_MEMORY_MB: z.coerce.number().int().min(16).max(16_384).default(256),
  /** Offers: non-working days a start date may not fall on, comma-separated YYYY-MM-DD (weekends always count). */
  OFFER_HOLIDAYS: z
    .string()
    .regex(/^\s*(\d{4}-\d{2}-\d{2}\s*(,\s*\d{4}-\d{2}-\d{2}\s*)*)?$/, 'comma-separated YYYY-MM-DD dates')
    .default(''),
  /** Offers hand-off: where a hire's signed payload is POSTed (unset = no hand-off), and the HMAC-SHA256 secret. */
  HRIS_WEBHOOK_URL: z.string().url().optional(),
  HRIS_WEBHOOK_SECRET: z.string().min(16, 'at least 16 characters').optional(),
  FULCRUM_SKIP_EXTENSION_BUILD: bool.default(false),
  /**
   * Compliance kit (issue 21): jurisdictions this install hires in, comma-separated (nyc-ll144, illinois-hb3773,
   * colorado-ai-act, california-ads, eu-ai-act), for retention minimums until an admin sets them.
   */
  COMPLIANCE_JURISDICTIONS: z
    .string()
    .max(200)
    .refine(
      (v) => v.split(',').every((j) => !j.trim() || COMPLIANCE_JURISDICTIONS.includes(j.trim())),
      `a comma-separated list of ${COMPLIANCE_JURISDICTIONS.join(', ')}`,
    )
    .optional(),
  /** Where the built extension is (npm run dev builds the dev variant into .output/chrome-mv3-dev). */
  FULCRUM_EXTENSION_DIR: z.string().min(1).default('.output/chrome-mv3'),
});

export type Config = z.infer<typeof ConfigSchema> & { dataDir: string; useEmulator: boolean };

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable (`LEVER_API_KEY=`) means unset, as in most tools, rather than an invalid value.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = ConfigSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  if (c.EMBEDDINGS_MODEL && !c.EMBEDDINGS_BASE_URL && !c.AI_BASE_URL) {
    throw new ConfigError(
      'Invalid configuration:\n  EMBEDDINGS_MODEL: needs an OpenAI-compatible endpoint: set EMBEDDINGS_BASE_URL (or AI_BASE_URL)',
    );
  }
  refuseDemoKeyOutsideEmulator(c);
  if (c.LEVER_OAUTH_CLIENT_ID && !c.LEVER_API_KEY && (!c.LEVER_OAUTH_CLIENT_SECRET || !c.FULCRUM_SECRET_KEY)) {
    const missing = [
      !c.LEVER_OAUTH_CLIENT_SECRET && 'LEVER_OAUTH_CLIENT_SECRET',
      !c.FULCRUM_SECRET_KEY && 'FULCRUM_SECRET_KEY',
    ];
    throw new ConfigError(
      `Invalid configuration:\n  ${missing.filter(Boolean).join(', ')}: required with LEVER_OAUTH_CLIENT_ID (the OAuth app's secret, and the key that encrypts stored tokens)`,
    );
  }
  if (c.HRIS_WEBHOOK_URL && !c.HRIS_WEBHOOK_SECRET) {
    throw new ConfigError(
      'Invalid configuration:\n  HRIS_WEBHOOK_SECRET: required with HRIS_WEBHOOK_URL (the hand-off payload is signed with it)',
    );
  }
  // The emulator stands in for Lever only when no Lever credential of either kind is configured.
  return {
    ...c,
    dataDir: path.resolve(c.FULCRUM_DATA_DIR),
    useEmulator: !c.LEVER_API_KEY && !c.LEVER_OAUTH_CLIENT_ID,
  };
}

/** Loopback names and addresses: where `npm start` runs the emulator, and nothing anyone else can reach. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * The emulator's default key is public, so it is refused for any Lever URL that is not an emulator on this machine
 * (a loopback address): sent to a real Lever, or to an emulator others can reach, it is a default credential. The
 * URL is the one the Lever client will use (lever-config.ts): LEVER_BASE_URL, else the local emulator without a
 * LEVER_API_KEY, else Lever's production API.
 */
function refuseDemoKeyOutsideEmulator(c: z.infer<typeof ConfigSchema>): void {
  if (c.LEVER_OAUTH_CLIENT_ID && !c.LEVER_API_KEY) return; // OAuth: no API key is sent at all
  const key = c.LEVER_API_KEY ?? c.LEVER_EMULATOR_KEY;
  if (key !== EMULATOR_DEFAULT_KEY) return;
  const base = c.LEVER_BASE_URL ?? (c.LEVER_API_KEY ? 'https://api.lever.co/v1' : 'http://127.0.0.1/v1');
  if (isLoopbackHost(new URL(base).hostname)) return;
  const variable = c.LEVER_API_KEY ? 'LEVER_API_KEY' : 'LEVER_EMULATOR_KEY';
  throw new ConfigError(
    `Invalid configuration:\n  ${variable}: is the Lever emulator's public demo key (${EMULATOR_DEFAULT_KEY}), which is only accepted for an emulator on this machine, not for ${base}. ` +
      (c.LEVER_API_KEY
        ? 'Set LEVER_API_KEY to your Lever API key.'
        : 'Set LEVER_API_KEY to your Lever API key, or LEVER_EMULATOR_KEY to the key of the emulator at that URL.'),
  );
}
