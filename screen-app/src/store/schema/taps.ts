// Tap outbox: every committed token, the source of truth until the cloud acks it (docs/protocol.md §5.4).
import { blob, check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { sql } from 'drizzle-orm';

export const taps = sqliteTable(
  'taps',
  {
    counter: integer('counter').primaryKey(),
    /** The 196-byte signed token exactly as sent to the phone and the cloud. */
    token: blob('token', { mode: 'buffer' }).notNull(),
    walletId: integer('wallet_id').notNull(),
    campaignId: integer('campaign_id').notNull(),
    amountFen: integer('amount_fen').notNull(),
    couponOfferId: integer('coupon_offer_id').notNull(),
    /** 0 when the tap drew no envelope. */
    deckId: integer('deck_id').notNull(),
    /** null when the tap drew no envelope (0xFFFF on the wire). */
    envelopeIndex: integer('envelope_index'),
    flags: integer('flags').notNull(),
    createdAt: integer('created_at').notNull(),
    state: text('state', { enum: ['pending', 'settled'] }).notNull(),
    ackStatus: text('ack_status', { enum: ['credited', 'duplicate', 'rejected', 'retry'] }),
    ackCode: text('ack_code'),
    settledAt: integer('settled_at'),
    attempts: integer('attempts').notNull().default(0),
  },
  (table) => [
    check('taps_state', sql`${table.state} IN ('pending', 'settled')`),
    check('taps_amount', sql`${table.amountFen} BETWEEN 0 AND 4294967295`),
    // Partial indexes keep the sync queries cheap however many settled taps wait for pruning.
    index('taps_pending')
      .on(table.counter)
      .where(sql`${table.state} = 'pending'`),
    index('taps_settled_at')
      .on(table.settledAt)
      .where(sql`${table.state} = 'settled'`),
    // Defence in depth behind the deck cursor: one envelope can never be stored in two taps.
    uniqueIndex('taps_envelope')
      .on(table.deckId, table.envelopeIndex)
      .where(sql`${table.envelopeIndex} IS NOT NULL`),
  ],
);
