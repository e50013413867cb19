// Coupon reports: how many coupons were issued and redeemed, the redemption rate and the time from tap
// to till (median and p90), by campaign, offer, store or city; JSON or CSV. Scoped like every report.
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { int, queryRows } from '../db/rows.ts';
import type { TenantScope } from './accounts.ts';
import { csvPercent, csvText } from './csv.ts';
import { reportTooLarge } from './reports.ts';

export const COUPON_REPORT_ROWS_MAX = 5_000;
export type CouponReportDimension = 'campaign' | 'offer' | 'store' | 'city';

export interface CouponReportRow {
  key: string;
  label: string;
  issued: number;
  redeemed: number;
  /** Unredeemed and past validity. */
  expired: number;
  /** redeemed ÷ issued, or null when nothing was issued. */
  redemptionRate: number | null;
  /** Seconds from issue (the tap) to redemption, over redeemed coupons; null when none. */
  redeemMedianS: number | null;
  redeemP90S: number | null;
}

interface RawRow {
  key: string;
  label: string | null;
  issued: unknown;
  redeemed: unknown;
  expired: unknown;
  median_s: unknown;
  p90_s: unknown;
}

const seconds = (value: unknown) =>
  value === null || value === undefined ? null : Math.round(Number(value));

/**
 * Issued coupons are counted by their tap day within [from, to]. `city` is where the coupon was won
 * (the screen's city). A store's `issued` is every coupon of the offers it accepts, so its rate is the
 * share of those redeemed at that store.
 */
export async function couponReport(
  db: Database,
  scope: TenantScope,
  input: { by: CouponReportDimension; campaignId?: number | undefined; from: string; to: string; now: Date },
  rowsMax = COUPON_REPORT_ROWS_MAX,
): Promise<CouponReportRow[]> {
  const tenant: SQL = scope.kind === 'advertiser' ? sql`k.advertiser_id = ${scope.advertiserId}` : sql`true`;
  const campaign: SQL = input.campaignId === undefined ? sql`true` : sql`k.id = ${input.campaignId}`;
  const nowS = Math.floor(input.now.getTime() / 1000);
  const scoped = sql`select c.*, extract(epoch from (c.redeemed_at - c.issued_at)) as redeem_s
        from coupons c join campaigns k on k.id = c.campaign_id
        where ${tenant} and ${campaign} and c.tap_day between ${input.from}::date and ${input.to}::date`;
  const measures = sql`count(*) as issued, count(sc.redeemed_at) as redeemed,
        count(*) filter (where sc.redeemed_at is null and sc.valid_until < ${nowS}) as expired,
        percentile_cont(0.5) within group (order by sc.redeem_s) as median_s,
        percentile_cont(0.9) within group (order by sc.redeem_s) as p90_s`;
  let query: SQL;
  if (input.by === 'campaign')
    query = sql`with sc as (${scoped})
      select sc.campaign_id::text as key, min(k.name) as label, ${measures}
      from sc join campaigns k on k.id = sc.campaign_id group by sc.campaign_id order by sc.campaign_id`;
  else if (input.by === 'offer')
    query = sql`with sc as (${scoped})
      select sc.coupon_offer_id::text as key, min(o.title) as label, ${measures}
      from sc join coupon_offers o on o.id = sc.coupon_offer_id group by sc.coupon_offer_id order by sc.coupon_offer_id`;
  else if (input.by === 'city')
    query = sql`with sc as (${scoped})
      select s.city as key, s.city as label, ${measures}
      from sc join screens s on s.id = sc.screen_id group by s.city order by s.city`;
  else
    query = sql`with sc as (${scoped}),
        stores_in as (select st.id, st.name, st.city from stores st
          where ${scope.kind === 'advertiser' ? sql`st.advertiser_id = ${scope.advertiserId}` : sql`true`})
      select st.id::text as key, st.name || ' · ' || st.city as label,
        (select count(*) from sc where sc.coupon_offer_id in
          (select so.coupon_offer_id from store_offers so where so.store_id = st.id)) as issued,
        count(sc.id) as redeemed, 0 as expired,
        percentile_cont(0.5) within group (order by sc.redeem_s) as median_s,
        percentile_cont(0.9) within group (order by sc.redeem_s) as p90_s
      from stores_in st left join sc on sc.redeemed_store_id = st.id
      group by st.id, st.name, st.city order by st.id`;
  const rows = await queryRows<RawRow>(db, sql`${query} limit ${rowsMax + 1}`);
  if (rows.length > rowsMax) throw reportTooLarge(rowsMax);
  return rows.map((row) => {
    const issued = int(row.issued);
    const redeemed = int(row.redeemed);
    return {
      key: row.key,
      label: row.label ?? row.key,
      issued,
      redeemed,
      expired: int(row.expired),
      redemptionRate: issued === 0 ? null : redeemed / issued,
      redeemMedianS: seconds(row.median_s),
      redeemP90S: seconds(row.p90_s),
    };
  });
}

export function couponReportCsv(by: CouponReportDimension, rows: CouponReportRow[]): string {
  return csvText(
    [by, 'label', 'issued', 'redeemed', 'expired', 'redemption_rate', 'redeem_median_s', 'redeem_p90_s'],
    rows.map((row) => [
      row.key,
      row.label,
      row.issued,
      row.redeemed,
      row.expired,
      csvPercent(row.redemptionRate),
      row.redeemMedianS,
      row.redeemP90S,
    ]),
  );
}
