import { createHash } from 'node:crypto';

/**
 * Where a Lever request waits for its turn under the credential's rate limit. `take()` resolves when one request may
 * be sent. The in-process TokenBucket is the default; PgRateBudget (pg-rate-budget.ts) shares one budget per
 * credential across every backend instance on the same PostgreSQL.
 */
export interface RateBudget {
  take(): Promise<void>;
}

/** The budget's row key for a credential: a sha256 of base URL and key, so the key itself is never stored. */
export function credentialHash(credential: string): string {
  return createHash('sha256').update(credential).digest('hex');
}

/**
 * A token bucket: `ratePerSecond` tokens refill continuously up to `burst`. Callers reserve a token and wait until it
 * exists; reservations may drive the balance negative, which queues later callers FIFO without a waiter list.
 */
export class TokenBucket implements RateBudget {
  readonly ratePerSecond: number;
  readonly burst: number;
  private tokens: number;
  private last: number;

  constructor(
    ratePerSecond: number,
    burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(ratePerSecond > 0) || !(burst >= 1)) throw new Error('TokenBucket needs ratePerSecond > 0 and burst >= 1');
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
    this.tokens = burst;
    this.last = now();
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.ratePerSecond);
    this.last = t;
  }

  /** Takes a token if one is available now; never waits. For servers that answer 429 instead of queueing. */
  tryTake(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds the next caller would wait. */
  waitMs(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : ((1 - this.tokens) / this.ratePerSecond) * 1000;
  }

  /** Resolves when the caller may send one request. */
  take(signal?: AbortSignal): Promise<void> {
    this.refill();
    this.tokens -= 1;
    if (this.tokens >= 0) return Promise.resolve();
    const delay = (-this.tokens / this.ratePerSecond) * 1000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, delay);
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        this.tokens += 1; // give the reservation back so the queue behind does not wait for nothing
        reject(signal.reason);
      });
    });
  }
}

const shared = new Map<string, TokenBucket>();

/**
 * The one bucket for a credential in this process, so every client built for the same key shares Lever's limit.
 * The credential is hashed so keys do not sit in a map that might be dumped. The first caller's rate wins.
 */
export function sharedBucket(credential: string, ratePerSecond: number, burst: number): TokenBucket {
  const key = credentialHash(credential);
  let bucket = shared.get(key);
  if (!bucket) {
    bucket = new TokenBucket(ratePerSecond, burst);
    shared.set(key, bucket);
  }
  return bucket;
}

const perObject = new WeakMap<object, TokenBucket>();

/**
 * The one bucket for a credential held in an object (an OAuth token store: one per connected Lever account, so two
 * tenants of the same OAuth app do not share a limit).
 */
export function bucketForObject(owner: object, ratePerSecond: number, burst: number): TokenBucket {
  let bucket = perObject.get(owner);
  if (!bucket) {
    bucket = new TokenBucket(ratePerSecond, burst);
    perObject.set(owner, bucket);
  }
  return bucket;
}
