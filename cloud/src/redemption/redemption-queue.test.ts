// The redemption queue's drain loop under the arrival pattern that once stalled the hostile MQTT ingest
// run: a batch queued in the microtasks between the drain's last look at the queue and the moment it
// reports itself finished. The database answers every query with no rows, so each token is judged
// without a transaction (undecodable, answered by its counter) and the test runs in milliseconds.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { type Ack, encodeTapBatch, ErrorCode, TAP_TOKEN_LENGTH } from '@redtap/shared';
import { FakeBroker } from '../../test/fake-broker.ts';
import type { Database } from '../db/client.ts';
import { defaultMoneySettings } from '../money-settings.ts';
import { createRedemptionService, type RedemptionService } from './redemption-service.ts';

const logger = pino({ level: 'silent' });
/** Enough to run through the whole drain → restart sequence at every offset. */
const MICROTASK_OFFSETS = 40;
const ACK_WAIT_MS = 2_000;

/** Every query returns no rows: no screen, no credential, no issuer key is known. */
const emptyDatabase = { execute: () => Promise.resolve({ rows: [] }) } as unknown as Database;

/** An undecodable token (version 0) whose counter can still be read, so it is answered by it. */
function tokenWithCounter(counter: number): Uint8Array {
  const token = new Uint8Array(TAP_TOKEN_LENGTH);
  new DataView(token.buffer).setUint32(9, counter);
  return token;
}

const batchWithCounter = (counter: number) => encodeTapBatch([tokenWithCounter(counter)]);

/** Rejects instead of waiting forever for a promise that never settles. */
async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: not within ${ACK_WAIT_MS} ms`)), ACK_WAIT_MS);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves after `count` microtask turns, without ever yielding to timers or I/O. */
async function microtasks(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await Promise.resolve();
}

function service(settings = defaultMoneySettings): RedemptionService {
  return createRedemptionService({ db: emptyDatabase, logger, now: () => new Date(), settings });
}

const rejectedAs = (counter: number): Ack => ({
  results: [{ counter, status: 'rejected', code: ErrorCode.BAD_VERSION }],
});

describe('redemption queue', () => {
  it('keeps draining when a batch arrives while the previous drain is finishing', async () => {
    for (let offset = 0; offset < MICROTASK_OFFSETS; offset++) {
      const redemption = service();
      const broker = new FakeBroker();
      const publishAck = broker.publishAck.bind(broker);
      // The first ack is published inside the drain's last commit; the second batch follows it after
      // `offset` microtasks, which at some offset lands just after the drain found its queue empty.
      broker.publishAck = (screenId, ack) => {
        if (broker.acks.length === 0)
          void microtasks(offset).then(() =>
            broker.deliverTapBatch({ screenId: 1, payload: batchWithCounter(2) }),
          );
        return publishAck(screenId, ack);
      };
      redemption.attach(broker);
      await broker.deliverTapBatch({ screenId: 1, payload: batchWithCounter(1) });
      await broker.nextAck(1, 0, ACK_WAIT_MS);
      await broker.nextAck(1, 1, ACK_WAIT_MS);
      // A stalled loop answers no later batch, and idle() would spin on a settled promise without ever
      // yielding to a timer, so the bounded ack wait comes first and fails instead of hanging.
      await broker.deliverTapBatch({ screenId: 1, payload: batchWithCounter(3) });
      const third = await broker.nextAck(1, 2, ACK_WAIT_MS).catch((error: unknown) => {
        throw new Error(`batch 3 unanswered with batch 2 ${offset} microtasks behind the first ack`, {
          cause: error,
        });
      });
      expect(third).toEqual(rejectedAs(3));
      await redemption.idle();
      await redemption.close();
      expect(broker.acks.map((entry) => entry.ack)).toEqual([rejectedAs(1), rejectedAs(2), rejectedAs(3)]);
    }
  });

  it('answers a batch still waiting for queue space when the service closes', async () => {
    let releaseDatabase = (): void => undefined;
    const held = new Promise<void>((resolve) => {
      releaseDatabase = resolve;
    });
    const redemption = createRedemptionService({
      // The first query holds the drain until the test lets it go.
      db: { execute: () => held.then(() => ({ rows: [] })) } as unknown as Database,
      logger,
      now: () => new Date(),
      settings: { ...defaultMoneySettings, ingestQueueBatchesMax: 1 },
    });
    const results = new Map<number, string>();
    const redeem = (counter: number) =>
      redemption.redeem(tokenWithCounter(counter)).then((result) => results.set(counter, result.status));
    // 1 is taken into the drain, 2 and 3 are prepared ahead of its commit, 4 fills the queue and 5
    // waits for space.
    const answered = [redeem(1), redeem(2), redeem(3), redeem(4), redeem(5)];
    await microtasks(10);
    const closing = redemption.close();
    releaseDatabase();
    await closing;
    await within(Promise.all(answered), 'every redeem answered');
    for (const counter of [1, 2, 3, 4]) expect(results.get(counter)).toBe('rejected');
    expect(results.get(5)).toBe('retry');
  });
});
