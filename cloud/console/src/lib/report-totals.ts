// The reports page's KPIs, summed from its daily rows by the same rule the API rates each row with.
import type { ReportRow } from '../api/types.ts';

/**
 * The KPIs over the daily rows. Impressions are unknown (null) when no row has reported plays, and
 * the rate divides the same taps each row's rate divides (taps from reported periods) by those plays.
 */
export function totals(rows: ReportRow[]) {
  const sum = (pick: (row: ReportRow) => number) => rows.reduce((total, row) => total + pick(row), 0);
  const reported = rows.filter((row) => row.impressions !== null);
  const impressions = reported.length === 0 ? null : sum((r) => r.impressions ?? 0);
  const ratedTaps = reported.reduce((total, row) => total + row.ratedTaps, 0);
  return {
    impressions,
    taps: sum((r) => r.taps),
    cashFen: sum((r) => r.cashFen),
    coupons: sum((r) => r.coupons),
    ctr: impressions === null || impressions === 0 ? null : ratedTaps / impressions,
  };
}
