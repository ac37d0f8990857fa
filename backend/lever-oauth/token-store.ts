import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { LeverAuthError, type OAuthTokenStore, type OAuthTokens } from '../lever/index.ts';
import type { Database } from '../store/schema.ts';
import { open, seal } from './secret-box.ts';

/**
 * Lever OAuth tokens in the store (table lever_oauth_connections, migration 0007), encrypted at rest (secret-box.ts),
 * with a refresh lock that holds ACROSS PROCESSES: a lease on the connection's row. Lever rotates the refresh token on
 * every refresh and invalidates the old one, so two processes (the backend and a CLI, or two backends on one
 * database) refreshing at once would leave one of them with a dead token and the tenant locked out. The lease makes
 * the second one wait; when it gets the lease it re-reads the row, finds the token the first one stored, and uses
 * that instead of refreshing again (oauth.ts refreshOnce).
 *
 * The lease is a plain UPDATE ... WHERE lease_until < now through Kysely, atomic on both engines (SQLite: one writer
 * at a time; PostgreSQL: the second UPDATE waits for the first's row lock, then re-checks the WHERE and matches
 * nothing), so it holds across processes and backend instances on one database. No transaction stays open while the
 * token request runs. It expires by itself if its holder dies.
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

export type TokenStoreOptions = {
  account?: string;
  /** How long one refresh may hold the lease; it must outlive the token request (30 s timeout). */
  leaseMs?: number;
  /** How often a waiting process looks at the lease again. */
  pollMs?: number;
  now?: () => number;
};

export class DbOAuthTokenStore implements OAuthTokenStore {
  readonly account: string;
  private readonly owner = randomUUID();
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly now: () => number;

  /** `db` is called on every use, so a store can be built before the database is open (the CLI opens it lazily). */
  constructor(
    private readonly db: () => Kysely<Database>,
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

  private row() {
    return this.db()
      .selectFrom('lever_oauth_connections')
      .selectAll()
      .where('account', '=', this.account)
      .executeTakeFirst();
  }

  private sealed(tokens: OAuthTokens): string {
    return seal(this.key, JSON.stringify(TokensSchema.parse(tokens)), this.aad());
  }

  async load(): Promise<OAuthTokens> {
    const row = await this.row();
    if (!row) {
      throw new LeverAuthError(
        'Fulcrum is not connected to Lever yet: a Fulcrum admin connects it with npm run cli -- lever connect (or Settings → Lever).',
      );
    }
    return TokensSchema.parse(JSON.parse(open(this.key, row.ciphertext, this.aad())));
  }

  async save(tokens: OAuthTokens): Promise<void> {
    const r = await this.db()
      .updateTable('lever_oauth_connections')
      .set((eb) => ({ ciphertext: this.sealed(tokens), updated_at: this.now(), version: eb('version', '+', 1) }))
      .where('account', '=', this.account)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1)
      throw new LeverAuthError('The Lever connection was removed while its tokens were refreshed.');
  }

  /** Stores the tokens of a (re)connection, replacing whatever was there. */
  async connect(tokens: OAuthTokens, meta: { scope: string | null; connectedBy: string }): Promise<void> {
    const now = this.now();
    const ciphertext = this.sealed(tokens);
    await this.db()
      .insertInto('lever_oauth_connections')
      .values({
        account: this.account,
        ciphertext,
        scope: meta.scope,
        connected_by: meta.connectedBy,
        connected_at: now,
        updated_at: now,
        version: 1,
      })
      .onConflict((oc) =>
        oc.column('account').doUpdateSet((eb) => ({
          ciphertext: eb.ref('excluded.ciphertext'),
          scope: eb.ref('excluded.scope'),
          connected_by: eb.ref('excluded.connected_by'),
          connected_at: eb.ref('excluded.connected_at'),
          updated_at: eb.ref('excluded.updated_at'),
          version: eb('lever_oauth_connections.version', '+', 1),
        })),
      )
      .execute();
  }

  async disconnect(): Promise<boolean> {
    const r = await this.db()
      .deleteFrom('lever_oauth_connections')
      .where('account', '=', this.account)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** What an admin may see about the connection: never a token. */
  async info(): Promise<ConnectionInfo> {
    const row = await this.row();
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

  /** Takes the lease when nobody holds a live one; true when this store holds it now. */
  private async take(now: number): Promise<boolean> {
    const r = await this.db()
      .updateTable('lever_oauth_connections')
      .set({ lease_owner: this.owner, lease_until: now + this.leaseMs })
      .where('account', '=', this.account)
      .where((eb) => eb.or([eb('lease_owner', 'is', null), eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Holds the row lease while `fn` runs; waits (up to one lease) for another holder to finish. */
  async withRefreshLock<T>(fn: () => Promise<T>): Promise<T> {
    const deadline = this.now() + this.leaseMs + 5_000;
    for (;;) {
      const now = this.now();
      if (await this.take(now)) break;
      if (!(await this.row())) return fn(); // not connected: load() inside fn says so
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
      await this.db()
        .updateTable('lever_oauth_connections')
        .set({ lease_owner: null, lease_until: null })
        .where('account', '=', this.account)
        .where('lease_owner', '=', this.owner)
        .execute();
    }
  }
}
