/**
 * Per-key token buckets for the HTTP API: `ratePerSecond` steady, `burst` at most. Memory is bounded twice over:
 * at most `maxKeys` buckets are held (the least recently used one is dropped when a new key would exceed that; a
 * dropped bucket only means that key starts again from a full burst), and idle buckets (full again) are dropped on a
 * periodic sweep. Callers choose keys that an attacker cannot multiply cheaply (http/auth.ts: the hash of a token
 * that authenticated, else the client address).
 */
export const DEFAULT_MAX_KEYS = 10_000;

export class KeyedRateLimiter {
  /** Insertion order is recency order: a bucket is re-inserted on every use, so the first key is the coldest. */
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private lastSweep = 0;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
    private readonly maxKeys = DEFAULT_MAX_KEYS,
  ) {}

  /** Buckets held right now (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  /** Takes one token for `key`; false when the key is over its rate. */
  take(key: string): boolean {
    const t = this.now();
    this.sweep(t);
    const b = this.refilled(key, t) ?? { tokens: this.burst, at: t };
    const ok = b.tokens >= 1;
    if (ok) b.tokens -= 1;
    this.buckets.delete(key);
    this.buckets.set(key, b);
    while (this.buckets.size > this.maxKeys) {
      const coldest = this.buckets.keys().next().value;
      if (coldest === undefined) break;
      this.buckets.delete(coldest);
    }
    return ok;
  }

  /** Whether `key` could take a token now, without taking one or creating a bucket for it. */
  peek(key: string): boolean {
    const b = this.refilled(key, this.now());
    return b === undefined || b.tokens >= 1;
  }

  private refilled(key: string, t: number): { tokens: number; at: number } | undefined {
    const b = this.buckets.get(key);
    if (!b) return undefined;
    b.tokens = Math.min(this.burst, b.tokens + ((t - b.at) / 1000) * this.ratePerSecond);
    b.at = t;
    return b;
  }

  private sweep(t: number): void {
    if (t - this.lastSweep < 60_000) return;
    this.lastSweep = t;
    const refill = (this.burst / this.ratePerSecond) * 1000;
    for (const [k, b] of this.buckets) if (t - b.at > refill) this.buckets.delete(k);
  }
}
