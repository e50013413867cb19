// Milliseconds spent per statement of the redemption transaction, for the benchmark's profile
// (RedemptionProfile.databaseSteps): each statement under what it does ("insert redemptions", "select
// decks", …; the advisory locks are "other").
import { performance } from 'node:perf_hooks';
import type { Database } from '../db/client.ts';

/** Process-wide: a service reports what accrued since it started. */
export const redeemStepMs: Record<string, number> = {};

/** What a statement does, from its first words: "insert redemptions", "select decks", … */
function statementName(query: unknown): string {
  const chunks = (query as { queryChunks?: unknown[] }).queryChunks ?? [];
  const text = chunks
    .map((chunk) => (chunk as { value?: unknown }).value)
    .filter((value): value is string[] => Array.isArray(value))
    .map((value) => value.join(''))
    .join(' ');
  // The first table named: a row source such as `unnest(…)`, `cross join lateral (…)` or a
  // subquery is not one.
  const found =
    /\b(insert into|update|delete from|from|join)\s+(?!(?:cross|lateral|unnest|select)\b)([a-z_]\w*)/i.exec(
      text,
    );
  if (found === null) return 'other';
  const verb = found[1]?.toLowerCase().split(' ')[0] ?? '';
  return `${verb === 'from' || verb === 'join' ? 'select' : verb} ${found[2] ?? ''}`;
}

/**
 * The transaction with each statement timed under what it does. Statements may be sent before the
 * previous one answers; they run one after another on the transaction's connection, so a statement's
 * own time runs from the later of its sending and the previous answer, not from its sending.
 */
export function instrumented(tx: Database): Database {
  let previousAnswerMs = 0;
  return new Proxy(tx, {
    get(target, property, receiver) {
      if (property === 'execute') {
        return async (query: Parameters<Database['execute']>[0]) => {
          const sentMs = performance.now();
          try {
            return await target.execute(query);
          } finally {
            const answeredMs = performance.now();
            const step = statementName(query);
            redeemStepMs[step] = (redeemStepMs[step] ?? 0) + answeredMs - Math.max(sentMs, previousAnswerMs);
            previousAnswerMs = answeredMs;
          }
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
