// Local caps: cash packets given per wallet per campaign per local day on this screen.
import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const localCaps = sqliteTable(
  'local_caps',
  {
    walletId: integer('wallet_id').notNull(),
    campaignId: integer('campaign_id').notNull(),
    /** `YYYY-MM-DD` in the screen's configured timezone. */
    localDay: text('local_day').notNull(),
    cashCount: integer('cash_count').notNull(),
  },
  (table) => [primaryKey({ columns: [table.walletId, table.campaignId, table.localDay] })],
);
