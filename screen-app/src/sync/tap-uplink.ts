// The outbox sender (docs/protocol.md §3.5, §5.4): unsettled taps go up in batches, in counter order,
// with a bounded window of batches awaiting their ack. Acks settle taps in the store; `retry`, an ack
// timeout or a reconnect put taps back in line, behind a jittered exponential backoff. The SQLite outbox
// is the only truth: every in-memory structure here can be thrown away and rebuilt from it.
import { Ack, assert, encodeTapBatch, TAP_BATCH_SIZE_MAX, type AckResult } from '@redtap/shared';
import type { Logger } from 'pino';
import type { StartTimer } from '../engine/tap-lease.ts';
import type { Store } from '../store/open-store.ts';
import { isStoreUnavailable } from '../store/store-errors.ts';
import { pendingTapsAfter, settleAckResults } from '../store/sync-queries.ts';
import { recordAttempts, type SettleOutcome } from '../store/tap-queries.ts';
import { backoffDelayMs } from './backoff.ts';

export interface TapUplinkLimits {
  /** Tokens per batch (protocol maximum 500). */
  batchSizeMax: number;
  /**
   * Batches sent and not yet fully acked; the pipeline depth that keeps the link busy. The cloud commits up
   * to 2,000 tokens per transaction and prepares the next group meanwhile, so 8 × 500 keeps it fed.
   */
  inFlightBatchesMax: number;
  /** A batch whose ack has not come by then is resent (after the backoff). */
  ackTimeoutMs: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** An ack of 500 results is about 30 KB; anything far larger is hostile. */
  ackBytesMax: number;
  /** Outbox pages read per pump, so a window full of in-flight taps never turns into a table scan. */
  scanPagesMax: number;
}

export const defaultTapUplinkLimits: TapUplinkLimits = {
  batchSizeMax: TAP_BATCH_SIZE_MAX,
  inFlightBatchesMax: 8,
  ackTimeoutMs: 15_000,
  backoffInitialMs: 500,
  backoffMaxMs: 30_000,
  ackBytesMax: 256 * 1024,
  scanPagesMax: 16,
};

export interface TapUplinkStats {
  batchesSent: number;
  tapsSent: number;
  acksValid: number;
  /** Not JSON, too large, or not a valid Ack: counted and ignored. */
  acksInvalid: number;
  settled: number;
  retryResults: number;
  /** Results for taps already settled or not in this store (duplicated or stray acks). */
  ignoredResults: number;
  ackTimeouts: number;
  inFlightBatches: number;
  /** Consecutive failures (retry or timeout) behind the current backoff. */
  failures: number;
}

export type AckHandling =
  { ok: true; outcome: SettleOutcome } | { ok: false; reason: 'invalid' | 'store-unavailable' };

export interface TapUplinkOptions {
  store: Store;
  /** Publishes one encoded batch (QoS 1); false when the link is down and nothing was sent. */
  publishBatch: (payload: Uint8Array) => boolean;
  startTimer: StartTimer;
  /** Wall clock in Unix seconds, for settledAt. */
  now: () => number;
  random?: () => number;
  logger: Logger;
  limits?: Partial<TapUplinkLimits>;
}

interface InFlightBatch {
  id: number;
  /** Counters of this batch that no ack has answered yet. */
  outstanding: Set<number>;
  cancelTimer: () => void;
}

export class TapUplink {
  readonly limits: TapUplinkLimits;
  private readonly options: TapUplinkOptions;
  private readonly random: () => number;
  private readonly inFlight = new Map<number, InFlightBatch>();
  /** counter → id of the batch it is in flight with. At most inFlightBatchesMax × batchSizeMax entries. */
  private readonly inFlightCounters = new Map<number, number>();
  private nextBatchId = 1;
  /** Pending taps at or below the cursor are in flight or already sent this round. */
  private cursor = 0;
  private connected = false;
  private stopped = false;
  private cancelGate: (() => void) | null = null;
  private pumping = false;
  private readonly counters: Omit<TapUplinkStats, 'inFlightBatches' | 'failures'> = {
    batchesSent: 0,
    tapsSent: 0,
    acksValid: 0,
    acksInvalid: 0,
    settled: 0,
    retryResults: 0,
    ignoredResults: 0,
    ackTimeouts: 0,
  };
  private failures = 0;

  constructor(options: TapUplinkOptions) {
    this.options = options;
    this.random = options.random ?? Math.random;
    this.limits = { ...defaultTapUplinkLimits, ...options.limits };
    const { batchSizeMax, inFlightBatchesMax, ackTimeoutMs, scanPagesMax } = this.limits;
    assert(batchSizeMax >= 1 && batchSizeMax <= TAP_BATCH_SIZE_MAX, 'batchSizeMax out of range');
    assert(inFlightBatchesMax >= 1 && inFlightBatchesMax <= 64, 'inFlightBatchesMax out of range');
    assert(ackTimeoutMs >= 1 && scanPagesMax >= 1, 'limits must be positive');
  }

  stats(): TapUplinkStats {
    return { ...this.counters, inFlightBatches: this.inFlight.size, failures: this.failures };
  }

  /** The link is up (again): everything unacked is resent, since acks sent while we were away are lost. */
  onConnected(): void {
    this.connected = true;
    this.forgetInFlight();
    this.cursor = 0;
    this.cancelGate?.();
    this.cancelGate = null;
    this.pump();
  }

  onDisconnected(): void {
    this.connected = false;
    this.forgetInFlight();
  }

