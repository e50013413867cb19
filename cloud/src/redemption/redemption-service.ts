// Redemption for both paths (docs/protocol.md §7): kiosk batches from MQTT and single tokens from
// `POST /v1/redeem` go through one bounded queue. Batches that arrive while a transaction runs are
// coalesced into the next one (up to `transactionTokensMax` tokens), and the next group is decoded
// and verified while the current one commits. Acks are published only after the commit. The queue is
// fair: screens are served round-robin (the phone path counts as one more), one screen holds at most
// `ingestScreenBatchesMax` batches of it, and a screen that keeps sending tokens its key did not sign is
// disconnected and its batches dropped for a while.
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import {
  type AckResult,
  decodeTapBatch,
  ErrorCode,
  peekTokenCounter,
  TAP_TOKEN_LENGTH,
} from '@redtap/shared';
import { FairQueue } from '../broker/fair-queue.ts';
import type { CloudBroker, TapBatchMessage } from '../broker/types.ts';
import type { Database } from '../db/client.ts';
import { isDatabaseUnavailable, sqlState } from '../db/rows.ts';
import { networkRulesOf, type MoneySettings } from '../money-settings.ts';
import { prepareTokens, type PreparedToken, type RecordableToken, type TokenSubmission } from './prepare.ts';
import { redeemGroup, type SettledResult } from './redeem-group.ts';
import { redeemStepMs } from './step-timing.ts';
import { BoundedSet, createInlineVerifier, type SignatureVerifier } from './signature-verifier.ts';

/** What a caller learns about one token. `retry` only when the transaction failed transiently. */
export interface RedeemResult {
  counter: number | null;
  status: 'credited' | 'duplicate' | 'rejected' | 'held' | 'retry';
  code?: string;
  amountFen?: number;
  couponCode?: string;
}

export interface RedemptionProfile {
  groups: number;
  tokens: number;
  credited: number;
  /** Wall time during which at least one group was being prepared (overlapping groups count once). */
  prepareMs: number;
  /** Wall time during which at least one verification was running. */
  verifyMs: number;
  databaseMs: number;
  /** Publish time of acks, summed: acks of several batches overlap, so this can exceed wall time. */
  ackMs: number;
  transactionRetries: number;
  /** Failed groups split in two to isolate the token that failed them. */
  groupSplits: number;
  /** Batches dropped unanswered: the screen had its share of the queue, or was suspended. */
  batchesShed: number;
  screensSuspended: number;
  retryAcks: number;
  /** Milliseconds per statement of the redemption transaction, in order (s01 = advisory locks …). */
  databaseSteps: Record<string, number>;
}

