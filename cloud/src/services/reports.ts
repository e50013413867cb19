// Campaign reports for advertisers (their own campaigns) and operators: impressions from proof of
// play, taps, unique wallets, cash spent and coupons issued, by day, city or screen; JSON or CSV.
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { int, queryRows } from '../db/rows.ts';
import type { TenantScope } from './accounts.ts';

export const REPORT_ROWS_MAX = 5_000;
export type ReportDimension = 'day' | 'city' | 'screen';

export interface ReportRow {
  key: string;
  impressions: number;
  taps: number;
  uniqueWallets: number;
  cashFen: number;
  coupons: number;
  /** taps ÷ impressions, or null without impressions. */
  tapThroughRate: number | null;
}

export async function campaignReport(
  db: Database,
  scope: TenantScope,
  input: { by: ReportDimension; campaignId?: number | undefined; from: string; to: string },
): Promise<ReportRow[]> {
  const tenant: SQL = scope.kind === 'advertiser' ? sql`c.advertiser_id = ${scope.advertiserId}` : sql`true`;
  const campaign: SQL = input.campaignId === undefined ? sql`true` : sql`c.id = ${input.campaignId}`;
  const tapKey =
    input.by === 'day' ? sql`r.tap_day::text` : input.by === 'city' ? sql`r.city` : sql`r.screen_id::text`;
  const playKey =
    input.by === 'day' ? sql`p.day::text` : input.by === 'city' ? sql`s.city` : sql`p.screen_id::text`;
  const rows = await queryRows<{
    key: string;
    impressions: unknown;
    taps: unknown;
    wallets: unknown;
    cash: unknown;
    coupons: unknown;
  }>(
    db,
    sql`with scoped as (select c.id from campaigns c where ${tenant} and ${campaign}),
        taps as (
          select ${tapKey} as key, count(*) as taps, count(distinct r.wallet_id) as wallets,
                 coalesce(sum(r.amount_fen) filter (where r.status in ('credited', 'released')), 0) as cash,
                 count(*) filter (where r.coupon_offer_id is not null and r.status in ('credited', 'released')) as coupons
          from redemptions r where r.campaign_id in (select id from scoped)
            and r.tap_day between ${input.from}::date and ${input.to}::date
            and r.status in ('credited', 'released', 'held')
          group by 1),
        plays as (
          select ${playKey} as key, sum(p.plays) as impressions
          from play_stats p join screens s on s.id = p.screen_id
          where p.campaign_id in (select id from scoped) and p.day between ${input.from}::date and ${input.to}::date
          group by 1)
        select coalesce(t.key, p.key) as key, coalesce(p.impressions, 0) as impressions, coalesce(t.taps, 0) as taps,
               coalesce(t.wallets, 0) as wallets, coalesce(t.cash, 0) as cash, coalesce(t.coupons, 0) as coupons
        from taps t full outer join plays p on p.key = t.key
        order by 1 limit ${REPORT_ROWS_MAX}`,
  );
  return rows.map((row) => {
    const impressions = int(row.impressions);
    const taps = int(row.taps);
    return {
      key: row.key,
      impressions,
      taps,
      uniqueWallets: int(row.wallets),
      cashFen: int(row.cash),
      coupons: int(row.coupons),
      tapThroughRate: impressions === 0 ? null : taps / impressions,
    };
  });
}

export function reportCsv(by: ReportDimension, rows: ReportRow[]): string {
  const escape = (text: string) => (/[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);
  const lines = [`${by},impressions,taps,unique_wallets,cash_fen,coupons,tap_through_rate`];
  for (const row of rows)
    lines.push(
      [
        escape(row.key),
        row.impressions,
        row.taps,
        row.uniqueWallets,
        row.cashFen,
        row.coupons,
        row.tapThroughRate ?? '',
      ].join(','),
    );
  return `${lines.join('\n')}\n`;
}
