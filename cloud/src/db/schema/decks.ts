// Envelope decks (docs/protocol.md §3.4): a signed slice of a campaign's envelope pool for one screen,
// whose cash sits in its own escrow account until taps redeem it or it flows back to the budget.
import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { ledgerAccounts } from './ledger.ts';

export const deckStatuses = ['open', 'settled'] as const;
export type DeckStatus = (typeof deckStatuses)[number];

export const decks = pgTable(
  'decks',
  {
    /** By default, so a deck's id can be drawn before its envelopes are signed under it. */
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    campaignId: bigint('campaign_id', { mode: 'number' }).notNull(),
    screenId: bigint('screen_id', { mode: 'number' }).notNull(),
    validFrom: bigint('valid_from', { mode: 'number' }).notNull(),
    validUntil: bigint('valid_until', { mode: 'number' }).notNull(),
    /** `[amountFen, couponOfferId]` per envelope, in index order. */
    envelopes: jsonb('envelopes').$type<[number, number][]>().notNull(),
    /** The last `fallbackCount` envelopes are the fallback-coupon allotment (docs/protocol.md §3.4). */
    fallbackCount: integer('fallback_count').notNull().default(0),
    escrowAccountId: bigint('escrow_account_id', { mode: 'number' }).references(() => ledgerAccounts.id),
    reservedFen: bigint('reserved_fen', { mode: 'number' }).notNull(),
    issuerKeyId: integer('issuer_key_id').notNull(),
    /** The signed deck as sent, hex, so a lost publish can be repeated byte for byte. */
    signed: text('signed').notNull(),
    status: text('status', { enum: deckStatuses }).notNull().default('open'),
    /** From a signed close report (§3.6): envelopes at or above it can never be redeemed. */
    closedUsedCount: integer('closed_used_count'),
    /** The highest counter redeemed from this deck and its envelope index (envelope order rule). */
    lastCounter: bigint('last_counter', { mode: 'number' }).notNull().default(0),
    lastEnvelopeIndex: integer('last_envelope_index').notNull().default(-1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    settledAt: timestamp('settled_at', { withTimezone: true }),
  },
  (table) => [
    index('decks_screen_campaign_idx').on(table.screenId, table.campaignId, table.status),
    // A campaign's open decks: what its screens hold, read once per batch of decks it issues.
    index('decks_campaign_open_idx')
      .on(table.campaignId, table.screenId)
      .where(sql`${table.status} = 'open'`),
    index('decks_open_expiry_idx')
      .on(table.validUntil)
      .where(sql`${table.status} = 'open'`),
    check('decks_reserved_check', sql`${table.reservedFen} >= 0`),
  ],
);
