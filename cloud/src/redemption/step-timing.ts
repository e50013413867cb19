// Milliseconds spent per statement of the redemption transaction, for the benchmark's profile
// (RedemptionProfile.databaseSteps): s01 = advisory locks, then each statement in order, and `ledger`.
import { performance } from 'node:perf_hooks';
import type { Database } from '../db/client.ts';

/** Process-wide: a service reports what accrued since it started. */
export const redeemStepMs: Record<string, number> = {};

export async function timed<T>(step: string, work: Promise<T>): Promise<T> {
  const startMs = performance.now();
  try {
    return await work;
  } finally {
    redeemStepMs[step] = (redeemStepMs[step] ?? 0) + performance.now() - startMs;
  }
}

/** The transaction with each statement timed under its position in the sequence (s01, s02, …). */
export function instrumented(tx: Database): Database {
  let step = 0;
  return new Proxy(tx, {
    get(target, property, receiver) {
      if (property === 'execute') {
        return (query: Parameters<Database['execute']>[0]) => {
          step += 1;
          return timed(`s${String(step).padStart(2, '0')}`, target.execute(query));
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
