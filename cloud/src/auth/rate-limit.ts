// A fixed-window rate limiter keyed by client (IP) with a bounded number of tracked keys.
// In memory and per process: enough to blunt guessing of enrolment codes and passwords on one node.

export interface RateLimitOptions {
  limit: number;
  windowMs: number;
  /** When full, the oldest key is forgotten: an attacker with many IPs only resets others' counts. */
  keysMax: number;
  now: () => number;
}

export class FixedWindowRateLimiter {
  private readonly windows = new Map<string, { startMs: number; count: number }>();
  private readonly options: RateLimitOptions;

  constructor(options: RateLimitOptions) {
    this.options = options;
  }

  /** Counts one attempt; false when the key is over its limit in this window. */
  take(key: string): boolean {
    const nowMs = this.options.now();
    const current = this.windows.get(key);
    if (current === undefined || nowMs - current.startMs >= this.options.windowMs) {
      this.windows.delete(key);
      if (this.windows.size >= this.options.keysMax) {
        const oldest = this.windows.keys().next();
        if (oldest.done !== true) this.windows.delete(oldest.value);
      }
      this.windows.set(key, { startMs: nowMs, count: 1 });
      return true;
    }
    current.count += 1;
    return current.count <= this.options.limit;
  }

  get size(): number {
    return this.windows.size;
  }
}
