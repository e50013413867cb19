// The reports KPIs: impressions unknown stay unknown, and the rate never divides taps by plays that
// nobody reported (a day with 19 taps over 2 logged plays used to show 700 %).
import { describe, expect, it } from 'vitest';
import type { ReportRow } from '../src/api/types.ts';
import { totals } from '../src/lib/report-totals.ts';

const row = (overrides: Partial<ReportRow>): ReportRow => ({
  key: '2026-06-15',
  label: '2026-06-15',
  impressions: null,
  impressionsCapped: false,
  impressionsExact: null,
  taps: 0,
  ratedTaps: 0,
  uniqueWallets: 0,
  cashFen: 0,
  coupons: 0,
  tapThroughRate: null,
  ...overrides,
});

describe('report totals', () => {
  it('rates only taps from reported periods over the reported plays', () => {
    const sum = totals([
      row({ impressions: 2, taps: 14, ratedTaps: 1 }),
      row({ key: '2026-06-16', impressions: null, taps: 5 }),
    ]);
    expect(sum).toMatchObject({ impressions: 2, taps: 19, ctr: 0.5 });
  });

  it('has no impressions and no rate when nothing was reported', () => {
    expect(totals([row({ taps: 7 })])).toMatchObject({ impressions: null, taps: 7, ctr: null });
    expect(totals([row({ impressions: 0, taps: 3, ratedTaps: 3 })])).toMatchObject({
      impressions: 0,
      ctr: null,
    });
  });
});
