// Online claims (docs/protocol.md §7a): a signed-in wallet claims the prize of a screen's claim ticket
// (§3.8) or of a SUN sticker read, decided online. One row per claim identity, forever, with its first
// result; and the outbox of `claimed` notices a dispatcher publishes to the screen after commit.
import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

export const claimRowPaths = ['qr', 'reader_tag', 'sticker'] as const;
export type ClaimRowPath = (typeof claimRowPaths)[number];

/**
 * credited (paid), rejected, or held by a multi-account signal (account-signals.ts) until an operator
 * releases it (paid then) or refuses it (its cash back to the campaign).
 */
export const claimStatuses = ['credited', 'rejected', 'held', 'released', 'refused'] as const;
export type ClaimStatus = (typeof claimStatuses)[number];

export const claims = pgTable(
  'claims',
  {
    /**
     * Drawn from the redemptions' id sequence, so a wallet's taps and claims share one id order and its
     * history pages through both with one `before` cursor.
     */
    id: bigint('id', { mode: 'number' })
      .primaryKey()
      .default(sql`nextval('redemptions_id_seq')`),
    /** `t:{screenId}:{ticketSeq}` for a ticket, `s:{tagUid}:{sunCounter}` for a sticker read: used once. */
    claimKey: text('claim_key').notNull(),
    screenId: bigint('screen_id', { mode: 'number' }).notNull(),
    /** The ticket's own sequence (§3.8); null for a sticker. */
    ticketSeq: bigint('ticket_seq', { mode: 'number' }),
    /** The sticker's UID (hex) and SUN read counter; null for a ticket. */
    tagUid: text('tag_uid'),
    sunCounter: integer('sun_counter'),
    walletId: bigint('wallet_id', { mode: 'number' }).notNull(),
    /** The campaign judged for the claim; null when no campaign could be named. */
    campaignId: bigint('campaign_id', { mode: 'number' }),
    advertiserId: bigint('advertiser_id', { mode: 'number' }),
    path: text('path', { enum: claimRowPaths }).notNull(),
    status: text('status', { enum: claimStatuses }).notNull(),
    /** The refusal reason (shared ErrorCode); null when credited. */
    code: text('code'),
    /** Cash paid to the wallet from the campaign's pool; 0 otherwise. */
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    couponOfferId: integer('coupon_offer_id'),
    /** The ticket's ts (screen clock); for a sticker, the cloud's time of the read. */
    tapTs: bigint('tap_ts', { mode: 'number' }).notNull(),
    /** Cap day of tapTs in the operator's zone: caps and reports count by it. */
    tapDay: date('tap_day', { mode: 'string' }).notNull(),
    city: text('city').notNull(),
    claimedAt: timestamp('claimed_at', { withTimezone: true }).notNull(),
    /** The client address the claim came from (client-ip.ts); null for claims from before it was kept. */
    clientIp: text('client_ip'),
    /** The web wallet's device cookie the claim carried (account-signals.ts); null without one. */
    deviceId: text('device_id'),
    /** When an operator released or refused the held claim. */
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
  },
  (table) => [
    uniqueIndex('claims_claim_key').on(table.claimKey),
    index('claims_wallet_idx').on(table.walletId, table.id),
    // The per-screen claim rate counts a screen's claims of the last minute by a range over this.
    index('claims_screen_time_idx').on(table.screenId, table.claimedAt),
    index('claims_campaign_day_idx').on(table.campaignId, table.tapDay),
    // A proof-of-play period rates the screen's claims inside it (tap_rollups, migration 0027).
    index('claims_screen_ts_idx').on(table.screenId, table.tapTs),
    check('claims_amount_check', sql`${table.amountFen} >= 0`),
    // Wallets claiming from one address in a window (account-signals.ts).
    index('claims_client_ip_time_idx').on(table.clientIp, table.claimedAt),
    // The operator's holds queue.
    index('claims_held_idx')
      .on(table.id)
      .where(sql`${table.status} = 'held'`),
  ],
);

/**
 * `claimed` notices for screens (protocol §5.7), written in the claim's transaction and published by
 * the claim-notice dispatcher after commit, so no request or transaction waits on the broker.
 */
export const claimNotices = pgTable(
  'claim_notices',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    screenId: bigint('screen_id', { mode: 'number' }).notNull(),
    /** The `claimed` message as published (TicketClaimed of @redtap/shared, protocol §5.7). */
    payload: jsonb('payload').$type<{ ticketSeq: number; claimedAt: number }>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    /** Epoch ms until which a dispatcher pass holds it (claim-notices.ts); 0 when free. */
    leaseUntil: bigint('lease_until', { mode: 'number' }).notNull().default(0),
  },
  (table) => [index('claim_notices_created_idx').on(table.createdAt)],
);
