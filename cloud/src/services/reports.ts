// Campaign reports for advertisers (their own campaigns) and operators: impressions from proof of
// play, taps, unique wallets, cash spent and coupons issued, by day, city, screen or path; JSON or CSV.
// "Taps" count every way a prize was won: kiosk taps (path `tap`) and credited online claims of a
// screen's ticket or sticker (`qr`, `reader_tag`, `sticker`; docs/protocol.md §7a). Plays have no path,
// so rows by path carry no impressions.
//
// Impressions arrive late and not from everywhere: a screen reports its plays once a period is over
// (docs/protocol.md §5.3), and a screen that never reports has none. Taps are known at once. So the
// tap-through rate divides only the taps that fell inside a period the screen has reported
// (`ratedTaps`) by the impressions of those periods, and a row without any proof of play has unknown
// impressions (null) and no rate, rather than a rate of taps over nothing.
//
// Taps, rated taps, cash and coupons are read from `tap_rollups` (schema/tap-rollups.ts), which triggers
// keep as taps and claims settle, holds are decided and proof-of-play periods arrive, so those sums cost
// a row per campaign, day, screen, city and path rather than a row per tap. Unique wallets cannot be
// summed from such rows (one wallet taps on many days and screens): they are counted distinct from the
// tap and claim rows of the range, through their (campaign, day) indexes, when the report holds at most
// UNIQUE_WALLETS_TAPS_MAX counted taps, and are unknown (null) beyond that.
//
// Impressions are bounded on the way in (proof-of-play.ts), but rows stored before that may sum past what
// a JSON number holds exactly: such a row answers 2^53 − 1 with `impressionsCapped`, its exact sum in
// `impressionsExact`, and the CSV carries the exact sum, rather than the whole report failing.
import { sql, type SQL } from 'drizzle-orm';
import { ErrorCode } from '@redtap/shared';
import type { Database } from '../db/client.ts';
import { int, queryRows } from '../db/rows.ts';
import { DomainError } from '../errors.ts';
import type { TenantScope } from './accounts.ts';
import { csvPercent, csvText, csvYuan } from './csv.ts';

export const REPORT_ROWS_MAX = 5_000;
/**
 * Unique wallets are counted distinct from the tap and claim rows, which no rollup can sum: a report
 * whose range and campaigns hold more counted taps than this answers them as unknown (null) rather than
 * scanning the history for seconds. Every other measure comes from the rollups whatever the range.
 */
export const UNIQUE_WALLETS_TAPS_MAX = 100_000;

/** A report past `rowsMax` rows is refused, never answered with its first rows as if they were all. */
export function reportTooLarge(rowsMax: number): DomainError {
  return new DomainError(
    ErrorCode.REPORT_TOO_LARGE,
    `the report has more than ${rowsMax} rows: ask for fewer days, one campaign or a coarser grouping`,
    { params: { rowsMax } },
  );
}
export type ReportDimension = 'day' | 'city' | 'screen' | 'path';

export interface ReportRow {
  key: string;
  /** What the key names: the screen's name for `screen`, the key itself otherwise. */
  label: string;
  /** Plays reported by proof of play, or null when no screen reported any for this row; at most 2^53 − 1. */
  impressions: number | null;
  /** The sum of plays exceeds 2^53 − 1 and `impressions` shows that bound. */
  impressionsCapped: boolean;
  /** The exact sum of plays as a decimal string, or null with `impressions`. */
  impressionsExact: string | null;
  taps: number;
  /** Taps inside periods the screen has reported proof of play for: what the rate divides. */
  ratedTaps: number;
  /**
   * Distinct wallets among the row's taps; null when the report holds more than UNIQUE_WALLETS_TAPS_MAX
   * counted taps (ask for fewer days or one campaign to have them counted).
   */
  uniqueWallets: number | null;
  cashFen: number;
  coupons: number;
  /** ratedTaps ÷ impressions, or null when impressions are unknown or zero. */
  tapThroughRate: number | null;
}

export interface Report {
  /** The time zone report days (and the from/to filter) are counted in. */
  timezone: string;
  items: ReportRow[];
}

export function tapThroughRate(ratedTaps: number, impressions: number | null): number | null {
  return impressions === null || impressions === 0 ? null : ratedTaps / impressions;
}

