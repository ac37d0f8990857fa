import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type BetterSqlite3 from 'better-sqlite3';
import { z } from 'zod';
import { LeverAuthError, type OAuthTokenStore, type OAuthTokens } from '../lever/index.ts';
import { open, seal } from './secret-box.ts';

/**
 * Lever OAuth tokens in SQLite (table lever_oauth_connections, migration 0031), encrypted at rest (secret-box.ts),
 * with a refresh lock that holds ACROSS PROCESSES: a lease on the connection's row. Lever rotates the refresh token on
 * every refresh and invalidates the old one, so two processes (the backend and a CLI, or two backends on one
 * database) refreshing at once would leave one of them with a dead token and the tenant locked out. The lease makes
 * the second one wait; when it gets the lease it re-reads the row, finds the token the first one stored, and uses
 * that instead of refreshing again (oauth.ts refreshOnce).
 *
 * The lease is a plain UPDATE ... WHERE lease_until < now, atomic in SQLite; it expires by itself if its holder dies.
 */

export const DEFAULT_ACCOUNT = 'default';

export type ConnectionInfo = {
  connected: boolean;
  account: string;
  scope: string | null;
  connectedAt: number | null;
  connectedBy: string | null;
  accessTokenExpiresAt: number | null;
  updatedAt: number | null;
};

const TokensSchema = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1),
  expiresAt: z.number(),
});

type Row = {
  account: string;
  ciphertext: string;
  scope: string | null;
  connected_by: string | null;
  connected_at: number;
  updated_at: number;
  version: number;
  lease_owner: string | null;
  lease_until: number | null;
};

export type TokenStoreOptions = {
  account?: string;
  /** How long one refresh may hold the lease; it must outlive the token request (30 s timeout). */
  leaseMs?: number;
  /** How often a waiting process looks at the lease again. */
  pollMs?: number;
  now?: () => number;
};

export class SqliteOAuthTokenStore implements OAuthTokenStore {
  readonly account: string;
  private readonly owner = randomUUID();
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly now: () => number;

  /** `db` is called on every use, so a store can be built before the database is open (the CLI opens it lazily). */
  constructor(
    private readonly db: () => BetterSqlite3.Database,
    private readonly key: Buffer,
    opts: TokenStoreOptions = {},
  ) {
    this.account = opts.account ?? DEFAULT_ACCOUNT;
    this.leaseMs = opts.leaseMs ?? 60_000;
    this.pollMs = opts.pollMs ?? 50;
    this.now = opts.now ?? Date.now;
  }

  private aad(): string {
    return `lever-oauth:${this.account}`;
  }

  private row(): Row | undefined {
    return this.db().prepare('SELECT * FROM lever_oauth_connections WHERE account = ?').get(this.account) as
      | Row
      | undefined;
  }

  async load(): Promise<OAuthTokens> {
    const row = this.row();
    if (!row) {
      throw new LeverAuthError(
        'Fulcrum is not connected to Lever yet: a Fulcrum admin connects it with npm run cli -- lever connect (or Settings → Lever).',
      );
    }
    return TokensSchema.parse(JSON.parse(open(this.key, row.ciphertext, this.aad())));
  }

  async save(tokens: OAuthTokens): Promise<void> {
    const info = this.db()
      .prepare(
        'UPDATE lever_oauth_connections SET ciphertext = ?, updated_at = ?, version = version + 1 WHERE account = ?',
      )
      .run(seal(this.key, JSON.stringify(TokensSchema.parse(tokens)), this.aad()), this.now(), this.account);
    if (info.changes !== 1)
      throw new LeverAuthError('The Lever connection was removed while its tokens were refreshed.');
  }

  /** Stores the tokens of a (re)connection, replacing whatever was there. */
  connect(tokens: OAuthTokens, meta: { scope: string | null; connectedBy: string }): void {
    const now = this.now();
    this.db()
      .prepare(
        `INSERT INTO lever_oauth_connections (account, ciphertext, scope, connected_by, connected_at, updated_at, version)
         VALUES (?, ?, ?, ?, ?, ?, 1)
         ON CONFLICT(account) DO UPDATE SET ciphertext = excluded.ciphertext, scope = excluded.scope,
           connected_by = excluded.connected_by, connected_at = excluded.connected_at,
           updated_at = excluded.updated_at, version = lever_oauth_connections.version + 1`,
      )
      .run(
        this.account,
        seal(this.key, JSON.stringify(TokensSchema.parse(tokens)), this.aad()),
        meta.scope,
        meta.connectedBy,
        now,
        now,
      );
  }

  disconnect(): boolean {
    return this.db().prepare('DELETE FROM lever_oauth_connections WHERE account = ?').run(this.account).changes > 0;
  }

  /** What an admin may see about the connection: never a token. */
  info(): ConnectionInfo {
    const row = this.row();
    let expiresAt: number | null = null;
    if (row) {
      try {
        expiresAt = TokensSchema.parse(JSON.parse(open(this.key, row.ciphertext, this.aad()))).expiresAt;
      } catch {
        expiresAt = null; // unreadable with this key: reported as connected, expiry unknown
      }
    }
    return {
      connected: !!row,
      account: this.account,
      scope: row?.scope ?? null,
      connectedAt: row?.connected_at ?? null,
      connectedBy: row?.connected_by ?? null,
      accessTokenExpiresAt: expiresAt,
      updatedAt: row?.updated_at ?? null,
    };
  }

  /** Holds the row lease while `fn` runs; waits (up to one lease) for another holder to finish. */
  async withRefreshLock<T>(fn: () => Promise<T>): Promise<T> {
    const db = this.db();
    const take = db.prepare(
      `UPDATE lever_oauth_connections SET lease_owner = ?, lease_until = ?
       WHERE account = ? AND (lease_owner IS NULL OR lease_until IS NULL OR lease_until < ?)`,
    );
    const giveBack = db.prepare(
      'UPDATE lever_oauth_connections SET lease_owner = NULL, lease_until = NULL WHERE account = ? AND lease_owner = ?',
    );
    const deadline = this.now() + this.leaseMs + 5_000;
    for (;;) {
      const now = this.now();
      if (take.run(this.owner, now + this.leaseMs, this.account, now).changes === 1) break;
      if (!this.row()) return fn(); // not connected: load() inside fn says so
      if (now > deadline) {
        throw new LeverAuthError(
          'Another Fulcrum process has been refreshing the Lever token for too long; try again.',
        );
      }
      await sleep(this.pollMs);
    }
    try {
      return await fn();
    } finally {
      giveBack.run(this.account, this.owner);
    }
  }
}
