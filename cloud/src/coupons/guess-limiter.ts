// Blunts brute-force guessing of coupon codes at the till: a fixed window of "points" per till key and
// per client address, where a lookup that finds nothing costs more than one that finds a coupon. In
// memory and per process, with a bounded number of tracked keys.

export interface GuessLimitOptions {
  /** Points allowed per window and key. */
  pointsMax: number;
  windowMs: number;
  /** Points a failed lookup (unknown or malformed code) costs; a found one costs 1. */
  failureCost: number;
  keysMax: number;
  now: () => number;
}

export class GuessLimiter {
  private readonly windows = new Map<string, { startMs: number; points: number }>();
  private readonly options: GuessLimitOptions;

  constructor(options: GuessLimitOptions) {
    this.options = options;
  }

  private current(key: string): { startMs: number; points: number } {
    const nowMs = this.options.now();
    const found = this.windows.get(key);
    if (found !== undefined && nowMs - found.startMs < this.options.windowMs) return found;
    this.windows.delete(key);
    if (this.windows.size >= this.options.keysMax) {
      // Forget the oldest: an attacker with many addresses only resets others' counts, never raises its own.
      const oldest = this.windows.keys().next();
      if (oldest.done !== true) this.windows.delete(oldest.value);
    }
    const fresh = { startMs: nowMs, points: 0 };
    this.windows.set(key, fresh);
    return fresh;
  }

  /** True when every key may try once more (each is below its points in this window). */
  allows(keys: readonly string[]): boolean {
    return keys.every((key) => this.current(key).points < this.options.pointsMax);
  }

  /** Records one lookup's outcome against every key. */
  charge(keys: readonly string[], failed: boolean): void {
    const cost = failed ? this.options.failureCost : 1;
    for (const key of keys) this.current(key).points += cost;
  }

  get size(): number {
    return this.windows.size;
  }
}
