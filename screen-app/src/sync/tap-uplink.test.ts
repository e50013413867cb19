import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeTapBatch, type AckResult } from '@redtap/shared';
import { pino } from 'pino';
import { kiosk, T0, tempDir } from '../../test/fixtures.ts';
import { ManualTimers } from '../../test/manual-timers.ts';
import { appendFakeTaps, tokenCounter } from '../../test/outbox-fixtures.ts';
import type { Store } from '../store/open-store.ts';
import { backlogCount, getTap } from '../store/tap-queries.ts';
import { TapUplink } from './tap-uplink.ts';

let dir: ReturnType<typeof tempDir>;
let store: Store;
let timers: ManualTimers;
let sent: number[][];
let linkUp: boolean;
let uplink: TapUplink;

function ackBytes(results: AckResult[]): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ results }));
}

function credit(counters: readonly number[]): Uint8Array {
  return ackBytes(counters.map((counter) => ({ counter, status: 'credited', amountFen: 0 })));
}

beforeEach(() => {
  dir = tempDir();
  ({ store } = kiosk(dir.dir, { now: () => T0 }));
  timers = new ManualTimers();
  sent = [];
  linkUp = true;
  uplink = new TapUplink({
    store,
    startTimer: timers.start,
    now: () => T0,
    random: () => 0.5,
    logger: pino({ enabled: false }),
    limits: { batchSizeMax: 10, inFlightBatchesMax: 3, ackTimeoutMs: 1_000, backoffInitialMs: 100 },
    publishBatch: (payload) => {
      if (!linkUp) return false;
      const tokens = decodeTapBatch(payload);
      expect(tokens.ok).toBe(true);
      sent.push(tokens.ok ? tokens.value.map(tokenCounter) : []);
      return true;
    },
  });
});
afterEach(() => {
  uplink.stop();
  store.close();
  dir.cleanup();
});