  /** A tap was committed, or time passed: send what the window allows. */
  kick(): void {
    this.pump();
  }

  stop(): void {
    this.stopped = true;
    this.connected = false;
    this.forgetInFlight();
    this.cancelGate?.();
    this.cancelGate = null;
  }

  /** Handles one payload from the acks topic; never throws on hostile bytes (docs/protocol.md §5.4). */
  handleAck(payload: Uint8Array): AckHandling {
    const ack = parseAck(payload, this.limits.ackBytesMax);
    if (ack === null) {
      this.counters.acksInvalid++;
      this.options.logger.warn({ bytes: payload.length }, 'invalid ack ignored');
      return { ok: false, reason: 'invalid' };
    }
    this.counters.acksValid++;
    let outcome: SettleOutcome;
    try {
      outcome = settleAckResults(this.options.store, ack.results, this.options.now());
    } catch (error) {
      if (!isStoreUnavailable(error)) throw error;
      // The taps stay pending and in flight; the ack timeout sends them again once the store is back.
      this.options.logger.error({ err: error }, 'store unavailable while settling an ack');
      return { ok: false, reason: 'store-unavailable' };
    }
    this.counters.settled += outcome.settled;
    this.counters.retryResults += outcome.retry;
    this.counters.ignoredResults += outcome.ignored;
    this.answer(ack.results);
    if (ack.results.some((result) => result.status === 'retry')) this.backOff();
    else if (outcome.settled > 0) this.failures = 0;
    this.pump();
    return { ok: true, outcome };
  }

  private answer(results: readonly AckResult[]): void {
    for (const result of results) {
      const batchId = this.inFlightCounters.get(result.counter);
      if (result.status === 'retry') this.rewind(result.counter);
      if (batchId === undefined) continue;
      this.inFlightCounters.delete(result.counter);
      const batch = this.inFlight.get(batchId);
      if (batch === undefined) continue;
      batch.outstanding.delete(result.counter);
      if (batch.outstanding.size === 0) {
        batch.cancelTimer();
        this.inFlight.delete(batchId);
      }
    }
  }

  private pump(): void {
    // handleAck → pump → publish never re-enters, but a synchronous transport could call back into us.
    if (this.pumping || this.stopped || !this.connected || this.cancelGate !== null) return;
    this.pumping = true;
    try {
      for (let page = 0; page < this.limits.scanPagesMax; page++) {
        if (this.inFlight.size >= this.limits.inFlightBatchesMax) return;
        const rows = pendingTapsAfter(this.options.store, this.cursor, this.limits.batchSizeMax);
        const last = rows.at(-1);
        if (last === undefined) return;
        this.cursor = last.counter;
        const fresh = rows.filter((row) => !this.inFlightCounters.has(row.counter));
        if (fresh.length > 0 && !this.send(fresh)) return;
      }
    } catch (error) {
      if (!isStoreUnavailable(error)) throw error;
      this.options.logger.error({ err: error }, 'store unavailable; sending paused until the next kick');
    } finally {
      this.pumping = false;
    }
  }

  private send(rows: readonly { counter: number; token: Uint8Array }[]): boolean {
    const payload = encodeTapBatch(rows.map((row) => row.token));
    const counters = rows.map((row) => row.counter);
    if (!this.options.publishBatch(payload)) {
      this.rewind(counters[0] ?? 1);
      return false;
    }
    recordAttempts(this.options.store, counters);
    const id = this.nextBatchId++;
    const batch: InFlightBatch = {
      id,
      outstanding: new Set(counters),
      cancelTimer: this.options.startTimer(() => this.timedOut(id), this.limits.ackTimeoutMs),
    };
    this.inFlight.set(id, batch);
    for (const counter of counters) this.inFlightCounters.set(counter, id);
    this.counters.batchesSent++;
    this.counters.tapsSent += counters.length;
    return true;
  }

  private timedOut(batchId: number): void {
    const batch = this.inFlight.get(batchId);
    if (batch === undefined) return;
    this.inFlight.delete(batchId);
    let lowest = Number.POSITIVE_INFINITY;
    for (const counter of batch.outstanding) {
      this.inFlightCounters.delete(counter);
      lowest = Math.min(lowest, counter);
    }
    this.counters.ackTimeouts++;
    this.options.logger.warn(
      { batchId, unanswered: batch.outstanding.size, timeoutMs: this.limits.ackTimeoutMs },
      'ack timed out; the batch will be resent',
    );
    if (Number.isFinite(lowest)) this.rewind(lowest);
    this.backOff();
  }

  /** Makes the next pump start at or before `counter`, so a tap put back in line is found again. */
  private rewind(counter: number): void {
    this.cursor = Math.min(this.cursor, counter - 1);
  }

  private backOff(): void {
    this.failures++;
    const delayMs = backoffDelayMs(
      this.failures,
      { initialMs: this.limits.backoffInitialMs, maxMs: this.limits.backoffMaxMs },
      this.random,
    );
    this.cancelGate?.();
    this.cancelGate = this.options.startTimer(() => {
      this.cancelGate = null;
      this.pump();
    }, delayMs);
  }

  private forgetInFlight(): void {
    for (const batch of this.inFlight.values()) batch.cancelTimer();
    this.inFlight.clear();
    this.inFlightCounters.clear();
  }
}

function parseAck(payload: Uint8Array, bytesMax: number): Ack | null {
  if (payload.length === 0 || payload.length > bytesMax) return null;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8'));
  } catch {
    return null;
  }
  const parsed = Ack.safeParse(json);
  return parsed.success ? parsed.data : null;
}