export async function campaignReport(
  db: Database,
  scope: TenantScope,
  input: {
    by: ReportDimension;
    campaignId?: number | undefined;
    from: string;
    to: string;
    timezone: string;
  },
  rowsMax = REPORT_ROWS_MAX,
  walletsTapsMax = UNIQUE_WALLETS_TAPS_MAX,
): Promise<Report> {
  const tenant: SQL = scope.kind === 'advertiser' ? sql`c.advertiser_id = ${scope.advertiserId}` : sql`true`;
  const campaign: SQL = input.campaignId === undefined ? sql`true` : sql`c.id = ${input.campaignId}`;
  const tapKey = {
    day: sql`r.tap_day::text`,
    city: sql`r.city`,
    screen: sql`r.screen_id::text`,
    path: sql`r.path`,
  }[input.by];
  const playKey = {
    day: sql`p.day::text`,
    city: sql`s.city`,
    screen: sql`p.screen_id::text`,
    path: sql`null::text`,
  }[input.by];
  const label =
    input.by === 'screen'
      ? sql`(select n.name from screens n where n.id = coalesce(t.key, p.key)::bigint)`
      : sql`coalesce(t.key, p.key)`;
  const scoped = sql`scoped as (select c.id from campaigns c where ${tenant} and ${campaign})`;
  const rows = await queryRows<{
    key: string;
    label: string | null;
    impressions: unknown;
    impressions_exact: string | null;
    impressions_capped: boolean | null;
    taps: unknown;
    rated_taps: unknown;
    cash: unknown;
    coupons: unknown;
  }>(
    db,
    sql`with ${scoped},
        taps as (
          select ${tapKey} as key, sum(r.taps) as taps, sum(r.rated_taps) as rated_taps,
                 sum(r.cash_fen) as cash, sum(r.coupons) as coupons
          from tap_rollups r
          where r.campaign_id = any(array(select id from scoped))
            and r.tap_day between ${input.from}::date and ${input.to}::date
          group by 1 having sum(r.taps) > 0),
        plays as (
          select ${playKey} as key, sum(p.plays) as impressions
          from play_stats p join screens s on s.id = p.screen_id
          where p.campaign_id = any(array(select id from scoped))
            and p.day between ${input.from}::date and ${input.to}::date
            and ${input.by !== 'path'}
          group by 1)
        select coalesce(t.key, p.key) as key, ${label} as label,
               -- least() skips nulls: a row without proof of play keeps null impressions.
               case when p.impressions is not null then least(p.impressions, ${Number.MAX_SAFE_INTEGER}) end
                 as impressions,
               p.impressions::text as impressions_exact,
               p.impressions > ${Number.MAX_SAFE_INTEGER} as impressions_capped,
               coalesce(t.taps, 0) as taps, coalesce(t.rated_taps, 0) as rated_taps,
               coalesce(t.cash, 0) as cash, coalesce(t.coupons, 0) as coupons
        from taps t full outer join plays p on p.key = t.key
        order by 1 limit ${rowsMax + 1}`,
  );
  if (rows.length > rowsMax) throw reportTooLarge(rowsMax);
  // Unique wallets are counted from the tap and claim rows themselves, so only where they are few enough.
  const counted = rows.reduce((sum, row) => sum + int(row.taps), 0);
  const wallets = counted > walletsTapsMax ? null : await uniqueWallets(db, scoped, tapKey, input);
  const items = rows.map((row) => {
    const impressions =
      row.impressions === null || row.impressions === undefined ? null : int(row.impressions);
    const ratedTaps = int(row.rated_taps);
    return {
      key: row.key,
      label: row.label ?? row.key,
      impressions,
      impressionsCapped: row.impressions_capped === true,
      impressionsExact: row.impressions_exact,
      taps: int(row.taps),
      ratedTaps,
      uniqueWallets: wallets === null && int(row.taps) > 0 ? null : (wallets?.get(row.key) ?? 0),
      cashFen: int(row.cash),
      coupons: int(row.coupons),
      tapThroughRate: tapThroughRate(ratedTaps, impressions),
    };
  });
  return { timezone: input.timezone, items };
}

/** Distinct wallets per report key among the counted taps and claims of the scoped campaigns' range. */
async function uniqueWallets(
  db: Database,
  scoped: SQL,
  key: SQL,
  range: { from: string; to: string },
): Promise<Map<string, number>> {
  const rows = await queryRows<{ key: string; wallets: unknown }>(
    db,
    sql`with ${scoped}
        select ${key} as key, count(distinct r.wallet_id) as wallets
        from (
          select t.tap_day, t.city, t.screen_id, t.wallet_id, 'tap' as path
          from redemptions t where t.campaign_id = any(array(select id from scoped))
            and t.tap_day between ${range.from}::date and ${range.to}::date
            and t.status in ('credited', 'released', 'held')
          union all
          select k.tap_day, k.city, k.screen_id, k.wallet_id, k.path
          from claims k where k.campaign_id = any(array(select id from scoped))
            and k.tap_day between ${range.from}::date and ${range.to}::date
            and k.status in ('credited', 'released', 'held')
        ) r
        group by 1`,
  );
  return new Map(rows.map((row) => [row.key, int(row.wallets)]));
}

/** The CSV export: the day column names its time zone, screens carry their names, rates are percentages. */
export function reportCsv(by: ReportDimension, report: Report): string {
  const keys = {
    day: [`day (${report.timezone})`],
    city: ['city'],
    screen: ['screen_id', 'screen_name'],
    path: ['path'],
  }[by];
  const header = [
    ...keys,
    'impressions',
    'taps',
    'taps_in_reported_periods',
    'unique_wallets',
    'cash_fen',
    'cash_yuan',
    'coupons',
    'tap_through_rate',
  ];
  return csvText(
    header,
    report.items.map((row) => [
      ...(by === 'screen' ? [row.key, row.label] : [row.key]),
      row.impressionsExact,
      row.taps,
      row.ratedTaps,
      row.uniqueWallets,
      row.cashFen,
      csvYuan(row.cashFen),
      row.coupons,
      csvPercent(row.tapThroughRate),
    ]),
  );
}
