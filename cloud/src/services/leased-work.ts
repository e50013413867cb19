// What every desired-state dispatcher shares (screen configs, decks, broker identities, claim notices):
// a broker call bounded by a timeout, a bounded pool of workers over a claimed batch, and the backoff
// before a failed row is tried again. The SQL that claims, leases and records rows stays in each
// dispatcher: its tables and conditions differ.
import { nodeTimers, type PollerTimers } from './poller.ts';

/** Rejects after `timeoutMs` unless `promise` settled first (the call itself is not cancelled). */
export function withTimeout<T>(
  promise: Promise<T>,
  timeoutMs: number,
  what: string,
  timers: PollerTimers = nodeTimers,
): Promise<T> {
  let handle: unknown;
  const timeout = new Promise<never>((_, reject) => {
    handle = timers.setTimeout(
      () => reject(new Error(`${what} timed out after ${String(timeoutMs)} ms`)),
      timeoutMs,
    );
  });
  return Promise.race([promise, timeout]).finally(() => timers.clearTimeout(handle));
}

/** Runs `work` over `items`, at most `concurrency` at a time; `work` handles its own failures. */
export async function runPool<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(concurrency, 1), items.length) }, worker));
}

export interface BackoffLimits {
  /** The first retry after a failure; doubled per further failure up to backoffMaxMs. */
  backoffBaseMs: number;
  backoffMaxMs: number;
}

/** The delay before retry number `attempts` (1 = the first failure): exponential, with equal jitter. */
export function backoffMs(attempts: number, limits: BackoffLimits, random: () => number): number {
  const ceiling = Math.min(limits.backoffMaxMs, limits.backoffBaseMs * 2 ** Math.min(attempts - 1, 30));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

/** A failure as stored in a row's last_error (bounded). */
export function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 500);
}
