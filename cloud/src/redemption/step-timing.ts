// Milliseconds spent per statement of the redemption transaction, for the benchmark's profile
// (RedemptionProfile.databaseSteps): each statement under what it does ("insert redemptions", "select
// decks", …; the advisory locks are "other"), and `ledger posting, whole` around the whole ledger
// posting: that entry includes its own statements (select ledger_accounts, insert ledger_transfers), so
// it is not added to the others; the transaction's total is timed apart (RedemptionStats.databaseMs).
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

/** What a statement does, from its first words: "insert redemptions", "select decks", … */
function statementName(query: unknown): string {
  const chunks = (query as { queryChunks?: unknown[] }).queryChunks ?? [];
  const text = chunks
    .map((chunk) => (chunk as { value?: unknown }).value)
    .filter((value): value is string[] => Array.isArray(value))
    .map((value) => value.join(''))
    .join(' ');
  const found = /\b(insert into|update|delete from|from)\s+(\w+)/i.exec(text);
  if (found === null) return 'other';
  const verb = found[1]?.toLowerCase().split(' ')[0] ?? '';
  return `${verb === 'from' ? 'select' : verb} ${found[2] ?? ''}`;
}

/** The transaction with each statement timed under what it does. */
export function instrumented(tx: Database): Database {
  return new Proxy(tx, {
    get(target, property, receiver) {
      if (property === 'execute') {
        return (query: Parameters<Database['execute']>[0]) =>
          timed(statementName(query), target.execute(query));
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
