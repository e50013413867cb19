import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AckResult } from '@redtap/shared';
import { kiosk, T0, tempDir } from '../../test/fixtures.ts';
import { appendFakeTaps } from '../../test/outbox-fixtures.ts';
import type { Store } from './open-store.ts';
import { pendingTapsAfter, recentTapCount, settleAckResults } from './sync-queries.ts';
import { getTap, markSettled } from './tap-queries.ts';

let dirs: ReturnType<typeof tempDir>[];
let stores: Store[];
beforeEach(() => {
  dirs = [tempDir(), tempDir()];
  stores = dirs.map((made) => kiosk(made.dir).store);
});
afterEach(() => {
  for (const store of stores) store.close();
  for (const made of dirs) made.cleanup();
});

describe('sync queries', () => {
  it('settleAckResults applies an ack exactly as markSettled does', () => {
    const [fast, reference] = stores as [Store, Store];
    appendFakeTaps(fast, 6, T0);
    appendFakeTaps(reference, 6, T0);
    const acks: AckResult[][] = [
      [
        { counter: 1, status: 'credited', amountFen: 5 },
        { counter: 2, status: 'retry' },
        { counter: 3, status: 'rejected', code: 'CLOCK_SKEW' },
        { counter: 99, status: 'duplicate' },
      ],
      [
        { counter: 1, status: 'rejected', code: 'X' },
        { counter: 2, status: 'duplicate', amountFen: 5 },
        { counter: 4, status: 'retry' },
      ],
    ];
    for (const ack of acks) expect(settleAckResults(fast, ack, T0)).toEqual(markSettled(reference, ack, T0));
    for (let counter = 1; counter <= 6; counter++)
      expect({ ...getTap(fast, counter), token: null }).toEqual({
        ...getTap(reference, counter),
        token: null,
      });
  });

  it('pages pending taps after a cursor and counts recent taps of a campaign', () => {
    const [store] = stores as [Store];
    appendFakeTaps(store, 5, T0 - 7_200);
    appendFakeTaps(store, 3, T0);
    settleAckResults(store, [{ counter: 7, status: 'credited' }], T0);
    expect(pendingTapsAfter(store, 4, 500).map((tap) => tap.counter)).toEqual([5, 6, 8]);
    expect(pendingTapsAfter(store, 0, 2).map((tap) => tap.counter)).toEqual([1, 2]);
    expect(recentTapCount(store, 12, T0 - 3_600)).toBe(3);
    expect(recentTapCount(store, 13, T0 - 3_600)).toBe(0);
    expect(recentTapCount(store, 12, 0, 4)).toBe(4);
  });
});
