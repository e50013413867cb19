// What campaign reports count, summed as taps settle (services/reports.ts): per campaign, tap day, screen,
// city and path, the taps that count (credited, released or held), those inside a period the screen has
// reported proof of play for, their cash and their coupons. Kept by triggers on `redemptions`, `claims`
// and `play_reports` (migration 0027): set-based per statement, in the writer's transaction, so every path
// that settles, reviews or rates a tap keeps it without code of its own. Reports read these rows and never
// scan the taps for what they sum.
import { bigint, date, index, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';

export const tapRollups = pgTable(
  'tap_rollups',
  {
    campaignId: bigint('campaign_id', { mode: 'number' }).notNull(),
    /** The taps' cap day in the operator's zone, as the tap rows keep it. */
    tapDay: date('tap_day', { mode: 'string' }).notNull(),
    screenId: bigint('screen_id', { mode: 'number' }).notNull(),
    /** The screen's city when the tap was made (the tap row's). */
    city: text('city').notNull(),
    /** `tap` for kiosk taps, else the claim's path (`qr`, `reader_tag`, `sticker`). */
    path: text('path').notNull(),
    /** Taps credited, released or held. */
    taps: bigint('taps', { mode: 'number' }).notNull().default(0),
    /** Of those, the ones inside a period the screen reported proof of play for. */
    ratedTaps: bigint('rated_taps', { mode: 'number' }).notNull().default(0),
    /** Cash of credited and released taps. */
    cashFen: bigint('cash_fen', { mode: 'number' }).notNull().default(0),
    /** Credited and released taps that issued a coupon. */
    coupons: bigint('coupons', { mode: 'number' }).notNull().default(0),
  },
  (table) => [
    primaryKey({ columns: [table.campaignId, table.tapDay, table.screenId, table.city, table.path] }),
    // The operator's report over every campaign reads by day.
    index('tap_rollups_day_idx').on(table.tapDay),
  ],
);
