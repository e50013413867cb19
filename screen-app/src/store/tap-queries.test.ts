import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { campaign, hello, kiosk, screenConfig, T0, tap, tempDir } from '../../test/fixtures.ts';
import type { Store } from './open-store.ts';
import {
  backlogCount,
  getTap,
  lastCommittedCounter,
  markSettled,
  pendingTapsInCounterOrder,
  pruneSettledTaps,
  recordAttempts,
} from './tap-queries.ts';
import { loadConfig, saveConfig } from './config-queries.ts';

let dir: ReturnType<typeof tempDir>;
let store: Store;
beforeEach(async () => {
  dir = tempDir();
  const config = screenConfig({ campaigns: [campaign({ cashPerWalletPerDay: 100 })] });
  const k = kiosk(dir.dir, { now: () => T0, config });
  store = k.store;
  for (let i = 0; i < 10; i++) {
    const result = await tap(k.engine, hello({ walletId: 1 + i }));
    if (!result.ok) throw new Error(result.code);
  }
});
afterEach(() => {
  store.close();
  dir.cleanup();
});

describe('outbox', () => {
  it('serves pending taps in counter order and applies acks once', () => {
    expect(backlogCount(store)).toBe(10);
    const batch = pendingTapsInCounterOrder(store, 4);
    expect(batch.map((t) => t.counter)).toEqual([1, 2, 3, 4]);
    expect(batch[0]?.token.length).toBe(196);
    recordAttempts(store, [1, 2, 3, 4]);
    expect(getTap(store, 1)?.attempts).toBe(1);

    const outcome = markSettled(
      store,
      [
        { counter: 1, status: 'credited', amountFen: 0 },
        { counter: 2, status: 'duplicate' },
        { counter: 3, status: 'rejected', code: 'CAP_WALLET_DAILY_COUNT' },
        { counter: 4, status: 'retry' },
        { counter: 99, status: 'credited' },
      ],
      T0 + 5,
    );
    expect(outcome).toEqual({ settled: 3, retry: 1, ignored: 1 });
    expect(getTap(store, 3)).toMatchObject({
      state: 'settled',
      ackStatus: 'rejected',
      ackCode: 'CAP_WALLET_DAILY_COUNT',
    });
    expect(getTap(store, 4)).toMatchObject({ state: 'pending', ackStatus: 'retry' });
    // A duplicated ack cannot rewrite a final result.
    expect(markSettled(store, [{ counter: 3, status: 'credited' }], T0 + 6)).toEqual({
      settled: 0,
      retry: 0,
      ignored: 1,
    });
    expect(getTap(store, 3)?.ackStatus).toBe('rejected');
    expect(backlogCount(store)).toBe(7);
    expect(pendingTapsInCounterOrder(store, 500).map((t) => t.counter)).toEqual([4, 5, 6, 7, 8, 9, 10]);
  });

  it('prunes settled taps past retention in bounded chunks and keeps the counter', () => {
    markSettled(
      store,
      Array.from({ length: 8 }, (_, i) => ({ counter: i + 1, status: 'credited' as const })),
      T0,
    );
    expect(pruneSettledTaps(store, { now: T0 + 100, retentionS: 200 })).toBe(0);
    expect(pruneSettledTaps(store, { now: T0 + 300, retentionS: 200, chunkSizeMax: 3, chunksMax: 2 })).toBe(
      6,
    );
    expect(pruneSettledTaps(store, { now: T0 + 300, retentionS: 200, chunkSizeMax: 3 })).toBe(2);
    const left = store.sqlite.prepare('SELECT counter FROM taps ORDER BY counter').pluck().all();
    expect(left).toEqual([9, 10]);
    expect(lastCommittedCounter(store)).toBe(10);
  });

  it('never lets an older config replace a newer one', () => {
    expect(saveConfig(store, screenConfig({ version: 5 }), T0)).toBe('stored');
    expect(saveConfig(store, screenConfig({ version: 4, timezone: 'UTC' }), T0)).toBe('stale');
    expect(saveConfig(store, screenConfig({ version: 5 }), T0)).toBe('unchanged');
    expect(loadConfig(store)?.version).toBe(5);
  });
});