describe('TapUplink', () => {
  it('sends in counter order, keeps at most the window in flight, and settles on acks', () => {
    appendFakeTaps(store, 45);
    uplink.onConnected();
    expect(sent).toEqual([
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      [11, 12, 13, 14, 15, 16, 17, 18, 19, 20],
      [21, 22, 23, 24, 25, 26, 27, 28, 29, 30],
    ]);
    expect(uplink.stats().inFlightBatches).toBe(3);

    uplink.handleAck(credit(sent[1] ?? []));
    expect(sent).toHaveLength(4);
    expect(sent[3]).toEqual([31, 32, 33, 34, 35, 36, 37, 38, 39, 40]);
    uplink.handleAck(credit(sent[0] ?? []));
    expect(sent[4]).toEqual([41, 42, 43, 44, 45]);
    for (const batch of sent.slice(2)) uplink.handleAck(credit(batch));
    expect(backlogCount(store)).toBe(0);
    expect(uplink.stats()).toMatchObject({ settled: 45, inFlightBatches: 0, batchesSent: 5 });
    expect(getTap(store, 1)).toMatchObject({ state: 'settled', ackStatus: 'credited', attempts: 1 });
  });

  it('picks up taps committed later', () => {
    uplink.onConnected();
    expect(sent).toEqual([]);
    appendFakeTaps(store, 2);
    uplink.kick();
    expect(sent).toEqual([[1, 2]]);
  });

  it('backs off on retry, then resends only the retried taps', () => {
    appendFakeTaps(store, 3);
    uplink.onConnected();
    uplink.handleAck(
      ackBytes([
        { counter: 1, status: 'credited', amountFen: 5 },
        { counter: 2, status: 'retry' },
        { counter: 3, status: 'rejected', code: 'CAP_WALLET_DAILY_COUNT' },
      ]),
    );
    expect(sent).toEqual([[1, 2, 3]]);
    expect(uplink.stats().failures).toBe(1);
    timers.advance(74);
    expect(sent).toHaveLength(1);
    timers.advance(1); // 100 ms × (0.5 + 0.5 × 0.5) = 75 ms
    expect(sent).toEqual([[1, 2, 3], [2]]);

    // A second retry doubles the wait.
    uplink.handleAck(ackBytes([{ counter: 2, status: 'retry' }]));
    timers.advance(149);
    expect(sent).toHaveLength(2);
    timers.advance(1);
    expect(sent.at(-1)).toEqual([2]);
    uplink.handleAck(ackBytes([{ counter: 2, status: 'duplicate', amountFen: 7 }]));
    expect(backlogCount(store)).toBe(0);
    expect(uplink.stats().failures).toBe(0);
    expect(getTap(store, 3)).toMatchObject({ ackStatus: 'rejected', ackCode: 'CAP_WALLET_DAILY_COUNT' });
    expect(getTap(store, 2)).toMatchObject({ ackStatus: 'duplicate', attempts: 3 });
  });

  it('resends a batch whose ack timed out, never before', () => {
    appendFakeTaps(store, 5);
    uplink.onConnected();
    uplink.kick();
    timers.advance(999);
    expect(sent).toEqual([[1, 2, 3, 4, 5]]);
    // A partial ack answers some; only the unanswered ones go again.
    uplink.handleAck(credit([1, 2]));
    timers.advance(1);
    expect(uplink.stats().ackTimeouts).toBe(1);
    timers.advance(75);
    expect(sent).toEqual([
      [1, 2, 3, 4, 5],
      [3, 4, 5],
    ]);
    uplink.handleAck(credit([3, 4, 5]));
    expect(backlogCount(store)).toBe(0);
  });

  it('treats duplicated and stray acks as harmless', () => {
    appendFakeTaps(store, 2);
    uplink.onConnected();
    uplink.handleAck(credit([1, 2]));
    const again = uplink.handleAck(credit([1, 2]));
    expect(again).toEqual({ ok: true, outcome: { settled: 0, retry: 0, ignored: 2 } });
    const stray = uplink.handleAck(credit([77]));
    expect(stray).toEqual({ ok: true, outcome: { settled: 0, retry: 0, ignored: 1 } });
    // A late duplicate saying something else cannot change a recorded result.
    uplink.handleAck(ackBytes([{ counter: 1, status: 'rejected', code: 'X' }]));
    expect(getTap(store, 1)).toMatchObject({ ackStatus: 'credited' });
    expect(sent).toHaveLength(1);
  });

  it('counts and ignores garbage acks', () => {
    appendFakeTaps(store, 1);
    uplink.onConnected();
    const garbage = [
      new Uint8Array(0),
      new TextEncoder().encode('not json'),
      new TextEncoder().encode('{"results":[{"counter":0,"status":"credited"}]}'),
      new TextEncoder().encode('{"results":[{"counter":1,"status":"paid"}]}'),
      new TextEncoder().encode(JSON.stringify({ results: Array.from({ length: 501 }, () => ({})) })),
      new Uint8Array(300 * 1024).fill(0x7b),
      Uint8Array.from([0xff, 0xfe, 0x00]),
    ];
    for (const payload of garbage)
      expect(uplink.handleAck(payload)).toEqual({ ok: false, reason: 'invalid' });
    expect(uplink.stats()).toMatchObject({ acksInvalid: garbage.length, acksValid: 0 });
    expect(backlogCount(store)).toBe(1);
  });

  it('resends everything unacked after a reconnect, and nothing while down', () => {
    appendFakeTaps(store, 25);
    uplink.onConnected();
    expect(sent).toHaveLength(3);
    uplink.onDisconnected();
    linkUp = false;
    appendFakeTaps(store, 1);
    uplink.kick();
    timers.advance(10_000);
    expect(sent).toHaveLength(3);
    linkUp = true;
    uplink.onConnected();
    expect(sent.slice(3)).toEqual([
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      [11, 12, 13, 14, 15, 16, 17, 18, 19, 20],
      [21, 22, 23, 24, 25, 26],
    ]);
  });

  it('rewinds when the transport refuses a batch', () => {
    appendFakeTaps(store, 3);
    linkUp = false;
    uplink.onConnected();
    expect(sent).toEqual([]);
    linkUp = true;
    uplink.kick();
    expect(sent).toEqual([[1, 2, 3]]);
  });
});
