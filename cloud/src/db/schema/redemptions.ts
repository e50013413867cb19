// Redeemed tap tokens (docs/protocol.md §7): one row per token identity (screenId, counter), forever,
// with its first result; coupon instances; and the small per-screen and per-wallet state fraud rules read.
import { sql } from 'drizzle-orm';
import {
  bigint,
  date,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

export const redemptionStatuses = ['credited', 'rejected', 'held', 'released', 'refused'] as const;
export type RedemptionStatus = (typeof redemptionStatuses)[number];

export const redemptions = pgTable(
  'redemptions',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    screenId: bigint('screen_id', { mode: 'number' }).notNull(),
    counter: bigint('counter', { mode: 'number' }).notNull(),
    /** First 16 bytes of SHA-256 of the token, hex: a second token with this identity but other bytes is a rollback. */
    tokenHash: text('token_hash').notNull(),
    walletId: bigint('wallet_id', { mode: 'number' }).notNull(),
    campaignId: bigint('campaign_id', { mode: 'number' }).notNull(),
    advertiserId: bigint('advertiser_id', { mode: 'number' }),
    /** Set when this token consumed a deck envelope (whatever the result). */
    deckId: bigint('deck_id', { mode: 'number' }),
    envelopeIndex: integer('envelope_index'),
    /** Cash that left escrow for the wallet (credited) or the review hold (held); 0 otherwise. */
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    couponOfferId: integer('coupon_offer_id'),
    status: text('status', { enum: redemptionStatuses }).notNull(),
    /** The reject or hold reason (shared ErrorCode). */
    code: text('code'),
    tapTs: bigint('tap_ts', { mode: 'number' }).notNull(),
    /** The tap's local day in the operator's time zone: caps and reports count by it. */
    tapDay: date('tap_day', { mode: 'string' }).notNull(),
    city: text('city').notNull(),
    source: text('source', { enum: ['mqtt', 'http'] }).notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
  },
  (table) => [
    uniqueIndex('redemptions_identity_key').on(table.screenId, table.counter),
    uniqueIndex('redemptions_envelope_key')
      .on(table.deckId, table.envelopeIndex)
      .where(sql`${table.envelopeIndex} is not null`),
    index('redemptions_wallet_idx').on(table.walletId, table.id),
    index('redemptions_campaign_day_idx').on(table.campaignId, table.tapDay),
    // A proof-of-play period rates the screen's taps inside it (tap_rollups, migration 0027).
    index('redemptions_screen_ts_idx').on(table.screenId, table.tapTs),
    index('redemptions_held_idx')
      .on(table.id)
      .where(sql`${table.status} = 'held'`),
  ],
);

export const coupons = pgTable(
  'coupons',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    /**
     * 16 characters of Crockford base32 from 80 random bits: unguessable. People see it with a check
     * character (src/coupons/coupon-code.ts).
     */
    code: text('code').notNull(),
    walletId: bigint('wallet_id', { mode: 'number' }).notNull(),
    couponOfferId: integer('coupon_offer_id').notNull(),
    campaignId: bigint('campaign_id', { mode: 'number' }).notNull(),
    screenId: bigint('screen_id', { mode: 'number' }).notNull(),
    counter: bigint('counter', { mode: 'number' }).notNull(),
    tapDay: date('tap_day', { mode: 'string' }).notNull(),
    issuedAt: timestamp('issued_at', { withTimezone: true }).notNull(),
    /** u32 Unix seconds: after it the coupon is expired (unless redeemed before). */
    validUntil: bigint('valid_until', { mode: 'number' }).notNull(),
    /** Set once, at the till: issued → redeemed. */
    redeemedAt: timestamp('redeemed_at', { withTimezone: true }),
    redeemedStoreId: bigint('redeemed_store_id', { mode: 'number' }),
    redeemedTillKeyId: bigint('redeemed_till_key_id', { mode: 'number' }),
    /** The till's own transaction id, if it sent one: a retry with it gets the same answer. */
    redeemedTillTxnId: text('redeemed_till_txn_id'),
  },
  (table) => [
    uniqueIndex('coupons_code_key').on(table.code),
    index('coupons_offer_idx').on(table.couponOfferId),
    index('coupons_redeemed_store_idx')
      .on(table.redeemedStoreId)
      .where(sql`${table.redeemedStoreId} is not null`),
    uniqueIndex('coupons_tap_key').on(table.screenId, table.counter),
    index('coupons_wallet_idx').on(table.walletId, table.id),
    index('coupons_campaign_day_idx').on(table.campaignId, table.tapDay),
  ],
);

/** Per screen: the highest counter seen and a sliding window for the tap-rate rule. */
export const screenTapState = pgTable('screen_tap_state', {
  screenId: bigint('screen_id', { mode: 'number' }).primaryKey(),
  counterMax: bigint('counter_max', { mode: 'number' }).notNull(),
  tsAtCounterMax: bigint('ts_at_counter_max', { mode: 'number' }).notNull(),
  windowCounter: bigint('window_counter', { mode: 'number' }).notNull(),
  windowTs: bigint('window_ts', { mode: 'number' }).notNull(),
});

/** Per wallet: where and when it last tapped (impossible-travel rule). */
export const walletTapState = pgTable('wallet_tap_state', {
  walletId: bigint('wallet_id', { mode: 'number' }).primaryKey(),
  lastTs: bigint('last_ts', { mode: 'number' }).notNull(),
  lastCity: text('last_city').notNull(),
  lastScreenId: bigint('last_screen_id', { mode: 'number' }).notNull(),
});

/**
 * Per wallet, cap day and campaign: the taps that count against the day caps (credited, held or
 * released; docs/protocol.md §7 step 7), kept current as taps settle and holds are refused, so
 * settlement reads a few rows whatever the length of the history.
 */
export const walletDayTotals = pgTable(
  'wallet_day_totals',
  {
    walletId: bigint('wallet_id', { mode: 'number' }).notNull(),
    tapDay: date('tap_day', { mode: 'string' }).notNull(),
    campaignId: bigint('campaign_id', { mode: 'number' }).notNull(),
    advertiserId: bigint('advertiser_id', { mode: 'number' }),
    cashCount: integer('cash_count').notNull(),
    cashFen: bigint('cash_fen', { mode: 'number' }).notNull(),
    /** Taps with a coupon and no cash. */
    couponCount: integer('coupon_count').notNull(),
    /**
     * When each of those taps was made (Unix s), in the order they settled: a fallback coupon is capped
     * by the coupons tapped before it, whatever order the taps reach the cloud in (protocol §7 step 7).
     * Counted taps from before this column are the difference `coupon_count − cardinality`.
     */
    couponTapTs: bigint('coupon_tap_ts', { mode: 'number' })
      .array()
      .notNull()
      .default(sql`'{}'::bigint[]`),
    /** Of those, the fallback coupons (deck-less or allotment slots): never more than the cap in a day. */
    fallbackCount: integer('fallback_count').notNull().default(0),
  },
  (table) => [primaryKey({ columns: [table.walletId, table.tapDay, table.campaignId] })],
);

/** Per wallet and cap day: the screens that paid it cash, and how many packets each (too-many-screens rule). */
export const walletDayScreens = pgTable(
  'wallet_day_screens',
  {
    walletId: bigint('wallet_id', { mode: 'number' }).notNull(),
    tapDay: date('tap_day', { mode: 'string' }).notNull(),
    screenId: bigint('screen_id', { mode: 'number' }).notNull(),
    cashCount: integer('cash_count').notNull(),
  },
  (table) => [primaryKey({ columns: [table.walletId, table.tapDay, table.screenId] })],
);
