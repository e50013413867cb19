// Proof-of-play aggregates: plays and milliseconds per creative per reporting period.
import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const proofOfPlay = sqliteTable(
  'proof_of_play',
  {
    periodStart: integer('period_start').notNull(),
    periodEnd: integer('period_end').notNull(),
    creativeSha256: text('creative_sha256').notNull(),
    campaignId: integer('campaign_id').notNull(),
    plays: integer('plays').notNull(),
    durationMs: integer('duration_ms').notNull(),
    /** Set once the period has been published in a proof-of-play event. */
    reportedAt: integer('reported_at'),
  },
  (table) => [primaryKey({ columns: [table.periodStart, table.creativeSha256] })],
);
