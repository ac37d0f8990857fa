import type { Availability, AvailabilityQuery, AvailabilitySource } from './types.ts';

/**
 * Availability cached per source and query (window and zone), for `ttlMs`; `refresh: true` reads the source again.
 * Bounded (least recently used out first); one read in flight per key, so a burst of panels asking for the same
 * interviewer makes one request.
 */
export class AvailabilityCache {
  private readonly entries = new Map<string, { at: number; value: Promise<Availability> }>();

  constructor(
    private readonly ttlMs = 5 * 60_000,
    private readonly maxEntries = 500,
    private readonly now: () => number = Date.now,
  ) {}

  get(
    key: string,
    source: AvailabilitySource,
    q: AvailabilityQuery,
    opts: { refresh?: boolean } = {},
  ): Promise<Availability> {
    const k = `${key}\n${q.from}\n${q.to}\n${q.timeZone}`;
    const hit = this.entries.get(k);
    const t = this.now();
    if (hit && !opts.refresh && t - hit.at < this.ttlMs) {
      this.entries.delete(k);
      this.entries.set(k, hit);
      return hit.value;
    }
    const value = source.busy(q);
    this.entries.set(k, { at: t, value });
    value.catch(() => {
      if (this.entries.get(k)?.value === value) this.entries.delete(k);
    });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return value;
  }

  /** Forgets everything cached for `key` (its configuration changed). */
  forget(key: string): void {
    for (const k of [...this.entries.keys()]) if (k.startsWith(`${key}\n`)) this.entries.delete(k);
  }
}
