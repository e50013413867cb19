// Proof of play from screens (docs/protocol.md §5.3), summed per screen, campaign, local day and creative.
import { bigint, date, index, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';

export const playStats = pgTable(
  'play_stats',
  {
    screenId: bigint('screen_id', { mode: 'number' }).notNull(),
    campaignId: bigint('campaign_id', { mode: 'number' }).notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    creativeSha256: text('creative_sha256').notNull(),
    plays: bigint('plays', { mode: 'number' }).notNull(),
    durationMs: bigint('duration_ms', { mode: 'number' }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.screenId, table.campaignId, table.day, table.creativeSha256] }),
    // Reports read a campaign's impressions by day range (services/reports.ts).
    index('play_stats_campaign_day_idx').on(table.campaignId, table.day),
  ],
);

/** Reports already counted, so a redelivered event (QoS 1) is not counted twice. */
export const playReports = pgTable(
  'play_reports',
  {
    screenId: bigint('screen_id', { mode: 'number' }).notNull(),
    periodStart: bigint('period_start', { mode: 'number' }).notNull(),
    periodEnd: bigint('period_end', { mode: 'number' }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.screenId, table.periodStart, table.periodEnd] })],
);
