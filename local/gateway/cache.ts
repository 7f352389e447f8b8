/**
 * A TTL cache for authorizer results (aws-semantics.md §2 "Caching", §4 "Caching").
 * Entries expire `ttlSeconds` after they were stored; expired entries are dropped on read.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();

  constructor(private readonly now: () => number) {}

  /** The live value for `key`, or undefined. */
  get(key: string): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  /** Stores `value` for `ttlSeconds` (no-op when ttlSeconds <= 0). */
  set(key: string, value: V, ttlSeconds: number): void {
    if (ttlSeconds <= 0) return;
    this.entries.set(key, { value, expiresAt: this.now() + ttlSeconds * 1000 });
  }
}