export interface RedemptionService {
  /** The phone path: one token, judged by the same code in the same kind of transaction. */
  redeem(bytes: Uint8Array): Promise<RedeemResult>;
  /** Subscribes to kiosk tap batches on the broker. */
  attach(broker: CloudBroker): void;
  profile(): RedemptionProfile;
  /** Resolves when nothing is queued or running. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** The phone path's key in the fair queue: all phone requests together take one turn. */
const HTTP_KEY = -1;
/** Screens whose strikes or suspension are remembered; the oldest is forgotten first. */
const SCREENS_TRACKED_MAX = 100_000;

/** Codes that mean the batch's screen sent a token its own key did not sign for its own topic. */
const STRIKE_CODES = new Set<string>([ErrorCode.SCREEN_SIGNATURE_INVALID, ErrorCode.SCREEN_MISMATCH]);

interface Job {
  /** The screen whose topic carried the batch, or HTTP_KEY. */
  key: number;
  submissions: TokenSubmission[];
  done: (results: RedeemResult[]) => void;
}

interface PreparedGroup {
  jobs: Job[];
  prepared: PreparedToken[];
}

const CREDENTIALS_CACHED_MAX = 200_000;
const RETRY_BACKOFF_MS = 20;
/** Groups verified ahead of the running transaction. */
const PREPARED_AHEAD_MAX = 2;

const TRANSIENT_STATES = new Set(['40001', '40P01', '23505', '55P03', '57014']);
/**
 * A PostgreSQL failover (Patroni: the leader key's TTL, the promotion, HAProxy's health checks) takes
 * seconds; a group waits that out and commits as soon as the new leader takes writes, instead of
 * answering `retry` at once and having every kiosk resend.
 */
export const UNAVAILABLE_RETRY_MS = 30_000;
const UNAVAILABLE_BACKOFF_MIN_MS = 100;
const UNAVAILABLE_BACKOFF_MAX_MS = 2_000;

export interface RedemptionDeps {
  db: Database;
  logger: Logger;
  now: () => Date;
  settings: MoneySettings;
  verifier?: SignatureVerifier;
  /**
   * How long a group's transaction is retried while the database is unavailable (a failover, a restart,
   * a cut link), before its tokens are answered `retry`; default UNAVAILABLE_RETRY_MS.
   */
  unavailableRetryMs?: number;
}

/** Accrues the wall time during which at least one activity is running. */
function busyTimer(accrue: (ms: number) => void): { enter(): void; leave(): void } {
  let active = 0;
  let sinceMs = 0;
  return {
    enter() {
      if (active++ === 0) sinceMs = performance.now();
    },
    leave() {
      if (--active === 0) accrue(performance.now() - sinceMs);
    },
  };
}

/** The wire ack for a result (docs/protocol.md §5.4); a hold is final for the kiosk, so it is a rejection. */
export function toAckResult(result: RedeemResult): AckResult | null {
  if (result.counter === null || result.counter < 1) return null;
  const ack: AckResult = {
    counter: result.counter,
    status: result.status === 'held' ? 'rejected' : result.status,
  };
  if (result.status === 'held') ack.code = ErrorCode.HELD_FOR_REVIEW;
  else if (result.code !== undefined) ack.code = result.code;
  if (result.amountFen !== undefined && result.status !== 'rejected' && result.status !== 'held')
    ack.amountFen = result.amountFen;
  return ack;
}

export function createRedemptionService(deps: RedemptionDeps): RedemptionService {
  const settings = deps.settings;
  const innerVerifier = deps.verifier ?? createInlineVerifier();
  const stats: RedemptionProfile = {
    groups: 0,
    tokens: 0,
    credited: 0,
    prepareMs: 0,
    verifyMs: 0,
    databaseMs: 0,
    ackMs: 0,
    transactionRetries: 0,
    groupSplits: 0,
    batchesShed: 0,
    screensSuspended: 0,
    retryAcks: 0,
    databaseSteps: {},
  };
  const verifyBusy = busyTimer((ms) => (stats.verifyMs += ms));
  const prepareBusy = busyTimer((ms) => (stats.prepareMs += ms));
  const verifier: SignatureVerifier = {
    async verifyMany(jobs) {
      verifyBusy.enter();
      try {
        return await innerVerifier.verifyMany(jobs);
      } finally {
        verifyBusy.leave();
      }
    },
    close: () => innerVerifier.close(),
  };
  const context = { verifier, verifiedCredentials: new BoundedSet(CREDENTIALS_CACHED_MAX) };
  // The step timers are process-wide; this service reports what accrued since it started.
  const stepBaseline = { ...redeemStepMs };
  const queue = new FairQueue<number, Job>({
    perKeyMax: settings.ingestScreenBatchesMax,
    totalMax: settings.ingestQueueBatchesMax,
  });
  const spaceWaiters: (() => void)[] = [];
  const strikes = new Map<number, { count: number; sinceMs: number }>();
  const suspendedUntilMs = new Map<number, number>();
  let running: Promise<void> | null = null;
  /** Groups being prepared, in arrival order; only the drain takes them out. */
  const ahead: Promise<PreparedGroup | null>[] = [];
  let closed = false;

  function nowS(): number {
    return Math.floor(deps.now().getTime() / 1000);
  }

  async function enqueue(job: Job): Promise<void> {
    // Bounded: a full queue makes the producer wait, which backs up the broker lane (it drops and the
    // kiosk resends, which is safe) or the HTTP request.
    while (queue.length >= settings.ingestQueueBatchesMax && !closed) {
      await new Promise<void>((resolve) => spaceWaiters.push(resolve));
    }
    if (closed) {
      answerRetry([job]);
      return;
    }
    // A screen past its share is dropped, not waited for: waiting would stall the broker lane, which
    // serves every screen. The phone path's requests may use the whole queue.
    const pushed =
      job.key === HTTP_KEY
        ? queue.push(job.key, job, settings.ingestQueueBatchesMax)
        : queue.push(job.key, job);
    if (!pushed) {
      stats.batchesShed += 1;
      deps.logger.warn({ screenId: job.key }, 'tap batch dropped: the screen has its share of the queue');
      return;
    }
    // While a transaction runs, a batch that arrives is decoded and verified at once (up to
    // PREPARED_AHEAD_MAX groups ahead): the next commit then finds it ready instead of waiting for its
    // signatures, so the database and the verifier work side by side.
    if (running !== null) fill();
    else startDrain();
  }

  function remember<V>(map: Map<number, V>, key: number, value: V): void {
    map.delete(key);
    if (map.size >= SCREENS_TRACKED_MAX) {
      const oldest = map.keys().next();
      if (oldest.done !== true) map.delete(oldest.value);
    }
    map.set(key, value);
  }

  function isSuspended(screenId: number): boolean {
    const until = suspendedUntilMs.get(screenId);
    if (until === undefined) return false;
    if (deps.now().getTime() < until) return true;
    suspendedUntilMs.delete(screenId);
    return false;
  }

  /** Counts a batch carrying a token its screen did not sign; enough of them suspend the screen. */
  function strike(broker: CloudBroker, screenId: number): void {
    const nowMs = deps.now().getTime();
    const previous = strikes.get(screenId);
    const entry =
      previous === undefined || nowMs - previous.sinceMs > settings.screenStrikeWindowS * 1000
        ? { count: 0, sinceMs: nowMs }
        : previous;
    entry.count += 1;
    if (entry.count < settings.screenSignatureStrikesMax) {
      remember(strikes, screenId, entry);
      return;
    }
    strikes.delete(screenId);
    const untilMs = nowMs + settings.screenSuspensionS * 1000;
    remember(suspendedUntilMs, screenId, untilMs);
    stats.screensSuspended += 1;
    deps.logger.warn({ screenId, untilMs }, 'screen suspended: it keeps sending tokens it did not sign');
    broker.suspendScreen(screenId, untilMs).catch((error: unknown) => {
      deps.logger.warn({ err: error, screenId }, 'disconnecting a suspended screen failed');
    });
  }

  /**
   * Runs `drain` unless it already runs. A job can be queued after the drain's last look at the queue
   * but before `running` is cleared; the drain that ends then starts the next one, through this same
   * function, so `running` is cleared after every drain and never left pointing at a settled promise.
   */
  function startDrain(): void {
    if (running !== null || (queue.length === 0 && ahead.length === 0) || closed) return;
    running = drain().finally(() => {
      running = null;
      startDrain();
    });
  }

  function takeGroup(): Job[] {
    const jobs: Job[] = [];
    let tokens = 0;
    while (queue.length > 0) {
      const next = queue.peek();
      if (next === undefined) break;
      if (jobs.length > 0 && tokens + next.submissions.length > settings.transactionTokensMax) break;
      queue.shift();
      jobs.push(next);
      tokens += next.submissions.length;
    }
    for (let i = 0; i < jobs.length; i++) spaceWaiters.shift()?.();
    return jobs;
  }

  async function prepareGroup(jobs: Job[]): Promise<PreparedGroup> {
    prepareBusy.enter();
    const submissions = jobs.flatMap((job) => job.submissions);
    try {
      return { jobs, prepared: await prepareTokens(deps.db, submissions, context) };
    } finally {
      prepareBusy.leave();
    }
  }

  /** A group whose preparation failed is answered `retry`, so no caller waits forever. */
  function answerRetry(jobs: Job[]): void {
    for (const job of jobs)
      job.done(
        job.submissions.map((submission) => {
          const counter =
            submission.bytes.length === TAP_TOKEN_LENGTH ? peekTokenCounter(submission.bytes) : null;
          return { counter: counter === 0 ? null : counter, status: 'retry' };
        }),
      );
  }

  /**
   * Pipeline: up to PREPARED_AHEAD_MAX groups are decoded and verified while one transaction runs, so
   * the verifier never idles waiting for a commit; commits stay one at a time, in arrival order.
   */
  function fill(): void {
    while (ahead.length < PREPARED_AHEAD_MAX) {
      const jobs = takeGroup();
      if (jobs.length === 0) return;
      ahead.push(
        prepareGroup(jobs).catch((error: unknown) => {
          deps.logger.error({ err: error }, 'preparing a tap group failed');
          answerRetry(jobs);
          return null;
        }),
      );
    }
  }

  async function drain(): Promise<void> {
    for (;;) {
      fill();
      const current = ahead.shift();
      if (current === undefined) return;
      const group = await current;
      fill();
      if (group !== null) await commitGroup(group);
    }
  }

  /**
   * One group in one transaction, retried while the failure is transient. Otherwise `failed` (the group
   * may hold a token the database refuses) or `unavailable` (the database stayed unreachable).
   *
   * Retrying is safe even when the failed attempt did commit and only its reply was lost: the retry
   * finds each token recorded under its permanent (screen_id, counter) and answers it as a duplicate
   * carrying the first result, crediting nothing twice.
   */
  async function settleOnce(items: RecordableToken[]): Promise<SettledResult[] | 'failed' | 'unavailable'> {
    const unavailableRetryMs = deps.unavailableRetryMs ?? UNAVAILABLE_RETRY_MS;
    let unavailableSinceMs: number | null = null;
    let backoffMs = UNAVAILABLE_BACKOFF_MIN_MS;
    for (let attempt = 1; attempt <= settings.transactionAttemptsMax;) {
      try {
        const now = deps.now();
        // Read per group: an operator (or a test) may change the limits while the service runs.
        const rules = networkRulesOf(settings);
        const settled = await deps.db.transaction((tx) => redeemGroup(tx, items, rules, now));
        if (unavailableSinceMs !== null)
          deps.logger.info(
            { tokens: items.length, waitedMs: Math.round(performance.now() - unavailableSinceMs) },
            'redemption transaction committed after the database came back',
          );
        return settled;
      } catch (error) {
        if (isDatabaseUnavailable(error)) {
          unavailableSinceMs ??= performance.now();
          const waitedMs = performance.now() - unavailableSinceMs;
          if (waitedMs + backoffMs > unavailableRetryMs) {
            deps.logger.error(
              { err: error, tokens: items.length, waitedMs: Math.round(waitedMs) },
              'database unavailable: redemption answered retry',
            );
            return 'unavailable';
          }
          deps.logger.warn(
            { err: error, tokens: items.length, waitedMs: Math.round(waitedMs), backoffMs },
            'database unavailable: redemption transaction retried',
          );
          stats.transactionRetries += 1;
          await new Promise((resolve) => setTimeout(resolve, backoffMs));
          backoffMs = Math.min(backoffMs * 2, UNAVAILABLE_BACKOFF_MAX_MS);
          continue;
        }
        const state = sqlState(error);
        const transient =
          (state !== undefined && (TRANSIENT_STATES.has(state) || state.startsWith('08'))) ||
          (error instanceof Error && error.name === 'TransientRedemptionError');
        deps.logger[transient ? 'warn' : 'error'](
          { err: error, attempt, tokens: items.length },
          'redemption transaction failed',
        );
        // Retrying what failed for a reason of its own would fail the same way: split it instead.
        if (!transient || attempt >= settings.transactionAttemptsMax) return 'failed';
        stats.transactionRetries += 1;
        await new Promise((resolve) => setTimeout(resolve, RETRY_BACKOFF_MS * attempt));
        attempt += 1;
      }
    }
    return 'failed';
  }

  /**
   * Settles a coalesced group; if its transaction fails, each half is settled on its own, down to single
   * tokens, so one token the database refuses gets `retry` (null here) alone instead of its whole group.
   * At most about 2·log2(n) extra transactions per bad token. A database that stayed unavailable is not
   * the tokens' fault: the whole group is answered `retry`, unsplit.
   */
  async function settleIsolating(items: RecordableToken[]): Promise<(SettledResult | null)[]> {
    const settled = await settleOnce(items);
    if (settled === 'unavailable') return items.map(() => null);
    if (settled !== 'failed') return settled;
    if (items.length === 1) return [null];
    stats.groupSplits += 1;
    const half = Math.ceil(items.length / 2);
    const head = await settleIsolating(items.slice(0, half));
    const tail = await settleIsolating(items.slice(half));
    return [...head, ...tail];
  }

  async function commitGroup(group: PreparedGroup): Promise<void> {
    const recordable: RecordableToken[] = [];
    const positions: number[] = [];
    group.prepared.forEach((token, index) => {
      if (token.kind === 'recordable') {
        recordable.push(token);
        positions.push(index);
      }
    });
    const startMs = performance.now();
    const settled = recordable.length === 0 ? [] : await settleIsolating(recordable);
    stats.databaseMs += performance.now() - startMs;

    const results: RedeemResult[] = group.prepared.map((token) =>
      token.kind === 'unrecorded'
        ? { counter: token.counter, status: 'rejected', code: token.code }
        : { counter: token.token.counter, status: 'retry' },
    );
    settled.forEach((result, index) => {
      const position = positions[index];
      if (position !== undefined && result !== null) results[position] = result;
    });
    stats.groups += 1;
    stats.tokens += results.length;
    for (const result of results) {
      if (result.status === 'credited') stats.credited += 1;
      if (result.status === 'retry') stats.retryAcks += 1;
    }
    let offset = 0;
    for (const job of group.jobs) {
      job.done(results.slice(offset, offset + job.submissions.length));
      offset += job.submissions.length;
    }
  }

  function onTapBatch(broker: CloudBroker) {
    return async ({ screenId, payload }: TapBatchMessage): Promise<void> => {
      if (closed) return;
      if (isSuspended(screenId)) {
        stats.batchesShed += 1;
        return;
      }
      const batch = decodeTapBatch(payload);
      if (!batch.ok) {
        // No counters can be read from a broken frame; the kiosk resends and is logged here.
        deps.logger.warn({ screenId, code: batch.code }, 'undecodable tap batch dropped');
        return;
      }
      const receivedAtS = nowS();
      await enqueue({
        key: screenId,
        submissions: batch.value.map((bytes) => ({
          bytes,
          topicScreenId: screenId,
          source: 'mqtt',
          receivedAtS,
        })),
        done: (results) => {
          if (results.some((result) => result.code !== undefined && STRIKE_CODES.has(result.code)))
            strike(broker, screenId);
          const startMs = performance.now();
          const acks = results.map(toAckResult).filter((ack): ack is AckResult => ack !== null);
          if (acks.length === 0) return;
          broker.publishAck(screenId, { results: acks }).then(
            () => {
              stats.ackMs += performance.now() - startMs;
            },
            (error: unknown) => deps.logger.warn({ err: error, screenId }, 'publishing an ack failed'),
          );
        },
      });
    };
  }

  return {
    async redeem(bytes) {
      if (closed) return { counter: null, status: 'retry' };
      const receivedAtS = nowS();
      return new Promise<RedeemResult>((resolve, reject) => {
        enqueue({
          key: HTTP_KEY,
          submissions: [{ bytes, topicScreenId: null, source: 'http', receivedAtS }],
          done: (results) => resolve(results[0] ?? { counter: null, status: 'retry' }),
        }).catch(reject);
      });
    },
    attach(broker) {
      broker.onTapBatch(onTapBatch(broker));
    },
    profile: () => ({
      ...stats,
      databaseSteps: Object.fromEntries(
        Object.entries(redeemStepMs).map(([step, ms]) => [step, Math.round(ms - (stepBaseline[step] ?? 0))]),
      ),
    }),
    async idle() {
      while (running !== null) await running;
    },
    async close() {
      closed = true;
      while (running !== null) await running;
      // Whatever was queued after the last drain is answered, so no caller waits for a closed service.
      answerRetry(queue.drainAll());
      for (const waiter of spaceWaiters.splice(0)) waiter();
      await verifier.close();
    },
  };
}
