// Blunts brute-force guessing of coupon codes at the till with a fixed window of "points", where a
// lookup that finds nothing costs more than one that finds a coupon. A lookup reserves the worst-case
// cost before it runs and gets the difference back when it finds a coupon, so parallel requests cannot
// overdraw a budget (checking before and charging after let hundreds through at once).
//
// This module is the per-address layer: in memory, per process, bounded. When the table is full the
// oldest address is forgotten, which only ever resets an address's own count. A till key's budget is not
// kept here but in the database (services/till-guess-budget.ts), shared by every process, so no flood of
// addresses can evict it.

export interface GuessLimitOptions {
  /** Points allowed per window and key. */
  pointsMax: number;
  windowMs: number;
  /** Points a failed lookup (unknown or malformed code) costs; a found one costs 1. */
  failureCost: number;
  keysMax: number;
  now: () => number;
}

/** A reservation to settle once the lookup's outcome is known. */
export interface GuessReservation {
  key: string;
  windowStartMs: number;
  cost: number;
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
      const oldest = this.windows.keys().next();
      if (oldest.done !== true) this.windows.delete(oldest.value);
    }
    const fresh = { startMs: nowMs, points: 0 };
    this.windows.set(key, fresh);
    return fresh;
  }

  /**
   * Reserves a failed lookup's cost against the key, in one synchronous step; null (and nothing charged)
   * when the key has used its points in this window.
   */
  reserve(key: string): GuessReservation | null {
    const window = this.current(key);
    if (window.points >= this.options.pointsMax) return null;
    window.points += this.options.failureCost;
    return { key, windowStartMs: window.startMs, cost: this.options.failureCost };
  }

  /** Gives back `points` of a reservation (all of it when no answer was given, all but 1 for a hit). */
  refund(reservation: GuessReservation, points: number): void {
    const window = this.windows.get(reservation.key);
    if (window === undefined || window.startMs !== reservation.windowStartMs) return;
    window.points = Math.max(0, window.points - Math.min(points, reservation.cost));
  }

  get size(): number {
    return this.windows.size;
  }
}
