// Campaigns (an advertiser's budget, prize plan, creatives, schedule and targeting), their coupon offers,
// the envelope pool decks are cut from, and the content-addressed creative files.
import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import type { ClaimPath, Daypart, PrizePlan } from '@redtap/shared';
import { advertisers } from './accounts.ts';
import { ledgerAccounts } from './ledger.ts';

export const campaignStatuses = ['draft', 'submitted', 'approved', 'active', 'paused', 'ended'] as const;
export type CampaignStatus = (typeof campaignStatuses)[number];

export interface CampaignTargeting {
  /** Empty = every city; the lists combine with AND, each list with OR. */
  cities: string[];
  buildings: string[];
  screenGroupIds: number[];
}

export interface CampaignRules {
  /** The kiosk's local cap and the cloud's per-campaign cap: cash packets per wallet per local day. */
  cashPerWalletPerDay: number;
  /** Coupon-only taps (the kiosk's fallback after the cash cap) per wallet per day. */
  couponsPerWalletPerDay: number;
  /** Offer given when the cash cap withholds cash; 0 = a thank-you. */
  fallbackCouponOfferId: number;
  /**
   * The advertiser's explicit choice: while this campaign's creative is on screen, a tap it cannot pay may
   * be paid by another campaign. Absent (campaigns from before it) = false.
   */
  fallThrough?: boolean;
  /** Where its prizes may be won (docs/protocol.md §7a). Absent (the default, and campaigns from before it) = all. */
  claimPaths?: ClaimPath[];
  /**
   * Percent of the envelopes it has left that its decks leave in the pool for online claims, when it
   * offers any (docs/protocol.md §3.4). Absent (the default, and campaigns from before it) =
   * CLAIM_RESERVE_PERCENT_DEFAULT; `claimReservePercent()` in @redtap/shared reads it.
   */
  claimReservePercent?: number;
}

export interface CampaignCreative {
  sha256: string;
  durationMs: number;
}

export const campaigns = pgTable(
  'campaigns',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    advertiserId: bigint('advertiser_id', { mode: 'number' })
      .notNull()
      .references(() => advertisers.id),
    name: text('name').notNull(),
    sponsor: text('sponsor').notNull(),
    status: text('status', { enum: campaignStatuses }).notNull().default('draft'),
    /** u32 Unix seconds. */
    startsAt: bigint('starts_at', { mode: 'number' }).notNull(),
    endsAt: bigint('ends_at', { mode: 'number' }).notNull(),
    dayparts: jsonb('dayparts').$type<Daypart[]>().notNull(),
    targeting: jsonb('targeting').$type<CampaignTargeting>().notNull(),
    /** The cash budget in fen; equals the prize plan's total. */
    budgetFen: bigint('budget_fen', { mode: 'number' }).notNull(),
    prizePlan: jsonb('prize_plan').$type<PrizePlan>().notNull(),
    rules: jsonb('rules').$type<CampaignRules>().notNull(),
    creatives: jsonb('creatives').$type<CampaignCreative[]>().notNull(),
    budgetAccountId: bigint('budget_account_id', { mode: 'number' })
      .notNull()
      .references(() => ledgerAccounts.id),
    /** Set when the envelope pool was drawn from the prize plan (at first activation). */
    poolBuiltAt: timestamp('pool_built_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    endedAt: timestamp('ended_at', { withTimezone: true }),
  },
  (table) => [
    index('campaigns_advertiser_idx').on(table.advertiserId, table.id),
    index('campaigns_status_idx').on(table.status),
    check('campaigns_budget_check', sql`${table.budgetFen} > 0`),
  ],
);

export const couponOffers = pgTable(
  'coupon_offers',
  {
    /** u32 `couponOfferId` on the wire. */
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    campaignId: bigint('campaign_id', { mode: 'number' })
      .notNull()
      .references(() => campaigns.id),
    title: text('title').notNull(),
    valueFen: bigint('value_fen', { mode: 'number' }).notNull(),
    /** Coupons mixed into the envelope pool. */
    stock: integer('stock').notNull(),
    /** u32 Unix seconds: no coupon of this offer is valid after it. */
    validUntil: bigint('valid_until', { mode: 'number' }).notNull(),
    /** A coupon is valid this many days from its tap, capped by validUntil. */
    validityDays: integer('validity_days').notNull(),
    terms: text('terms').notNull(),
  },
  (table) => [index('coupon_offers_campaign_idx').on(table.campaignId)],
);

/**
 * The campaign's envelopes not yet in a deck, in draw order. Built from the prize plan at activation;
 * envelopes whose money comes back (rejected taps, expired or closed decks) are appended, so the pool's
 * cash always equals the budget account's balance.
 */
export const campaignEnvelopes = pgTable(
  'campaign_envelopes',
  {
    position: bigint('position', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    campaignId: bigint('campaign_id', { mode: 'number' }).notNull(),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    couponOfferId: integer('coupon_offer_id').notNull().default(0),
    /** The deck that took this envelope; null while it waits in the pool. */
    deckId: bigint('deck_id', { mode: 'number' }),
  },
  (table) => [
    index('campaign_envelopes_free_idx')
      .on(table.campaignId, table.position)
      .where(sql`${table.deckId} is null`),
  ],
);

export const contentMimes = ['image/png', 'image/jpeg', 'image/webp', 'video/mp4', 'video/webm'] as const;
export type ContentMime = (typeof contentMimes)[number];

/** Creative files, content-addressed; the bytes live in the content store, not in the database. */
export const contentObjects = pgTable('content_objects', {
  sha256: text('sha256').primaryKey(),
  mime: text('mime', { enum: contentMimes }).notNull(),
  bytes: bigint('bytes', { mode: 'number' }).notNull(),
  /** The tenant that uploaded it first (null for operators); content is public by hash anyway. */
  advertiserId: bigint('advertiser_id', { mode: 'number' }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
