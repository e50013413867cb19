// Which of a phone's receipts the simulator shows as pending: those the cloud's history does not list
// yet (the kiosk committed the tap, neither its outbox nor the phone has reached the cloud).
import { describe, expect, it } from 'vitest';
import { encodeTapToken, toHex } from '@redtap/shared';
import { pendingTaps, phoneTaps, WALLET_HISTORY_LIMIT, type PhoneReceipt } from './phones.ts';

function receipt(screenId: number, counter: number, ts: number, amountFen = 50): PhoneReceipt {
  const bytes = encodeTapToken({
    version: 1,
    screenId,
    counter,
    ts,
    nonce: new Uint8Array(16),
    campaignId: 1,
    walletId: 9,
    credentialSerial: 1,
    phoneSignature: new Uint8Array(64),
    deckId: 1,
    envelopeIndex: counter,
    amountFen,
    couponOfferId: 0,
    flags: 0,
    screenSignature: new Uint8Array(64),
  });
  return { token: toHex(bytes), screenIndex: 1, at: new Date(ts * 1000).toISOString(), phoneRedeem: null };
}

describe('pendingTaps', () => {
  it('lists the receipts the cloud has not settled, newest first', () => {
    const receipts = [receipt(7, 1, 1000), receipt(7, 2, 1010, 120), receipt(8, 1, 1020)];
    const history = [{ screenId: 7, counter: 1, tapTs: 1000 }];
    expect(pendingTaps(receipts, history)).toEqual([
      expect.objectContaining({ screenId: 8, counter: 1 }),
      expect.objectContaining({ screenId: 7, counter: 2, amountFen: 120 }),
    ]);
  });

  it('shows nothing pending once every receipt is in the history', () => {
    const receipts = [receipt(7, 1, 1000), receipt(7, 2, 1010)];
    const history = [
      { screenId: 7, counter: 2, tapTs: 1010 },
      { screenId: 7, counter: 1, tapTs: 1000 },
    ];
    expect(pendingTaps(receipts, history)).toEqual([]);
  });

  it('does not call a receipt older than a full history page pending (it may be on the next page)', () => {
    const history = Array.from({ length: WALLET_HISTORY_LIMIT }, (_, index) => ({
      screenId: 7,
      counter: 100 + index,
      tapTs: 5000 + index,
    }));
    expect(pendingTaps([receipt(7, 1, 1000), receipt(7, 999, 9000)], history)).toEqual([
      expect.objectContaining({ counter: 999 }),
    ]);
  });

  it('skips a receipt that does not decode', () => {
    expect(pendingTaps([{ token: 'zz', screenIndex: 1, at: '', phoneRedeem: null }], [])).toEqual([]);
  });
});

describe('phoneTaps', () => {
  it("turns the phone's receipts into the tap log its virtual phone signs day states from", () => {
    const long = { ...receipt(7, 1, 1000), extra: '0000000700abcdef' };
    const short = receipt(8, 1, 1020, 0);
    expect(phoneTaps([long, short, { ...receipt(7, 1, 1000), token: 'zz' }])).toEqual([
      {
        screenId: 7,
        counter: 1,
        ts: 1000,
        campaignId: 1,
        advertiserId: 7,
        cityKey: 0xabcdef,
        amountFen: 50,
        couponOfferId: 0,
      },
      {
        screenId: 8,
        counter: 1,
        ts: 1020,
        campaignId: 1,
        advertiserId: 0,
        cityKey: 0,
        amountFen: 0,
        couponOfferId: 0,
      },
    ]);
  });

  it('keeps what a phone keeps: the newest taps within 48 hours', () => {
    const receipts = [receipt(7, 1, 1000), receipt(7, 2, 1000 + 49 * 3600)];
    expect(phoneTaps(receipts).map((tap) => tap.counter)).toEqual([2]);
  });
});
