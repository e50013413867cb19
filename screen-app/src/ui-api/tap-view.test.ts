import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@redtap/shared';
import { TapReaderCode } from '@redtap/tap-reader';
import { KioskCode } from '../codes.ts';
import { TapView } from './channels.ts';
import { exchangeView, prizeView, refusalView, TAP_VIEW_CODES, type TapPrizeLike } from './tap-view.ts';

const titles = (campaignId: number, couponOfferId: number) =>
  campaignId === 12 && couponOfferId === 5 ? '¥2 off' : null;
const prize = (overrides: Partial<TapPrizeLike> = {}): TapPrizeLike => ({
  counter: 7,
  campaignId: 12,
  amountFen: 120,
  couponOfferId: 0,
  localCap: false,
  noDeck: false,
  ...overrides,
});

describe('tap views', () => {
  it('maps committed taps by their flags', () => {
    expect(prizeView(1, prize(), titles)).toEqual({
      state: 'prize',
      tapId: 1,
      counter: 7,
      amountFen: 120,
      couponTitle: null,
      certainty: 'firm',
    });
    expect(prizeView(1, prize({ couponOfferId: 5 }), titles)).toMatchObject({
      state: 'prize',
      couponTitle: '¥2 off',
    });
    expect(prizeView(1, prize({ amountFen: 0, couponOfferId: 5, localCap: true }), titles)).toEqual({
      state: 'already-grabbed',
      tapId: 1,
      counter: 7,
      couponTitle: '¥2 off',
    });
    expect(prizeView(1, prize({ amountFen: 0, noDeck: true }), titles)).toMatchObject({ state: 'thank-you' });
    expect(prizeView(1, prize({ amountFen: 0 }), titles)).toMatchObject({ state: 'thank-you' });
    expect(prizeView(1, prize({ couponOfferId: 99 }), titles)).toMatchObject({ couponTitle: null });
  });

  it('says a prize is confirming only when the engine is not sure, and firm by default', () => {
    // Engines that do not judge certainty yet keep today's words.
    expect(prizeView(1, prize(), titles)).toMatchObject({ state: 'prize', certainty: 'firm' });
    expect(prizeView(1, prize({ certainty: 'firm' }), titles)).toMatchObject({ certainty: 'firm' });
    expect(prizeView(1, prize({ certainty: 'confirming', couponOfferId: 5 }), titles)).toEqual({
      state: 'prize',
      tapId: 1,
      counter: 7,
      amountFen: 120,
      couponTitle: '¥2 off',
      certainty: 'confirming',
    });
    // A coupon after the cap or without a deck is confirming too; a firm one, or no coupon, says nothing.
    const unsureCoupon = { amountFen: 0, couponOfferId: 5, certainty: 'confirming' } as const;
    expect(prizeView(1, prize({ ...unsureCoupon, localCap: true }), titles)).toEqual({
      state: 'already-grabbed',
      tapId: 1,
      counter: 7,
      couponTitle: '¥2 off',
      certainty: 'confirming',
    });
    expect(prizeView(1, prize({ ...unsureCoupon, noDeck: true }), titles)).toMatchObject({
      state: 'thank-you',
      certainty: 'confirming',
    });
    expect(
      prizeView(1, prize({ ...unsureCoupon, localCap: true, certainty: 'firm' }), titles),
    ).not.toHaveProperty('certainty');
    expect(
      prizeView(1, prize({ amountFen: 0, localCap: true, certainty: 'confirming' }), titles),
    ).not.toHaveProperty('certainty');
  });

  it('maps refusals by code', () => {
    expect(refusalView(2, ErrorCode.CREDENTIAL_REVOKED).state).toBe('not-supported');
    expect(refusalView(2, KioskCode.NOT_ENROLLED).state).toBe('unavailable');
    expect(refusalView(2, ErrorCode.CARD_REMOVED).state).toBe('try-again');
    expect(refusalView(2, KioskCode.SCREEN_BUSY).state).toBe('try-again');
    expect(refusalView(2, 'X'.repeat(200))).toMatchObject({ state: 'try-again', reason: 'X'.repeat(64) });
  });

  it('uses only codes that exist in the shared, kiosk and reader code sets', () => {
    const known = new Set<string>([
      ...Object.values(ErrorCode),
      ...Object.values(KioskCode),
      ...Object.values(TapReaderCode),
    ]);
    for (const code of [...TAP_VIEW_CODES.notSupported, ...TAP_VIEW_CODES.unavailable])
      expect(known).toContain(code);
  });

  it('shows a committed prize even when the receipt did not reach the phone', () => {
    const view = exchangeView(
      3,
      { outcome: 'undelivered', code: ErrorCode.CARD_REMOVED, committed: true },
      prize(),
      titles,
    );
    expect(view.state).toBe('prize');
    expect(
      exchangeView(3, { outcome: 'ignored', code: ErrorCode.APDU_NOT_REDTAP, committed: false }, null, titles)
        .state,
    ).toBe('not-supported');
    expect(exchangeView(3, { outcome: 'aborted', code: null, committed: false }, null, titles)).toMatchObject(
      {
        state: 'try-again',
        reason: 'UNKNOWN',
      },
    );
  });

  it('every view it builds passes the channel schema', () => {
    const views = [
      prizeView(1, prize(), titles),
      prizeView(1, prize({ certainty: 'confirming' }), titles),
      prizeView(1, prize({ localCap: true }), titles),
      prizeView(1, prize({ localCap: true, couponOfferId: 5, certainty: 'confirming' }), titles),
      refusalView(1, 'CARD_REMOVED'),
      refusalView(1, 'NOT_ENROLLED'),
    ];
    for (const view of views) expect(TapView.safeParse(view).success).toBe(true);
  });
});
