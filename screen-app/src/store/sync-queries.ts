// Outbox reads that sync needs beyond tap-queries: a cursor over pending taps, so several batches can be
// in flight at once, and the recent tap rate that sizes the next deck (docs/protocol.md §5.3).
import { and, asc, desc, eq, gt, gte, isNotNull } from 'drizzle-orm';
import type Database from 'better-sqlite3';
import { assert, TAP_BATCH_SIZE_MAX, type AckResult } from '@redtap/shared';
import { decks, taps } from './schema/index.ts';
import type { Store } from './open-store.ts';
import type { PendingTap, SettleOutcome } from './tap-queries.ts';

/** Unsettled taps with counter > afterCounter, in counter order, at most one batch. */
export function pendingTapsAfter(store: Store, afterCounter: number, limit: number): PendingTap[] {
  assert(
    Number.isInteger(limit) && limit >= 1 && limit <= TAP_BATCH_SIZE_MAX,
    `limit out of range: ${limit}`,
  );
  return store.db
    .select({ counter: taps.counter, token: taps.token, attempts: taps.attempts })
    .from(taps)
    .where(and(eq(taps.state, 'pending'), gt(taps.counter, afterCounter)))
    .orderBy(asc(taps.counter))
    .limit(limit)
    .all()
    .map((row) => ({ counter: row.counter, token: new Uint8Array(row.token), attempts: row.attempts }));
}

/**
 * Taps of a campaign committed at or after `since`, looking only at the newest `sampleMax` taps so the
 * query stays cheap on a store of a million rows (counters rise with time, so the newest are the recent).
 */
export function recentTapCount(store: Store, campaignId: number, since: number, sampleMax = 10_000): number {
  assert(Number.isInteger(sampleMax) && sampleMax >= 1, 'sampleMax must be positive');
  const row = store.sqlite
    .prepare(
      `SELECT count(*) AS n FROM (SELECT campaign_id, created_at FROM taps ORDER BY counter DESC LIMIT ?)
       WHERE campaign_id = ? AND created_at >= ?`,
    )
    .get(sampleMax, campaignId, since) as { n: number } | undefined;
  return row?.n ?? 0;
}

/** Close reports of decks closed since `closedSince`, newest first, to resend after a (re)connect. */
export function recentDeckCloseReports(
  store: Store,
  closedSince: number,
  limit = 64,
): { deckId: number; report: Uint8Array }[] {
  return store.db
    .select({ deckId: decks.deckId, report: decks.closeReport })
    .from(decks)
    .where(and(isNotNull(decks.closeReport), gte(decks.closedAt, closedSince)))
    .orderBy(desc(decks.closedAt))
    .limit(limit)
    .all()
    .flatMap((row) =>
      row.report === null ? [] : [{ deckId: row.deckId, report: new Uint8Array(row.report) }],
    );
}

interface SettleStatements {
  retry: Database.Statement<[number]>;
  settle: Database.Statement<[string, string | null, number, number]>;
  apply: (results: readonly AckResult[], now: number) => SettleOutcome;
}

const settleStatements = new WeakMap<Store, SettleStatements>();

/**
 * markSettled (tap-queries) with prepared statements: the same rules and the same single IMMEDIATE
 * transaction, without building 500 queries per ack. Draining a backlog of 100,000 taps applies 200
 * acks back to back, and the query builder's cost per row dominated the drain.
 */
export function settleAckResults(store: Store, results: readonly AckResult[], now: number): SettleOutcome {
  assert(results.length <= TAP_BATCH_SIZE_MAX, 'an ack holds at most one batch of results');
  let statements = settleStatements.get(store);
  if (statements === undefined) {
    const retry = store.sqlite.prepare<[number]>(
      "UPDATE taps SET ack_status = 'retry' WHERE counter = ? AND state = 'pending'",
    );
    const settle = store.sqlite.prepare<[string, string | null, number, number]>(
      "UPDATE taps SET state = 'settled', ack_status = ?, ack_code = ?, settled_at = ? WHERE counter = ? AND state = 'pending'",
    );
    const apply = store.sqlite.transaction((batch: readonly AckResult[], at: number): SettleOutcome => {
      const outcome: SettleOutcome = { settled: 0, retry: 0, ignored: 0 };
      for (const result of batch) {
        if (result.status === 'retry') {
          if (retry.run(result.counter).changes === 1) outcome.retry++;
          else outcome.ignored++;
          continue;
        }
        if (settle.run(result.status, result.code ?? null, at, result.counter).changes === 1)
          outcome.settled++;
        else outcome.ignored++;
      }
      return outcome;
    });
    statements = { retry, settle, apply: (batch, at) => apply.immediate(batch, at) };
    settleStatements.set(store, statements);
  }
  return statements.apply(results, now);
}
