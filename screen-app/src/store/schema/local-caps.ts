// Local caps: what each wallet had per campaign per local day on this screen, counted as the cloud's day
// caps count it: cash packets, and taps with a coupon and no cash.
import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const localCaps = sqliteTable(
  'local_caps',
  {
    walletId: integer('wallet_id').notNull(),
    campaignId: integer('campaign_id').notNull(),
    /** `YYYY-MM-DD` in the screen's configured timezone. */
    localDay: text('local_day').notNull(),
    cashCount: integer('cash_count').notNull(),
    /** Committed taps with amountFen 0 and a couponOfferId (deck coupon-only envelopes and fallbacks). */
    couponCount: integer('coupon_count').notNull().default(0),
  },
  (table) => [primaryKey({ columns: [table.walletId, table.campaignId, table.localDay] })],
);
