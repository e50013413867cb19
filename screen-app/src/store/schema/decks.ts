// Deck aggregate: signed envelope decks (docs/protocol.md §3.4) and how far each of their two cursors has
// been drawn: the main envelopes and the fallback-coupon allotment. The signed bytes (up to 512 KB) live
// in their own table: a tap reads and updates the small state row, never a row that spills onto dozens
// of overflow pages.
import { blob, check, index, integer, sqliteTable } from 'drizzle-orm/sqlite-core';
import { sql } from 'drizzle-orm';

export const decks = sqliteTable(
  'decks',
  {
    deckId: integer('deck_id').primaryKey(),
    campaignId: integer('campaign_id').notNull(),
    /**
     * Where envelope i sits in deckBytes.bytes: byte envelopesOffset + 8·i. 31 in a version 1 deck, 33
     * in a version 2 deck (docs/protocol.md §3.4).
     */
    envelopesOffset: integer('envelopes_offset').notNull().default(31),
    validFrom: integer('valid_from').notNull(),
    validUntil: integer('valid_until').notNull(),
    /** Every envelope, the allotment included. */
    count: integer('count').notNull(),
    /** The last fallbackCount envelopes are the fallback-coupon allotment; 0 for a version 1 deck. */
    fallbackCount: integer('fallback_count').notNull().default(0),
    /** Index of the next main envelope to draw (below count − fallbackCount), strictly in order. */
    cursor: integer('cursor').notNull().default(0),
    /** Allotment slots drawn so far: the next one is envelope count − fallbackCount + fallbackCursor. */
    fallbackCursor: integer('fallback_cursor').notNull().default(0),
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

/** Each deck exactly as the cloud signed it: written once at intake, read once per deck by the engine. */
export const deckBytes = sqliteTable('deck_bytes', {
  deckId: integer('deck_id')
    .primaryKey()
    .references(() => decks.deckId, { onDelete: 'cascade' }),
  bytes: blob('bytes', { mode: 'buffer' }).notNull(),
});
