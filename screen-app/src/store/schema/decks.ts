// Deck aggregate: signed envelope decks (docs/protocol.md §3.4) and how far each has been drawn.
import { blob, check, index, integer, sqliteTable } from 'drizzle-orm/sqlite-core';
import { sql } from 'drizzle-orm';

export const decks = sqliteTable(
  'decks',
  {
    deckId: integer('deck_id').primaryKey(),
    campaignId: integer('campaign_id').notNull(),
    /** The deck exactly as the cloud signed it; envelope i sits at byte 31 + 8·i. */
    bytes: blob('bytes', { mode: 'buffer' }).notNull(),
    validFrom: integer('valid_from').notNull(),
    validUntil: integer('valid_until').notNull(),
    count: integer('count').notNull(),
    /** Index of the next envelope to draw; envelopes are used strictly in order. */
    cursor: integer('cursor').notNull().default(0),
    storedAt: integer('stored_at').notNull(),
    closedAt: integer('closed_at'),
    /** The signed close report (docs/protocol.md §3.6), kept until it has been sent. */
    closeReport: blob('close_report', { mode: 'buffer' }),
  },
  (table) => [
    check('decks_cursor', sql`${table.cursor} BETWEEN 0 AND ${table.count}`),
    index('decks_campaign').on(table.campaignId, table.validUntil),
  ],
);
