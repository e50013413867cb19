// The production tap adapter on the real engine and the simulated reader: commits reach sync and the
// screen once, early exits free the counter, refusals record nothing (and an out-of-service screen
// commits nothing), two readers never share a counter.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, Ins, encodeReceiptExtra, generateKeyPair } from '@redtap/shared';
import { bankCard, VirtualPhone } from '@redtap/tap-reader';
import { tempDir } from '../../test/fixtures.ts';
import { READERS, simulatedKiosk, testPhone } from '../../test/simulated-kiosk.ts';
import { backlogCount, getTap } from '../store/tap-queries.ts';

describe('EngineTapHandler', () => {
  let dir: ReturnType<typeof tempDir>;
  let k: ReturnType<typeof simulatedKiosk>;

  beforeEach(async () => {
    dir = tempDir();
    k = simulatedKiosk(dir.dir);
    await k.source.start();
  });
  afterEach(async () => {
    await k.source.stop();
    k.detach();
    k.store.close();
    dir.cleanup();
  });

  async function tap(card: Parameters<typeof k.source.present>[0], reader: string = READERS[0]) {
    try {
      return await k.source.present(card, reader);
    } finally {
      k.source.remove(reader);
    }
  }

  it('commits a tap, tells sync and the screen once, and delivers the receipt', async () => {
    const phone = testPhone(7);
    const result = await tap(phone);
    expect(result).toMatchObject({ outcome: 'completed', committed: true, walletId: 7 });
    expect(k.committed.map((prize) => prize.counter)).toEqual([1]);
    expect(k.shown).toEqual([{ readerName: READERS[0], counter: 1 }]);
    expect(phone.receipts).toHaveLength(1);
    expect(
      Buffer.from(phone.receipts[0]?.token ?? []).equals(Buffer.from(getTap(k.store, 1)?.token ?? [])),
    ).toBe(true);
    // The screen sees the card arrive before the exchange result.
    expect(k.events.filter((e) => e.type === 'card.present' || e.type === 'tap').map((e) => e.type)).toEqual([
      'card.present',
      'tap',
    ]);
  });

  it('frees the counter when the phone leaves before signing, and records nothing', async () => {
    const left = await tap(testPhone(8, { kind: 'leave-after-hello' }));
    expect(left).toMatchObject({ outcome: 'aborted', committed: false });
    expect(backlogCount(k.store)).toBe(0);
    // Without the release the next tap would queue for the counter lease and run out of its budget.
    const next = await tap(testPhone(8));
    expect(next).toMatchObject({ outcome: 'completed', committed: true });
    expect(getTap(k.store, 1)?.walletId).toBe(8);
    expect(k.committed).toHaveLength(1);
  });

  it('pays a phone that leaves after signing, through the kiosk path', async () => {
    const result = await tap(testPhone(9, { kind: 'leave-after-challenge' }));
    expect(result).toMatchObject({ outcome: 'undelivered', committed: true });
    expect(k.committed).toHaveLength(1);
    expect(backlogCount(k.store)).toBe(1);
  });

  it('ignores a bank card without calling the engine', async () => {
    const result = await tap(bankCard());
    expect(result).toMatchObject({ outcome: 'ignored', committed: false });
    expect(k.committed).toHaveLength(0);
  });

  it('out of service, refuses every tap with SCREEN_REVOKED and commits nothing', async () => {
    k.handler.setOutOfService(true);
    const result = await tap(testPhone(12));
    expect(result).toMatchObject({ outcome: 'refused', committed: false, code: ErrorCode.SCREEN_REVOKED });
    expect(k.committed).toHaveLength(0);
    expect(backlogCount(k.store)).toBe(0);
    k.handler.setOutOfService(false);
    expect(await tap(testPhone(12))).toMatchObject({ outcome: 'completed', committed: true });
    expect(getTap(k.store, 1)?.walletId).toBe(12);
  });

  it('runs two readers at once without sharing a counter', async () => {
    const [a, b] = await Promise.all([tap(testPhone(10), READERS[0]), tap(testPhone(11), READERS[1])]);
    expect(a.committed && b.committed).toBe(true);
    expect(k.committed.map((prize) => prize.counter).sort()).toEqual([1, 2]);
    expect(new Set([getTap(k.store, 1)?.walletId, getTap(k.store, 2)?.walletId])).toEqual(new Set([10, 11]));
  });
});

describe('EngineTapHandler and the phone day state (docs/protocol.md §4.4)', () => {
  let dir: ReturnType<typeof tempDir>;
  let k: ReturnType<typeof simulatedKiosk>;

  beforeEach(async () => {
    dir = tempDir();
    k = simulatedKiosk(dir.dir);
    await k.source.start();
  });
  afterEach(async () => {
    await k.source.stop();
    k.detach();
    k.store.close();
    dir.cleanup();
  });

  async function tap(card: VirtualPhone) {
    try {
      return await k.source.present(card, READERS[0]);
    } finally {
      k.source.remove(READERS[0]);
    }
  }

  it('asks a new phone for its day state and hands it the long receipt, which its next day state counts', async () => {
    const phone = testPhone(21);
    const first = await tap(phone);
    expect(first).toMatchObject({ outcome: 'completed', committed: true, dayStateAnswered: true });
    expect(first.apdus.map((apdu) => apdu.step)).toEqual(['select', 'day-state', 'sign', 'receipt']);
    expect(phone.receipts[0]?.extra).toEqual(encodeReceiptExtra({ advertiserId: 0, cityKey: 0 }));
    expect(phone.tapLog.entries()).toEqual([expect.objectContaining({ counter: 1, amountFen: 120 })]);
    expect(await tap(phone)).toMatchObject({ outcome: 'completed', committed: true });
    expect(getTap(k.store, 2)?.walletId).toBe(21);
  });

  it('pays a phone from before the extension as before: 6D 00, then the short receipt', async () => {
    const wallet = testPhone(22);
    const phone = new VirtualPhone({
      keyPair: wallet.keyPair,
      credential: wallet.credential,
      dayState: false,
    });
    const result = await tap(phone);
    expect(result).toMatchObject({ outcome: 'completed', committed: true, dayStateAnswered: false });
    expect(phone.receipts).toHaveLength(1);
    expect(phone.receipts[0]?.extra).toBeNull();
    expect(k.committed.map((prize) => prize.receiptExtra)).toEqual([null]);
    expect(getTap(k.store, 1)?.walletId).toBe(22);
  });

  it('commits the tap of a phone whose day state is forged, ignoring the day state', async () => {
    const phone = testPhone(23);
    // Another key answers GET DAY STATE: the signature does not match the credential's phone key.
    const forger = new VirtualPhone({ keyPair: generateKeyPair(), credential: phone.credential });
    const card = {
      atr: phone.atr,
      reset: () => {
        phone.reset();
        forger.reset();
      },
      respond: (apdu: Uint8Array) => {
        if (apdu[1] === Ins.select) forger.process(apdu);
        return apdu[1] === Ins.getDayState ? forger.respond(apdu) : phone.respond(apdu);
      },
    };
    const result = await k.source.present(card, READERS[0]).finally(() => k.source.remove(READERS[0]));
    expect(result).toMatchObject({ outcome: 'completed', committed: true, dayStateAnswered: true });
    expect(getTap(k.store, 1)?.walletId).toBe(23);
  });
});
