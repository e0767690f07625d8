/**
 * Built read models served from memory for a short time. With thousands of targets the status JSON and the status
 * page take milliseconds to build, and a second of staleness is invisible next to a 15 s check interval. A reload or
 * a maintenance change clears it: what was built from the previous state is not served again.
 */
export class ReadCache {
  private readonly entries = new Map<string, { at: number; value: string }>();

  /** ttlMs 0 turns caching off. */
  constructor(
    private readonly now: () => number,
    private readonly ttlMs: number,
  ) {}

  /** The value built less than ttlMs ago, or a fresh one. */
  get(key: string, build: () => string): string {
    const now = this.now();
    const hit = this.entries.get(key);
    if (this.ttlMs > 0 && hit && now - hit.at < this.ttlMs) return hit.value;
    const value = build();
    this.entries.set(key, { at: now, value });
    return value;
  }

  clear(): void {
    this.entries.clear();
  }
}
