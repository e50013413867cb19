// Merchants and their stores, where commuters redeem coupons: which offers each store accepts, and the
// stores' till keys (a scoped credential per till, shown once and stored as a hash).
import {
  bigint,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { advertisers, users } from './accounts.ts';
import { couponOffers } from './campaigns.ts';

export const merchants = pgTable(
  'merchants',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    /** The brand that registered the merchant: only its offers can be accepted there. */
    advertiserId: bigint('advertiser_id', { mode: 'number' })
      .notNull()
      .references(() => advertisers.id),
    name: text('name').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('merchants_advertiser_idx').on(table.advertiserId, table.id)],
);

export const stores = pgTable(
  'stores',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    merchantId: bigint('merchant_id', { mode: 'number' })
      .notNull()
      .references(() => merchants.id),
    /** Denormalised from the merchant: every tenant check on a store is one column. */
    advertiserId: bigint('advertiser_id', { mode: 'number' })
      .notNull()
      .references(() => advertisers.id),
    name: text('name').notNull(),
    city: text('city').notNull(),
    address: text('address').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('stores_advertiser_idx').on(table.advertiserId, table.id),
    index('stores_merchant_idx').on(table.merchantId),
  ],
);

/** The offers a store takes at its till. */
export const storeOffers = pgTable(
  'store_offers',
  {
    storeId: bigint('store_id', { mode: 'number' })
      .notNull()
      .references(() => stores.id),
    couponOfferId: integer('coupon_offer_id')
      .notNull()
      .references(() => couponOffers.id),
  },
  (table) => [
    primaryKey({ columns: [table.storeId, table.couponOfferId] }),
    index('store_offers_offer_idx').on(table.couponOfferId),
  ],
);

export const tillKeys = pgTable(
  'till_keys',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    storeId: bigint('store_id', { mode: 'number' })
      .notNull()
      .references(() => stores.id),
    /** SHA-256 (hex) of the key's 256-bit secret; the key itself is shown once and never stored. */
    secretHash: text('secret_hash').notNull(),
    /** The key's first characters, so a person can tell keys apart in the list. */
    hint: text('hint').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    /** The user who issued the key: it stops working while that user is disabled. Null before 0009. */
    issuedByUserId: bigint('issued_by_user_id', { mode: 'number' }).references(() => users.id),
  },
  (table) => [
    index('till_keys_store_idx').on(table.storeId),
    uniqueIndex('till_keys_secret_key').on(table.secretHash),
  ],
);

/**
 * A till key's guessing budget in the current window, shared by every cloud process: a lookup reserves
 * its worst-case cost here (one atomic UPDATE) before it runs, so parallel requests cannot overdraw it.
 */
export const tillGuessWindows = pgTable('till_guess_windows', {
  tillKeyId: bigint('till_key_id', { mode: 'number' })
    .primaryKey()
    .references(() => tillKeys.id),
  windowStartedAt: timestamp('window_started_at', { withTimezone: true }).notNull(),
  points: integer('points').notNull(),
});
