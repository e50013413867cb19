// The tap outbox as sync sees it: pending taps in counter order, acks, backlog and pruning.
import { and, asc, count, eq, inArray, lt, sql } from 'drizzle-orm';
import { assert, TAP_BATCH_SIZE_MAX, type AckResult, type AckStatus } from '@redtap/shared';
import { tapCounter, taps } from './schema/index.ts';
import type { Store } from './open-store.ts';

export interface PendingTap {
  counter: number;
  token: Uint8Array;
  attempts: number;
}

export interface StoredTap {
  counter: number;
  token: Uint8Array;
  walletId: number;
  campaignId: number;
  amountFen: number;
  couponOfferId: number;
  deckId: number;
  envelopeIndex: number | null;
  flags: number;
  createdAt: number;
  state: 'pending' | 'settled';
  ackStatus: AckStatus | null;
  ackCode: string | null;
  settledAt: number | null;
  attempts: number;
}

/** The oldest unsettled taps, at most one batch (docs/protocol.md §3.5). */
export function pendingTapsInCounterOrder(store: Store, limit: number): PendingTap[] {
  assert(
    Number.isInteger(limit) && limit >= 1 && limit <= TAP_BATCH_SIZE_MAX,
    `limit out of range: ${limit}`,
  );
  return store.db
    .select({ counter: taps.counter, token: taps.token, attempts: taps.attempts })
    .from(taps)
    .where(eq(taps.state, 'pending'))
    .orderBy(asc(taps.counter))
    .limit(limit)
    .all()
    .map((row) => ({ counter: row.counter, token: new Uint8Array(row.token), attempts: row.attempts }));
}

export function backlogCount(store: Store): number {
  const row = store.db.select({ n: count() }).from(taps).where(eq(taps.state, 'pending')).get();
  return row?.n ?? 0;
}

export function lastCommittedCounter(store: Store): number {
  const row = store.db
    .select({ lastCommitted: tapCounter.lastCommitted })
    .from(tapCounter)
    .where(eq(tapCounter.id, 1))
    .get();
  assert(row !== undefined, 'the counter row is created when the store opens');
  return row.lastCommitted;
}

export function getTap(store: Store, counter: number): StoredTap | null {
  const row = store.db.select().from(taps).where(eq(taps.counter, counter)).get();
  return row === undefined ? null : { ...row, token: new Uint8Array(row.token) };
}

/** Counts taps sent in a batch, so sync can back off per tap and operators see stuck ones. */
export function recordAttempts(store: Store, counters: readonly number[]): void {
  if (counters.length === 0) return;
  assert(counters.length <= TAP_BATCH_SIZE_MAX, 'one batch at a time');
  store.db
    .update(taps)
    .set({ attempts: sql`${taps.attempts} + 1` })
    .where(and(inArray(taps.counter, [...counters]), eq(taps.state, 'pending')))
    .run();
}

export interface SettleOutcome {
  /** Taps that became settled now. */
  settled: number;
  /** `retry` results: the taps stay pending and are resent. */
  retry: number;
  /** Results for taps already settled, pruned or never stored (duplicated or stray acks). */
  ignored: number;
}

/**
 * Applies one ack (docs/protocol.md §5.4) in a single transaction: every status but `retry` is final.
 * A settled tap is never touched again, so a duplicated ack cannot change a recorded result.
 */
export function markSettled(store: Store, results: readonly AckResult[], now: number): SettleOutcome {
  assert(results.length <= TAP_BATCH_SIZE_MAX, 'an ack holds at most one batch of results');
  const outcome: SettleOutcome = { settled: 0, retry: 0, ignored: 0 };
  store.db.transaction(
    (tx) => {
      for (const result of results) {
        const pending = and(eq(taps.counter, result.counter), eq(taps.state, 'pending'));
        if (result.status === 'retry') {
          const changed = tx.update(taps).set({ ackStatus: 'retry' }).where(pending).run().changes;
          if (changed === 1) outcome.retry++;
          else outcome.ignored++;
          continue;
        }
        const changed = tx
          .update(taps)
          .set({ state: 'settled', ackStatus: result.status, ackCode: result.code ?? null, settledAt: now })
          .where(pending)
          .run().changes;
        if (changed === 1) outcome.settled++;
        else outcome.ignored++;
      }
    },
    { behavior: 'immediate' },
  );
  return outcome;
}

export interface PruneOptions {
  now: number;
  /** Settled taps older than this are deleted; the cloud holds them for good by then. */
  retentionS: number;
  /** Rows per transaction, so pruning never holds the write lock long enough to delay a tap. */
  chunkSizeMax?: number;
  /** Chunks per call; the caller runs pruning again later for the rest. */
  chunksMax?: number;
}

/** Deletes settled taps past the retention window in bounded chunks; returns how many went. */
export function pruneSettledTaps(store: Store, options: PruneOptions): number {
  const chunkSizeMax = options.chunkSizeMax ?? 2_000;
  const chunksMax = options.chunksMax ?? 50;
  assert(chunkSizeMax >= 1 && chunksMax >= 1, 'prune limits must be positive');
  const cutoff = options.now - options.retentionS;
  let deleted = 0;
  for (let chunk = 0; chunk < chunksMax; chunk++) {
    const victims = store.db
      .select({ counter: taps.counter })
      .from(taps)
      .where(and(eq(taps.state, 'settled'), lt(taps.settledAt, cutoff)))
      .limit(chunkSizeMax);
    const changes = store.db.delete(taps).where(inArray(taps.counter, victims)).run().changes;
    deleted += changes;
    if (changes < chunkSizeMax) break;
  }
  return deleted;
}
