import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { credentialHash, type RateBudget } from './rate-limit.ts';

/**
 * The budget table: one row per Lever credential (`id` is credentialHash(base URL + key), never the key), holding the
 * token balance and when it was last refilled. The balance may go negative: each negative unit is a caller already
 * holding a reservation and sleeping until its token is due, so callers are served in the order they reserved.
 *
 * Created by the numbered migrations (backend/store/migrations.ts, 0011_lever_rate_budget).
 */

/**
 * Refill by the time elapsed since the last refill (the database's clock, so every instance agrees), cap at the
 * burst, reserve one token, and return the new balance: one statement, so concurrent callers on any instance are
 * serialised by the row lock and never see the same token. A first caller creates the row with a full bucket.
 */
const TAKE_SQL = `
INSERT INTO lever_rate_budget AS b (id, tokens, last_refill) VALUES ($1, $3::double precision - 1, clock_timestamp())
ON CONFLICT (id) DO UPDATE SET
  tokens = least($3::double precision,
                 b.tokens + extract(epoch FROM clock_timestamp() - b.last_refill) * $2::double precision) - 1,
  last_refill = clock_timestamp()
RETURNING tokens`;

/**
 * One Lever rate budget per credential shared by every backend instance on the same PostgreSQL. `take()` reserves a
 * token in one round trip; when the balance went negative the caller sleeps exactly until its token is due (no
 * polling), and callers queue in reservation order across instances.
 */
export class PgRateBudget implements RateBudget {
  readonly id: string;

  constructor(
    private readonly db: pg.Pool,
    credential: string,
    readonly ratePerSecond: number,
    readonly burst: number,
  ) {
    if (!(ratePerSecond > 0) || !(burst >= 1)) throw new Error('PgRateBudget needs ratePerSecond > 0 and burst >= 1');
    this.id = credentialHash(credential);
  }

  /** For a Lever API key: the same credential string the in-process bucket uses (transport.ts). */
  static forApiKey(db: pg.Pool, baseUrl: string, apiKey: string, ratePerSecond: number, burst: number): PgRateBudget {
    return new PgRateBudget(db, `${baseUrl.replace(/\/+$/, '')}|key:${apiKey}`, ratePerSecond, burst);
  }

  async take(): Promise<void> {
    const r = await this.db.query<{ tokens: number }>(TAKE_SQL, [this.id, this.ratePerSecond, this.burst]);
    const tokens = Number(r.rows[0]?.tokens);
    if (tokens >= 0) return;
    await sleep((-tokens / this.ratePerSecond) * 1000);
  }
}
