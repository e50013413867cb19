import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@redtap/shared';
import {
  comparePromise,
  fidelityLine,
  summarizeFidelity,
  type CloudResult,
  type MismatchKind,
  type ScreenPromise,
} from './fidelity.ts';

const TEA = 11;
const GREEN = 12;
const TEA_COUPON = 101;
const GREEN_COUPON = 201;

const promise = (overrides: Partial<ScreenPromise> = {}): ScreenPromise => ({
  screenId: 3,
  counter: 7,
  walletId: 42,
  amountFen: 84,
  couponOfferId: 0,
  campaignId: TEA,
  showingCampaignId: TEA,
  fallThrough: false,
  certainty: 'firm',
  ...overrides,
});

const result = (overrides: Partial<CloudResult> = {}): CloudResult => ({
  status: 'credited',
  code: null,
  amountFen: 84,
  campaignId: TEA,
  coupon: null,
  ...overrides,
});

const cases: { name: string; promise: ScreenPromise; result: CloudResult | null; kinds: MismatchKind[] }[] = [
  { name: 'matching cash', promise: promise(), result: result(), kinds: [] },
  {
    name: 'matching cash with its envelope coupon',
    promise: promise({ couponOfferId: TEA_COUPON }),
    result: result({ coupon: { couponOfferId: TEA_COUPON, campaignId: TEA } }),
    kinds: [],
  },
  {
    name: 'held, then released by a reviewer',
    promise: promise(),
    result: result({ status: 'released' }),
    kinds: [],
  },
  {
    name: 'cash refused for the campaign cap',
    promise: promise(),
    result: result({ status: 'rejected', code: ErrorCode.CAP_CAMPAIGN_WALLET, amountFen: 0 }),
    kinds: ['cash-not-credited'],
  },
  {
    name: 'cash held for review and never released',
    promise: promise(),
    result: result({ status: 'held', code: ErrorCode.HELD_FOR_REVIEW }),
    kinds: ['cash-not-credited'],
  },
  {
    name: 'cash credited with another amount',
    promise: promise(),
    result: result({ amountFen: 30 }),
    kinds: ['cash-other-amount'],
  },
  {
    name: 'fallback coupon refused for stock',
    promise: promise({ amountFen: 0, couponOfferId: TEA_COUPON }),
    result: result({ status: 'rejected', code: ErrorCode.COUPON_OUT_OF_STOCK, amountFen: 0 }),
    kinds: ['coupon-not-issued'],
  },
  {
    name: 'cash and its coupon both refused for travel',
    promise: promise({ couponOfferId: TEA_COUPON }),
    result: result({ status: 'rejected', code: ErrorCode.FRAUD_IMPOSSIBLE_TRAVEL, amountFen: 0 }),
    kinds: ['cash-not-credited', 'coupon-not-issued'],
  },
  {
    name: 'another offer issued than the one shown',
    promise: promise({ amountFen: 0, couponOfferId: TEA_COUPON }),
    result: result({ amountFen: 0, coupon: { couponOfferId: 102, campaignId: TEA } }),
    kinds: ['coupon-not-issued'],
  },
  {
    name: "GreenLeaf's creative on screen, paid by Tea Co",
    promise: promise({ showingCampaignId: GREEN }),
    result: result(),
    kinds: ['other-campaign'],
  },
  {
    name: "GreenLeaf's creative on screen, Tea Co's coupon issued",
    promise: promise({ showingCampaignId: GREEN, amountFen: 0, couponOfferId: TEA_COUPON }),
    result: result({ amountFen: 0, coupon: { couponOfferId: TEA_COUPON, campaignId: TEA } }),
    kinds: ['other-campaign'],
  },
  {
    name: 'another campaign pays when the advertiser chose fall-through',
    promise: promise({ showingCampaignId: GREEN, fallThrough: true }),
    result: result(),
    kinds: [],
  },
  {
    name: 'default content on screen: any campaign may pay',
    promise: promise({ showingCampaignId: null }),
    result: result(),
    kinds: [],
  },
  {
    name: 'a refused tap paid nobody, so no campaign paid for the wrong creative',
    promise: promise({ showingCampaignId: GREEN, amountFen: 0, couponOfferId: GREEN_COUPON }),
    result: result({
      status: 'rejected',
      code: ErrorCode.CAP_CAMPAIGN_WALLET,
      amountFen: 0,
      campaignId: GREEN,
    }),
    kinds: ['coupon-not-issued'],
  },
  {
    name: 'nothing shown, nothing paid',
    promise: promise({ amountFen: 0, couponOfferId: 0 }),
    result: result({ status: 'rejected', code: ErrorCode.CAP_CAMPAIGN_WALLET, amountFen: 0 }),
    kinds: [],
  },
  { name: 'a prize shown, no cloud record', promise: promise(), result: null, kinds: ['no-record'] },
  {
    name: 'nothing shown, no cloud record',
    promise: promise({ amountFen: 0 }),
    result: null,
    kinds: [],
  },
];

describe('comparePromise', () => {
  it.each(cases)('$name', ({ promise, result, kinds }) => {
    expect(comparePromise(promise, result).map((mismatch) => mismatch.kind)).toEqual(kinds);
  });
});

describe('summarizeFidelity', () => {
  it('counts a confirming tap apart, never as a mismatch', () => {
    const refused = result({ status: 'rejected', code: ErrorCode.CAP_CAMPAIGN_WALLET, amountFen: 0 });
    const report = summarizeFidelity([
      { promise: promise({ certainty: 'confirming' }), result: refused },
      { promise: promise({ certainty: 'confirming', counter: 8 }), result: result() },
      { promise: promise({ counter: 9 }), result: result() },
    ]);
    expect(report).toMatchObject({ taps: 3, firm: 1, confirming: 2, mismatches: 0, confirmingDiffered: 1 });
    expect(report.byKind).toEqual({});
    expect(fidelityLine(report)).toBe('promise-fidelity: 3 taps, 0 mismatches, 2 confirming (66.7 %)');
  });

  it('counts taps with a mismatch once, and each kind by its reasons', () => {
    const travel = result({ status: 'rejected', code: ErrorCode.FRAUD_IMPOSSIBLE_TRAVEL, amountFen: 0 });
    const capped = result({ status: 'rejected', code: ErrorCode.CAP_CAMPAIGN_WALLET, amountFen: 0 });
    const report = summarizeFidelity([
      { promise: promise({ couponOfferId: TEA_COUPON }), result: travel },
      { promise: promise({ counter: 8 }), result: capped },
      { promise: promise({ counter: 9, showingCampaignId: GREEN }), result: result() },
      { promise: promise({ counter: 10 }), result: result() },
    ]);
    expect(report).toMatchObject({ taps: 4, firm: 4, confirming: 0, mismatches: 3 });
    expect(report.byKind['cash-not-credited']).toMatchObject({
      taps: 2,
      reasons: { FRAUD_IMPOSSIBLE_TRAVEL: 1, CAP_CAMPAIGN_WALLET: 1 },
    });
    expect(report.byKind['coupon-not-issued']?.taps).toBe(1);
    expect(report.byKind['other-campaign']?.taps).toBe(1);
    expect(fidelityLine(report)).toBe(
      'promise-fidelity: 4 taps, 3 mismatches (2 cash-not-credited, 1 coupon-not-issued, 1 other-campaign), 0 confirming (0.0 %)',
    );
  });
});
