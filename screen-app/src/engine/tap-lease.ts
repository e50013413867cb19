// The screen's single counter lease. A challenge names the counter its tap will get, and counters are
// gapless, so only one exchange may sit between challenge and commit at a time (docs/protocol.md §3.2).
// Other readers wait in a short FIFO queue instead of being refused; a holder that never finishes loses
// the lease when it expires, and its later commit is refused as stale.
import { assert } from '@redtap/shared';

/** Starts a timer and returns its cancel function; injected so tests drive time by hand. */
export type StartTimer = (callback: () => void, delayMs: number) => () => void;

export const realTimer: StartTimer = (callback, delayMs) => {
  const handle = setTimeout(callback, delayMs);
  handle.unref();
  return () => clearTimeout(handle);
};

export interface TapLeaseOptions {
  /** A holder older than this loses the lease; longer than the driver's 500 ms exchange budget. */
  leaseMs: number;
  /** How long a second reader waits for the lease before giving up. */
  waitMaxMs: number;
  waitersMax: number;
  startTimer: StartTimer;
  /** Called when a holder's lease runs out, so the owner can forget that session. */
  onExpired: (grant: number) => void;
}

interface Waiter {
  resolve: (grant: number | null) => void;
  cancelTimer: () => void;
  detachSignal: () => void;
}

export class TapLease {
  private readonly options: TapLeaseOptions;
  private holder: number | null = null;
  private cancelExpiry: (() => void) | null = null;
  private nextGrant = 1;
  private readonly waiters: Waiter[] = [];

  constructor(options: TapLeaseOptions) {
    assert(options.leaseMs > 0 && options.waitMaxMs >= 0 && options.waitersMax >= 0, 'bad lease limits');
    this.options = options;
  }

  get held(): boolean {
    return this.holder !== null;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /** Resolves to a grant id, or null when the wait timed out, was aborted or the queue is full. */
  acquire(signal?: AbortSignal): Promise<number | null> {
    if (signal?.aborted === true) return Promise.resolve(null);
    if (this.holder === null) return Promise.resolve(this.grant());
    if (this.waiters.length >= this.options.waitersMax) return Promise.resolve(null);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        resolve,
        cancelTimer: () => undefined,
        detachSignal: () => undefined,
      };
      const giveUp = (): void => {
        const index = this.waiters.indexOf(waiter);
        if (index === -1) return;
        this.waiters.splice(index, 1);
        waiter.cancelTimer();
        waiter.detachSignal();
        resolve(null);
      };
      waiter.cancelTimer = this.options.startTimer(giveUp, this.options.waitMaxMs);
      if (signal !== undefined) {
        signal.addEventListener('abort', giveUp, { once: true });
        waiter.detachSignal = () => signal.removeEventListener('abort', giveUp);
      }
      this.waiters.push(waiter);
    });
  }

  /** True if `grant` still holds the lease. */
  holds(grant: number): boolean {
    return this.holder === grant;
  }

  /** Releases the lease if `grant` holds it and hands it to the next waiter; otherwise a no-op. */
  release(grant: number): void {
    if (this.holder !== grant) return;
    this.cancelExpiry?.();
    this.cancelExpiry = null;
    this.holder = null;
    const next = this.waiters.shift();
    if (next === undefined) return;
    next.cancelTimer();
    next.detachSignal();
    next.resolve(this.grant());
  }

  private grant(): number {
    assert(this.holder === null, 'lease granted twice');
    const grant = this.nextGrant++;
    this.holder = grant;
    this.cancelExpiry = this.options.startTimer(() => {
      if (this.holder !== grant) return;
      this.options.onExpired(grant);
      this.release(grant);
    }, this.options.leaseMs);
    return grant;
  }
}
