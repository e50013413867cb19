// Exchange state machine edge cases that need a misbehaving kiosk rather than a misbehaving phone.
import {
  DayStateFlag,
  ErrorCode,
  Ins,
  StatusWord,
  encodeReceiptExtra,
  generateKeyPair,
  selectApdu,
} from '@redtap/shared';
import { describe, expect, it } from 'vitest';
import { createKiosk, createPhone, issuer } from '../test/fixtures.ts';
import { mintDemoWallet } from './demo-kiosk.ts';
import { DirectTransport } from './direct-transport.ts';
import { runTapExchange } from './exchange.ts';
import { CardType, TapReaderCode, type TapHandler } from './types.ts';
import { VirtualPhone } from './virtual-phone.ts';

function exchange(handler: TapHandler, options: { commitWaitMaxMs?: number } = {}) {
  return runTapExchange({
    transport: new DirectTransport(createPhone()),
    handler,
    readerName: 'unit',
    cardType: CardType.iso14443_4,
    ...options,
  });
}

const kiosk = createKiosk();

describe('runTapExchange', () => {
  it('turns a throwing onHello into HANDLER_FAILED without sending SIGN', async () => {
    const result = await exchange({
      onHello: () => Promise.reject(new Error('boom')),
      onSignature: kiosk.onSignature.bind(kiosk),
    });
    expect(result).toMatchObject({
      outcome: 'aborted',
      code: TapReaderCode.HANDLER_FAILED,
      committed: false,
    });
    expect(result.apdus.map((apdu) => apdu.step)).toEqual(['select']);
  });

  it('rejects a challenge that is not 36 bytes', async () => {
    const result = await exchange({
      onHello: () => Promise.resolve({ kind: 'challenge', challenge: new Uint8Array(35) }),
      onSignature: () => Promise.reject(new Error('unreachable')),
    });
    expect(result).toMatchObject({ outcome: 'aborted', code: TapReaderCode.HANDLER_FAILED });
  });

  it('stops waiting for a commit that never settles', async () => {
    const result = await exchange(
      { onHello: kiosk.onHello.bind(kiosk), onSignature: () => new Promise(() => undefined) },
      { commitWaitMaxMs: 20 },
    );
    expect(result).toMatchObject({
      outcome: 'aborted',
      code: TapReaderCode.HANDLER_TIMEOUT,
      committed: false,
    });
  });

  it('reports a committed tap whose token has the wrong size as undelivered', async () => {
    const result = await exchange({
      onHello: kiosk.onHello.bind(kiosk),
      onSignature: () => Promise.resolve({ kind: 'receipt', token: new Uint8Array(10) }),
    });
    expect(result).toMatchObject({
      outcome: 'undelivered',
      code: TapReaderCode.HANDLER_FAILED,
      committed: true,
    });
  });

  it('passes a kiosk refusal code through', async () => {
    const result = await exchange({
      onHello: () => Promise.resolve({ kind: 'refuse', code: ErrorCode.LOCAL_CAP }),
      onSignature: () => Promise.reject(new Error('unreachable')),
    });
    expect(result).toMatchObject({ outcome: 'refused', code: ErrorCode.LOCAL_CAP });
  });
});

