// The phone's tap log: bounded, deduplicated, and aggregated for the cap day a kiosk asks about.
import { DayStateFlag, decodeDayState, encodeDayState } from '@redtap/shared';
import { describe, expect, it } from 'vitest';
import { PhoneTapLog, type PhoneTap } from './phone-tap-log.ts';

const DAY = 1_795_000_000;
const request = (dayStart: number, screenId = 1) => ({
  screenId,
  cityKey: 9,
  dayStart,
  ts: dayStart + 3600,
  nonce: new Uint8Array(12),
});
const tap = (counter: number, overrides: Partial<PhoneTap> = {}): PhoneTap => ({
  screenId: 1,
  counter,
  ts: DAY + counter * 60,
  campaignId: 10,
  advertiserId: 100,
  cityKey: 9,
  amountFen: 50,
  couponOfferId: 0,
  ...overrides,
});

describe('PhoneTapLog', () => {
  it("sums the day's cash, screens and per-campaign cash and coupons as the cloud counts them", () => {
    const log = new PhoneTapLog({
      taps: [
        tap(1),
        tap(2, { screenId: 2, amountFen: 30 }),
        tap(3, { amountFen: 0, couponOfferId: 4 }), // a coupon without cash
        tap(4, { amountFen: 20, couponOfferId: 4 }), // cash with a coupon counts as cash
        tap(5, { amountFen: 0 }), // a thank-you counts for nothing
        tap(6, { campaignId: 11, advertiserId: 101, screenId: 3, cityKey: 8 }),
        tap(0, { ts: DAY - 10 }), // the day before
      ],
    });
    const state = log.dayState(42, request(DAY, 2));
    expect(state).toEqual({
      walletId: 42,
      dayStart: DAY,
      cashCount: 4,
      cashFen: 150,
      screensWithCash: 3,
      flags: DayStateFlag.thisScreenHasCash,
      lastTapTs: DAY + 360,
      lastCityKey: 8,
      campaigns: [
        { campaignId: 10, advertiserId: 100, cash: 3, coupons: 1 },
        { campaignId: 11, advertiserId: 101, cash: 1, coupons: 0 },
      ],
    });
    // What it signs is a day state the decoder takes.
    expect(decodeDayState(encodeDayState({ ...state, signature: new Uint8Array(64) })).ok).toBe(true);
    expect(log.dayState(42, request(DAY, 9)).flags).toBe(0);
  });

  it('knows nothing of a day without taps but where and when its last tap was', () => {
    const log = new PhoneTapLog({ taps: [tap(1)] });
    expect(log.dayState(1, request(DAY + 2 * 86_400))).toMatchObject({
      cashCount: 0,
      cashFen: 0,
      screensWithCash: 0,
      flags: 0,
      lastTapTs: DAY + 60,
      lastCityKey: 9,
      campaigns: [],
    });
    expect(new PhoneTapLog().dayState(1, request(DAY))).toMatchObject({ lastTapTs: 0, lastCityKey: 0 });
  });

  it('lists the 16 most recently tapped campaigns and says the list is partial', () => {
    const log = new PhoneTapLog({
      taps: Array.from({ length: 20 }, (_, i) => tap(i + 1, { campaignId: 100 + i })),
    });
    const state = log.dayState(1, request(DAY));
    expect(state.campaigns.map((campaign) => campaign.campaignId)).toEqual(
      Array.from({ length: 16 }, (_, i) => 104 + i),
    );
    expect(state.cashCount).toBe(20);
    expect(state.flags & DayStateFlag.campaignsTruncated).not.toBe(0);
    expect(decodeDayState(encodeDayState({ ...state, signature: new Uint8Array(64) })).ok).toBe(true);
  });

  it('keeps each tap once, at most tapsMax of them, none older than ageMaxS before the newest', () => {
    const log = new PhoneTapLog({ tapsMax: 3, ageMaxS: 600 });
    log.add(tap(1));
    log.add(tap(1));
    expect(log.size).toBe(1);
    for (let counter = 2; counter <= 5; counter++) log.add(tap(counter));
    expect(log.entries().map((entry) => entry.counter)).toEqual([3, 4, 5]);
    log.add(tap(30)); // 25 minutes later: every earlier tap is past the age bound
    expect(log.entries().map((entry) => entry.counter)).toEqual([30]);
    log.add(tap(29)); // an older receipt arriving late still sorts in
    expect(log.entries().map((entry) => entry.counter)).toEqual([29, 30]);
  });
});
