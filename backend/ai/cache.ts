/**
 * Cache of LLM answers keyed by the sha256 of the redacted request. The backend supplies a SQLite-backed
 * implementation; `MemoryLruCache` is the default and the one tests use. Values are plain JSON (the model's
 * redacted structured answer, its usage and time), hold no PII, and are re-validated on read, so a stale or
 * foreign entry is ignored rather than trusted.
 */
export interface AiCache {
  get(hash: string): unknown | undefined | Promise<unknown | undefined>;
  set(hash: string, value: unknown): void | Promise<void>;
}

export class MemoryLruCache implements AiCache {
  private readonly entries = new Map<string, unknown>();
  constructor(private readonly capacity = 500) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
  }

  get(hash: string): unknown | undefined {
    if (!this.entries.has(hash)) return undefined;
    const value = this.entries.get(hash);
    // Re-inserting moves the key to the end of Map iteration order: the most recently used.
    this.entries.delete(hash);
    this.entries.set(hash, value);
    return value;
  }

  set(hash: string, value: unknown): void {
    this.entries.delete(hash);
    this.entries.set(hash, value);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