describe('runTapExchange with GET DAY STATE (docs/protocol.md §4.4)', () => {
  const cityKey = 0x1234_5678;
  const dayStart = Math.floor(Date.now() / 1000) - 3600;
  const dayStateKiosk = (): ReturnType<typeof createKiosk> =>
    createKiosk({ dayState: { cityKey, dayStart, advertiserId: 77 } });
  const phoneOf = (dayState: boolean): VirtualPhone =>
    new VirtualPhone({ ...mintDemoWallet(issuer.privateKey, 7100), dayState });

  it("reads a new phone's signed day state, then sends it the long receipt", async () => {
    const kiosk = dayStateKiosk();
    const phone = phoneOf(true);
    const first = await runTapExchange({
      transport: new DirectTransport(phone),
      handler: kiosk,
      readerName: 'unit',
      cardType: CardType.iso14443_4,
    });
    expect(first).toMatchObject({ outcome: 'completed', committed: true, dayStateAnswered: true });
    expect(first.apdus.map((apdu) => apdu.step)).toEqual(['select', 'day-state', 'sign', 'receipt']);
    expect(kiosk.dayStates).toEqual([
      expect.objectContaining({ walletId: 7100, cashCount: 0, lastTapTs: 0 }),
    ]);
    // The long receipt gave the phone the advertiser and the city, so its next day state has them.
    expect(phone.receipts.at(-1)?.extra).toEqual(encodeReceiptExtra({ advertiserId: 77, cityKey }));
    phone.reset();
    await runTapExchange({
      transport: new DirectTransport(phone),
      handler: kiosk,
      readerName: 'unit',
      cardType: CardType.iso14443_4,
    });
    expect(kiosk.dayStates[1]).toMatchObject({
      cashCount: 1,
      cashFen: 88,
      screensWithCash: 1,
      flags: DayStateFlag.thisScreenHasCash,
      lastCityKey: cityKey,
      campaigns: [{ campaignId: 1, advertiserId: 77, cash: 1, coupons: 0 }],
    });
  });

  it('goes on without a day state when an old phone answers 6D 00, and sends it the short receipt', async () => {
    const kiosk = dayStateKiosk();
    const phone = phoneOf(false);
    const result = await runTapExchange({
      transport: new DirectTransport(phone),
      handler: kiosk,
      readerName: 'unit',
      cardType: CardType.iso14443_4,
    });
    expect(result).toMatchObject({ outcome: 'completed', committed: true, dayStateAnswered: false });
    expect(result.apdus.map((apdu) => [apdu.step, apdu.sw])).toEqual([
      ['select', StatusWord.ok],
      ['day-state', StatusWord.insNotSupported],
      ['sign', StatusWord.ok],
      ['receipt', StatusWord.ok],
    ]);
    expect(kiosk.dayStates).toEqual([null]);
    expect(phone.receipts).toHaveLength(1);
    expect(phone.receipts[0]?.extra).toBeNull();
  });

  it('never sends GET DAY STATE unless the kiosk asks, and then never the long receipt', async () => {
    const phone = phoneOf(true);
    const result = await runTapExchange({
      transport: new DirectTransport(phone),
      handler: {
        onHello: kiosk.onHello.bind(kiosk),
        onSignature: async (signature, context) => ({
          ...(await kiosk.onSignature(signature, context)),
          receiptExtra: new Uint8Array(8),
        }),
      },
      readerName: 'unit',
      cardType: CardType.iso14443_4,
    });
    expect(result.outcome).toBe('completed');
    expect(result.dayStateAnswered).toBeUndefined();
    expect(result.apdus.map((apdu) => apdu.step)).toEqual(['select', 'sign', 'receipt']);
    expect(phone.receipts[0]?.extra).toBeNull();
  });

  it('ignores a forged day state: the tap goes on and is committed', async () => {
    const kiosk = dayStateKiosk();
    const phone = phoneOf(true);
    // Another key signs the same answer: the kiosk treats it as absent.
    const forger = new VirtualPhone({ keyPair: generateKeyPair(), credential: phone.credential });
    forger.process(selectApdu());
    const result = await runTapExchange({
      transport: new DirectTransport({
        atr: phone.atr,
        reset: () => phone.reset(),
        respond: async (apdu) => (apdu[1] === Ins.getDayState ? forger.respond(apdu) : phone.respond(apdu)),
      }),
      handler: kiosk,
      readerName: 'unit',
      cardType: CardType.iso14443_4,
    });
    expect(result).toMatchObject({ outcome: 'completed', committed: true, dayStateAnswered: true });
    expect(kiosk.dayStates).toEqual([null]);
  });

  it('aborts when onHello asks for a day state and the handler cannot take it', async () => {
    const result = await exchange({
      onHello: () => Promise.resolve({ kind: 'day-state', request: new Uint8Array(32) }),
      onSignature: () => Promise.reject(new Error('unreachable')),
    });
    expect(result).toMatchObject({ outcome: 'aborted', code: TapReaderCode.HANDLER_FAILED });
    expect(result.apdus.map((apdu) => apdu.step)).toEqual(['select']);
  });
});
