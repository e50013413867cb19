import { describe, expect, it } from 'vitest';
import { seededRandomInt } from '@redtap/shared';
import { ErrorCode } from '@redtap/shared';
import { buildEnvelopePool, COUPON_STOCK_PER_CAMPAIGN_MAX } from './campaigns.ts';

describe('buildEnvelopePool', () => {
  it('keeps a lucky plan exact to the fen and mixes in every coupon of stock', () => {
    const pool = buildEnvelopePool(
      { kind: 'lucky', totalFen: 10_007, count: 97, minFen: 5, maxFen: 300 },
      [
        { id: 7, stock: 10 },
        { id: 9, stock: 100 },
      ],
      seededRandomInt(42),
    );
    expect(pool.reduce((sum, [amount]) => sum + amount, 0)).toBe(10_007);
    expect(pool.filter(([, coupon]) => coupon === 7)).toHaveLength(10);
    expect(pool.filter(([, coupon]) => coupon === 9)).toHaveLength(100);
    // 97 cash envelopes carry at most one coupon each; the other 13 coupons come alone.
    expect(pool).toHaveLength(110);
    expect(pool.filter(([amount]) => amount === 0)).toHaveLength(13);
  });

  it('keeps tier sums and counts', () => {
    const pool = buildEnvelopePool(
      {
        kind: 'tiers',
        tiers: [
          { amountFen: 88, count: 3 },
          { amountFen: 8, count: 5 },
        ],
      },
      [],
      seededRandomInt(1),
    );
    expect(pool.map(([amount]) => amount).sort((a, b) => a - b)).toEqual([8, 8, 8, 8, 8, 88, 88, 88]);
  });

  it('refuses coupon stock beyond the per-campaign bound instead of materialising it', () => {
    expect(() =>
      buildEnvelopePool({ kind: 'tiers', tiers: [{ amountFen: 100, count: 10 }] }, [
        { id: 7, stock: COUPON_STOCK_PER_CAMPAIGN_MAX },
        { id: 9, stock: 1 },
      ]),
    ).toThrow(expect.objectContaining({ code: ErrorCode.COUPON_STOCK_TOO_LARGE }));
  });
});
